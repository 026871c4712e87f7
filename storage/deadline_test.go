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
