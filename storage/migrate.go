package storage

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

func newMigrator(db *sql.DB, logger *slog.Logger) (*goose.Provider, error) {
	files, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("storage: migrations: %w", err)
	}
	// The session locker takes an advisory lock, so two processes starting
	// at once migrate one after the other instead of racing.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("storage: migration lock: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithSessionLocker(locker)}
	if logger != nil {
		opts = append(opts, goose.WithSlog(logger))
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, files, opts...)
	if err != nil {
		return nil, fmt.Errorf("storage: migrations: %w", err)
	}
	return p, nil
}

// Migrate applies all pending migrations embedded in the binary.
func Migrate(ctx context.Context, db *sql.DB, logger *slog.Logger) error {
	p, err := newMigrator(db, logger)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	return nil
}

// MigrateQuiet is Migrate without logging, for test harnesses.
func MigrateQuiet(ctx context.Context, db *sql.DB) error { return Migrate(ctx, db, nil) }

// PendingMigrations reports whether the schema is behind the binary.
func PendingMigrations(ctx context.Context, db *sql.DB) (bool, error) {
	p, err := newMigrator(db, nil)
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("storage: check migrations: %w", err)
	}
	return pending, nil
}
