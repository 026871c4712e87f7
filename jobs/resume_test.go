package jobs

import (
	"context"
	"database/sql/driver"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// A run cut off by its replica's death is resumed by another replica
// within a minute, without waiting for a restart; a run still alive, and
// one that failed (caught up at the next start), are left alone.
func TestACutOffRunIsResumedByAnotherReplica(t *testing.T) {
	ctx := t.Context()
	store, err := storage.Open(ctx, storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	vietnam, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	var runs atomic.Int32
	r := NewRunner(store, vietnam, slog.Default())
	if err := r.Add(Job{Name: "digest", Schedule: "30 7 * * MON", CatchUp: 3 * 24 * time.Hour,
		Run: func(context.Context, time.Time) error { runs.Add(1); return nil }}); err != nil {
		t.Fatal(err)
	}
	slot := time.Date(2026, 11, 23, 7, 30, 0, 0, vietnam)
	now := slot.Add(time.Hour)
	exec := func(query string, args ...any) {
		t.Helper()
		if _, err := store.DB().ExecContext(ctx, query, args...); err != nil {
			t.Fatal(err)
		}
	}

	exec(`INSERT INTO job_runs (job, slot, finished_at, error) VALUES ('digest', $1, now(), 'failed')`, slot)
	r.resumeCutOff(ctx, now)
	if got := runs.Load(); got != 0 {
		t.Fatalf("a failed run was run again %d times before the next start", got)
	}

	exec(`UPDATE job_runs SET finished_at = NULL, error = NULL`)
	alive, err := store.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var alivePID int
	if err := alive.QueryRowContext(ctx, `SELECT pg_backend_pid() FROM (SELECT pg_advisory_lock(hashtextextended('job:digest', 0))) l`).Scan(&alivePID); err != nil {
		t.Fatal(err)
	}
	r.resumeCutOff(ctx, now)
	if got := runs.Load(); got != 0 {
		t.Fatalf("a run alive elsewhere was run again %d times", got)
	}
	// The other replica dies: its session, and lock, end.
	var ended bool
	if err := store.DB().QueryRowContext(ctx, `SELECT pg_terminate_backend($1, 10000)`, alivePID).Scan(&ended); err != nil || !ended {
		t.Fatalf("terminate the other replica's session: %v %v", ended, err)
	}
	_ = alive.Raw(func(any) error { return driver.ErrBadConn }) // not back to the pool

	// Also an earlier slot within the catch-up window, not one before it.
	earlier, tooOld := slot.Add(-24*time.Hour), slot.Add(-4*24*time.Hour)
	exec(`INSERT INTO job_runs (job, slot) VALUES ('digest', $1), ('digest', $2)`, earlier, tooOld)
	r.resumeCutOff(ctx, now)
	r.resumeCutOff(ctx, now.Add(time.Minute))
	if got := runs.Load(); got != 2 {
		t.Fatalf("the cut-off runs were run again %d times, want once each of two", got)
	}
	var done []time.Time
	rows, err := store.DB().QueryContext(ctx, `SELECT slot FROM job_runs WHERE finished_at IS NOT NULL AND error IS NULL ORDER BY slot`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s time.Time
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		done = append(done, s)
	}
	if len(done) != 2 || !done[0].Equal(earlier) || !done[1].Equal(slot) {
		t.Fatalf("slots recorded as done: %v, want %v and %v", done, earlier, slot)
	}
}
