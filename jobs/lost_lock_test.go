package jobs

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

// A run whose job lock is lost with its connection (a network blip, or
// here pg_terminate_backend) while its replica lives on stops, and records
// nothing: another replica finds the slot unfinished and the lock free,
// takes it, and its outcome is the one that counts.
func TestARunThatLostItsLockStopsAndRecordsNothing(t *testing.T) {
	ctx := t.Context()
	store, vietnam := storeAndZone(t)
	slot := time.Date(2026, 11, 30, 7, 30, 0, 0, vietnam)
	running, bDone := make(chan struct{}), make(chan struct{})
	stopped := make(chan bool, 1)
	a, b := NewRunner(store, vietnam, slog.Default()), NewRunner(store, vietnam, slog.Default())
	aJob := Job{Name: "digest", Schedule: "30 7 * * MON", CatchUp: 3 * 24 * time.Hour,
		Run: func(ctx context.Context, _ time.Time) error {
			close(running)
			select {
			case <-ctx.Done():
				stopped <- true
			case <-time.After(10 * time.Second):
				stopped <- false
			}
			<-bDone
			return errors.New("a's run failed after b's succeeded")
		}}
	bRuns := 0
	if err := b.Add(Job{Name: "digest", Schedule: "30 7 * * MON", CatchUp: 3 * 24 * time.Hour,
		Run: func(context.Context, time.Time) error { bRuns++; return nil }}); err != nil {
		t.Fatal(err)
	}
	aRan := make(chan bool, 1)
	go func() { aRan <- a.RunSlot(ctx, aJob, slot) }()
	<-running

	// The connection holding a's lock dies; a's process does not.
	var pid int
	if err := store.DB().QueryRowContext(ctx, `
		SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&pid); err != nil {
		t.Fatalf("the lock's backend: %v", err)
	}
	var ended bool
	if err := store.DB().QueryRowContext(ctx, `SELECT pg_terminate_backend($1, 10000)`, pid).Scan(&ended); err != nil || !ended {
		t.Fatalf("terminate the lock's backend: %v %v", ended, err)
	}
	if !<-stopped {
		t.Error("a's run went on for 10 s after its lock was lost")
	}

	b.resumeCutOff(ctx, slot.Add(time.Hour))
	close(bDone)
	if bRuns != 1 {
		t.Fatalf("b ran the slot %d times, want once", bRuns)
	}
	if !<-aRan {
		t.Fatal("a did not run the slot")
	}
	var runErr *string
	if err := store.DB().QueryRowContext(ctx, `
		SELECT error FROM job_runs WHERE job = 'digest' AND slot = $1 AND finished_at IS NOT NULL`, slot).Scan(&runErr); err != nil {
		t.Fatalf("the slot's record: %v", err)
	}
	if runErr != nil {
		t.Fatalf("the slot is recorded as failed (%q): a's run, which lost its lock, overwrote b's success", *runErr)
	}
}
