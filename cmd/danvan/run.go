package main

import (
	"context"
	"flag"
	"log/slog"

	"github.com/danvan-vn/danvan/app"
	"github.com/danvan-vn/danvan/config"
	"github.com/danvan-vn/danvan/storage"
)

func runService(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if cfg.TelegramToken == "" {
		return runDemoInstead(ctx)
	}
	return app.Run(ctx, cfg, app.Options{Logger: newLogger(cfg)})
}

func openStore(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*storage.Store, func(), error) {
	return app.OpenStoreShared(ctx, cfg, logger)
}

func runMigrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	cfg.RunMigrations = true
	logger := newLogger(cfg)
	_, closeStore, err := app.OpenStoreShared(ctx, cfg, logger)
	if err != nil {
		return err
	}
	closeStore()
	logger.Info("migrations applied")
	return nil
}
