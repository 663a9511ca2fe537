package memory

import (
	"context"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// ipRecord is what the guard knows about one client IP.
type ipRecord struct {
	lastFailure  map[string]time.Time // identifier → its latest failure from this IP
	blockedUntil time.Time
}

// abuseTable holds the per-IP failure records. Records forget identifiers
// whose latest failure left the window, and an IP with nothing left to
// remember is dropped, so memory follows recent abuse, not all history.
type abuseTable struct {
	tableLock
	ips map[string]*ipRecord
}

// RecordIPFailure records a failure of identifier from ip at now and blocks
// ip until now + policy.BlockFor when the distinct identifiers that failed
// within policy.Window reach policy.DistinctIdentifiers. It returns the end of
// the block in force after the call, or the zero time.
func (s *Store) RecordIPFailure(ctx context.Context, ip, identifier string, now time.Time, policy ports.IPPolicy) (time.Time, error) {
	now = stamp(now)
	a := &s.abuse
	if err := a.lock(ctx); err != nil {
		return time.Time{}, err
	}
	defer a.mu.Unlock()
	rec, ok := a.ips[ip]
	if !ok {
		rec = &ipRecord{lastFailure: map[string]time.Time{}}
		a.ips[ip] = rec
	}
	if last, seen := rec.lastFailure[identifier]; !seen || now.After(last) {
		rec.lastFailure[identifier] = now
	}
	for id, last := range rec.lastFailure {
		if now.Sub(last) > policy.Window {
			delete(rec.lastFailure, id)
		}
	}
	if len(rec.lastFailure) >= policy.DistinctIdentifiers {
		if until := now.Add(policy.BlockFor); until.After(rec.blockedUntil) {
			rec.blockedUntil = until
		}
	}
	return blockAt(rec, now), nil
}

// IPBlockedUntil returns the end of the block on ip in force at now, or the
// zero time.
func (s *Store) IPBlockedUntil(ctx context.Context, ip string, now time.Time) (time.Time, error) {
	a := &s.abuse
	if err := a.lock(ctx); err != nil {
		return time.Time{}, err
	}
	defer a.mu.Unlock()
	rec, ok := a.ips[ip]
	if !ok {
		return time.Time{}, nil
	}
	until := blockAt(rec, now)
	if until.IsZero() && len(rec.lastFailure) == 0 {
		delete(a.ips, ip)
	}
	return until, nil
}

// blockAt returns the block in force at now: a block lapses at its end.
func blockAt(rec *ipRecord, now time.Time) time.Time {
	if now.Before(rec.blockedUntil) {
		return rec.blockedUntil
	}
	return time.Time{}
}
