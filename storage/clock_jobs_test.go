package storage_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
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

// Whether a clock runs is read from paused_at, not from the status, in the
// reminders, the escalations, the reports, the digest and monitoring alike:
// a ticket awaiting information under a rule that does not pause (no
// paused_at) is overdue once its deadline passes; one paused before its
// deadline is not, however long it waits; one paused after it stays so.
func TestOverdueFollowsTheClockNotTheStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	tk := clockTicket(t, s, now.AddDate(0, 0, -20))
	day := func(n int) time.Time { return now.AddDate(0, 0, n) }
	for _, f := range []struct {
		code, status string
		due, paused  time.Time
	}{
		{"PA-2026-000101", storage.StatusInProgress, day(-1), time.Time{}},   // running, overdue
		{"PA-2026-000102", storage.StatusAwaitingInfo, day(-2), time.Time{}}, // waiting, clock runs on: overdue
		{"PA-2026-000103", storage.StatusAwaitingInfo, day(-1), day(-3)},     // paused in time: not overdue
		{"PA-2026-000104", storage.StatusAwaitingInfo, day(-3), day(-1)},     // paused once overdue: overdue
		{"PA-2026-000105", storage.StatusAnswered, day(-1), time.Time{}},     // answered: not overdue
		{"PA-2026-000106", storage.StatusInProgress, day(1), time.Time{}},    // not due yet
	} {
		if _, err := s.DB().ExecContext(ctx, `
			INSERT INTO tickets (code, kind, status, citizen_id, unit_id, description, due_at, paused_at, created_at, updated_at)
			SELECT $1, kind, $2, citizen_id, unit_id, description, $3, $4, created_at, created_at FROM tickets WHERE id = $5`,
			f.code, f.status, f.due, reportNullTime(f.paused), tk.ID); err != nil {
			t.Fatal(err)
		}
	}
	overdue := []string{"PA-2026-000101", "PA-2026-000102", "PA-2026-000104"}
	codes := func(ts []storage.Ticket, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tk := range ts {
			out = append(out, tk.Code)
		}
		slices.Sort(out)
		return out
	}
	check := func(what string, got []string) {
		t.Helper()
		if !slices.Equal(got, overdue) {
			t.Errorf("%s: %v, want %v", what, got, overdue)
		}
	}

	check("due before now", codes(s.TicketsDueBefore(ctx, now)))
	check("escalated", codes(s.ClaimOverdue(ctx, now)))
	check("escalated again", codes(s.ClaimStillOverdue(ctx, day(4), day(1))))

	rows, err := s.ReportTickets(ctx, nil, day(-30), now)
	if err != nil {
		t.Fatal(err)
	}
	var reported []string
	for _, r := range rows {
		if r.Overdue {
			reported = append(reported, r.Code)
		}
	}
	check("report rows", reported)
	summary, err := s.ReportSummary(ctx, []int64{tk.UnitID.Int64}, day(-30), now)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := s.UnitTicketCounts(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	digest, err := s.DigestFigures(ctx, []int64{tk.UnitID.Int64}, day(-7), now)
	if err != nil {
		t.Fatal(err)
	}
	var oldest []string
	for _, o := range digest.OldestOverdue {
		oldest = append(oldest, o.Code)
	}
	slices.Sort(oldest)
	check("digest's oldest", oldest)
	for what, n := range map[string]int{
		"report summary": summary[0].Overdue, "monitoring": counts[0].Overdue, "digest": digest.Current.Overdue,
	} {
		if n != len(overdue) {
			t.Errorf("%s: %d overdue, want %d", what, n, len(overdue))
		}
	}
}

// The reminders and escalations read the open tickets' deadlines from
// tickets_unanswered_unit_due rather than the whole table with its history
// of closed tickets, in the plan a prepared statement keeps.
func TestClockJobPlansReadTheOpenTickets(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("postgres", storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.ExecContext(t.Context(), `
		INSERT INTO citizens (channel, user_id, chat_id, display_name) VALUES ('telegram', '1', '1', 'A');
		INSERT INTO units (code, name) SELECT 'u' || g, 'Đơn vị ' || g FROM generate_series(1, 30) g;
		INSERT INTO tickets (code, kind, status, citizen_id, unit_id, description, due_at, created_at)
		SELECT 'PA-2026-' || g, 'phan_anh', CASE WHEN g % 50 = 0 THEN 'in_progress' ELSE 'completed' END,
		       (SELECT id FROM citizens), (SELECT min(id) FROM units) + g % 30, 'Cống tắc',
		       now() + (g % 100 - 50) * interval '1 day', now() - interval '1 year'
		FROM generate_series(1, 20000) g;
		ANALYZE tickets`)
	if err != nil {
		t.Fatal(err)
	}
	for query, args := range map[string]string{
		storage.TicketsDueQuery:        "now()",
		storage.ClaimOverdueQuery:      "now()",
		storage.ClaimStillOverdueQuery: "now(), now()",
	} {
		plan := genericPlan(t, db, query, args)
		if strings.Contains(plan, "Seq Scan") || !strings.Contains(plan, " tickets_unanswered_unit_due ") {
			t.Errorf("the open tickets are not read from their index:\n%s", plan)
		}
	}
}
