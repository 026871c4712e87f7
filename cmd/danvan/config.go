package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/danvan-vn/danvan/config"
)

func runConfig(_ context.Context, args []string) error {
	if err := parseNoArgs(flag.NewFlagSet("config", flag.ContinueOnError), args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	for _, s := range cfg.Describe() {
		fmt.Printf("%s=%s\n    %s (default %q)\n", s.Name, s.Value, s.Help, s.Default)
	}
	return nil
}

func newLogger(cfg *config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
