package storage_test

import (
	"testing"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// The sender's pool sets synchronous_commit off for its sessions itself
// (the test server may have it off for everyone: the source says who), by
// SET, which a pooler passes on, not as a startup parameter.
func TestDeliveriesCommitWithoutWaitingForTheFlush(t *testing.T) {
	_, store, deliveries := openPools(t)
	if value, source := setting(t, deliveries, "synchronous_commit"); value != "off" || source != "session" {
		t.Errorf("deliveries' synchronous_commit is %s, from %s", value, source)
	}
	if _, source := setting(t, store, "synchronous_commit"); source == "session" {
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

// openPools opens both of a replica's pools on a new database.
func openPools(t *testing.T) (dsn string, store, deliveries *storage.Store) {
	t.Helper()
	dsn = storagetest.NewDatabase(t)
	store, err := storage.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	deliveries, err = store.OpenDeliveries(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deliveries.Close() })
	return dsn, store, deliveries
}

// setting reads a session setting of one of the pool's connections and
// where its value comes from.
func setting(t *testing.T, s *storage.Store, name string) (value, source string) {
	t.Helper()
	err := s.DB().QueryRowContext(t.Context(), `
		SELECT setting, source FROM pg_settings WHERE name = $1`, name).Scan(&value, &source)
	if err != nil {
		t.Fatal(err)
	}
	return value, source
}

// Every session asks the server to drop it soon after its client goes
// silent, so that the advisory locks it holds do not outlive a dead
// machine; a value the DSN gives is kept. (Over the tests' Unix socket the
// server shows 0 for these, so the source is what tells.)
func TestSessionsEndSoonAfterTheirClientDies(t *testing.T) {
	dsn, store, deliveries := openPools(t)
	for _, name := range []string{"tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count", "tcp_user_timeout"} {
		for pool, s := range map[string]*storage.Store{"main": store, "deliveries": deliveries} {
			if _, source := setting(t, s, name); source != "session" {
				t.Errorf("%s pool: %s from %s, not set by the session", pool, name, source)
			}
		}
	}

	own, err := storage.Open(t.Context(), storage.WithParam(dsn, "tcp_keepalives_idle", "60"))
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	if _, source := setting(t, own, "tcp_keepalives_idle"); source != "client" {
		t.Errorf("the DSN's tcp_keepalives_idle was replaced (source %s)", source)
	}
	if _, source := setting(t, own, "tcp_user_timeout"); source != "session" {
		t.Errorf("tcp_user_timeout from %s once the DSN sets another setting", source)
	}
}
