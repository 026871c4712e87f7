package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// Two runners that both claim a slot before either finishes (what the
// job lock exists to prevent) leave one job_runs row: the check must see
// two runs of the slot, and a minute no run claimed.
func TestJobsCheckSeesASlotRunTwice(t *testing.T) {
	ctx, db := testDatabase(t)
	if err := storage.MigrateQuiet(ctx, db.db); err != nil {
		t.Fatal(err)
	}
	rec, err := installJobRecorder(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	store, err := storage.Open(ctx, db.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	base := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	once, twice, missed := base.Add(time.Minute), base.Add(2*time.Minute), base.Add(3*time.Minute)
	claim := func(slot time.Time) {
		if ok, err := store.ClaimJobRun(ctx, "reminders", slot); err != nil || !ok {
			t.Fatalf("claim %v: %v %v", slot, ok, err)
		}
	}
	finish := func(slot time.Time) {
		if err := store.FinishJobRun(ctx, "reminders", slot, nil); err != nil {
			t.Fatal(err)
		}
	}
	claim(once)
	finish(once)
	claim(twice) // replica A
	claim(twice) // replica B, while A's run is unfinished
	finish(twice)
	finish(twice)

	var r jobsReport
	if err := rec.runs(ctx, &r, "reminders", base.Add(30*time.Second), missed.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if r.Slots != 2 || r.Runs != 3 || r.RunsPerSlotMax != 2 || r.SuccessesPerSlotMax != 2 || r.SlotsExpected != 3 || r.SlotsMissed != 1 {
		t.Fatalf("report %+v; want 2 slots, 3 runs, 2 of one slot (both succeeded), 1 of 3 minutes missed", r)
	}
	if why := (Result{Jobs: &r}).Failure(); !strings.Contains(why, "jobs not run exactly once") {
		t.Fatalf("Failure() = %q", why)
	}
	if why := (Result{Jobs: &jobsReport{Slots: 2, Runs: 2, RunsPerSlotMax: 1, SuccessesPerSlotMax: 1, SlotsExpected: 2}}).Failure(); why != "" {
		t.Fatalf("jobs run once fail: %q", why)
	}
	rec.remove(ctx)
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM pg_trigger WHERE tgname = 'bench_job_runs_log'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("trigger left behind: %d %v", n, err)
	}
}
