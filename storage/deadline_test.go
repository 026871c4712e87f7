package storage_test

import (
	"errors"
	"testing"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// Removing a calendar exception that is not recorded says so, rather than
// looking like success; removing a recorded one takes it out.
func TestDeleteCalendarDay(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	day := workcal.Date{Year: 2027, Month: 1, Day: 9}
	if err := s.DeleteCalendarDay(ctx, day); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("no exception yet: %v, want ErrNotFound", err)
	}
	if err := s.SetCalendarDay(ctx, day, true, "làm bù"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCalendarDay(ctx, day); err != nil {
		t.Fatal(err)
	}
	days, err := s.CalendarDays(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 0 {
		t.Errorf("after removal: %v", days)
	}
	if err := s.DeleteCalendarDay(ctx, day); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("removed twice: %v, want ErrNotFound", err)
	}
}

// The government announces Tết's days every year (law.md §11: an
// admin-edited calendar_days table, lunar computation only pre-fills it).
// Tết 2025: the announced break was Sat 25 Jan – Sun 2 Feb 2025 and work
// resumed on Mon 3 Feb, which the default span (with 1 Feb on a Saturday)
// would give off as compensation. The days recorded for Tết replace it.
func TestCalendarTakesTheAnnouncedTetBreak(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	for d := (workcal.Date{Year: 2025, Month: 1, Day: 25}); !d.After(workcal.Date{Year: 2025, Month: 2, Day: 2}); d = d.AddDays(1) {
		if err := s.SetCalendarDay(ctx, d, false, "Nghỉ Tết Ất Tỵ"); err != nil {
			t.Fatal(err)
		}
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := (workcal.Date{Year: 2025, Month: 2, Day: 3}); !cal.IsWorkday(d) {
		_, why := cal.Day(d)
		t.Errorf("Mon 3 Feb 2025 (mùng 6, back to work) is a day off: %q", why)
	}
}
