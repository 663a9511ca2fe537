package postgres_test

import (
	"context"
	"database/sql"
	"log"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/bharatauth/bharatauth-go/adapters/postgres"
)

// Wire the Store the recommended way: pgx through database/sql in exec mode,
// bun with pgdialect, then migrate at start-up.
func ExampleNew() {
	sqldb, err := sql.Open("pgx", "postgres://app@127.0.0.1:5432/app?sslmode=disable&default_query_exec_mode=exec")
	if err != nil {
		log.Fatal(err)
	}
	db := bun.NewDB(sqldb, pgdialect.New())
	defer db.Close()

	store, err := postgres.New(db, postgres.Options{})
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(context.Background()); err != nil {
		log.Fatal(err)
	}
	// Managed mode: store is the UserDirectory and every other storage port.
	// External mode: pass your own ports.UserDirectory and store for the rest.
}
