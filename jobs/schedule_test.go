package jobs

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/danvan-vn/danvan/workcal"
)

// The schedules fire at the right local times, checked on a fake clock:
// a week of simulated time (from 07:00 Saturday 1 January 2000 in Vietnam)
// passes in no real time.
func TestSchedulesFireInVietnameseTime(t *testing.T) {
	cases := []struct {
		spec  string
		fires int    // in the week from Saturday 2000-01-01 00:00 UTC
		first string // local time of the first firing
	}{
		{"0 7 * * *", 7, "2000-01-02 07:00 Sun"}, // the bubble starts at 07:00 Saturday local
		{"30 7 * * MON", 1, "2000-01-03 07:30 Mon"},
		{"17 3 * * *", 7, "2000-01-02 03:17 Sun"}, // 03:17 Saturday local was before the bubble's start
	}
	for _, c := range cases {
		t.Run(c.spec, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sched, err := parseSchedule(c.spec)
				if err != nil {
					t.Fatal(err)
				}
				var mu sync.Mutex
				var fired []time.Time
				cr := cron.New(cron.WithLocation(workcal.Location()))
				cr.Schedule(sched, cron.FuncJob(func() {
					mu.Lock()
					fired = append(fired, time.Now().In(workcal.Location()))
					mu.Unlock()
				}))
				cr.Start()
				time.Sleep(7 * 24 * time.Hour)
				<-cr.Stop().Done()
				mu.Lock()
				defer mu.Unlock()
				if len(fired) != c.fires {
					t.Fatalf("fired %d times, want %d", len(fired), c.fires)
				}
				if got := fired[0].Format("2006-01-02 15:04 Mon"); got != c.first {
					t.Fatalf("first firing %s, want %s", got, c.first)
				}
			})
		})
	}
}

// A slot missed while the service was down is found at start, and only
// the latest one within the window.
func TestPreviousSlotForCatchUp(t *testing.T) {
	vn := workcal.Location()
	monday, _ := parseSchedule("30 7 * * MON")
	// The service starts on Tuesday 10:00 after being down since Sunday.
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, vn)
	if got := previousSlot(monday, now, 3*24*time.Hour); !got.Equal(time.Date(2026, 11, 23, 7, 30, 0, 0, vn)) {
		t.Fatalf("previous slot %s, want Monday 07:30", got)
	}
	if got := previousSlot(monday, now, 24*time.Hour); !got.IsZero() {
		t.Fatalf("a slot older than the window must not be caught up, got %s", got)
	}
}

func TestBadSchedulesAreErrorsNotPanics(t *testing.T) {
	for _, spec := range []string{"CRON_TZ=Asia/Ho_Chi_Minh", "61 * * * *", "every day"} {
		if _, err := parseSchedule(spec); err == nil {
			t.Errorf("%q parsed", spec)
		}
	}
}
