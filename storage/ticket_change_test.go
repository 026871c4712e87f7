package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// answered_at and closed_at are when the ticket reached those statuses: a
// note, or a comment on a rating, changes neither (reports and the digest
// count answers and their timeliness by answered_at, and the rating
// follow-up runs from it).
func TestChangesKeepingTheStatusKeepItsTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	day := func(n int) time.Time { return time.Date(2026, 11, 2+n, 9, 0, 0, 0, time.UTC) }
	tk := clockTicket(t, s, day(0).Add(-time.Hour))
	for i, step := range []struct {
		change           storage.Change
		answered, closed time.Time
	}{
		{storage.Change{Kind: storage.EventAnswered, ToStatus: storage.StatusAnswered}, day(0), time.Time{}},
		{storage.Change{Kind: storage.EventNote, Body: "Đã kiểm tra lại hiện trường", Internal: true}, day(0), time.Time{}},
		{storage.Change{Kind: storage.EventRated, ToStatus: storage.StatusCompleted, Rating: 5}, day(0), day(2)},
		{storage.Change{Kind: storage.EventRated, Rating: 5, Body: "Cảm ơn phường"}, day(0), day(2)},
	} {
		c := step.change
		c.TicketID, c.At, c.ActorKind = tk.ID, day(i), storage.ActorOfficer
		got, err := s.ApplyChange(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if !got.AnsweredAt.Time.Equal(step.answered) || !got.ClosedAt.Time.Equal(step.closed) {
			t.Fatalf("step %d (%s): answered_at %v, closed_at %v; want %v, %v",
				i, c.Kind, got.AnsweredAt.Time, got.ClosedAt.Time, step.answered, step.closed)
		}
	}
}
