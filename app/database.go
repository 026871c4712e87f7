package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/danvan-vn/danvan/config"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/localpg"
)

// OpenStore connects to DATABASE_URL, or starts the private PostgreSQL in
// the data directory when it is unset (or uses it, already running), and
// brings the schema up to date (or, with RUN_MIGRATIONS=false, refuses an
// outdated one). The returned function closes the pool and stops the
// private server, unless another danvan process still uses it: the
// service and the one-shot commands share it, and the last to leave stops
// it.
func OpenStore(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*storage.Store, func(), error) {
	dsn, leaveServer := cfg.DatabaseURL, func() {}
	if dsn == "" {
		var err error
		if dsn, leaveServer, err = usePrivateServer(ctx, cfg, logger); err != nil {
			return nil, nil, err
		}
	}
	store, err := storage.Open(ctx, dsn)
	if err != nil {
		leaveServer()
		return nil, nil, err
	}
	closeAll := func() {
		if err := store.Close(); err != nil {
			logger.Warn("closing the database connections", "error", err)
		}
		leaveServer()
	}
	if err := prepareSchema(ctx, cfg, store, logger); err != nil {
		closeAll()
		return nil, nil, err
	}
	return store, closeAll, nil
}

// usersLockFile, beside the private PostgreSQL's data, is locked shared
// by every danvan process that uses the server. Whoever can lock it
// exclusively when done is the last user, and stops the server while it
// holds the lock, so a process arriving meanwhile waits and starts the
// server again. The kernel drops the lock of a process that dies.
const usersLockFile = "postgres.lock"

// usePrivateServer starts the private PostgreSQL, or joins the one
// running, and returns its DSN and what to call when done with it.
func usePrivateServer(ctx context.Context, cfg *config.Config, logger *slog.Logger) (string, func(), error) {
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return "", nil, fmt.Errorf("private PostgreSQL: %w", err)
	}
	// Read-only is enough for flock, and lets a process of another user
	// (root beside the postgres user) lock a file the other created.
	lock, err := os.OpenFile(filepath.Join(cfg.DataDir, usersLockFile), os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return "", nil, fmt.Errorf("private PostgreSQL: %w", err)
	}
	if err := lockShared(ctx, lock); err != nil {
		lock.Close()
		return "", nil, fmt.Errorf("private PostgreSQL: waiting for another danvan process to stop it: %w", err)
	}
	srv, err := localpg.Start(ctx, localpg.Options{Dir: filepath.Join(cfg.DataDir, "postgres"), Logger: logger})
	if err != nil {
		lock.Close()
		return "", nil, fmt.Errorf("private PostgreSQL in DANVAN_DATA_DIR=%s: %w", cfg.DataDir, err)
	}
	leave := func() {
		defer lock.Close() // releases the lock
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			logger.Info("private PostgreSQL left running for the other danvan processes using it")
			return
		}
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := srv.Stop(stopCtx); err != nil {
			logger.Error("stopping private PostgreSQL", "error", err)
		}
	}
	return srv.DSN("danvan"), leave, nil
}

// ErrDataInUse: another danvan process uses the private PostgreSQL of a
// data directory.
var ErrDataInUse = errors.New("another danvan process uses this data directory's database; stop it first")

// ClaimDataDir takes the lock of dir's private PostgreSQL for itself, so
// that dir may be deleted (danvan demo -reset): ErrDataInUse while
// another process uses that server. release gives the lock back.
func ClaimDataDir(dir string) (release func(), err error) {
	lock, err := os.Open(filepath.Join(dir, usersLockFile))
	if errors.Is(err, os.ErrNotExist) { // never used
		return func() {}, nil
	}
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrDataInUse
		}
		return nil, err
	}
	return func() { lock.Close() }, nil
}

// lockShared takes a shared lock on f, waiting while a process that holds
// it exclusively stops the server, until ctx ends.
func lockShared(ctx context.Context, f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func prepareSchema(ctx context.Context, cfg *config.Config, store *storage.Store, logger *slog.Logger) error {
	if cfg.RunMigrations {
		return storage.Migrate(ctx, store.DB(), logger)
	}
	pending, err := storage.PendingMigrations(ctx, store.DB())
	if err != nil {
		return err
	}
	if pending {
		return errors.New("the database schema is outdated: run `danvan migrate` or set RUN_MIGRATIONS=true")
	}
	return nil
}
