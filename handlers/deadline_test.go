package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

var vn = time.FixedZone("ICT", 7*3600)

func (w *world) dueOf(code string) time.Time {
	w.t.Helper()
	var due time.Time
	if err := w.raw.Get(&due, `SELECT due_at FROM tickets WHERE code = $1`, code); err != nil {
		w.t.Fatal(err)
	}
	return due.In(vn)
}

func TestDeadlinesFollowTheWorkingCalendar(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2061, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3061)

	// Filed on Monday 23/11/2026 at 16:00: the day of receipt does not
	// count, so 10 working days end on Monday 07/12.
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	c.describe("Phường Hòa Cường", "Ống nước vỡ, nước chảy lênh láng")
	c.presses("Bỏ qua")
	c.says("Bỏ qua")
	c.presses("Không cần")
	out := c.presses("Gửi phản ánh")
	mustContain(t, out, "chậm nhất đến hết ngày <b>07/12/2026</b>")
	code := "PA-2026-000001"
	if due := w.dueOf(code); due.Format("2006-01-02 15:04") != "2026-12-07 23:59" {
		t.Fatalf("due = %s", due)
	}
	mustContain(t, sentTo(out, officer.id), "07/12/2026 23:59")

	// Waiting for the citizen from Tuesday 10:00 to Thursday 15:00 took
	// 18 of the office's working hours, 2.4 working days: two more days.
	w.now = time.Date(2026, 11, 24, 10, 0, 0, 0, vn)
	officer.presses("Yêu cầu bổ sung")
	officer.says("Ông/Bà cho biết địa chỉ cụ thể?")
	mustContain(t, c.says("/status "+code), "tạm dừng")
	w.now = time.Date(2026, 11, 26, 15, 0, 0, 0, vn)
	c.says("Số 12 đường Núi Thành")
	if due := w.dueOf(code); due.Format("2006-01-02") != "2026-12-09" {
		t.Fatalf("after the pause due = %s, want 2026-12-09", due)
	}

	// Due soon two working days before, overdue after.
	w.now = time.Date(2026, 12, 7, 9, 0, 0, 0, vn)
	mustContain(t, officer.says("/inbox"), "Sắp đến hạn")
	w.now = time.Date(2026, 12, 10, 9, 0, 0, 0, vn)
	mustContain(t, officer.says("/inbox"), "Quá hạn")

	// A transfer restarts the clock for the receiving unit.
	officer.says("/transfer " + code + " ubnd-hai-chau Thuộc địa bàn phường Hải Châu")
	if due := w.dueOf(code); due.Format("2006-01-02") != "2026-12-24" {
		t.Fatalf("after the transfer due = %s, want 2026-12-24", due)
	}
}

func TestAdministratorsCalendarExceptionsCount(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	// The government makes Friday 27/11/2026 a day off (an example).
	w.exec(`INSERT INTO calendar_days (day, is_workday, reason) VALUES ('2026-11-27', false, 'Nghỉ hoán đổi')`)
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	code := w.citizen(3071).file("Phường Hòa Cường", "Cột điện nghiêng có nguy cơ đổ")
	if due := w.dueOf(code); due.Format("2006-01-02") != "2026-12-08" {
		t.Fatalf("due = %s, want 2026-12-08 (one working day later)", due)
	}
}

// inboxLine returns the line of an /inbox reply that lists a ticket.
func inboxLine(t *testing.T, out []bot.Outgoing, code string) string {
	t.Helper()
	for _, line := range strings.Split(texts(out), "\n") {
		if strings.Contains(line, code) {
			return line
		}
	}
	t.Fatalf("%s is not listed:\n%s", code, texts(out))
	return ""
}

// Whether a ticket waiting for the citizen is overdue depends on whether
// its rule paused its clock, not on its status: without pause_on_info it
// is reminded, escalated and marked like any other; with it, it is none of
// these while the deadline waits to move.
func TestWaitingForTheCitizenIsOverdueOnlyWhenTheClockRuns(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2111, "ubnd-hoa-cuong", "officer")
	leader := w.staff(2112, "ubnd-hoa-cuong", "leader")
	// Both due on Monday 07/12; asked for information at once.
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	w.exec(`UPDATE deadline_rules SET pause_on_info = false`)
	running := w.citizen(3111).file("Phường Hòa Cường", "Cống thoát nước bị tắc")
	officer.presses("Yêu cầu bổ sung")
	officer.says("Ông/Bà cho biết vị trí cống?")
	w.exec(`UPDATE deadline_rules SET pause_on_info = true`)
	paused := w.citizen(3112).file("Phường Hòa Cường", "Rác thải đổ trộm ven sông")
	officer.presses("Yêu cầu bổ sung")
	officer.says("Ông/Bà gửi ảnh hiện trường?")
	w.sent()

	w.now = time.Date(2026, 12, 8, 7, 0, 0, 0, vn)
	w.run(func(tx *storage.Store) error { return w.service.RemindUnits(w.ctx, tx, "telegram") })
	reminder := texts(sentTo(w.sent(), officer.id))
	if !strings.Contains(reminder, running) || strings.Contains(reminder, paused) {
		t.Fatalf("the reminder should list %s and not %s:\n%s", running, paused, reminder)
	}
	w.run(func(tx *storage.Store) error {
		return w.service.Escalate(w.ctx, tx, "telegram", handlers.DefaultClockPolicy)
	})
	escalated := texts(sentTo(w.sent(), leader.id))
	if !strings.Contains(escalated, running) || strings.Contains(escalated, paused) {
		t.Fatalf("the escalation should carry %s and not %s:\n%s", running, paused, escalated)
	}
	inbox := officer.says("/inbox")
	if !strings.Contains(inboxLine(t, inbox, running), "Quá hạn") || strings.Contains(inboxLine(t, inbox, paused), "Quá hạn") {
		t.Fatalf("only %s should be marked overdue:\n%s", running, texts(inbox))
	}
	// Card and /status call only the stopped clock paused.
	for code, want := range map[string]bool{running: false, paused: true} {
		card := texts(officer.says("/ticket " + code))
		status := texts(w.citizen(map[string]int{running: 3111, paused: 3112}[code]).says("/status " + code))
		if strings.Contains(card, "tạm dừng") != want || strings.Contains(status, "tạm dừng") != want {
			t.Errorf("%s shown paused should be %v:\ncard:\n%s\nstatus:\n%s", code, want, card, status)
		}
	}
}

// A transfer that keeps the clock ends the wait for the citizen: the clock
// runs again, its deadline moved by the pause.
func TestTransferKeepingTheClockResumesIt(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2121, "ubnd-hoa-cuong", "officer")
	w.exec(`UPDATE deadline_rules SET restart_on_transfer = false`)
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	code := w.citizen(3121).file("Phường Hòa Cường", "Cột điện nghiêng có nguy cơ đổ")
	w.now = time.Date(2026, 11, 24, 10, 0, 0, 0, vn)
	officer.presses("Yêu cầu bổ sung")
	officer.says("Ông/Bà cho biết số nhà gần nhất?")
	w.now = time.Date(2026, 11, 26, 15, 0, 0, 0, vn)
	officer.says("/transfer " + code + " ubnd-hai-chau Thuộc địa bàn phường Hải Châu")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'transferred' AND paused_at IS NULL`, code); n != 1 {
		t.Fatal("the transferred ticket's clock is still paused")
	}
	if due := w.dueOf(code); due.Format("2006-01-02") != "2026-12-09" {
		t.Fatalf("after the transfer due = %s, want 2026-12-09", due)
	}
}

// pauseFor has the officer ask the citizen of a ticket (the officer's
// latest card) for information at from and the citizen answer at to, and
// returns the ticket's deadline after it, as a date.
func (w *world) pauseFor(officer, c *citizen, code string, from, to time.Time) string {
	w.t.Helper()
	w.now = from
	officer.presses("Yêu cầu bổ sung")
	officer.says("Ông/Bà cho biết thêm chi tiết?")
	w.now = to
	c.says("Thêm chi tiết")
	return w.dueOf(code).Format("2006-01-02")
}

// A rule in working days gets the office time spent waiting back, rounded
// to the nearest working day: part of a day counts too.
func TestPauseGivesBackTheWorkingTimeSpentWaiting(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2131, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3131)
	// Filed on Monday 23/11/2026: due on Monday 07/12.
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	code := c.file("Phường Hòa Cường", "Vỉa hè bị đào bới không hoàn trả")
	for _, p := range []struct {
		what     string
		from, to time.Time
		due      string
	}{
		// 12.5 office hours, 1.7 days: two days more.
		{"Monday 09:00 to Tuesday 16:00", time.Date(2026, 11, 30, 9, 0, 0, 0, vn), time.Date(2026, 12, 1, 16, 0, 0, 0, vn), "2026-12-09"},
		// Less than half a day (3 h 45 min): none.
		{"an hour", time.Date(2026, 12, 2, 9, 0, 0, 0, vn), time.Date(2026, 12, 2, 10, 0, 0, 0, vn), "2026-12-09"},
		// 1 h + 4 h of office time, two thirds of a day: one day more.
		{"Friday 16:00 to Monday 11:30", time.Date(2026, 12, 4, 16, 0, 0, 0, vn), time.Date(2026, 12, 7, 11, 30, 0, 0, vn), "2026-12-10"},
	} {
		if due := w.pauseFor(officer, c, code, p.from, p.to); due != p.due {
			t.Fatalf("after %s due = %s, want %s", p.what, due, p.due)
		}
	}
}

// A rule in calendar days gets the calendar time spent waiting back,
// holidays included: a wait across Tết is not a wait of working days.
func TestPauseInCalendarDaysCountsHolidays(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.exec(`UPDATE deadline_rules SET limit_unit = 'days', answer_limit = 30`)
	officer := w.staff(2141, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3141)
	// Filed on Monday 25/01/2027: 30 days end on Wednesday 24/02.
	w.now = time.Date(2027, 1, 25, 9, 0, 0, 0, vn)
	code := c.file("Phường Hòa Cường", "Đường ngập sâu sau mưa")
	if due := w.dueOf(code).Format("2006-01-02"); due != "2027-02-24" {
		t.Fatalf("due = %s, want 2027-02-24", due)
	}
	// Thursday 04/02 16:00 to Friday 12/02 09:00, over Tết (05/02–11/02
	// off): 7 days 17 hours, eight days more, to Thursday 04/03.
	if due := w.pauseFor(officer, c, code, time.Date(2027, 2, 4, 16, 0, 0, 0, vn), time.Date(2027, 2, 12, 9, 0, 0, 0, vn)); due != "2027-03-04" {
		t.Fatalf("after a pause over Tết due = %s, want 2027-03-04", due)
	}
}

// A calendar-day deadline that fell on a day off was moved to the next
// working day; the days given back for a wait count from the day it fell
// on, not from the day it was moved to.
func TestPauseInCalendarDaysDoesNotMoveAMovedDeadlineTwice(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.exec(`UPDATE deadline_rules SET limit_unit = 'days', answer_limit = 5`)
	officer := w.staff(2151, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3151)
	// Filed on Monday 23/11/2026: 5 days end on Saturday 28/11, moved to
	// Monday 30/11.
	w.now = time.Date(2026, 11, 23, 9, 0, 0, 0, vn)
	code := c.file("Phường Hòa Cường", "Rác tồn đọng ở chợ")
	if due := w.dueOf(code).Format("2006-01-02"); due != "2026-11-30" {
		t.Fatalf("due = %s, want 2026-11-30", due)
	}
	for _, p := range []struct {
		from time.Time
		due  string
	}{
		{time.Date(2026, 11, 24, 9, 0, 0, 0, vn), "2026-11-30"}, // 6 days: Sunday 29/11, still Monday
		{time.Date(2026, 11, 25, 9, 0, 0, 0, vn), "2026-11-30"}, // 7 days: Monday 30/11
		{time.Date(2026, 11, 26, 9, 0, 0, 0, vn), "2026-12-01"}, // 8 days: Tuesday 01/12
	} {
		if due := w.pauseFor(officer, c, code, p.from, p.from.Add(24*time.Hour)); due != p.due {
			t.Fatalf("after a day's wait from %s due = %s, want %s", p.from.Format("02/01"), due, p.due)
		}
	}
}

// A clock that has already run out cannot be "paused": a request for
// information sent after the deadline must not move the missed deadline
// later when the citizen answers, which would turn an overdue ticket into
// a later one (the citizen's /status, cards and reports show a date the
// law never granted).
func TestAPauseAfterTheDeadlineDoesNotMoveIt(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2901, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3901)
	// Filed Monday 23/11/2026 16:00: 10 WD end on Monday 07/12.
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	code := c.file("Phường Hòa Cường", "Đèn đường hỏng cả tuần nay")
	if due := w.dueOf(code).Format("2006-01-02"); due != "2026-12-07" {
		t.Fatalf("due = %s", due)
	}
	// Overdue since 08/12; the officer asks for information on Thursday
	// 10/12 and the citizen answers two weeks later, Thursday 24/12.
	got := w.pauseFor(officer, c, code, time.Date(2026, 12, 10, 9, 0, 0, 0, vn), time.Date(2026, 12, 24, 9, 0, 0, 0, vn))
	if got != "2026-12-07" {
		t.Errorf("a deadline missed on 07/12 moved to %s by a pause that began after it", got)
	}
}

// A working day the government later gives off (law.md §1: working days
// exclude days off; administrators record the announcement) no longer
// counts in the periods of open tickets that spanned it: they get one
// more. A day off after a deadline, a Saturday made a working day, and
// removing the exception again change no deadline (citizens were told it).
func TestADayGivenOffPostponesTheDeadlinesThatCountedIt(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	code := w.citizen(3921).file("Phường Hòa Cường", "Nắp cống bị mất")
	if due := dueDate(w.dueOf(code)); due != "2026-12-07" {
		t.Fatalf("due = %s", due)
	}
	setDay := func(day workcal.Date, workday bool) int {
		return w.setCalendarDay(day, workday, "Thông báo của Chính phủ")
	}
	tuesday := workcal.Date{Year: 2026, Month: 12, Day: 1}
	if n := setDay(tuesday, false); n != 1 || dueDate(w.dueOf(code)) != "2026-12-08" {
		t.Fatalf("after 01/12 became a day off: %d postponed, due %s; want 1, 2026-12-08", n, dueDate(w.dueOf(code)))
	}
	if n := setDay(tuesday, false); n != 0 {
		t.Fatalf("recording the same day off again postponed %d", n)
	}
	setDay(workcal.Date{Year: 2026, Month: 12, Day: 10}, false)
	setDay(workcal.Date{Year: 2026, Month: 12, Day: 5}, true)
	w.changeCalendar(func(tx *storage.Store) error { return tx.DeleteCalendarDay(w.ctx, tuesday) })
	if due := dueDate(w.dueOf(code)); due != "2026-12-08" {
		t.Fatalf("due %s after changes that should not move it, want 2026-12-08", due)
	}
}

// The citizens whose expected date a day off postponed are told the new
// one, in the same transaction: each sender once, erased or not, but not
// one who blocked the bot; a day off after the deadline tells nobody.
func TestADayGivenOffTellsTheCitizensTheirNewDate(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	c, erased, blocked := w.citizen(3931), w.citizen(3932), w.citizen(3933)
	code := c.file("Phường Hòa Cường", "Nắp cống bị mất trước nhà số 12")
	erasedCode := erased.file("Phường Hòa Cường", "Đèn đường hỏng cả tuần nay")
	erased.erase()
	blocked.file("Phường Hòa Cường", "Cây đổ chắn ngang đường")
	w.exec(`UPDATE citizens SET unreachable_at = now() WHERE user_id = $1`, blocked.id)
	w.sent()
	w.setCalendarDay(workcal.Date{Year: 2026, Month: 12, Day: 1}, false, "Thông báo của Chính phủ")
	out := w.sent()
	mustContain(t, sentTo(out, c.id), "Do lịch làm việc được điều chỉnh (thêm ngày nghỉ: 01/12/2026), thời hạn trả lời dự kiến của phản ánh <b>"+
		code+"</b> được lùi đến hết ngày <b>08/12/2026</b>")
	mustContain(t, sentTo(out, erased.id), erasedCode+"</b> được lùi đến hết ngày <b>08/12/2026</b>")
	if len(out) != 2 {
		t.Errorf("%d messages, want one to each of the two reachable senders:\n%s", len(out), texts(out))
	}
	w.setCalendarDay(workcal.Date{Year: 2026, Month: 12, Day: 10}, false, "Thông báo của Chính phủ")
	if out := w.sent(); len(out) != 0 {
		t.Errorf("a day off after the deadlines told:\n%s", texts(out))
	}
}

// The receipt names the rule's limit in its unit (law.md §1 tells working
// days, working hours and calendar days apart), and under a rule in
// working hours the hour as well as the day.
func TestTheReceiptNamesTheLimitInItsUnit(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.now = time.Date(2026, 11, 23, 9, 0, 0, 0, vn)
	receipt := func(id int) string {
		c := w.citizen(id)
		c.describe("Phường Hòa Cường", "Cây đổ chắn ngang đường")
		c.presses("Bỏ qua")
		c.says("Bỏ qua")
		c.presses("Không cần")
		return texts(c.presses("Gửi phản ánh"))
	}
	for _, tc := range []struct {
		unit  string
		limit int
		want  string
	}{
		{"workdays", 10, "chậm nhất đến hết ngày <b>07/12/2026</b> (10 ngày làm việc)"},
		{"days", 30, "chậm nhất đến hết ngày <b>23/12/2026</b> (30 ngày)"},
		{"working_hours", 4, "chậm nhất <b>15:00</b> ngày <b>23/11/2026</b> (4 giờ làm việc)"},
	} {
		w.exec(`UPDATE deadline_rules SET limit_unit = $1, answer_limit = $2`, tc.unit, tc.limit)
		if out := receipt(3911 + tc.limit); !strings.Contains(out, tc.want) {
			t.Errorf("%d %s: the receipt does not say %q:\n%s", tc.limit, tc.unit, tc.want, out)
		}
	}
}

// setCalendarDay records a day as `danvan admin calendar add` does, and
// returns how many deadlines it postponed.
func (w *world) setCalendarDay(day workcal.Date, workday bool, reason string) (postponed int) {
	w.t.Helper()
	return w.changeCalendar(func(tx *storage.Store) error { return tx.SetCalendarDay(w.ctx, day, workday, reason) })
}

// changeCalendar makes a change to a day as the admin commands do.
func (w *world) changeCalendar(change func(tx *storage.Store) error) (postponed int) {
	w.t.Helper()
	w.run(func(tx *storage.Store) error {
		done, err := handlers.ChangeCalendarDay(w.ctx, tx, w.now, func() error { return change(tx) })
		postponed = done.Postponed
		return err
	})
	return postponed
}

// The announced Tết 2025 break (Sat 25 Jan – Sun 2 Feb) recorded day by day
// with `calendar add`: Mon 27 Jan becomes a day off and Mon 3 Feb (the
// default span's compensatory day) a working day, so an open ticket keeps
// its number of working days and its deadline; mùng 1–3, off all along,
// never count as working time lost.
func TestRecordingTetDayByDayPostponesOnlyForWorkingTimeLost(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.now = time.Date(2025, 1, 20, 16, 0, 0, 0, vn)
	code := w.citizen(3961).file("Phường Hòa Cường", "Nắp cống bị mất")
	before := w.dueOf(code)
	w.run(func(tx *storage.Store) error {
		cal, err := tx.Calendar(w.ctx)
		if err == nil {
			before = cal.Extend(before, 1) // one more working day, for 27 Jan
		}
		return err
	})
	total := 0
	for d := (workcal.Date{Year: 2025, Month: 1, Day: 25}); !d.After(workcal.Date{Year: 2025, Month: 2, Day: 2}); d = d.AddDays(1) {
		total += w.setCalendarDay(d, false, "Nghỉ Tết Ất Tỵ")
	}
	// 10 working days from 20 Jan: 21–24 Jan, then 27 Jan under the
	// default span, 3 Feb under the announced one, 4–7 and 10 Feb.
	if due := dueDate(w.dueOf(code)); total != 0 || due != "2025-02-10" || w.dueOf(code).After(before) {
		t.Errorf("recording the announced break postponed %d times, due %s; want none (27 Jan off, 3 Feb back), due 2025-02-10",
			total, due)
	}
}

// Under a rule in working hours the day a ticket is filed counts (filed at
// 9:00 with 4 hours, due 15:00 the same day). When that day is then given
// off (a storm, announced that morning), the ticket gets its hours back.
func TestADayGivenOffPostponesAWorkingHoursClockStartedThatDay(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.exec(`UPDATE deadline_rules SET limit_unit = 'working_hours', answer_limit = 4`)
	w.now = time.Date(2026, 11, 24, 9, 0, 0, 0, vn)
	code := w.citizen(3962).file("Phường Hòa Cường", "Cây đổ chắn ngang đường")
	due := w.dueOf(code)
	if dueDate(due) != "2026-11-24" {
		t.Fatalf("due %v, want on 24/11", due)
	}
	n := w.setCalendarDay(workcal.Date{Year: 2026, Month: 11, Day: 24}, false, "Bão số 13")
	if n != 1 || !w.dueOf(code).After(due) {
		t.Errorf("24/11 given off: %d postponed, due still %v; its 4 working hours were counted on that day", n, w.dueOf(code).In(vn))
	}
}

// A working-hours clock due at 11:00 on a day then given off lost the
// hours 8:00–11:00 of that day: it is due at 11:00 the next working day,
// not at the end of it (a full day's office hours added to 11:00 of a day
// off).
func TestADayGivenOffMovesAWorkingHoursDeadlineByTheHoursItCounted(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.exec(`UPDATE deadline_rules SET limit_unit = 'working_hours', answer_limit = 4`)
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	code := w.citizen(3963).file("Phường Hòa Cường", "Cây đổ chắn ngang đường")
	due := w.dueOf(code).In(vn)
	if dueDate(due) != "2026-11-24" {
		t.Fatalf("due %v, want on 24/11", due)
	}
	w.setCalendarDay(workcal.Date{Year: 2026, Month: 11, Day: 24}, false, "Bão số 13")
	want := due.AddDate(0, 0, 1)
	if got := w.dueOf(code).In(vn); !got.Equal(want) {
		t.Errorf("due %v after 24/11 was given off, want %v (the hours counted on 24/11 moved to 25/11)", got, want)
	}
	// The citizen is told the hour too, as their receipt did.
	mustContain(t, w.sent(), "Do lịch làm việc được điều chỉnh (thêm ngày nghỉ: 24/11/2026)", "được lùi đến <b>"+want.Format("15:04")+"</b> ngày <b>25/11/2026</b>")
}

// Removing a day of an announced Tết break, recorded before the ticket was
// filed, brings the computed Tết span back (its mùng 4 and the
// compensatory days for the weekend): those days become days off and the
// open tickets' deadlines move. The citizen is told which days became
// days off (09–11/02), not the day removed, which was a Tết day before and
// after (the last day of the old lunar year).
func TestAPostponementNamesTheDaysThatBecameDaysOff(t *testing.T) {
	tet, err := workcal.LunarNewYear(2027)
	if err != nil || tet != (workcal.Date{Year: 2027, Month: 2, Day: 6}) {
		t.Fatalf("mùng 1 of 2027 = %v %v, the test expects 06/02/2027", tet, err)
	}
	eve := tet.AddDays(-1) // Friday 05/02/2027, a Tết day by default too
	w := newWorld(t)
	w.seedOrg()
	w.now = time.Date(2027, 1, 28, 9, 0, 0, 0, vn)
	w.setCalendarDay(eve, false, "Nghỉ Tết Đinh Mùi") // before the ticket: no credit
	c := w.citizen(3995)
	code := c.file("Phường Hòa Cường", "Nắp cống bị mất trước nhà số 12")
	w.sent()
	w.changeCalendar(func(tx *storage.Store) error { return tx.DeleteCalendarDay(w.ctx, eve) })
	told := texts(sentTo(w.sent(), c.id))
	if !strings.Contains(told, code) {
		t.Fatalf("the removal postponed nothing (due %s); told:\n%s", dueDate(w.dueOf(code)), told)
	}
	if !strings.Contains(told, "(thêm ngày nghỉ: 09/02/2027, 10/02/2027, 11/02/2027)") {
		t.Errorf("told that 05/02/2027, a Tết day before and after the change, became a day off (the days that did are 09–11/02):\n%s", told)
	}
}

// Recording a day of Tết by mistake and removing it leaves the calendar as
// it was, so the deadline the receipt gave (10 working days: 18/02/2027)
// stands: the recording gave working days back without shortening the
// deadline, kept as the clock's credit, and the removal takes them from
// the credit rather than postpone (13 working days, 23/02/2027, before).
func TestAMistakeUndoneLeavesTheDeadlineAsTheReceiptGaveIt(t *testing.T) {
	eve := workcal.Date{Year: 2027, Month: 2, Day: 5}
	w := newWorld(t)
	w.seedOrg()
	w.now = time.Date(2027, 1, 28, 9, 0, 0, 0, vn)
	c := w.citizen(3996)
	code := c.file("Phường Hòa Cường", "Nắp cống bị mất trước nhà số 12")
	receipt := dueDate(w.dueOf(code))
	w.setCalendarDay(eve, false, "Nghỉ Tết Đinh Mùi")
	w.changeCalendar(func(tx *storage.Store) error { return tx.DeleteCalendarDay(w.ctx, eve) })
	if got := dueDate(w.dueOf(code)); got != receipt {
		t.Errorf("due %s after a day recorded and removed again, want the receipt's %s; told:\n%s", got, receipt, texts(sentTo(w.sent(), c.id)))
	}
}

// A Saturday recorded as a working day by mistake gives the phản ánh's
// clock a day of credit (its deadline, 07/12, stays). The officer then
// reclassifies it as a hỏi đáp (5 working days), and the administrator
// removes the mistaken Saturday. The calendar is back as it was when the
// ticket was filed, so the hỏi đáp's deadline must be 5 working days from
// receipt: 24, 25, 26, 27 and 30 November, as
// TestReclassifyChangesKindCategoryAndDeadline has it without the detour.
// The credit is no wait for reclassifyClock to pass on to the new rule.
func TestACalendarCreditIsNotTurnedIntoAWaitByAReclassification(t *testing.T) {
	w, officer, c, code := filed(t, 2951, 3951, "Đường Núi Thành khi nào được sửa lại mặt đường?")
	if got := dueDate(w.dueOf(code)); got != "2026-12-07" {
		t.Fatalf("filed with due %s, want 2026-12-07", got)
	}
	saturday := workcal.Date{Year: 2026, Month: 11, Day: 28}
	w.setCalendarDay(saturday, true, "Làm bù (nhầm)")
	if got := dueDate(w.dueOf(code)); got != "2026-12-07" {
		t.Fatalf("a working day given moved the deadline to %s", got)
	}
	officer.reclassifyAs("Hỏi đáp", "Nội dung là câu hỏi về kế hoạch sửa đường")
	afterReclassify := dueDate(w.dueOf(code))
	w.sent()
	w.changeCalendar(func(tx *storage.Store) error { return tx.DeleteCalendarDay(w.ctx, saturday) })
	if got := dueDate(w.dueOf(code)); got != "2026-11-30" {
		t.Errorf("hỏi đáp due %s after the mistaken Saturday was removed (due %s right after the reclassification), want 2026-11-30;\ncitizen told:\n%s",
			got, afterReclassify, texts(sentTo(w.sent(), c.id)))
	}
}

// The credit is seconds under a rule in working hours and days under one in
// working days. An administrator tunes the deadline_rules table (as the
// README invites) and moves phản ánh from 40 working hours to 10 working
// days: the open ticket's credit of one Saturday's office hours (27,000 s)
// must not be read as 27,000 working days, leaving no day off to postpone
// its deadline again; it is void under the new unit.
func TestACreditInSecondsIsNotReadAsDaysWhenTheRuleChangesUnit(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.exec(`UPDATE deadline_rules SET limit_unit = 'working_hours', answer_limit = 40 WHERE kind = 'phan_anh'`)
	c := w.citizen(3961)
	code := c.file("Phường Hòa Cường", "Nắp cống bị mất trước nhà số 12")
	filedDue := w.dueOf(code)
	w.setCalendarDay(workcal.Date{Year: 2026, Month: 11, Day: 28}, true, "Làm bù")
	var credit int64
	if err := w.raw.Get(&credit, `SELECT calendar_credit FROM tickets WHERE code = $1`, code); err != nil || credit != 27000 {
		t.Fatalf("credit %d (%v) after a Saturday given as a working day, want 27000 s", credit, err)
	}
	w.exec(`UPDATE deadline_rules SET limit_unit = 'workdays', answer_limit = 10 WHERE kind = 'phan_anh'`)
	// The Saturday's credit covers one day off; a second one must move the
	// deadline.
	w.setCalendarDay(workcal.Date{Year: 2026, Month: 11, Day: 24}, false, "Thông báo của Chính phủ")
	w.setCalendarDay(workcal.Date{Year: 2026, Month: 11, Day: 25}, false, "Thông báo của Chính phủ")
	_ = w.raw.Get(&credit, `SELECT calendar_credit FROM tickets WHERE code = $1`, code)
	if due := w.dueOf(code); !due.After(filedDue) {
		t.Errorf("two working days taken from the period, one Saturday given: due still %v (credit now %d)", due, credit)
	}
}

// A day off recorded on a ticket's deadline day itself takes that day from
// its period, as any other: the deadline, stored in PostgreSQL to the
// microsecond, still reads as the end of its day.
func TestADayOffOnTheDeadlineDayPostponesIt(t *testing.T) {
	w, _, c, code := filed(t, 2952, 3952, "Đường Núi Thành khi nào được sửa lại mặt đường?")
	if got := dueDate(w.dueOf(code)); got != "2026-12-07" {
		t.Fatalf("filed with due %s, want 2026-12-07", got)
	}
	w.sent()
	if n := w.setCalendarDay(workcal.Date{Year: 2026, Month: 12, Day: 7}, false, "Nghỉ bù"); n != 1 {
		t.Fatalf("postponed %d tickets, want 1", n)
	}
	if got := dueDate(w.dueOf(code)); got != "2026-12-08" {
		t.Errorf("due %s after its deadline day became a day off, want 2026-12-08", got)
	}
	mustContain(t, sentTo(w.sent(), c.id), "(thêm ngày nghỉ: 07/12/2026)")
}

// Under a rule in days, days off count, so a change takes no time from the
// period; but a deadline whose last day becomes a day off moves to the
// next working day, as it was computed, and the sender is told.
func TestADayOffOnADeadlineInDaysMovesItToTheNextWorkingDay(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.exec(`UPDATE deadline_rules SET limit_unit = 'days', answer_limit = 14 WHERE kind = 'phan_anh'`)
	c := w.citizen(3997)
	code := c.file("Phường Hòa Cường", "Nắp cống bị mất trước nhà số 12")
	if got := dueDate(w.dueOf(code)); got != "2026-12-07" {
		t.Fatalf("filed with due %s, want 2026-12-07 (14 days)", got)
	}
	w.sent()
	if n := w.setCalendarDay(workcal.Date{Year: 2026, Month: 12, Day: 2}, false, "Nghỉ bù"); n != 0 {
		t.Errorf("a day off inside a period in days postponed %d tickets", n)
	}
	if n := w.setCalendarDay(workcal.Date{Year: 2026, Month: 12, Day: 7}, false, "Nghỉ bù"); n != 1 {
		t.Fatalf("a day off on the deadline in days postponed %d tickets, want 1", n)
	}
	if got := dueDate(w.dueOf(code)); got != "2026-12-08" {
		t.Errorf("due %s, want the next working day, 2026-12-08", got)
	}
	mustContain(t, sentTo(w.sent(), c.id), "(thêm ngày nghỉ: 07/12/2026)")
}

// A clock started (as startClock does: calendar read, deadline computed,
// SetTicketClock) in a transaction still open when a calendar change
// begins is postponed too: the change waits for it (the calendar read
// holds the calendar's lock in shared mode), then sees its clock.
func TestAClockStartedDuringACalendarChangeIsPostponed(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	code := w.citizen(3921).file("Phường Hòa Cường", "Nắp cống bị mất")
	var id int64
	if err := w.raw.Get(&id, `SELECT id FROM tickets WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	clock, err := w.store.TicketClock(w.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	// The ticket as it is just before its clock starts.
	w.exec(`UPDATE tickets SET deadline_rule_id = NULL, clock_started_at = NULL, due_at = NULL WHERE code = '` + code + `'`)

	inT1, release, t1Done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		t1Done <- w.store.InTx(w.ctx, func(tx *storage.Store) error {
			cal, err := tx.Calendar(w.ctx) // the calendar before the change
			if err != nil {
				return err
			}
			due := cal.AddWorkdays(w.now, 10)
			if err := tx.SetTicketClock(w.ctx, id, clock.RuleID, w.now, due, 0); err != nil {
				return err
			}
			close(inT1)
			<-release
			return nil
		})
	}()
	<-inT1
	changed := make(chan struct{})
	go func() {
		w.setCalendarDay(workcal.Date{Year: 2026, Month: 12, Day: 1}, false, "Thông báo của Chính phủ")
		close(changed)
	}()
	select {
	case <-changed:
		t.Error("the change did not wait for the clock being started")
	case <-time.After(time.Second):
	}
	close(release)
	if err := <-t1Done; err != nil {
		t.Fatal(err)
	}
	<-changed
	if due := dueDate(w.dueOf(code)); due != "2026-12-08" {
		t.Errorf("due %s: 01/12 was given off while the clock started, want 2026-12-08", due)
	}
}

// law.md §11: a transfer to another unit must be tracked and the citizen
// told. Under the shipped rules a transfer restarts the clock
// (restart_on_transfer): the citizen is told the new date along with the
// transfer, as every other move of a deadline tells it.
func TestATransferThatRestartsTheClockTellsTheNewDate(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(9111, "ubnd-hoa-cuong", "officer")
	c := w.citizen(9112)
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	code := c.file("Phường Hòa Cường", "Ống nước vỡ, nước chảy lênh láng")
	if due := w.dueOf(code).Format("02/01/2006"); due != "07/12/2026" {
		t.Fatalf("due %s, want 07/12/2026", due)
	}
	w.sent()
	// Thursday 03/12: the ward finds it belongs to Hải Châu.
	w.now = time.Date(2026, 12, 3, 9, 0, 0, 0, vn)
	out := officer.says("/transfer " + code + " ubnd-hai-chau Thuộc địa bàn phường Hải Châu")
	due := w.dueOf(code).Format("02/01/2006")
	if due == "07/12/2026" {
		t.Fatal("the transfer kept the clock; this test expects the shipped restart_on_transfer")
	}
	told := texts(sentTo(out, c.id))
	if !strings.Contains(told, "chuyển đến") {
		t.Fatalf("the citizen was not told of the transfer:\n%s", told)
	}
	if !strings.Contains(told, due) {
		t.Fatalf("the transfer moved the deadline from 07/12/2026 to %s, but the citizen was told only:\n%s", due, told)
	}
}

// setOfficeHours sets the office hours as `danvan admin calendar hours`
// does, and returns how many deadlines it postponed.
func (w *world) setOfficeHours(sessions ...string) (postponed int) {
	w.t.Helper()
	hours, err := workcal.ParseOfficeHours(sessions)
	if err != nil {
		w.t.Fatal(err)
	}
	return w.changeCalendar(func(tx *storage.Store) error { return tx.SetOfficeHours(w.ctx, hours) })
}

// A rule in working hours counts the locality's office hours: a ticket
// filed at 9:00 with 4 hours is due at 15:00 under the default hours
// (07:30–11:30, 13:30–17:00) and at 14:00 where the office works
// 08:00–12:00 and 13:00–17:00.
func TestWorkingHoursCountTheOfficeHoursSet(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.exec(`UPDATE deadline_rules SET limit_unit = 'working_hours', answer_limit = 4`)
	w.now = time.Date(2026, 11, 24, 9, 0, 0, 0, vn)
	if n := w.setOfficeHours("08:00-12:00", "13:00-17:00"); n != 0 {
		t.Errorf("setting the hours with no ticket open postponed %d", n)
	}
	code := w.citizen(3971).file("Phường Hòa Cường", "Cây đổ chắn ngang đường")
	if got, want := w.dueOf(code).In(vn), time.Date(2026, 11, 24, 14, 0, 0, 0, vn); !got.Equal(want) {
		t.Errorf("due %v, want %v: 3 hours to 12:00, one from 13:00", got, want)
	}
}

// Shorter office hours take working time from the open tickets counted in
// working hours: their deadlines move by the office time lost, and their
// senders are told why and the new hour; a ticket counted in working days
// does not move. Longer hours shorten nothing.
func TestShorterOfficeHoursPostponeWorkingHoursTickets(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.exec(`UPDATE deadline_rules SET limit_unit = 'working_hours', answer_limit = 4 WHERE kind = 'phan_anh'`)
	w.now = time.Date(2026, 11, 24, 9, 0, 0, 0, vn)
	code := w.citizen(3972).file("Phường Hòa Cường", "Cây đổ chắn ngang đường")
	due := w.dueOf(code).In(vn) // 15:00: 7:30 counted from 9:00 to 11:30, then 1:30 from 13:30
	w.now = time.Date(2026, 11, 24, 9, 30, 0, 0, vn)
	// The afternoon session now ends at 16:00 and begins at 14:00: from
	// 9:00 to 15:00 the ticket lost 30 minutes of office time.
	if n := w.setOfficeHours("07:30-11:30", "14:00-16:00"); n != 1 {
		t.Fatalf("%d tickets postponed, want 1", n)
	}
	want := time.Date(2026, 11, 24, 15, 30, 0, 0, vn)
	if got := w.dueOf(code).In(vn); !got.Equal(want) || !due.Before(got) {
		t.Errorf("due %v (was %v), want %v", got, due, want)
	}
	mustContain(t, w.sent(), "Do giờ làm việc của cơ quan được điều chỉnh", "được lùi đến <b>15:30</b> ngày <b>24/11/2026</b>")

	if n := w.setOfficeHours("07:00-11:30", "13:00-17:00"); n != 0 {
		t.Errorf("longer hours postponed %d tickets", n)
	}
	if got := w.dueOf(code).In(vn); !got.Equal(want) {
		t.Errorf("longer hours moved the deadline to %v", got)
	}
}

// A deadline a change of the calendar moved later, after its first
// passing was escalated, is escalated again when the new one passes: the
// leaders were told of a deadline that no longer stands.
func TestADeadlineMovedByTheCalendarIsEscalatedWhenTheNewOnePasses(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.staff(2911, "ubnd-hoa-cuong", "officer")
	leader := w.staff(2912, "ubnd-hoa-cuong", "leader")
	w.exec(`UPDATE deadline_rules SET answer_limit = 1 WHERE limit_unit = 'workdays'`)
	w.now = time.Date(2026, 11, 30, 10, 0, 0, 0, vn)
	code := w.citizen(3911).file("Phường Hòa Cường", "Cống thoát nước bị tắc, nước tràn lên đường")
	w.now = time.Date(2026, 12, 2, 0, 5, 0, 0, vn)
	w.sent()
	w.escalate()
	mustContain(t, sentTo(w.sent(), leader.id), code)

	// A storm: Tuesday 1 December becomes a day off, the deadline the end of Wednesday.
	w.now = time.Date(2026, 12, 2, 9, 0, 0, 0, vn)
	w.setCalendarDay(workcal.Date{Year: 2026, Month: 12, Day: 1}, false, "Nghỉ do bão")
	if due := w.dueOf(code).In(vn).Format(time.DateOnly); due != "2026-12-02" {
		t.Fatalf("due %s after the day off, want 2026-12-02", due)
	}
	w.now = time.Date(2026, 12, 3, 0, 5, 0, 0, vn)
	w.sent()
	w.escalate()
	mustContain(t, sentTo(w.sent(), leader.id), code)
}

// A transfer that keeps the clock (the rule says so) of a ticket already
// escalated has it escalated again, to the leaders above the unit that has
// it now: those above the one that gave it away were told, the new unit's
// never would be.
func TestAnEscalatedTicketTransferredWithItsClockIsEscalatedToTheNewUnit(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2921, "ubnd-hoa-cuong", "officer")
	w.staff(2922, "ubnd-hoa-cuong", "leader")
	w.staff(2923, "ubnd-hai-chau", "officer")
	newLeader := w.staff(2924, "ubnd-hai-chau", "leader")
	w.exec(`UPDATE deadline_rules SET answer_limit = 1, restart_on_transfer = false WHERE limit_unit = 'workdays'`)
	w.now = time.Date(2026, 11, 30, 10, 0, 0, 0, vn)
	code := w.citizen(3921).file("Phường Hòa Cường", "Cống thoát nước bị tắc, nước tràn lên đường")
	w.now = time.Date(2026, 12, 2, 0, 5, 0, 0, vn)
	w.escalate()
	w.now = time.Date(2026, 12, 2, 9, 0, 0, 0, vn)
	officer.says("/transfer " + code + " ubnd-hai-chau Thuộc địa bàn phường Hải Châu")
	if due := w.dueOf(code).In(vn).Format(time.DateOnly); due != "2026-12-01" {
		t.Fatalf("due %s after the transfer, want the clock kept (2026-12-01)", due)
	}
	w.sent()
	w.now = time.Date(2026, 12, 2, 10, 5, 0, 0, vn)
	w.escalate()
	mustContain(t, sentTo(w.sent(), newLeader.id), code)
}
