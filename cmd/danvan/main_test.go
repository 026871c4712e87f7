package main

import (
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/lib/pq"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

func TestMain(m *testing.M) {
	if os.Getenv(signalChildEnv) != "" {
		signalChild()
	}
	storagetest.Main(m, storage.MigrateQuiet)
}

// newDatabase points the commands at a fresh test database and returns a
// connection to it for checks.
func newDatabase(t *testing.T) *sql.DB {
	t.Helper()
	dsn := storagetest.NewDatabase(t)
	t.Setenv("DATABASE_URL", dsn)
	t.Setenv("LOG_LEVEL", "warn")
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openStore opens the test database (newDatabase) as the commands do.
func openStore(t *testing.T) *storage.Store {
	t.Helper()
	store, err := storage.Open(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// runCLI runs danvan with args and returns what it printed on standard
// output. Tests that use it must not run in parallel.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	err = dispatch(context.Background(), args)
	os.Stdout = stdout
	w.Close()
	out := <-done
	r.Close()
	return string(out), err
}

// writeFile writes a file in the test's directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustExec(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatal(err)
	}
}
