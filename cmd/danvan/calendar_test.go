package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/danvan-vn/danvan/workcal"
)

func TestCalendarCommands(t *testing.T) {
	newDatabase(t)
	for _, args := range [][]string{
		{"admin", "calendar", "add", "2026-12-31", "-off", "-reason", "Nghỉ hoán đổi"},
		{"admin", "calendar", "add", "2027-01-09", "-work", "-reason", "Làm bù"},
	} {
		if _, err := runCLI(t, args...); err != nil {
			t.Fatalf("%q: %v", args, err)
		}
	}

	// -year shows that year's exceptions, not every year's.
	out, err := runCLI(t, "admin", "calendar", "list", "-year", "2027")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "2027-01-09") || !strings.Contains(out, "Làm bù") {
		t.Errorf("list -year 2027 lacks the make-up Saturday:\n%s", out)
	}
	if strings.Contains(out, "2026-12-31") {
		t.Errorf("list -year 2027 shows an exception of 2026:\n%s", out)
	}
	// Tết 2027 (mùng 1 on 6 February) is computed.
	if !strings.Contains(out, "2027-02-06") {
		t.Errorf("list -year 2027 lacks Tết:\n%s", out)
	}

	// Removing a date with no exception is an error (a typo must not look
	// like success); removing a recorded one says so.
	if _, err := runCLI(t, "admin", "calendar", "remove", "2027-01-10"); err == nil {
		t.Error("removing a date with no recorded exception succeeded")
	}
	out, err = runCLI(t, "admin", "calendar", "remove", "2027-01-09")
	if err != nil || !strings.Contains(out, "2027-01-09") {
		t.Errorf("remove 2027-01-09 = %q, %v", out, err)
	}
	if out, _ := runCLI(t, "admin", "calendar", "list", "-year", "2027"); strings.Contains(out, "Làm bù") {
		t.Errorf("the removed exception is still listed:\n%s", out)
	}
}

// Recording one day of an announced Tết break replaces the computed span:
// the command names the days that turned besides it, so that an
// administrator does not shorten the holiday unawares, and removing it
// names them again.
func TestCalendarAddNamesTheDaysOfTheTetSpanItMoved(t *testing.T) {
	newDatabase(t)
	out, err := runCLI(t, "admin", "calendar", "add", "2027-02-05", "-off", "-reason", "Nghỉ Tết Đinh Mùi")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "now working days: 2027-02-09, 2027-02-10, 2027-02-11") {
		t.Errorf("add of one day of the break does not name the days it turned:\n%s", out)
	}
	out, err = runCLI(t, "admin", "calendar", "remove", "2027-02-05")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "now days off: 2027-02-09, 2027-02-10, 2027-02-11") {
		t.Errorf("remove does not name the days it turned back:\n%s", out)
	}
	out, err = runCLI(t, "admin", "calendar", "add", "2026-12-31", "-off", "-reason", "Nghỉ hoán đổi")
	if err != nil || strings.Contains(out, "also") {
		t.Errorf("a day with no Tết span to move: %q, %v", out, err)
	}
}

// A day of an announced Tết break recorded with its reason typed in
// decomposed Unicode (NFD: what Unikey's "Unicode tổ hợp" table, or a
// reason pasted from some PDFs, gives) names Tết just as the precomposed
// form does, and replaces the computed span with its compensatory days.
func TestCalendarAddTakesATetReasonTypedInDecomposedUnicode(t *testing.T) {
	newDatabase(t)
	reason := norm.NFD.String("Nghỉ Tết Đinh Mùi")
	if reason == norm.NFC.String(reason) {
		t.Fatal("test setup: the reason is not decomposed")
	}
	// Tết 2027: mùng 1 on Saturday 6 February. Recording Friday 5 February
	// as a day of the break replaces the computed span (5–9 February, and
	// 10–11 February in compensation for the weekend) by an announced one
	// starting on the 5th, which gives no compensatory days: see
	// TestCalendarAddNamesTheDaysOfTheTetSpanItMoved for the precomposed
	// reason.
	out, err := runCLI(t, "admin", "calendar", "add", "2027-02-05", "-off", "-reason", reason)
	if err != nil {
		t.Fatal(err)
	}

	cal, err := openStore(t).Calendar(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !cal.IsWorkday(workcal.NewDate(2027, time.February, 10)) {
		t.Errorf("with the break's first day recorded as %q (NFD), 10 February 2027 is still the computed span's compensatory day off: "+
			"the reason was not taken as naming Tết; the command said:\n%s", norm.NFC.String(reason), out)
	}
}

// The office hours are shown, set, refused when mistyped, and set back to
// the default; `calendar list` shows them too.
func TestCalendarHours(t *testing.T) {
	newDatabase(t)
	out, err := runCLI(t, "admin", "calendar", "hours")
	if err != nil || !strings.Contains(out, "07:30-11:30, 13:30-17:00 (7.5 hours a working day)") {
		t.Errorf("hours = %q, %v; want the default", out, err)
	}
	if _, err := runCLI(t, "admin", "calendar", "hours", "7h-11h"); err == nil || !strings.Contains(err.Error(), "HH:MM-HH:MM") {
		t.Errorf("a mistyped session: %v", err)
	}
	if _, err := runCLI(t, "admin", "calendar", "hours", "08:00-12:00", "-default"); err == nil {
		t.Error("sessions and -default were both taken")
	}
	out, err = runCLI(t, "admin", "calendar", "hours", "08:00-12:00", "13:00-17:00")
	if err != nil || !strings.Contains(out, "now 08:00-12:00, 13:00-17:00 (8 hours a working day)") {
		t.Errorf("set = %q, %v", out, err)
	}
	if out, _ := runCLI(t, "admin", "calendar", "list"); !strings.Contains(out, "Office hours: 08:00-12:00, 13:00-17:00") {
		t.Errorf("list does not show the hours set:\n%s", out)
	}
	out, err = runCLI(t, "admin", "calendar", "hours", "-default")
	if err != nil || !strings.Contains(out, "now 07:30-11:30, 13:30-17:00") {
		t.Errorf("-default = %q, %v", out, err)
	}
	if out, _ := runCLI(t, "admin", "calendar", "hours"); !strings.Contains(out, "07:30-11:30, 13:30-17:00") {
		t.Errorf("after -default: %q", out)
	}
}

// A change to the calendar locks the calendar and then every open ticket,
// while a worker handling a ticket locks it and then reads the calendar.
// When the two meet, PostgreSQL aborts one; the change, aborted here, is
// run again once the worker is done, and goes through.
func TestACalendarChangeAbortedByADeadlockIsRunAgain(t *testing.T) {
	db := newDatabase(t)
	mustExec(t, db, `INSERT INTO citizens (channel, user_id, chat_id) VALUES ('telegram', '1', '1')`)
	mustExec(t, db, `
		INSERT INTO tickets (code, kind, citizen_id, description, status, deadline_rule_id, clock_started_at, due_at)
		SELECT 'PA-2026-000001', 'phan_anh', c.id, 'Cống tắc', 'received', r.id, '2026-12-21 09:00+07', '2027-01-20 17:00+07'
		FROM citizens c, deadline_rules r WHERE r.kind = 'phan_anh' LIMIT 1`)

	worker, err := db.Begin() // a worker handling the ticket
	if err != nil {
		t.Fatal(err)
	}
	defer worker.Rollback()
	// Its deadlock check comes after the change's, so the change is the
	// one aborted.
	if _, err := worker.Exec(`SET LOCAL deadlock_timeout = '10s'`); err != nil {
		t.Fatal(err)
	}
	if _, err := worker.Exec(`SELECT id FROM tickets WHERE code = 'PA-2026-000001' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	changed := make(chan error, 1)
	go func() {
		_, err := runCLI(t, "admin", "calendar", "add", "2026-12-31", "-off", "-reason", "Nghỉ hoán đổi")
		changed <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var waiting int
		if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the change never waited for the ticket")
		}
	}
	// The worker now reads the calendar, which the change holds.
	if _, err := worker.Exec(`SELECT pg_advisory_xact_lock_shared(hashtextextended('calendar', 0))`); err != nil {
		t.Fatalf("the worker was aborted, not the change: %v", err)
	}
	if err := worker.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-changed; err != nil {
		t.Fatalf("the change aborted by the deadlock: %v", err)
	}
	var due time.Time
	if err := db.QueryRow(`SELECT due_at FROM tickets WHERE code = 'PA-2026-000001'`).Scan(&due); err != nil {
		t.Fatal(err)
	}
	if was := time.Date(2027, 1, 20, 10, 0, 0, 0, time.UTC); !due.After(was) {
		t.Errorf("the deadline after a working day became a day off: %v, was %v", due.UTC(), was)
	}
}
