package storage_test

import (
	"testing"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// The sender's pool sets synchronous_commit off for its sessions itself
// (the test server may have it off for everyone: the source says who).
func TestDeliveriesCommitWithoutWaitingForTheFlush(t *testing.T) {
	ctx := t.Context()
	store, err := storage.Open(ctx, storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	deliveries, err := store.OpenDeliveries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer deliveries.Close()
	setting := func(s *storage.Store) (value, source string) {
		t.Helper()
		err := s.DB().QueryRowContext(ctx, `
			SELECT setting, source FROM pg_settings WHERE name = 'synchronous_commit'`).Scan(&value, &source)
		if err != nil {
			t.Fatal(err)
		}
		return value, source
	}
	if value, source := setting(deliveries); value != "off" || source != "client" {
		t.Errorf("deliveries' synchronous_commit is %s, from %s", value, source)
	}
	if _, source := setting(store); source == "client" {
		t.Error("the main pool sets synchronous_commit itself")
	}
	if got := deliveries.DB().Stats().MaxOpenConnections; got != storage.MaxDeliveryConns {
		t.Errorf("deliveries' pool holds up to %d connections, not %d", got, storage.MaxDeliveryConns)
	}
}

func TestWithParamKeepsTheDSNForm(t *testing.T) {
	for dsn, want := range map[string]string{
		"host=/run/pg dbname=danvan":                  "host=/run/pg dbname=danvan synchronous_commit=off",
		"postgres://u@db:5432/danvan?sslmode=require": "postgres://u@db:5432/danvan?sslmode=require&synchronous_commit=off",
		"postgresql://u@db/danvan":                    "postgresql://u@db/danvan?synchronous_commit=off",
	} {
		if got := storage.WithParam(dsn, "synchronous_commit", "off"); got != want {
			t.Errorf("WithParam(%q) = %q, want %q", dsn, got, want)
		}
	}
}
