// Package storagetest gives tests a fresh, migrated PostgreSQL database each.
//
// Call Main from TestMain, passing the migration function (package storage
// cannot be imported here without an import cycle):
//
//	func TestMain(m *testing.M) { storagetest.Main(m, storage.MigrateQuiet) }
//
//	func TestSomething(t *testing.T) {
//		t.Parallel()
//		dsn := storagetest.NewDatabase(t) // dropped when the test ends
//		...
//	}
//
// Main migrates a template database once; NewDatabase clones it, which is
// faster than migrating per test but still costs about 0.1–0.2 s. Tests
// that need many small, isolated steps can share one database and roll
// back a transaction per step.
//
// Where the databases live:
//   - TEST_DATABASE_URL set: on that server. Its user needs CREATEDB. All
//     names carry a random prefix, so parallel runs do not collide.
//   - Otherwise: in a throwaway cluster started from the installed server
//     binaries (package localpg) in a temporary directory, once per test
//     binary. It costs about 1.5 s per package. If a test binary is killed
//     (go test -timeout, ^C), the next run stops its server and removes it.
//   - No binaries: tests calling NewDatabase are skipped, unless CI=true,
//     where the test binary fails.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"github.com/danvan-vn/danvan/storage/localpg"
)

// harness is set up by Main.
var harness struct {
	ready    bool
	skip     string              // non-empty: why NewDatabase skips
	admin    *sql.DB             // maintenance database; never the template
	dsn      func(string) string // DSN of a database by name
	template string
	prefix   string
	created  atomic.Int64
	// Clones take turns. Concurrent CREATE DATABASE … TEMPLATE works on
	// PostgreSQL 15 but was no faster (measured), and serial clones keep
	// a shared CI server calm. (Cloning fails only while a session is
	// connected to the template, and none of ours stays connected.)
	mu sync.Mutex
}

// Main sets up the databases (once per test binary), runs the tests, tears
// everything down and exits.
func Main(m *testing.M, migrate func(ctx context.Context, db *sql.DB) error) {
	os.Exit(run(m, migrate))
}

func run(m *testing.M, migrate func(context.Context, *sql.DB) error) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	teardown, err := setup(ctx, migrate)
	cancel()
	switch {
	case errors.Is(err, localpg.ErrNoBinaries) && os.Getenv("CI") != "true":
		harness.skip = "storagetest: skipped: TEST_DATABASE_URL is unset and " + err.Error()
	case err != nil:
		fmt.Fprintln(os.Stderr, "storagetest:", err)
		return 1
	default:
		harness.ready = true
		defer teardown()
	}
	return m.Run()
}

func setup(ctx context.Context, migrate func(context.Context, *sql.DB) error) (teardown func(), err error) {
	harness.prefix = strings.ToLower(rand.Text()[:8])
	harness.template = "tpl_" + harness.prefix

	stopServer := func() {}
	admin := os.Getenv("TEST_DATABASE_URL")
	if admin != "" {
		harness.dsn = func(name string) string { return withDatabase(admin, name) }
	} else {
		srv, err := startServer(ctx)
		if err != nil {
			return nil, err
		}
		stopServer = func() {
			if err := srv.Stop(context.Background()); err != nil {
				fmt.Fprintln(os.Stderr, "storagetest:", err)
			}
			os.RemoveAll(srv.Dir())
		}
		harness.dsn, admin = srv.DSN, srv.DSN("postgres")
	}
	if harness.admin, err = sql.Open("postgres", admin); err != nil {
		stopServer()
		return nil, err
	}
	teardown = func() {
		dropDatabase(harness.template)
		harness.admin.Close()
		stopServer()
	}
	if err := createTemplate(ctx, migrate); err != nil {
		teardown()
		return nil, err
	}
	return teardown, nil
}

// startServer starts a throwaway cluster in a new directory under /tmp.
func startServer(ctx context.Context) (*localpg.Server, error) {
	// The socket lives in the data directory, and its path must stay
	// under about 100 bytes; TMPDIR can be long (macOS).
	tmp := os.TempDir()
	if len(tmp) > 40 {
		tmp = "/tmp"
	}
	removeStale(tmp)
	// Our pid in the name lets removeStale clean up after a test binary
	// that was killed (go test -timeout, ^C) before it could stop its
	// server.
	dir, err := os.MkdirTemp(tmp, fmt.Sprintf("danvan-pg-%d-", os.Getpid()))
	if err != nil {
		return nil, err
	}
	srv, err := localpg.Start(ctx, localpg.Options{
		Dir:       dir,
		Ephemeral: true,
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return srv, nil
}

// removeStale stops the servers of test binaries that died and removes
// their directories.
func removeStale(tmp string) {
	dirs, _ := filepath.Glob(filepath.Join(tmp, "danvan-pg-*-*"))
	for _, dir := range dirs {
		owner, err := strconv.Atoi(strings.Split(filepath.Base(dir), "-")[2])
		if err != nil || !errors.Is(syscall.Kill(owner, 0), syscall.ESRCH) {
			continue // not ours, or its test binary still runs
		}
		if data, err := os.ReadFile(filepath.Join(dir, "postmaster.pid")); err == nil {
			line, _, _ := strings.Cut(string(data), "\n")
			// The postmaster's working directory is its data directory;
			// checking it guards against a recycled pid.
			if pid, err := strconv.Atoi(line); err == nil {
				if cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil && cwd == dir {
					syscall.Kill(pid, syscall.SIGQUIT) // immediate shutdown
				}
			}
		}
		os.RemoveAll(dir)
	}
}

// createTemplate creates the template database and migrates it. All its
// connections are closed afterwards, as cloning requires.
func createTemplate(ctx context.Context, migrate func(context.Context, *sql.DB) error) error {
	if _, err := harness.admin.ExecContext(ctx, "CREATE DATABASE "+harness.template); err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	db, err := sql.Open("postgres", harness.dsn(harness.template))
	if err != nil {
		return err
	}
	err = migrate(ctx, db)
	db.Close()
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	// Closing the pool only asks the backends to exit; CREATE DATABASE
	// would otherwise wait for them in 100 ms steps.
	for {
		var n int
		err := harness.admin.QueryRowContext(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = $1", harness.template).Scan(&n)
		if err != nil || n == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// NewDatabase creates a database for this test, cloned from the migrated
// template, and returns its lib/pq DSN. The database is dropped when the
// test ends, even if connections to it are still open.
func NewDatabase(t testing.TB) string {
	t.Helper()
	if harness.skip != "" {
		t.Skip(harness.skip)
	}
	if !harness.ready {
		t.Fatal("storagetest: NewDatabase needs storagetest.Main in TestMain")
	}
	name := fmt.Sprintf("test_%s_%d", harness.prefix, harness.created.Add(1))
	harness.mu.Lock()
	_, err := harness.admin.ExecContext(t.Context(), "CREATE DATABASE "+name+" TEMPLATE "+harness.template)
	harness.mu.Unlock()
	if err != nil {
		t.Fatalf("storagetest: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := dropDatabase(name); err != nil {
			t.Errorf("storagetest: %v", err)
		}
	})
	return harness.dsn(name)
}

func dropDatabase(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := harness.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// withDatabase returns dsn, a URL or key=value connection string, with its
// database replaced by name.
func withDatabase(dsn, name string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path, u.RawPath = "/"+name, ""
		return u.String()
	}
	return dsn + " dbname=" + name // the last value of a key wins
}
