package jobs_test

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/robfig/cron/v3"

	"github.com/danvan-vn/danvan/digest"
	"github.com/danvan-vn/danvan/digest/digesttest"
	"github.com/danvan-vn/danvan/jobs"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// outboxKeys lists the outbox's dedupe keys by chat.
func outboxKeys(t *testing.T, s *storage.Store) map[string][]string {
	t.Helper()
	rows, err := s.DB().QueryContext(t.Context(), `SELECT chat_id, dedupe_key FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	keys := map[string][]string{}
	for rows.Next() {
		var chat, key string
		if err := rows.Scan(&chat, &key); err != nil {
			t.Fatal(err)
		}
		keys[chat] = append(keys[chat], key)
	}
	return keys
}

// Two replicas firing the Monday slot at once, the job running again for
// the same week, and a leader invited again, queue each leader's digest
// once: the slot is claimed once, and the outbox ignores a digest already
// queued for that person.
func TestWeeklyDigestQueuedOncePerLeader(t *testing.T) {
	store := openStore(t)
	ctx := t.Context()
	monday := time.Date(2026, 3, 9, 7, 30, 0, 0, vietnam)
	f := digesttest.Random(5, time.Date(2026, 3, 9, 0, 0, 0, 0, vietnam))
	ids, err := digesttest.Insert(ctx, store.DB(), f)
	if err != nil {
		t.Fatal(err)
	}
	job := jobs.WeeklyDigest(store, "", slog.Default())
	a := jobs.NewRunner(store, vietnam, slog.Default())
	b := jobs.NewRunner(store, vietnam, slog.Default())
	var ran atomic.Int32
	var wg sync.WaitGroup
	for _, r := range []*jobs.Runner{a, b, a, b} {
		wg.Go(func() {
			if r.RunSlot(ctx, job, monday) {
				ran.Add(1)
			}
		})
	}
	wg.Wait()
	if n := ran.Load(); n != 1 {
		t.Fatalf("the slot ran %d times", n)
	}
	// A later slot of the same week (a changed schedule, a catch-up) and
	// a direct run find everything queued already.
	if !a.RunSlot(ctx, job, monday.Add(time.Hour)) {
		t.Fatal("second slot did not run")
	}
	if err := job.Run(ctx, monday); err != nil {
		t.Fatal(err)
	}
	// Leader 101, invited again as the city's leader that morning, has a
	// new role but has had the week's digest.
	if err := store.CreateInvite(ctx, ids.Units["tinh"], storage.RoleLeader, "again", monday.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.RedeemInvite(ctx, "again", ids.Leaders[0], monday); err != nil {
		t.Fatal(err)
	}
	if err := job.Run(ctx, monday); err != nil {
		t.Fatal(err)
	}

	key := func(unit string, leader int) string {
		return digest.DedupeKey(digest.Digest{Unit: storage.Unit{ID: ids.Units[unit]}, WeekStart: time.Date(2026, 3, 2, 0, 0, 0, 0, vietnam)}, ids.Leaders[leader])
	}
	// Leaders 101 and 102 lead the city, 103 a department, 106 the
	// other province; 104 was revoked and 105 is an officer.
	want := map[string][]string{
		"101": {key("tinh", 0), key("tinh", 0) + ":chart"},
		"102": {key("tinh", 1), key("tinh", 1) + ":chart"},
		"103": {key("so-tnmt", 2), key("so-tnmt", 2) + ":chart"},
		"106": {key("khac", 5), key("khac", 5) + ":chart"},
	}
	if diff := cmp.Diff(want, outboxKeys(t, store)); diff != "" {
		t.Errorf("outbox (-want +got):\n%s", diff)
	}
}

// The default schedule fires on Mondays at 07:30 in Vietnam and each run
// reports the week that ended that Monday at 00:00. Checked on a fake
// clock, with the job body replaced by a recorder: the database stays
// out of the bubble (its connections' goroutines would never let the
// bubble settle). The bubble starts on Saturday
// 1 January 2000, 07:00 in Vietnam.
func TestWeeklyDigestScheduleInVietnam(t *testing.T) {
	job := jobs.WeeklyDigest(nil, "", slog.Default())
	if job.Schedule != "30 7 * * MON" || job.CatchUp != 3*24*time.Hour {
		t.Fatalf("schedule %q, catch-up %v", job.Schedule, job.CatchUp)
	}
	synctest.Test(t, func(t *testing.T) {
		vn := workcal.Location()
		sched, err := cron.ParseStandard(job.Schedule)
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var fired []string
		c := cron.New(cron.WithLocation(vn))
		c.Schedule(sched, cron.FuncJob(func() {
			// The slot as the runner computes it.
			slot := time.Now().In(vn).Truncate(time.Minute)
			mu.Lock()
			defer mu.Unlock()
			fired = append(fired, slot.Format("Mon 2006-01-02 15:04")+" reports "+digest.LastCompleteWeek(slot).Format("Mon 2006-01-02 15:04"))
		}))
		c.Start()
		time.Sleep(15 * 24 * time.Hour)
		<-c.Stop().Done()
		mu.Lock()
		defer mu.Unlock()
		want := []string{
			"Mon 2000-01-03 07:30 reports Mon 1999-12-27 00:00",
			"Mon 2000-01-10 07:30 reports Mon 2000-01-03 00:00",
		}
		if diff := cmp.Diff(want, fired); diff != "" {
			t.Errorf("firings (-want +got):\n%s", diff)
		}
	})
}
