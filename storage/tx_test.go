package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// A panic inside InTx goes on up, and the transaction is rolled back on
// the way: its locks are free at once, not held until shutdown.
func TestInTxRollsBackWhenFnPanics(t *testing.T) {
	ctx := t.Context()
	store, err := storage.Open(ctx, storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not reach InTx's caller")
			}
		}()
		_ = store.InTx(ctx, func(tx *storage.Store) error {
			if err := tx.LockOrganisation(ctx); err != nil {
				t.Fatal(err)
			}
			panic("a bug in a job")
		})
	}()

	lockCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := store.InTx(lockCtx, func(tx *storage.Store) error { return tx.LockOrganisation(lockCtx) }); err != nil {
		t.Fatalf("the lock taken before the panic is still held: %v", err)
	}
	var open int
	if err := store.DB().QueryRowContext(ctx, `
		SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND state LIKE 'idle in transaction%'`).Scan(&open); err != nil {
		t.Fatal(err)
	}
	if open != 0 {
		t.Fatalf("%d transactions left open", open)
	}
}
