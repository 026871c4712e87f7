package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// A run whose lock was lost with its connection records nothing, even if
// it ends before a check finds the lock lost: another replica may have
// taken the slot by then, and its outcome is the one that counts.
func TestAFinishAfterTheLockWasLostRecordsNothing(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	slot := time.Date(2026, 11, 30, 0, 30, 0, 0, time.UTC)
	_, _ = s.WithJobLock(ctx, "digest", func(_ context.Context, a *storage.JobLock) error {
		if ok, err := a.Claim(ctx, slot); err != nil || !ok {
			t.Fatalf("a's claim: %v %v", ok, err)
		}
		var ended bool
		if err := s.DB().QueryRowContext(ctx, `
			SELECT pg_terminate_backend(pid, 10000) FROM pg_locks WHERE locktype = 'advisory' AND granted
				AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&ended); err != nil || !ended {
			t.Fatalf("terminate the lock's backend: %v %v", ended, err)
		}
		held, err := s.WithJobLock(ctx, "digest", func(ctx context.Context, b *storage.JobLock) error {
			if ok, err := b.Resume(ctx, slot); err != nil || !ok {
				t.Fatalf("b's claim of the unfinished slot: %v %v", ok, err)
			}
			return b.Finish(ctx, slot, nil)
		})
		if err != nil || !held {
			t.Fatalf("b's run: %v %v", held, err)
		}
		if err := a.Finish(ctx, slot, errors.New("a's run failed late")); err == nil {
			t.Error("a's run finished after its lock was lost")
		}
		return nil
	})
	var runErr *string
	if err := s.DB().QueryRowContext(ctx, `
		SELECT error FROM job_runs WHERE job = 'digest' AND slot = $1 AND finished_at IS NOT NULL`, slot).Scan(&runErr); err != nil {
		t.Fatalf("the slot's record: %v", err)
	}
	if runErr != nil {
		t.Fatalf("the slot is recorded as failed (%q), over b's success", *runErr)
	}
}
