package demo

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/workcal"
)

// Advancing skips the weekend, keeps the time of day, survives a restart
// and leaves earlier messages at the time they were sent.
func TestClockAdvance(t *testing.T) {
	file := filepath.Join(t.TempDir(), "clock.json")
	c, err := loadClock(file)
	if err != nil {
		t.Fatal(err)
	}
	loc := workcal.Location()
	friday := time.Date(2026, 11, 20, 9, 30, 0, 0, loc)
	c.wallFn = func() time.Time { return friday }
	got, err := c.Advance(workcal.NewCalendar(workcal.Rules{}, nil), 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 23, 9, 30, 0, 0, loc); !got.Equal(want) || !c.Now().Equal(want) {
		t.Fatalf("one working day after Friday 09:30: %v (now %v), want %v", got, c.Now(), want)
	}
	if before := friday.Add(-time.Hour); !c.At(before).Equal(before) {
		t.Fatalf("a message sent before the advance moved to %v", c.At(before))
	}
	again, err := loadClock(file)
	if err != nil {
		t.Fatal(err)
	}
	again.wallFn = c.wallFn
	if !again.Now().Equal(c.Now()) || again.Workdays() != 1 {
		t.Fatalf("after a restart: %v, %d working days", again.Now(), again.Workdays())
	}
}
