package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/danvan-vn/danvan/config"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/localpg"
)

// OpenStore connects to DATABASE_URL, or starts the private PostgreSQL in
// the data directory when it is unset, and brings the schema up to date
// (or, with RUN_MIGRATIONS=false, refuses an outdated one). The returned
// function closes the pool and stops the private server: the service owns
// it, even one a crashed run left behind.
func OpenStore(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*storage.Store, func(), error) {
	return openStore(ctx, cfg, logger, true)
}

// OpenStoreShared is OpenStore for one-shot commands (admin, ticket): they
// leave a private server running when they found it running, so that they
// can be used beside the service.
func OpenStoreShared(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*storage.Store, func(), error) {
	return openStore(ctx, cfg, logger, false)
}

func openStore(ctx context.Context, cfg *config.Config, logger *slog.Logger, owner bool) (*storage.Store, func(), error) {
	dsn, stopServer := cfg.DatabaseURL, func() {}
	if dsn == "" {
		srv, err := localpg.Start(ctx, localpg.Options{Dir: filepath.Join(cfg.DataDir, "postgres"), Logger: logger})
		if err != nil {
			return nil, nil, fmt.Errorf("private PostgreSQL: %w", err)
		}
		dsn = srv.DSN("danvan")
		if srv.Reused() && !owner {
			logger.Debug("using the private PostgreSQL of a running service")
		} else {
			stopServer = func() {
				stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
				defer cancel()
				if err := srv.Stop(stopCtx); err != nil {
					logger.Error("stopping private PostgreSQL", "error", err)
				}
			}
		}
	}
	store, err := storage.Open(ctx, dsn)
	if err != nil {
		stopServer()
		return nil, nil, err
	}
	closeAll := func() { store.Close(); stopServer() }
	if err := prepareSchema(ctx, cfg, store, logger); err != nil {
		closeAll()
		return nil, nil, err
	}
	return store, closeAll, nil
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
