package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/danvan-vn/danvan/app"
	"github.com/danvan-vn/danvan/config"
)

func runService(ctx context.Context, args []string) error {
	if err := parseNoArgs(flag.NewFlagSet("run", flag.ContinueOnError), args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if cfg.TelegramToken == "" {
		if set := cfg.ServiceSettings(); len(set) > 0 {
			// A production host missing its token must not run the demo.
			return fmt.Errorf("TELEGRAM_BOT_TOKEN (or TELEGRAM_BOT_TOKEN_FILE) is required when %s is set: "+
				"the sandbox never starts in place of a real service (danvan demo starts it explicitly)", strings.Join(set, " or "))
		}
		return runDemoInstead(ctx)
	}
	return app.Run(ctx, cfg, app.Options{Logger: newLogger(cfg)})
}

func runMigrate(ctx context.Context, args []string) error {
	if err := parseNoArgs(flag.NewFlagSet("migrate", flag.ContinueOnError), args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	cfg.RunMigrations = true
	logger := newLogger(cfg)
	_, closeStore, err := app.OpenStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	closeStore()
	logger.Info("migrations applied")
	return nil
}
