package jobs_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/digest/digesttest"
	"github.com/danvan-vn/danvan/jobs"
)

// A leader gets a week's digest once "however often this runs" (danvan
// digest -now -week, which takes any week that is over): the outbox's
// dedupe key is what remembers it was queued. Housekeeping deletes
// delivered messages after 30 days, and with them that memory, so
// queueing an older week again sends every leader a second copy.
func TestAWeeksDigestIsNotSentAgainAfterHousekeeping(t *testing.T) {
	store := openStore(t)
	ctx := t.Context()
	monday := time.Date(2026, 3, 9, 7, 30, 0, 0, vietnam)
	f := digesttest.Random(5, time.Date(2026, 3, 9, 0, 0, 0, 0, vietnam))
	if _, err := digesttest.Insert(ctx, store.DB(), f); err != nil {
		t.Fatal(err)
	}
	job := jobs.WeeklyDigest(store, "", slog.Default())
	if err := job.Run(ctx, monday); err != nil {
		t.Fatal(err)
	}
	queued := func() int {
		t.Helper()
		var n int
		if err := store.DB().QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'digest:%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	first := queued()
	if first == 0 {
		t.Fatal("no digest queued")
	}
	// Delivered that morning.
	if _, err := store.DB().ExecContext(ctx, `UPDATE outbox SET status = 'sent', sent_at = $1, sent_message_id = id::text`,
		monday.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// Six weeks later housekeeping has run, and the week is queued again
	// (the same as `danvan digest -now -week 2026-03-02`).
	later := monday.AddDate(0, 0, 42)
	if err := jobs.Housekeeping(store).Run(ctx, later); err != nil {
		t.Fatal(err)
	}
	if err := job.Run(ctx, monday); err != nil {
		t.Fatal(err)
	}
	var again int
	if err := store.DB().QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'digest:%' AND status = 'pending'`).Scan(&again); err != nil {
		t.Fatal(err)
	}
	if again != 0 {
		t.Fatalf("the digests of the week of 02/03/2026, delivered on 09/03, were queued again: %d messages (first time %d)", again, first)
	}
}
