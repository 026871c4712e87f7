package handlers_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
)

func (w *world) run(fn func(tx *storage.Store) error) {
	w.t.Helper()
	if err := w.store.InTx(w.ctx, fn); err != nil {
		w.t.Fatal(err)
	}
}

func TestOverdueTicketIsEscalatedOnceToTheRightLeaders(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2081, "ubnd-hoa-cuong", "officer")
	wardLeader := w.staff(2082, "ubnd-hoa-cuong", "leader")
	cityLeader := w.staff(2083, "ubnd-tp", "leader")
	otherLeader := w.staff(2084, "ubnd-hai-chau", "leader")
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	code := w.citizen(3081).file("Phường Hòa Cường", "Hố ga mất nắp rất nguy hiểm")
	w.sent()

	// Before the deadline nothing happens.
	w.now = time.Date(2026, 12, 7, 12, 0, 0, 0, vn)
	w.run(func(tx *storage.Store) error {
		return w.service.Escalate(w.ctx, tx, "telegram", handlers.DefaultClockPolicy)
	})
	if out := w.sent(); len(out) != 0 {
		t.Fatalf("escalated before the deadline: %d messages", len(out))
	}
	// After it, the ward's and the city's leaders hear of it, once, even
	// when two runs race.
	w.now = time.Date(2026, 12, 8, 8, 0, 0, 0, vn)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			w.store.InTx(w.ctx, func(tx *storage.Store) error {
				return w.service.Escalate(w.ctx, tx, "telegram", handlers.DefaultClockPolicy)
			})
		})
	}
	wg.Wait()
	out := w.sent()
	if len(sentTo(out, wardLeader.id)) != 1 || len(sentTo(out, cityLeader.id)) != 1 {
		t.Fatalf("want one alert each for the ward and city leaders, got %d and %d", len(sentTo(out, wardLeader.id)), len(sentTo(out, cityLeader.id)))
	}
	if len(sentTo(out, otherLeader.id)) != 0 || len(sentTo(out, officer.id)) != 0 {
		t.Fatal("an unrelated leader or the officer got the escalation")
	}
	mustContain(t, sentTo(out, wardLeader.id), "Phản ánh quá hạn", code)

	// Three working days later the second step reaches the city again.
	w.now = time.Date(2026, 12, 11, 12, 0, 0, 0, vn)
	w.run(func(tx *storage.Store) error {
		return w.service.Escalate(w.ctx, tx, "telegram", handlers.DefaultClockPolicy)
	})
	out = w.sent()
	mustContain(t, sentTo(out, cityLeader.id), "vẫn quá hạn")
	if len(sentTo(out, wardLeader.id)) != 0 {
		t.Fatal("the second step went to the ward leader again")
	}
}

func TestMorningReminderListsDueSoonAndOverdue(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2091, "ubnd-hoa-cuong", "officer")
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	early := w.citizen(3091).file("Phường Hòa Cường", "Đèn đường tắt cả tuyến")
	w.now = time.Date(2026, 11, 25, 16, 0, 0, 0, vn)
	later := w.citizen(3092).file("Phường Hòa Cường", "Cây đổ chắn lối đi")
	w.sent()

	// Tuesday 08/12 morning: the first is overdue, the second due on 09/12.
	w.now = time.Date(2026, 12, 8, 7, 0, 0, 0, vn)
	for range 2 { // a second run the same day sends nothing new
		w.run(func(tx *storage.Store) error { return w.service.RemindUnits(w.ctx, tx, "telegram") })
	}
	out := sentTo(w.sent(), officer.id)
	if len(out) != 1 {
		t.Fatalf("%d reminders, want 1", len(out))
	}
	mustContain(t, out, "1 phản ánh sắp đến hạn, 1 phản ánh quá hạn", early, later)
	// No reminder on a Sunday.
	w.now = time.Date(2026, 12, 13, 7, 0, 0, 0, vn)
	w.run(func(tx *storage.Store) error { return w.service.RemindUnits(w.ctx, tx, "telegram") })
	if n := len(w.sent()); n != 0 {
		t.Fatalf("%d reminders on a Sunday", n)
	}
}

func TestUnratedAnswerIsRemindedOnceThenClosed(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2101, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3101)
	w.now = time.Date(2026, 11, 23, 9, 0, 0, 0, vn)
	code := c.file("Phường Hòa Cường", "Nắp cống bị vỡ trước trường học")
	officer.says("/resolve " + code + " Đã thay nắp cống mới.")
	w.sent()
	policy := handlers.DefaultClockPolicy
	follow := func() []string {
		w.run(func(tx *storage.Store) error { return w.service.CloseUnrated(w.ctx, tx, "telegram", policy) })
		var statuses []string
		w.raw.Select(&statuses, `SELECT status FROM tickets`)
		return statuses
	}
	w.now = w.now.Add(4 * 24 * time.Hour)
	follow()
	follow()
	mustContain(t, sentTo(w.sent(), c.id), "vui lòng đánh giá")
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = $1 AND payload->>'text' LIKE '%vui lòng đánh giá%'`, c.id); n != 1 {
		t.Fatalf("%d rating reminders, want 1", n)
	}
	w.now = w.now.Add(5 * 24 * time.Hour)
	if got := follow(); len(got) != 1 || got[0] != "completed" {
		t.Fatalf("statuses = %v, want completed", got)
	}
	// The citizen's timeline says why, in their language.
	mustContain(t, c.says("/status "+code), "Kết thúc (không có đánh giá sau khi được nhắc)")
	if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'closed' AND body <> ''`); n != 0 {
		t.Fatal("the automatic close recorded a body in English")
	}
	// Its rating buttons say why they rate nothing now: not "already rated".
	mustAnswer(t, c.presses("Rất hài lòng"), "chưa được đánh giá trong thời hạn")
}

// A "not satisfied" committed while the close of unrated answers waits
// for its ticket reopens it for good: the close, which read the ticket as
// answered, finds it reopened once it has the row and leaves it so,
// rather than closing what the sender, the unit and its leaders were just
// told is reopened.
func TestTheCloseOfUnratedAnswersLeavesATicketReopenedMeanwhile(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2111, "ubnd-hoa-cuong", "officer")
	code := w.citizen(3111).file("Phường Hòa Cường", "Nắp cống bị vỡ trước trường học")
	officer.says("/resolve " + code + " Đã thay nắp cống mới.")
	w.exec(`UPDATE tickets SET rating_reminded_at = answered_at + interval '1 minute' WHERE code = $1`, code)
	w.now = w.now.Add(30 * 24 * time.Hour)

	rating := w.raw.MustBegin() // the sender's rating, holding the ticket
	defer rating.Rollback()
	rating.MustExec(`SELECT FROM tickets WHERE code = $1 FOR UPDATE`, code)
	done := make(chan error, 1)
	go func() {
		done <- w.store.InTx(w.ctx, func(tx *storage.Store) error {
			return w.service.CloseUnrated(w.ctx, tx, "telegram", handlers.DefaultClockPolicy)
		})
	}()
	for deadline := time.Now().Add(10 * time.Second); w.count(`SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event_type = 'Lock'`) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the close never waited for the ticket")
		}
	}
	rating.MustExec(`UPDATE tickets SET status = 'reopened' WHERE code = $1`, code)
	if err := rating.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'reopened'`, code); n != 1 {
		t.Error("the close of unrated answers closed a ticket reopened while it waited")
	}
}

// A ticket closed automatically before the close's label said why keeps
// the English body "no rating" on its append-only timeline; neither the
// citizen nor staff see it after the label, which now says it.
func TestAnOlderAutomaticCloseShowsNoEnglish(t *testing.T) {
	w, officer, c, code := filed(t, 2111, 3111, "Nắp cống bị vỡ trước trường học")
	officer.says("/resolve " + code + " Đã thay nắp cống mới.")
	w.exec(`UPDATE tickets SET status = 'completed' WHERE code = $1`, code)
	w.exec(`INSERT INTO ticket_events (ticket_id, at, actor_kind, kind, from_status, to_status, body)
		SELECT id, $2, 'system', 'closed', 'answered', 'completed', 'no rating' FROM tickets WHERE code = $1`, code, w.now)
	for _, out := range [][]bot.Outgoing{c.says("/status " + code), officer.says("/ticket " + code)} {
		if got := texts(out); strings.Contains(got, "no rating") || !strings.Contains(got, "Kết thúc (không có đánh giá sau khi được nhắc)") {
			t.Fatalf("the timeline:\n%s", got)
		}
	}
}

// The escalation takes the calendar's lock before any ticket's: a change
// to the calendar takes them in that order, and the other would deadlock
// with it (one of the two aborted). While a change holds the calendar, the
// escalation waits with no ticket locked.
func TestTheEscalationWaitsForTheCalendarBeforeLockingTickets(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.staff(2121, "ubnd-hoa-cuong", "officer")
	w.staff(2122, "ubnd-hoa-cuong", "leader")
	code := w.citizen(3121).file("Phường Hòa Cường", "Cống thoát nước bị tắc, nước tràn lên đường")
	w.exec(`UPDATE tickets SET due_at = $2 WHERE code = $1`, code, w.now.Add(-48*time.Hour))

	change := w.raw.MustBegin() // an administrator's change to the calendar
	defer change.Rollback()
	change.MustExec(`SELECT pg_advisory_xact_lock(hashtextextended('calendar', 0))`)
	done := make(chan error, 1)
	go func() {
		done <- w.store.InTx(w.ctx, func(tx *storage.Store) error {
			return w.service.Escalate(w.ctx, tx, "telegram", handlers.DefaultClockPolicy)
		})
	}()
	for deadline := time.Now().Add(10 * time.Second); w.count(`SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event_type = 'Lock'`) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the escalation never waited for the calendar")
		}
	}
	// The change goes on to lock the open tickets, as ChangeCalendarDay does.
	change.MustExec(`SET LOCAL lock_timeout = '2s'`)
	if _, err := change.Exec(`SELECT id FROM tickets WHERE code = $1 FOR UPDATE`, code); err != nil {
		t.Fatalf("the calendar change could not lock the ticket the escalation holds: %v", err)
	}
	if err := change.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND escalated_at IS NOT NULL`, code); n != 1 {
		t.Error("the ticket was not escalated once the calendar was free")
	}
}
