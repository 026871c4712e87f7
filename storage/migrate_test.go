package storage_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// Every migration's Down undoes its Up: the schema goes down to nothing and
// comes back up, so an operator can roll a release back.
func TestMigrationsGoDownAndUpAgain(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("postgres", storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := storage.NewMigrator(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	latest, err := p.GetDBVersion(ctx)
	if err != nil || latest < 14 {
		t.Fatalf("the test database is at version %d (%v)", latest, err)
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatalf("down: %v", err)
	}
	var left []string
	if err := sqlx.NewDb(db, "postgres").SelectContext(ctx, &left, `
		SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 'S', 'v') AND c.relname NOT LIKE 'goose_db_version%'
		UNION ALL
		SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`); err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Fatalf("left behind by the Down migrations: %v", left)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if v, err := p.GetDBVersion(ctx); err != nil || v != latest {
		t.Fatalf("version %d after up again, want %d (%v)", v, latest, err)
	}
}
