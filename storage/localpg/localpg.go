// Package localpg runs a private PostgreSQL cluster in a data directory,
// using the server binaries installed on the machine (Debian package
// "postgresql"). Nothing is downloaded.
//
// The server listens only on a unix socket inside the data directory, which
// is mode 0700, so "trust" authentication is safe: only the directory's owner
// can reach the socket. Existing data is never wiped or re-initialised; a
// data directory from another major version is refused.
//
// PostgreSQL refuses to run as root. When the caller is root, the server runs
// as the owner of the data directory, and a new directory is handed to the
// "postgres" system user.
//
// The server is started with pg_ctl and detaches, so it outlives the calling
// process if that process dies without calling Stop. The next Start on the
// same directory reuses it or recovers from the stale pid file.
package localpg

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

var (
	// ErrNoBinaries means no PostgreSQL server binaries were found.
	ErrNoBinaries = errors.New(`localpg: PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; install the Debian package "postgresql"`)
	// ErrVersionMismatch means the data directory was created by another
	// major version than the installed binaries. It is returned wrapped, with
	// both versions in the message; the data must be upgraded by hand
	// (pg_upgrade or dump and restore).
	ErrVersionMismatch = errors.New("localpg: data directory and server binaries have different PostgreSQL major versions")
)

// User is the superuser created by initdb and the user in DSN.
const User = "danvan"

// DefaultPort names the socket file; no TCP port is opened.
const DefaultPort = 5433

// maxSocketPath is sizeof(sockaddr_un.sun_path) minus the terminating NUL.
const maxSocketPath = 107

// Options configure Start.
type Options struct {
	Dir    string       // data directory (created if missing, never wiped)
	Port   int          // socket port number, default 5433 (no TCP: listen_addresses='')
	Logger *slog.Logger // nil = slog.Default()
	// Ephemeral trades durability for speed, for tests: initdb --no-sync and
	// the server runs with fsync, synchronous_commit and full_page_writes off.
	Ephemeral bool
}

// Server is a running private PostgreSQL server. Stop stops it.
type Server struct {
	dir       string
	port      int
	bindir    string
	version   string              // full server version, e.g. "15.18"
	cred      *syscall.Credential // non-nil when we are root and must drop privileges
	env       []string
	ephemeral bool
	logger    *slog.Logger

	mu      sync.Mutex
	stopped bool
}

// Start initialises the data directory if it is new, starts the server,
// and makes sure the database "danvan" exists. On success the returned
// Server owns the running server and Stop stops it.
//
// A server left running on the directory (say, by a process that died) is
// taken over if it listens on the same socket, keeping its other settings
// such as Ephemeral; otherwise it is restarted with ours.
//
// Cancelling ctx kills the pg_ctl and initdb commands; a postmaster that is
// already starting may keep running, and the next Start takes it over.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Dir == "" {
		return nil, errors.New("localpg: Options.Dir is empty")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("localpg: %w", err)
	}
	s := &Server{dir: dir, port: opts.Port, ephemeral: opts.Ephemeral, logger: opts.Logger}
	if s.port == 0 {
		s.port = DefaultPort
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	// The server appends "/.s.PGSQL.<port>" to the socket directory and
	// refuses to start if that does not fit in a sockaddr_un; fail early.
	if sock := s.socketPath(); len(sock) > maxSocketPath {
		return nil, fmt.Errorf("localpg: socket path %s is %d bytes, over the unix limit of %d; use a shorter data directory path", sock, len(sock), maxSocketPath)
	}
	if s.bindir, s.version, err = findBinaries(ctx); err != nil {
		return nil, err
	}

	begin := time.Now()
	initialised := false
	switch data, err := os.ReadFile(filepath.Join(dir, "PG_VERSION")); {
	case err == nil:
		// Checked before touching anything: a data directory of another
		// major version must stay exactly as it is.
		if got, want := strings.TrimSpace(string(data)), majorVersion(s.version); got != want {
			return nil, fmt.Errorf("%w: %s holds PostgreSQL %s data, but the binaries in %s are PostgreSQL %s", ErrVersionMismatch, dir, got, s.bindir, s.version)
		}
		initialised = true
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("localpg: %w", err)
	}
	if err := s.prepareDir(initialised); err != nil {
		return nil, err
	}
	if !initialised {
		args := []string{"-D", dir, "-U", User, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"}
		if s.ephemeral {
			args = append(args, "--no-sync")
		}
		if _, err := s.run(ctx, "initdb", args...); err != nil {
			return nil, err
		}
		s.logger.Info("postgres data directory initialised", "dir", dir, "version", s.version)
	}
	reused, err := s.startOrReuse(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.ensureDatabase(ctx); err != nil {
		_ = s.Stop(context.WithoutCancel(ctx))
		return nil, err
	}
	s.logger.Info("postgres started", "dir", dir, "version", s.version,
		"new_cluster", !initialised, "reused", reused, "took", time.Since(begin).Round(time.Millisecond))
	return s, nil
}

// DSN returns a lib/pq connection string for database dbname.
func (s *Server) DSN(dbname string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable",
		quoteDSN(s.dir), s.port, User, quoteDSN(dbname))
}

// Dir returns the absolute data directory.
func (s *Server) Dir() string { return s.dir }

// Stop shuts the server down (fast mode: open transactions are rolled back)
// and waits for it to exit. Calling it again, or after the server has died,
// returns nil.
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil
	}
	if _, err := s.run(ctx, "pg_ctl", "stop", "-D", s.dir, "-w", "-t", "60", "-m", "fast"); err != nil {
		// Not running (crashed, or stopped by someone else) is what we want.
		if _, statusErr := s.run(ctx, "pg_ctl", "status", "-D", s.dir); statusErr == nil || ctx.Err() != nil {
			return err
		}
	}
	s.stopped = true
	s.logger.Info("postgres stopped", "dir", s.dir)
	return nil
}

func (s *Server) socketPath() string {
	return filepath.Join(s.dir, ".s.PGSQL."+strconv.Itoa(s.port))
}

// prepareDir creates the data directory and, when we are root, decides
// which user the server runs as.
func (s *Server) prepareDir(initialised bool) error {
	s.env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		// PGDATA, PGPORT and friends would override our flags.
		return strings.HasPrefix(kv, "PG")
	})
	if err := os.MkdirAll(filepath.Dir(s.dir), 0o755); err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	if err := os.Mkdir(s.dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("localpg: %w", err)
	}
	if os.Geteuid() != 0 {
		return nil
	}

	fi, err := os.Stat(s.dir)
	if err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	uid, gid, home := st.Uid, st.Gid, s.dir
	if st.Uid == 0 {
		if initialised {
			return fmt.Errorf("localpg: data directory %s is owned by root, but PostgreSQL cannot run as root; chown -R it to the postgres user", s.dir)
		}
		// New and empty (initdb checks that): hand it to the postgres user.
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf(`localpg: running as root needs the "postgres" system user (Debian package "postgresql"): %w`, err)
		}
		uid, gid, home = parseID(u.Uid), parseID(u.Gid), u.HomeDir
		if err := os.Chown(s.dir, int(uid), int(gid)); err != nil {
			return fmt.Errorf("localpg: %w", err)
		}
	} else if u, err := user.LookupId(strconv.Itoa(int(uid))); err == nil {
		gid, home = parseID(u.Gid), u.HomeDir
	}
	s.cred = &syscall.Credential{Uid: uid, Gid: gid}
	s.env = append(s.env, "HOME="+home)
	return checkSearchable(filepath.Dir(s.dir), uid, gid)
}

func parseID(id string) uint32 {
	n, _ := strconv.ParseUint(id, 10, 32)
	return uint32(n)
}

// checkSearchable reports a clear error when the user the server runs as
// cannot reach the data directory. We do not loosen permissions of
// directories we did not create.
func checkSearchable(dir string, uid, gid uint32) error {
	for {
		fi, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("localpg: %w", err)
		}
		st, perm := fi.Sys().(*syscall.Stat_t), fi.Mode().Perm()
		var ok bool
		switch {
		case st.Uid == uid:
			ok = perm&0o100 != 0
		case st.Gid == gid:
			ok = perm&0o010 != 0
		default:
			ok = perm&0o001 != 0
		}
		if !ok {
			return fmt.Errorf("localpg: the server runs as uid %d (PostgreSQL cannot run as root), which cannot enter %s (mode %#o); put the data directory elsewhere, e.g. under /var/lib", uid, dir, perm)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil
		}
		dir = parent
	}
}

// startOrReuse starts the server, first dealing with a server that may
// already run on the directory. It reports whether a running server was
// taken over.
func (s *Server) startOrReuse(ctx context.Context) (bool, error) {
	pidFile, err := os.ReadFile(filepath.Join(s.dir, "postmaster.pid"))
	if err == nil {
		if err := s.waitReaped(ctx, pidFile); err != nil {
			return false, err
		}
		// pg_ctl status succeeds only if the postmaster in the pid file is
		// alive; otherwise the file is left over from a crash and pg_ctl
		// start replaces it.
		if _, err := s.run(ctx, "pg_ctl", "status", "-D", s.dir); err == nil {
			if s.sameSettings(pidFile) {
				return true, nil
			}
			s.logger.Info("postgres running with other settings; restarting", "dir", s.dir)
			if _, err := s.run(ctx, "pg_ctl", "stop", "-D", s.dir, "-w", "-t", "60", "-m", "fast"); err != nil {
				return false, err
			}
		}
	}

	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses='' -c unix_socket_permissions=0700", s.port, shellQuote(s.dir))
	if s.ephemeral {
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	logFile := filepath.Join(s.dir, "server.log")
	if _, err := s.run(ctx, "pg_ctl", "start", "-w", "-t", "60", "-D", s.dir, "-l", logFile, "-o", opts); err != nil {
		return false, fmt.Errorf("%w\nlast lines of %s:\n%s", err, logFile, tail(logFile, 2048))
	}
	return false, nil
}

// waitReaped waits while the postmaster named in the pid file is a zombie:
// dead, but not yet reaped by its parent. A zombie looks alive to both
// pg_ctl status and the new postmaster, which then refuses to start. The
// dead postmaster's parent is init, and some container inits reap only
// every few seconds (measured: about 1.8 s).
func (s *Server) waitReaped(ctx context.Context, pidFile []byte) error {
	line, _, _ := strings.Cut(string(pidFile), "\n")
	pid, err := strconv.Atoi(line)
	if err != nil {
		return nil // unreadable: let pg_ctl judge
	}
	if isZombie(pid) {
		s.logger.Info("waiting for the dead postmaster to be reaped", "pid", pid)
	}
	deadline := time.Now().Add(30 * time.Second)
	for isZombie(pid) {
		if time.Now().After(deadline) {
			return fmt.Errorf("localpg: the old postmaster (pid %d) died but its parent does not reap it; run the container with an init process (docker --init)", pid)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

// isZombie reports whether process pid has exited but not been reaped.
// It is false where /proc does not exist.
func isZombie(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// "pid (comm) state ...", and comm may contain ") ".
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}

// sameSettings reports whether the running server, as described by
// postmaster.pid, listens where DSN points and nowhere else.
func (s *Server) sameSettings(pidFile []byte) bool {
	// Lines: pid, data dir, start time, port, socket dir, listen address,
	// shared memory key, status.
	lines := strings.Split(string(pidFile), "\n")
	return len(lines) >= 8 &&
		lines[3] == strconv.Itoa(s.port) &&
		lines[4] == s.dir &&
		strings.TrimSpace(lines[5]) == "" &&
		strings.TrimSpace(lines[7]) == "ready"
}

// ensureDatabase creates the database named after User, so that callers
// can connect to DSN("danvan") right away.
func (s *Server) ensureDatabase(ctx context.Context) error {
	db, err := sql.Open("postgres", s.DSN("postgres"))
	if err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", User).Scan(&exists); err != nil {
		return fmt.Errorf("localpg: check database %s: %w", User, err)
	}
	if exists {
		return nil
	}
	_, err = db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(User))
	if err != nil && pq.As(err, pqerror.DuplicateDatabase) == nil {
		return fmt.Errorf("localpg: create database %s: %w", User, err)
	}
	return nil
}

// run runs one of the server binaries, as the data directory's owner when
// we are root, and returns its combined output.
func (s *Server) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(s.bindir, name), args...)
	cmd.Dir = s.dir // our working directory may be unreadable for the server user
	cmd.Env = s.env
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	// On cancellation, SIGTERM lets initdb remove a half-made cluster,
	// which would otherwise look initialised (PG_VERSION is written early).
	// WaitDelay then escalates to SIGKILL; it also bounds waiting for our
	// pipe, which the postmaster never holds since pg_ctl redirects its
	// output to the log file.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		if name == "pg_ctl" {
			name += " " + args[0] // the mode: start, stop, status
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return out, fmt.Errorf("localpg: %s: %w: %s", name, err, bytes.TrimSpace(out))
	}
	return out, nil
}

// findBinaries returns the directory holding initdb, pg_ctl and postgres,
// and the server version.
func findBinaries(ctx context.Context) (bindir, version string, err error) {
	var dirs []string
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		// /usr/local/bin/pg_ctl may be a lone symlink; initdb and postgres
		// sit next to its target.
		if p, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(p))
		}
	}
	if out, err := exec.CommandContext(ctx, "pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	installed, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(installed, func(a, b string) int { // newest first
		va, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(a)), 64)
		vb, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(b)), 64)
		return cmp.Compare(vb, va)
	})
	dirs = append(dirs, installed...)

	for _, dir := range dirs {
		if !hasFiles(dir, "initdb", "pg_ctl", "postgres") {
			continue
		}
		// "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
		out, err := exec.CommandContext(ctx, filepath.Join(dir, "postgres"), "--version").Output()
		if err != nil {
			return "", "", fmt.Errorf("localpg: %s/postgres --version: %w", dir, err)
		}
		if f := strings.Fields(string(out)); len(f) >= 3 {
			return dir, f[2], nil
		}
		return "", "", fmt.Errorf("localpg: cannot parse %q", out)
	}
	return "", "", ErrNoBinaries
}

func hasFiles(dir string, names ...string) bool {
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			return false
		}
	}
	return true
}

// majorVersion returns the major version as PG_VERSION spells it, e.g.
// "15" for "15.18" or "17" for "17beta1".
func majorVersion(v string) string {
	i := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		return v
	}
	return v[:i]
}

// tail returns up to the last n bytes of a file, for error messages.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	if len(data) > n {
		data = data[len(data)-n:]
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[i+1:]
		}
	}
	return string(bytes.TrimSpace(data))
}

// shellQuote quotes s for /bin/sh, which pg_ctl uses to run the -o options.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// quoteDSN quotes a value for a key=value connection string when needed.
func quoteDSN(v string) string {
	if v != "" && !strings.ContainsAny(v, ` '\`) {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}
