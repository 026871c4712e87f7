package localpg

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/lib/pq"
)

// tempParent returns a short directory for data directories, reachable by
// the postgres user when the tests run as root.
func tempParent(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "localpg-")
	if err != nil {
		t.Fatal(err)
	}
	// Our own throwaway directory, so opening it up is fine.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// start starts an ephemeral server and stops it at the end of the test.
// Without binaries it skips, except under CI, where it fails.
func start(t *testing.T, dir string) *Server {
	t.Helper()
	return startWith(t, Options{Dir: dir, Ephemeral: true})
}

func startWith(t *testing.T, opts Options) *Server {
	t.Helper()
	begin := time.Now()
	opts.Logger = testLogger(t)
	s, err := Start(t.Context(), opts)
	if errors.Is(err, ErrNoBinaries) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Start took %v", time.Since(begin))
	t.Cleanup(func() {
		if err := s.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return s
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, nil))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func openDB(t *testing.T, s *Server) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", s.DSN("danvan"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t *testing.T, db *sql.DB, query string) {
	t.Helper()
	if _, err := db.ExecContext(t.Context(), query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func count(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM notes").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPersistence(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(tempParent(t), "data") // Start creates it
	s := start(t, dir)
	db := openDB(t, s)
	mustExec(t, db, "CREATE TABLE notes (body text)")
	mustExec(t, db, "INSERT INTO notes VALUES ('xin chào')")
	db.Close()

	begin := time.Now()
	if err := s.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Logf("Stop took %v", time.Since(begin))
	if err := s.Stop(t.Context()); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "postmaster.pid")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("server still running after Stop: %v", err)
	}

	s = start(t, dir)
	if got := count(t, openDB(t, s)); got != 1 {
		t.Fatalf("after restart: %d rows, want 1", got)
	}
}

func TestTakeOverRunningServer(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(tempParent(t), "data")
	first := start(t, dir)
	mustExec(t, openDB(t, first), "CREATE TABLE notes (body text)")

	// As after a crash of our process: the server is still running.
	second := start(t, dir)
	if got := count(t, openDB(t, second)); got != 0 {
		t.Fatalf("got %d rows, want 0", got)
	}
	if err := second.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := first.Stop(t.Context()); err != nil {
		t.Fatalf("Stop of a server already stopped: %v", err)
	}
}

func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(tempParent(t), "data")
	// Not ephemeral: with synchronous_commit=off a crash may lose the last
	// commits, which is fine for tests but not what this test checks.
	s := startWith(t, Options{Dir: dir})
	db := openDB(t, s)
	mustExec(t, db, "CREATE TABLE notes (body text)")
	mustExec(t, db, "INSERT INTO notes VALUES ('before the crash')")

	// An open connection leaves a backend that must notice the death of the
	// postmaster before the shared memory can be reused.
	pidFile, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.SplitN(string(pidFile), "\n", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitDead(t, pid)
	db.Close()

	// No Stop: the process that owned the server "crashed" too.
	s = startWith(t, Options{Dir: dir})
	if got := count(t, openDB(t, s)); got != 1 {
		t.Fatalf("after crash: %d rows, want 1", got)
	}
}

func TestVersionMismatch(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(tempParent(t), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "PG_VERSION"), []byte("9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)

	_, err := Start(t.Context(), Options{Dir: dir, Ephemeral: true, Logger: testLogger(t)})
	if errors.Is(err, ErrNoBinaries) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if !errors.Is(err, ErrVersionMismatch) {
		t.Fatalf("got %v, want ErrVersionMismatch", err)
	}
	if !strings.Contains(err.Error(), "PostgreSQL 9 data") {
		t.Errorf("error does not name the data version: %v", err)
	}
	t.Log(err)
	if after := snapshot(t, dir); after != before {
		t.Fatalf("data directory changed:\nbefore %s\nafter  %s", before, after)
	}
}

// snapshot describes every file in dir: name, mode, owner and content.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		b.WriteString(path + " " + fi.Mode().String() + " " + strconv.Itoa(int(st.Uid)) + ":" + strconv.Itoa(int(st.Gid)))
		if !d.IsDir() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			b.WriteString(" " + strconv.Quote(string(data)))
		}
		b.WriteString("; ")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestSocketPathTooLong(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(tempParent(t), strings.Repeat("d", 100))
	_, err := Start(t.Context(), Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "socket path") {
		t.Fatalf("got %v, want a socket path error", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("directory was created: %v", err)
	}
}

func TestParentNotSearchable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root drops privileges")
	}
	t.Parallel()
	parent := tempParent(t)
	if err := os.Chmod(parent, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Start(t.Context(), Options{Dir: filepath.Join(parent, "data"), Ephemeral: true})
	if errors.Is(err, ErrNoBinaries) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err == nil || !strings.Contains(err.Error(), "cannot enter "+parent) {
		t.Fatalf("got %v, want an error naming %s", err, parent)
	}
	t.Log(err)
}

func TestMajorVersion(t *testing.T) {
	for v, want := range map[string]string{"15.18": "15", "17beta1": "17", "16": "16"} {
		if got := majorVersion(v); got != want {
			t.Errorf("majorVersion(%q) = %q, want %q", v, got, want)
		}
	}
}

// waitDead waits until process pid has exited; it may remain a zombie.
func waitDead(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if syscall.Kill(pid, 0) != nil || isZombie(pid) {
			return
		}
	}
	t.Fatalf("postmaster %d still running", pid)
}
