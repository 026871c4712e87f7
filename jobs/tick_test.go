package jobs

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A timer that fires late (a process paused, a machine suspended) runs the
// slot it was set for, the latest scheduled one, not a slot of its own
// minute: that would run again a slot another replica ran on time, and
// leave the scheduled slot unrecorded. A slot older than the job's
// catch-up window is not run, as at start; a job without one runs its
// latest slot.
func TestALateTimerRunsTheScheduledSlot(t *testing.T) {
	ctx := t.Context()
	store, vietnam := storeAndZone(t)
	var ran []string
	record := func(_ context.Context, slot time.Time) error {
		ran = append(ran, slot.In(vietnam).Format("02 15:04"))
		return nil
	}
	a, b := NewRunner(store, vietnam, slog.Default()), NewRunner(store, vietnam, slog.Default())
	for _, r := range []*Runner{a, b} {
		for _, j := range []Job{
			{Name: "reminders", Schedule: "0 7 * * *", CatchUp: 6 * time.Hour, Run: record},
			{Name: "escalations", Schedule: "*/10 * * * *", RunAtStart: true, Run: record},
		} {
			if err := r.Add(j); err != nil {
				t.Fatal(err)
			}
		}
	}
	reminders, escalations := a.jobs[0], a.jobs[1]
	at := func(day, hour, minute, second int) time.Time {
		return time.Date(2026, 11, day, hour, minute, second, 0, vietnam)
	}

	a.tick(ctx, reminders, at(23, 7, 0, 0))
	b.tick(ctx, b.jobs[0], at(23, 7, 1, 30)) // b's timer, 90 s late
	a.tick(ctx, reminders, at(24, 7, 2, 10)) // a paused for two minutes
	a.tick(ctx, reminders, at(25, 13, 30, 0))
	a.tick(ctx, escalations, at(25, 13, 43, 0))
	want := []string{"23 07:00", "24 07:00", "25 13:40"}
	if diff := cmp.Diff(want, ran); diff != "" {
		t.Fatalf("slots run (-want +got):\n%s", diff)
	}
}
