package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// clockTicket files a ticket for a new unit and returns it.
func clockTicket(t *testing.T, s *storage.Store, at time.Time) storage.Ticket {
	t.Helper()
	ctx := context.Background()
	c, err := s.TouchCitizen(ctx, "telegram", "7", "7", "Trần Thị B", "vi")
	if err != nil {
		t.Fatal(err)
	}
	var unit int64
	if err := s.DB().QueryRowContext(ctx, `INSERT INTO units (code, name) VALUES ('hc', 'UBND phường Hòa Cường') RETURNING id`).Scan(&unit); err != nil {
		t.Fatal(err)
	}
	tk, err := s.CreateTicket(ctx, storage.NewTicket{Kind: "phan_anh", CitizenID: c.ID, UnitID: unit, Description: "Cống tắc"}, at)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// Each answer gets its own rating reminder and its own time to be rated
// after it: a reminder about an answer the citizen then rated 1 (reopening
// the ticket) neither stands for the next answer nor closes it.
func TestRatingReminderIsPerAnswer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	day0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return day0.AddDate(0, 0, n) }
	const remindAfter, closeAfter = 3 * 24 * time.Hour, 4 * 24 * time.Hour
	tk := clockTicket(t, s, day0.Add(-time.Hour))
	change := func(at time.Time, kind, status string, rating int) {
		t.Helper()
		if _, err := s.ApplyChange(ctx, storage.Change{TicketID: tk.ID, At: at, ActorKind: storage.ActorOfficer,
			Kind: kind, ToStatus: status, Rating: rating}); err != nil {
			t.Fatal(err)
		}
	}
	// followUp runs the rating follow-up's two steps at now and returns
	// how many tickets each picked.
	followUp := func(now time.Time) (reminded, closing int) {
		t.Helper()
		r, err := s.ClaimRatingReminders(ctx, now, now.Add(-remindAfter))
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.UnratedAfterReminder(ctx, now.Add(-closeAfter))
		if err != nil {
			t.Fatal(err)
		}
		return len(r), len(c)
	}

	change(day(0), storage.EventAnswered, storage.StatusAnswered, 0)
	if r, c := followUp(day(3).Add(time.Hour)); r != 1 || c != 0 {
		t.Fatalf("day 3: %d reminded, %d to close; want 1, 0", r, c)
	}
	change(day(5), storage.EventRated, storage.StatusReopened, 1)
	change(day(8), storage.EventAnswered, storage.StatusAnswered, 0)
	if r, c := followUp(day(8).Add(time.Hour)); r != 0 || c != 0 {
		t.Fatalf("just after the second answer: %d reminded, %d to close; want 0, 0", r, c)
	}
	if r, c := followUp(day(11).Add(time.Hour)); r != 1 || c != 0 {
		t.Fatalf("3 days after the second answer: %d reminded, %d to close; want 1, 0", r, c)
	}
	if r, c := followUp(day(15)); r != 0 || c != 0 {
		t.Fatalf("before 4 days since the second reminder: %d reminded, %d to close; want 0, 0", r, c)
	}
	if r, c := followUp(day(15).Add(2 * time.Hour)); r != 0 || c != 1 {
		t.Fatalf("4 days after the second reminder: %d reminded, %d to close; want 0, 1", r, c)
	}
}
