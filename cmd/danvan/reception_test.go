package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// setReception runs "admin reception set" for ubnd-quan-cu with the
// flags given replacing the defaults.
func setReception(t *testing.T, flags ...string) (string, error) {
	t.Helper()
	args := []string{"admin", "reception", "set", "-unit", "ubnd-quan-cu", "-weekday", "thu",
		"-from", "08:00", "-to", "11:30", "-place", "Phòng tiếp công dân, tầng 1", "-capacity", "5"}
	return runCLI(t, append(args, flags...)...)
}

// receptionRow is a unit's hours as stored, "" when it has none that day.
func receptionRow(t *testing.T, db *sql.DB, weekday time.Weekday) string {
	t.Helper()
	var row string
	err := db.QueryRow(`SELECT to_char(starts, 'HH24:MI') || '-' || to_char(ends, 'HH24:MI') || ' ' || place || ' ' || capacity
		FROM reception_hours WHERE weekday = $1`, int(weekday)).Scan(&row)
	if err == sql.ErrNoRows {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return row
}

func TestReceptionSetListOff(t *testing.T) {
	db := newDatabase(t)
	if _, err := runCLI(t, "admin", "import", writeFile(t, "org.yaml", orgBefore)); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "admin", "reception", "list")
	if err != nil || !strings.Contains(out, "No unit holds receptions") {
		t.Fatalf("list with no receptions = %q, %v", out, err)
	}

	if out, err := setReception(t); err != nil || !strings.Contains(out, "Thursdays, 08:00–11:30") {
		t.Fatalf("set = %q, %v", out, err)
	}
	// Setting it again changes it: one reception a weekday. Times are
	// written back as HH:MM.
	if _, err := setReception(t, "-from", "7:30", "-capacity", "8"); err != nil {
		t.Fatalf("set again: %v", err)
	}
	if row := receptionRow(t, db, time.Thursday); row != "07:30-11:30 Phòng tiếp công dân, tầng 1 8" {
		t.Fatalf("after setting twice, Thursday's reception is %q", row)
	}
	if _, err := setReception(t, "-weekday", "MON", "-capacity", "3"); err != nil {
		t.Fatalf("set Monday: %v", err)
	}

	out, err = runCLI(t, "admin", "reception", "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "ubnd-quan-cu") || !strings.Contains(lines[1], "mon") ||
		!strings.Contains(lines[2], "thu") || !strings.Contains(lines[2], "07:30–11:30") ||
		!strings.Contains(lines[2], "Phòng tiếp công dân, tầng 1") || !strings.Contains(lines[2], "/8") {
		t.Fatalf("list: want a header, Monday and Thursday:\n%s", out)
	}
	// The next Thursdays, with no place taken yet.
	next := nextWeekday(time.Thursday)
	if !strings.Contains(lines[2], next.String()) {
		t.Errorf("list does not show the next Thursday, %s:\n%s", next, out)
	}

	out, err = runCLI(t, "admin", "reception", "off", "-unit", "ubnd-quan-cu", "-weekday", "thu")
	if err != nil || !strings.Contains(out, "no longer takes bookings for Thursdays") {
		t.Fatalf("off = %q, %v", out, err)
	}
	if row := receptionRow(t, db, time.Thursday); row != "" {
		t.Errorf("Thursday's reception is still stored after off: %q", row)
	}
	if row := receptionRow(t, db, time.Monday); row == "" {
		t.Error("off thu removed Monday's reception too")
	}
	if _, err := runCLI(t, "admin", "reception", "off", "-unit", "ubnd-quan-cu", "-weekday", "thu"); err == nil ||
		!strings.Contains(err.Error(), "holds no reception on Thursdays") {
		t.Errorf("off of a weekday with no reception: %v", err)
	}
}

// nextWeekday is the first day from today that falls on a weekday.
func nextWeekday(wd time.Weekday) workcal.Date {
	d := workcal.DateOf(time.Now())
	for d.Weekday() != wd {
		d = d.AddDays(1)
	}
	return d
}

func TestReceptionBadInputChangesNothing(t *testing.T) {
	db := newDatabase(t)
	if _, err := runCLI(t, "admin", "import", writeFile(t, "org.yaml", orgBefore)); err != nil {
		t.Fatal(err)
	}
	if _, err := setReception(t); err != nil {
		t.Fatal(err)
	}
	const stored = "08:00-11:30 Phòng tiếp công dân, tầng 1 5"
	if row := receptionRow(t, db, time.Thursday); row != stored {
		t.Fatalf("Thursday's reception is %q", row)
	}
	for _, c := range []struct {
		flags []string
		want  string
	}{
		{[]string{"-weekday", "thursday"}, "-weekday must be one of"},
		{[]string{"-from", "11:30", "-to", "08:00", "-capacity", "9"}, "-from 11:30 must be before -to 08:00"},
		{[]string{"-from", "08:00", "-to", "08:00"}, "must be before"},
		{[]string{"-from", "25:00"}, "HH:MM"},
		{[]string{"-capacity", "0"}, "-capacity must be at least 1"},
		{[]string{"-place", "  ", "-capacity", "9"}, "-place is required"},
		{[]string{"-unit", "khong-co", "-capacity", "9"}, `no active unit "khong-co"`},
		{[]string{"-capacity", "9", "thu"}, `unexpected argument "thu"`},
	} {
		if _, err := setReception(t, c.flags...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("set %q = %v, want an error saying %q", c.flags, err, c.want)
		}
	}
	if row := receptionRow(t, db, time.Thursday); row != stored {
		t.Errorf("refused input changed Thursday's reception to %q", row)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM reception_hours`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d receptions stored (%v), want 1", n, err)
	}

	today := workcal.DateOf(time.Now())
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"off", "-unit", "ubnd-quan-cu", "-weekday", "thứ năm"}, "-weekday must be one of"},
		{[]string{"off", "-unit", "khong-co", "-weekday", "thu"}, `no unit "khong-co"`},
		{[]string{"close", "-unit", "ubnd-quan-cu", "-day", today.AddDays(-1).String(), "-reason", "Họp"}, "in the past"},
		{[]string{"close", "-unit", "ubnd-quan-cu", "-day", nextWeekday(time.Thursday).AddDays(7).String(), "-reason", " "}, "-reason"},
		{[]string{"close", "-unit", "ubnd-quan-cu", "-day", "2026-13-01", "-reason", "Họp"}, "-day"},
		// A day the unit holds no reception on and no one booked: a typo.
		{[]string{"close", "-unit", "ubnd-quan-cu", "-day", nextWeekday(time.Friday).AddDays(7).String(), "-reason", "Họp"}, "nothing to call off"},
		{[]string{"list", "thu"}, "unexpected argument"},
	} {
		if _, err := runCLI(t, append([]string{"admin", "reception"}, c.args...)...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("reception %q = %v, want an error saying %q", c.args, err, c.want)
		}
	}
	if err := db.QueryRow(`SELECT count(*) FROM reception_closures`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d days called off (%v) by refused commands", n, err)
	}
	if row := receptionRow(t, db, time.Thursday); row != stored {
		t.Errorf("refused commands changed Thursday's reception to %q", row)
	}

	// Help succeeds; a missing or unknown command fails.
	if _, err := runCLI(t, "admin", "reception", "help"); err != nil && !errors.Is(err, flag.ErrHelp) {
		t.Errorf("admin reception help: %v", err)
	}
	for _, args := range [][]string{{"admin", "reception"}, {"admin", "reception", "nonsense"}} {
		if _, err := runCLI(t, args...); err == nil || errors.Is(err, flag.ErrHelp) {
			t.Errorf("danvan %q succeeded", args)
		}
	}
}

// receptionInAWeek imports orgBefore and sets ubnd-quan-cu's reception on
// the weekday a week from today, which it returns with a function that
// books it for a citizen on a day.
func receptionInAWeek(t *testing.T) (db *sql.DB, day workcal.Date, book func(userID string, d workcal.Date) storage.Booking) {
	t.Helper()
	db = newDatabase(t)
	if _, err := runCLI(t, "admin", "import", writeFile(t, "org.yaml", orgBefore)); err != nil {
		t.Fatal(err)
	}
	day = workcal.DateOf(time.Now()).AddDays(7)
	if _, err := setReception(t, "-weekday", weekdayName(day.Weekday())); err != nil {
		t.Fatal(err)
	}
	store := openStore(t)
	unit, err := store.UnitByCode(context.Background(), "ubnd-quan-cu")
	if err != nil {
		t.Fatal(err)
	}
	hours, err := store.UnitReceptionHours(context.Background(), unit.ID)
	if err != nil || len(hours) != 1 {
		t.Fatalf("unit reception hours = %v, %v", hours, err)
	}
	return db, day, func(userID string, d workcal.Date) storage.Booking {
		t.Helper()
		c, err := store.TouchCitizen(context.Background(), "telegram", userID, userID, "Người dân "+userID, "vi")
		if err != nil {
			t.Fatal(err)
		}
		bk, err := store.CreateBooking(context.Background(), storage.NewBooking{Hours: hours[0], CitizenID: c.ID, Day: d,
			Subject: "Xin cấp phép sửa nhà"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return bk
	}
}

func TestReceptionCloseTellsCitizensBooked(t *testing.T) {
	db, day, book := receptionInAWeek(t)
	booked := book("42", day)
	cancelled := book("43", day)
	if err := openStore(t).SetBookingOutcome(context.Background(), cancelled.ID, storage.BookingCancelled, "", 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	later := book("44", day.AddDays(7))

	out, err := runCLI(t, "admin", "reception", "close", "-unit", "ubnd-quan-cu", "-day", day.String(),
		"-reason", "Chủ tịch đi công tác")
	if err != nil || !strings.Contains(out, "queued for the 1 citizens booked") {
		t.Fatalf("close = %q, %v", out, err)
	}
	outbox := func() (toBooked, all int) {
		t.Helper()
		if err := db.QueryRow(`SELECT count(*) FILTER (WHERE channel = 'telegram' AND chat_id = '42'
			AND payload->>'text' LIKE '%hoãn%vì: Chủ tịch đi công tác%'), count(*) FROM outbox`).Scan(&toBooked, &all); err != nil {
			t.Fatal(err)
		}
		return toBooked, all
	}
	if toBooked, all := outbox(); toBooked != 1 || all != 1 {
		t.Fatalf("outbox: %d notices to the citizen booked, %d messages in all; want 1 and 1", toBooked, all)
	}
	for _, c := range []struct {
		bk   storage.Booking
		want string
	}{{booked, storage.BookingCalledOff}, {cancelled, storage.BookingCancelled}, {later, storage.BookingBooked}} {
		var status, reason string
		if err := db.QueryRow(`SELECT status, reason FROM reception_bookings WHERE id = $1`, c.bk.ID).Scan(&status, &reason); err != nil {
			t.Fatal(err)
		}
		if status != c.want {
			t.Errorf("booking %d of %s is %s, want %s", c.bk.ID, c.bk.Date(), status, c.want)
		}
		if c.want == storage.BookingCalledOff && reason != "Chủ tịch đi công tác" {
			t.Errorf("called-off booking %d has reason %q", c.bk.ID, reason)
		}
	}
	if out, _ := runCLI(t, "admin", "reception", "list"); !strings.Contains(out, day.String()+" called off") {
		t.Errorf("list does not show %s called off:\n%s", day, out)
	}

	_, err = runCLI(t, "admin", "reception", "close", "-unit", "ubnd-quan-cu", "-day", day.String(), "-reason", "Lần nữa")
	if err == nil || !strings.Contains(err.Error(), "already called off") {
		t.Fatalf("calling the same day off twice: %v", err)
	}
	if _, all := outbox(); all != 1 {
		t.Errorf("the refused second close queued messages: %d in the outbox", all)
	}
}

// A reception on a date is set, listed and taken off like a weekday's;
// -weekday and -day go one at a time, and a date in the past is refused.
func TestReceptionOnADate(t *testing.T) {
	db := newDatabase(t)
	if _, err := runCLI(t, "admin", "import", writeFile(t, "org.yaml", orgBefore)); err != nil {
		t.Fatal(err)
	}
	day := workcal.DateOf(time.Now()).AddDays(10)
	args := []string{"admin", "reception", "set", "-unit", "ubnd-quan-cu", "-day", day.String(),
		"-from", "14:00", "-to", "16:00", "-place", "Hội trường", "-capacity", "4"}
	out, err := runCLI(t, args...)
	if err != nil || !strings.Contains(out, day.String()) || !strings.Contains(out, "14:00–16:00") {
		t.Fatalf("set -day = %q, %v", out, err)
	}
	var rows int
	if err := db.QueryRow(`SELECT count(*) FROM reception_days WHERE day = $1 AND capacity = 4 AND place = 'Hội trường'`,
		day.String()).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("%d reception dates stored, %v", rows, err)
	}
	if n := db.QueryRow(`SELECT count(*) FROM reception_hours`).Scan(&rows); n != nil || rows != 0 {
		t.Fatalf("a date made %d weekly receptions", rows)
	}
	out, err = runCLI(t, "admin", "reception", "list")
	if err != nil || !strings.Contains(out, "DATE") || !strings.Contains(out, day.String()) || !strings.Contains(out, "Hội trường") {
		t.Fatalf("list = %q, %v", out, err)
	}
	for _, bad := range [][]string{
		{"-weekday", "thu"}, // both
		{"-day", workcal.DateOf(time.Now()).AddDays(-1).String()}, // past
		{"-day", "2026-02-30"},
	} {
		if out, err := runCLI(t, append(args, bad...)...); err == nil {
			t.Errorf("set %v accepted: %q", bad, out)
		}
	}
	if out, err := runCLI(t, "admin", "reception", "off", "-unit", "ubnd-quan-cu", "-day", day.String()); err != nil ||
		!strings.Contains(out, "no longer takes bookings for "+day.String()) {
		t.Fatalf("off -day = %q, %v", out, err)
	}
	if _, err := runCLI(t, "admin", "reception", "off", "-unit", "ubnd-quan-cu", "-day", day.String()); err == nil {
		t.Fatal("a second off -day succeeded")
	}
	if err := db.QueryRow(`SELECT count(*) FROM reception_days`).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("%d reception dates left after off", rows)
	}
}

// Taking off a reception on a date that the weekly hours cover says that
// those hours apply again, and how to take no bookings that day, rather
// than that the unit takes no more bookings for it.
func TestReceptionOffOnAWeeklyDaySaysTheWeeklyHoursApply(t *testing.T) {
	newDatabase(t)
	if _, err := runCLI(t, "admin", "import", writeFile(t, "org.yaml", orgBefore)); err != nil {
		t.Fatal(err)
	}
	if _, err := setReception(t); err != nil { // Thursdays
		t.Fatal(err)
	}
	day := workcal.DateOf(time.Now()).AddDays(7)
	for day.Weekday() != time.Thursday {
		day = day.AddDays(1)
	}
	if _, err := runCLI(t, "admin", "reception", "set", "-unit", "ubnd-quan-cu", "-day", day.String(),
		"-from", "14:00", "-to", "16:00", "-place", "Hội trường", "-capacity", "4"); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "admin", "reception", "off", "-unit", "ubnd-quan-cu", "-day", day.String())
	if err != nil || strings.Contains(out, "no longer takes bookings") || !strings.Contains(out, "Thursday hours apply on that date again") ||
		!strings.Contains(out, "reception close -unit ubnd-quan-cu -day "+day.String()) {
		t.Fatalf("off -day on a weekly day = %q, %v", out, err)
	}
}

// A unit the organisation file no longer lists may still have citizens
// booked at its reception on a day to come: the import says how many, and
// `reception close` calls them off (only `set` refuses an inactive unit).
func TestBookingsOfARemovedUnitAreReportedAndCanBeCalledOff(t *testing.T) {
	db, day, book := receptionInAWeek(t)
	bk := book("42", day)

	// The district is abolished: its unit leaves the file.
	report, err := runCLI(t, "admin", "import", writeFile(t, "after.yaml", orgAfter))
	if err != nil {
		t.Fatal(err)
	}

	if !strings.Contains(report, "reception bookings to come: 1") {
		t.Errorf("the import does not report the removed unit's booking:\n%s", report)
	}
	out, err := runCLI(t, "admin", "reception", "close", "-unit", "ubnd-quan-cu", "-day", day.String(),
		"-reason", "Đơn vị đã giải thể")
	if err != nil {
		t.Fatalf("the booking of %s at the removed unit cannot be called off: %v\n(import report:\n%s)", day, err, report)
	}
	var status string
	if err := db.QueryRow(`SELECT status FROM reception_bookings WHERE id = $1`, bk.ID).Scan(&status); err != nil {
		t.Fatal(err)
	}
	if status != storage.BookingCalledOff || !strings.Contains(out, "1 citizens booked") {
		t.Errorf("after close: booking %s, output %q", status, out)
	}
}
