package jobs_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/danvan-vn/danvan/jobs"
	"github.com/danvan-vn/danvan/storage"
)

func TestHousekeepingForgetsAbandonedConversations(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	now := time.Now()
	for chat, idle := range map[string]time.Duration{"abandoned": 4 * 24 * time.Hour, "recent": time.Hour} {
		err := store.SaveConversation(ctx, storage.Conversation{Channel: "telegram", ChatID: chat, UserID: chat,
			Flow: "petition", Step: "description", Data: []byte(`{"phone": "0905000000"}`), UpdatedAt: now.Add(-idle)})
		if err != nil {
			t.Fatal(err)
		}
	}
	r := jobs.NewRunner(store, vietnam, slog.Default())
	if !r.RunSlot(ctx, jobs.Housekeeping(store), now) {
		t.Fatal("housekeeping did not run")
	}
	if _, err := store.Conversation(ctx, "telegram", "abandoned", "abandoned"); err == nil {
		t.Error("a draft abandoned four days ago is kept")
	}
	if _, err := store.Conversation(ctx, "telegram", "recent", "recent"); err != nil {
		t.Errorf("a draft of an hour ago: %v", err)
	}
}

func TestHousekeepingKeepsAMonthOfJobRuns(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	now := time.Now()
	for _, age := range []time.Duration{40 * 24 * time.Hour, 20 * 24 * time.Hour} {
		if _, err := store.DB().ExecContext(ctx, `INSERT INTO job_runs (job, slot, finished_at) VALUES ('reminders', $1, $1)`, now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	r := jobs.NewRunner(store, vietnam, slog.Default())
	if !r.RunSlot(ctx, jobs.Housekeeping(store), now) {
		t.Fatal("housekeeping did not run")
	}
	var old, recent int
	err := store.DB().QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE slot < now() - interval '30 days'), count(*) FILTER (WHERE job = 'reminders' AND slot >= now() - interval '30 days')
		FROM job_runs`).Scan(&old, &recent)
	if err != nil || old != 0 || recent != 1 {
		t.Fatalf("job runs left: %d older than a month, %d recent reminders (%v)", old, recent, err)
	}
}

func TestHousekeepingDeletesUpdatesGivenUpOnAMonthAgo(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	now := time.Now()
	_, err := store.DB().ExecContext(ctx, `
		INSERT INTO inbox (channel, update_id, chat_key, payload, received_at, failed_at) VALUES
			('telegram', 1, 'a', '{"text": "old"}', $1, $1),
			('telegram', 2, 'b', '{"text": "recent"}', $2, $2),
			('telegram', 3, 'c', '{"text": "waiting"}', $1, NULL)`,
		now.Add(-40*24*time.Hour), now.Add(-10*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	r := jobs.NewRunner(store, vietnam, slog.Default())
	if !r.RunSlot(ctx, jobs.Housekeeping(store), now) {
		t.Fatal("housekeeping did not run")
	}
	var left []int64
	if err := sqlx.NewDb(store.DB(), "postgres").SelectContext(ctx, &left, `SELECT update_id FROM inbox ORDER BY update_id`); err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 || left[0] != 2 || left[1] != 3 {
		t.Fatalf("updates left: %v, want the recent failure and the one waiting", left)
	}
}

// A petition still open when its sender erased their data keeps its text
// for the unit; once it is closed, housekeeping blanks it too.
func TestHousekeepingBlanksErasedPeoplesPetitionsOnceClosed(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	now := time.Now()
	file := func(userID, text string) (storage.Citizen, storage.Ticket) {
		t.Helper()
		c, err := store.TouchCitizen(ctx, "telegram", userID, userID, "Người "+userID, "vi")
		if err != nil {
			t.Fatal(err)
		}
		tk, err := store.CreateTicket(ctx, storage.NewTicket{Kind: "phan_anh", CitizenID: c.ID, Description: text}, now)
		if err != nil {
			t.Fatal(err)
		}
		return c, tk
	}
	close := func(tk storage.Ticket) {
		t.Helper()
		if _, err := store.ApplyChange(ctx, storage.Change{TicketID: tk.ID, At: now, ActorKind: storage.ActorOfficer,
			Kind: "answered", ToStatus: storage.StatusCompleted}); err != nil {
			t.Fatal(err)
		}
	}
	erased, open := file("51", "Cống tắc trước nhà số 7")
	if err := store.EraseCitizen(ctx, erased, now, nil); err != nil {
		t.Fatal(err)
	}
	_, other := file("52", "Đèn đường hỏng")
	close(open)
	close(other)
	r := jobs.NewRunner(store, vietnam, slog.Default())
	if !r.RunSlot(ctx, jobs.Housekeeping(store), now) {
		t.Fatal("housekeeping did not run")
	}
	for _, want := range []struct {
		tk   storage.Ticket
		text string
	}{{open, ""}, {other, "Đèn đường hỏng"}} {
		got, err := store.TicketByID(ctx, want.tk.ID)
		if err != nil || got.Description != want.text {
			t.Errorf("%s after housekeeping: %q (%v), want %q", want.tk.Code, got.Description, err, want.text)
		}
	}
}
