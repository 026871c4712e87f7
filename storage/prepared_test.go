package storage_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// waitPrepared runs query until the background prepare it triggers has
// finished.
func waitPrepared(t *testing.T, s *storage.Store, query string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !s.Prepared(query) {
		if time.Now().After(deadline) {
			t.Fatalf("%q was not prepared", query)
		}
		if _, err := s.Queries().ExecContext(t.Context(), query); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestQueriesRunAsPreparedStatements(t *testing.T) {
	s, err := storage.Open(t.Context(), storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.OneConnection()
	const query = `SELECT count(*) FROM outbox WHERE status = 'pending'`
	waitPrepared(t, s, query)

	err = s.InTx(t.Context(), func(tx *storage.Store) error {
		var n int
		if err := sqlx.GetContext(t.Context(), tx.Queries(), &n, query); err != nil {
			return err
		}
		var onConnection []string
		err := sqlx.SelectContext(t.Context(), tx.Queries(), &onConnection,
			`SELECT statement FROM pg_prepared_statements WHERE NOT from_sql`)
		if !strings.Contains(strings.Join(onConnection, "\n"), query) {
			t.Errorf("the connection's prepared statements are %q, without %q", onConnection, query)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A table altered under a prepared SELECT * makes PostgreSQL refuse the
// statement once; it is then dropped and the query works again.
func TestAStatementRefusedAfterAlterIsPreparedAfresh(t *testing.T) {
	s, err := storage.Open(t.Context(), storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.OneConnection()
	ctx := t.Context()
	if _, err := s.Queries().ExecContext(ctx, `CREATE TABLE altered (a int); INSERT INTO altered VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	const query = `SELECT * FROM altered`
	waitPrepared(t, s, query)
	if _, err := s.Queries().ExecContext(ctx, query); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Queries().ExecContext(ctx, `ALTER TABLE altered ADD COLUMN b int`); err != nil {
		t.Fatal(err)
	}

	_, err = s.Queries().QueryxContext(ctx, query)
	if err == nil || !strings.Contains(err.Error(), "cached plan must not change result type") {
		t.Fatalf("after ALTER: %v, want PostgreSQL's refusal of the cached plan", err)
	}
	if s.Prepared(query) {
		t.Error("the refused statement is still cached")
	}
	rows, err := s.Queries().QueryxContext(ctx, query)
	if err != nil {
		t.Fatalf("second try after ALTER: %v", err)
	}
	defer rows.Close()
	if cols, _ := rows.Columns(); len(cols) != 2 {
		t.Errorf("columns %v, want a and b", cols)
	}
}
