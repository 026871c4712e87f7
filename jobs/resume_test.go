package jobs

import (
	"context"
	"database/sql/driver"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// storeAndZone opens a migrated database of the test's own, and gives the
// time zone the jobs' schedules are read in.
func storeAndZone(t *testing.T) (*storage.Store, *time.Location) {
	t.Helper()
	store, err := storage.Open(t.Context(), storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	vietnam, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	return store, vietnam
}

// A run cut off by its replica's death is resumed by another replica
// within a minute, without waiting for a restart; a run still alive, and
// one that failed (caught up at the next start), are left alone.
func TestACutOffRunIsResumedByAnotherReplica(t *testing.T) {
	ctx := t.Context()
	store, vietnam := storeAndZone(t)
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

// onSkip is a log handler that runs fn once, synchronously, when the
// runner logs that it skipped a slot because a run of the job is going
// on: the instant another replica's run may end.
type onSkip struct {
	once *sync.Once
	fn   func()
}

func (h onSkip) Enabled(context.Context, slog.Level) bool { return true }
func (h onSkip) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "job skipped: a run of it is going on" {
		h.once.Do(h.fn)
	}
	return nil
}
func (h onSkip) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h onSkip) WithGroup(string) slog.Handler      { return h }

// Replica B looks for cut-off runs while replica A runs today's slot:
// B lists yesterday's cut-off slot and today's (unfinished while it runs),
// skips yesterday's (A holds the job's lock), and A's run then fails,
// legitimately, and lets the lock go. A failed run is to be caught up at
// the next start, not run again at once by another replica (the design
// TestACutOffRunIsResumedByAnotherReplica states): B must not take
// today's slot for a cut-off one.
func TestAFailedRunListedWhileAliveIsNotRunAgainByTheResume(t *testing.T) {
	ctx := t.Context()
	store, vietnam := storeAndZone(t)
	today := time.Date(2026, 11, 24, 7, 0, 0, 0, vietnam)
	yesterday := today.Add(-24 * time.Hour)
	now := today.Add(time.Hour)

	// Replica A: today's run, claimed and alive (it holds the job's lock).
	alive, err := store.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer alive.Close()
	if _, err := alive.ExecContext(ctx, `SELECT pg_advisory_lock(hashtextextended('job:reminders', 0))`); err != nil {
		t.Fatal(err)
	}
	if _, err := store.DB().ExecContext(ctx, `INSERT INTO job_runs (job, slot) VALUES ('reminders', $1), ('reminders', $2)`, yesterday, today); err != nil {
		t.Fatal(err)
	}
	aFails := func() {
		if _, err := store.DB().ExecContext(ctx, `UPDATE job_runs SET finished_at = now(), error = 'no unit could be reminded' WHERE job = 'reminders' AND slot = $1`, today); err != nil {
			t.Error(err)
		}
		if _, err := alive.ExecContext(ctx, `SELECT pg_advisory_unlock(hashtextextended('job:reminders', 0))`); err != nil {
			t.Error(err)
		}
	}

	var mu sync.Mutex
	var ran []time.Time
	r := NewRunner(store, vietnam, slog.New(onSkip{once: &sync.Once{}, fn: aFails}))
	if err := r.Add(Job{Name: "reminders", Schedule: "0 7 * * *", CatchUp: 30 * time.Hour, // yesterday's slot and today's
		Run: func(_ context.Context, slot time.Time) error {
			mu.Lock()
			defer mu.Unlock()
			ran = append(ran, slot)
			return nil
		}}); err != nil {
		t.Fatal(err)
	}
	r.resumeCutOff(ctx, now)
	for _, s := range ran {
		if s.Equal(today) {
			t.Fatalf("B ran today's slot, whose run on A had failed, at once as if it were cut off (runs: %v)", ran)
		}
	}
}

// A run cut off by its replica's shutdown is left unfinished, as one that
// died is, so another replica runs it again rather than the slot wait for
// a start.
func TestARunCutOffByAShutdownIsResumedByAnotherReplica(t *testing.T) {
	store, vietnam := storeAndZone(t)
	slot := time.Date(2026, 11, 30, 7, 30, 0, 0, vietnam)
	var runs []string
	shutdown, stop := context.WithCancel(t.Context())
	digest := func(replica string) Job {
		return Job{Name: "digest", Schedule: "30 7 * * MON", CatchUp: 3 * 24 * time.Hour,
			Run: func(ctx context.Context, _ time.Time) error {
				runs = append(runs, replica)
				if replica == "a" {
					stop() // the shutdown comes mid-run
					<-ctx.Done()
					return ctx.Err()
				}
				return nil
			}}
	}
	a, b := NewRunner(store, vietnam, slog.Default()), NewRunner(store, vietnam, slog.Default())
	if err := b.Add(digest("b")); err != nil {
		t.Fatal(err)
	}
	if !a.RunSlot(shutdown, digest("a"), slot) {
		t.Fatal("a did not run the slot")
	}
	b.resumeCutOff(t.Context(), slot.Add(time.Hour))
	if want := []string{"a", "b"}; !slices.Equal(runs, want) {
		t.Fatalf("runs %v, want %v: the run cut off by a's shutdown resumed by b", runs, want)
	}
}
