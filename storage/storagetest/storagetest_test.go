package storagetest

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	Main(m, func(ctx context.Context, db *sql.DB) error {
		_, err := db.ExecContext(ctx, "CREATE TABLE notes (body text NOT NULL)")
		return err
	})
}

func TestIsolatedDatabases(t *testing.T) {
	t.Parallel()
	begin := time.Now()
	dsnA := NewDatabase(t)
	t.Logf("first NewDatabase took %v", time.Since(begin))
	begin = time.Now()
	dsnB := NewDatabase(t)
	t.Logf("second NewDatabase took %v", time.Since(begin))
	if dsnA == dsnB {
		t.Fatalf("same DSN twice: %s", dsnA)
	}
	a, b := open(t, dsnA), open(t, dsnB)

	// Both have the migrated table; a row in one is not in the other.
	if _, err := a.ExecContext(t.Context(), "INSERT INTO notes VALUES ('only in A')"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, a); n != 1 {
		t.Errorf("A has %d rows, want 1", n)
	}
	if n := count(t, b); n != 0 {
		t.Errorf("B has %d rows, want 0", n)
	}
}

// TestParallel clones the template from many tests at once.
func TestParallel(t *testing.T) {
	for i := range 8 {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			begin := time.Now()
			db := open(t, NewDatabase(t))
			t.Logf("NewDatabase %d took %v", i, time.Since(begin))
			if n := count(t, db); n != 0 {
				t.Errorf("%d rows, want 0", n)
			}
			// Left open on purpose: the drop must not wait for it.
			if _, err := db.ExecContext(t.Context(), "SELECT 1"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestWithDatabase(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://u:p@db:5432/ci?sslmode=disable": "postgres://u:p@db:5432/x?sslmode=disable",
		"host=db user=u dbname=ci sslmode=disable":  "host=db user=u dbname=ci sslmode=disable dbname=x",
	} {
		if got := withDatabase(dsn, "x"); got != want {
			t.Errorf("withDatabase(%q) = %q, want %q", dsn, got, want)
		}
	}
}

func open(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM notes").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
