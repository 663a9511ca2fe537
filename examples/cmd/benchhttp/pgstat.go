package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
)

// database is a fresh PostgreSQL database for one mode of the run, reached
// through an admin connection to another database (so that watching it opens
// no backend in it).
type database struct {
	admin *pgx.Conn
	name  string
	url   *url.URL // the admin URL with this database as its path
}

// createDatabase creates bench_<random>.
func createDatabase(ctx context.Context, admin *pgx.Conn, adminURL *url.URL) (*database, error) {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "bench_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u := *adminURL
	u.Path = "/" + name
	return &database{admin: admin, name: name, url: &u}, nil
}

// drop removes the database, ending any backend still in it.
func (d *database) drop(ctx context.Context) error {
	_, err := d.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{d.name}.Sanitize()+" WITH (FORCE)")
	return err
}

// serverURL is the DATABASE_URL the server gets: this database at hostport
// (PostgreSQL itself, or the statement counter in front of it), without TLS
// so that the counter can read the protocol.
func (d *database) serverURL(hostport string) string {
	u := *d.url
	u.Host = hostport
	q := u.Query()
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	return u.String()
}

// counters are the database's cumulative transaction counters from
// pg_stat_database. xact_commit counts every committed transaction: each
// autocommit statement is one, and so is the one a backend runs when a
// connection starts (sessions counts those).
type counters struct {
	commits, rollbacks, sessions int64
}

func (c counters) minus(o counters) counters {
	return counters{commits: c.commits - o.commits, rollbacks: c.rollbacks - o.rollbacks, sessions: c.sessions - o.sessions}
}

// transactions are the commits of the requests themselves: without the one
// each new connection of the server's pool runs at its start.
func (c counters) transactions() int64 { return c.commits - c.sessions }

// settled reads the counters once no backend is connected to the database
// and they stopped moving. A backend sends its counts to the statistics
// system when it goes idle at most once a second, or ten seconds later, and
// always when it exits: only a database without backends has counters that
// include every transaction run in it.
func (d *database) settled(ctx context.Context) (counters, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var prev counters
	stable := 0
	for {
		var backends int
		if err := d.admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = $1", d.name).Scan(&backends); err != nil {
			return counters{}, fmt.Errorf("pg_stat_activity: %w", err)
		}
		var c counters
		if backends == 0 {
			err := d.admin.QueryRow(ctx, `SELECT xact_commit, xact_rollback, sessions
				FROM pg_stat_database WHERE datname = $1`, d.name).Scan(&c.commits, &c.rollbacks, &c.sessions)
			if err != nil {
				return counters{}, fmt.Errorf("pg_stat_database: %w", err)
			}
			if stable++; stable > 1 && c == prev {
				return c, nil
			}
			prev = c
		} else {
			stable = 0
		}
		select {
		case <-ctx.Done():
			if backends > 0 {
				return counters{}, errors.New("backends stayed connected to the benchmark database")
			}
			return counters{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
