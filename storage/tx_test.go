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

// What is to run after a commit runs once the outermost transaction
// commits, and not at all when it rolls back.
func TestAfterCommitRunsOnlyOnCommit(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := openStore(t)
	var ran []string
	note := func(what string) func() { return func() { ran = append(ran, what) } }
	err := store.InTx(ctx, func(tx *storage.Store) error {
		tx.AfterCommit(note("outer"))
		return tx.InTx(ctx, func(inner *storage.Store) error {
			inner.AfterCommit(note("joined"))
			if len(ran) != 0 {
				t.Errorf("ran before the commit: %v", ran)
			}
			return nil
		})
	})
	if err != nil || len(ran) != 2 || ran[0] != "outer" || ran[1] != "joined" {
		t.Fatalf("after a commit: ran %v, %v", ran, err)
	}
	ran = nil
	_ = store.InTx(ctx, func(tx *storage.Store) error {
		tx.AfterCommit(note("rolled back"))
		return storage.ErrNotFound
	})
	store.AfterCommit(note("no transaction"))
	if len(ran) != 1 || ran[0] != "no transaction" {
		t.Fatalf("ran %v; want only the one outside a transaction", ran)
	}
}
