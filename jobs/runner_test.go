package jobs_test

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/jobs"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

var vietnam, _ = time.LoadLocation("Asia/Ho_Chi_Minh")

func openStore(t *testing.T) *storage.Store {
	t.Helper()
	s, err := storage.Open(context.Background(), storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Two replicas racing for the same slot: each slot runs exactly once.
func TestEachSlotRunsOnceAcrossReplicas(t *testing.T) {
	store := openStore(t)
	var runs atomic.Int32
	job := jobs.Job{Name: "digest", Schedule: "30 7 * * MON", Run: func(context.Context, time.Time) error {
		runs.Add(1)
		time.Sleep(20 * time.Millisecond) // overlap the replicas
		return nil
	}}
	a := jobs.NewRunner(store, vietnam, slog.Default())
	b := jobs.NewRunner(store, vietnam, slog.Default())
	slots := []time.Time{
		time.Date(2026, 11, 23, 7, 30, 0, 0, vietnam),
		time.Date(2026, 11, 30, 7, 30, 0, 0, vietnam),
	}
	for _, slot := range slots {
		var wg sync.WaitGroup
		for _, r := range []*jobs.Runner{a, b, a, b} {
			wg.Go(func() { r.RunSlot(context.Background(), job, slot) })
		}
		wg.Wait()
	}
	if got := runs.Load(); got != int32(len(slots)) {
		t.Fatalf("job ran %d times for %d slots", got, len(slots))
	}
}

func TestHousekeepingPurgesOldHandledUpdates(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	if _, err := store.RecordUpdates(ctx, "telegram", []storage.IncomingUpdate{
		{UpdateID: 1, ChatKey: "telegram:1", Payload: []byte(`{}`)},
		{UpdateID: 2, ChatKey: "telegram:1", Payload: []byte(`{}`)},
	}, 0); err != nil {
		t.Fatal(err)
	}
	// Update 1 was handled long ago; update 2 is still waiting.
	if _, err := store.DB().ExecContext(ctx, `UPDATE inbox SET processed_at = now(), received_at = now() - interval '5 days' WHERE update_id = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := store.DB().ExecContext(ctx, `UPDATE inbox SET received_at = now() - interval '5 days' WHERE update_id = 2`); err != nil {
		t.Fatal(err)
	}
	r := jobs.NewRunner(store, vietnam, slog.Default())
	if !r.RunSlot(ctx, jobs.Housekeeping(store), time.Now()) {
		t.Fatal("housekeeping did not run")
	}
	var left []int64
	rows, err := store.DB().QueryContext(ctx, `SELECT update_id FROM inbox ORDER BY update_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		left = append(left, id)
	}
	if len(left) != 1 || left[0] != 2 {
		t.Fatalf("inbox left %v, want only the unhandled update 2", left)
	}
}

// A run cut off (here by a cancelled context, as on SIGTERM during a
// rolling deploy) leaves its slot to the catch-up of the next start; once a
// run has succeeded, later starts leave the slot alone.
func TestAFailedSlotIsCaughtUpAtTheNextStart(t *testing.T) {
	store := openStore(t)
	var runs atomic.Int32
	job := jobs.Job{Name: "yearly", Schedule: "0 0 1 1 *", CatchUp: 2 * 366 * 24 * time.Hour,
		Run: func(context.Context, time.Time) error {
			if runs.Add(1) == 1 {
				return context.Canceled
			}
			return nil
		}}
	for range 3 { // three starts of the service
		r := jobs.NewRunner(store, vietnam, slog.Default())
		if err := r.Add(job); err != nil {
			t.Fatal(err)
		}
		r.Start(t.Context())
		r.Stop() // waits for the catch-up
	}
	if got := runs.Load(); got != 2 {
		t.Fatalf("the slot ran %d times, want 2: failed, then caught up once", got)
	}
}

// A slot whose run is unfinished runs again if that run died (its row
// left unfinished, its lock gone with its session), but not while the run
// is alive on another replica: then the other replica skips at once,
// rather than wait and hold a connection.
func TestAnUnfinishedSlotRunsAgainOnlyIfItsRunDied(t *testing.T) {
	store := openStore(t)
	ctx := t.Context()
	running, released := make(chan struct{}), make(chan struct{})
	release := sync.OnceFunc(func() { close(released) })
	defer release() // a failing test must not leave a's run holding its lock
	var runs atomic.Int32
	job := jobs.Job{Name: "digest", Schedule: "30 7 * * MON", Run: func(context.Context, time.Time) error {
		if runs.Add(1) == 1 {
			close(running)
			<-released
		}
		return nil
	}}
	a := jobs.NewRunner(store, vietnam, slog.Default())
	b := jobs.NewRunner(store, vietnam, slog.Default())
	alive := time.Date(2026, 11, 23, 7, 30, 0, 0, vietnam)
	aRan, bRan := make(chan bool, 1), make(chan bool, 1)
	go func() { aRan <- a.RunSlot(ctx, job, alive) }()
	<-running
	go func() { bRan <- b.RunSlot(ctx, job, alive) }()
	select {
	case ran := <-bRan:
		if ran {
			t.Fatal("b ran the slot while a was running it")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("b waited for a's run")
	}
	release()
	if !<-aRan {
		t.Fatal("a did not run the slot")
	}

	died := time.Date(2026, 11, 30, 7, 30, 0, 0, vietnam)
	if _, err := store.DB().ExecContext(ctx, `INSERT INTO job_runs (job, slot) VALUES ('digest', $1)`, died); err != nil {
		t.Fatal(err)
	}
	if !b.RunSlot(ctx, job, died) {
		t.Fatal("the slot of a run that died was not run again")
	}
	if got := runs.Load(); got != 2 {
		t.Fatalf("the job ran %d times, want 2", got)
	}
}
