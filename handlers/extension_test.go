package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// extensions counts a ticket's extended events.
func (w *world) extensions(code string) int {
	w.t.Helper()
	return w.count(`SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE t.code = $1 AND e.kind = 'extended'`, code)
}

// filedForExtension is a ward with an officer, a leader (of leaderUnit),
// and a citizen's petition there, filed on Monday 23/11/2026 at 16:00:
// due at the end of Monday 07/12.
func filedForExtension(t *testing.T, leaderUnit string) (w *world, officer, leader, c *citizen, code string) {
	w = newWorld(t)
	w.seedOrg()
	officer, leader, c = w.staff(2601, "ubnd-hoa-cuong", "officer"), w.staff(2602, leaderUnit, "leader"), w.citizen(3601)
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	return w, officer, leader, c, c.file("Phường Hòa Cường", "Cống thoát nước bị lấp")
}

func TestALeaderExtendsADeadlineAndTheSenderIsTold(t *testing.T) {
	w, officer, leader, c, code := filedForExtension(t, "ubnd-tp")
	w.now = time.Date(2026, 12, 1, 10, 0, 0, 0, vn)

	mustContain(t, officer.says("/giahan "+code+" 5 Cần khảo sát hiện trường"), "lãnh đạo đơn vị quyết định")
	if got := w.dueOf(code).Format("2006-01-02"); got != "2026-12-07" || w.extensions(code) != 0 {
		t.Fatalf("an officer's extension changed the ticket: due %s, %d extensions", got, w.extensions(code))
	}

	// Five working days more: 08–11/12 and Monday 14/12.
	out := leader.says("/giahan " + code + " 5 Cần khảo sát hiện trường")
	mustContain(t, sentTo(out, leader.id), "Đã gia hạn thời hạn giải quyết phản ánh "+code+" đến 14/12/2026.")
	mustContain(t, sentTo(out, c.id), "được gia hạn thêm 5 ngày làm việc", "<b>14/12/2026</b>", "Lý do: Cần khảo sát hiện trường")
	mustContain(t, sentTo(out, officer.id), "Đồng chí Cán bộ 2602 (UBND thành phố Đà Nẵng) đã gia hạn thời hạn giải quyết phản ánh <b>"+code+"</b> đến 14/12/2026.")
	if got := w.dueOf(code).Format("2006-01-02 15:04"); got != "2026-12-14 23:59" {
		t.Fatalf("due = %s, want 2026-12-14 23:59", got)
	}
	mustContain(t, c.says("/status "+code), "Gia hạn thời hạn giải quyết: Cần khảo sát hiện trường", "14/12/2026")
	rows, err := w.store.ReportTickets(w.ctx, nil, time.Date(2026, 11, 1, 0, 0, 0, 0, vn), w.now)
	if err != nil || len(rows) != 1 || rows[0].Extensions != 1 {
		t.Fatalf("the report's rows = %+v, %v; want one extension", rows, err)
	}

	// The default rule allows one extension.
	mustContain(t, leader.says("/giahan "+code+" 2 Thêm thời gian"), "đã được gia hạn 1 lần")
	if got := w.dueOf(code).Format("2006-01-02"); got != "2026-12-14" || w.extensions(code) != 1 {
		t.Fatalf("a second extension changed the ticket: due %s, %d extensions", got, w.extensions(code))
	}

	// A transfer that restarts the clock gives a new one.
	officer.says("/transfer " + code + " ubnd-hai-chau Thuộc địa bàn phường Hải Châu")
	mustContain(t, leader.says("/giahan "+code+" 1 Chờ ý kiến sở chuyên ngành"), "Đã gia hạn thời hạn giải quyết phản ánh "+code)
}

func TestAnExtensionOutsideItsRuleChangesNothing(t *testing.T) {
	w, officer, leader, c, code := filedForExtension(t, "ubnd-hoa-cuong")
	other := w.staff(2613, "ubnd-hai-chau", "leader")
	w.now = time.Date(2026, 11, 25, 10, 0, 0, 0, vn)

	refused := func(who *citizen, command, want string) {
		t.Helper()
		out := who.says(command)
		mustContain(t, out, want)
		if len(sentTo(out, c.id)) != 0 {
			t.Fatalf("%s told the citizen: %s", command, texts(out))
		}
		if got := w.dueOf(code).Format("2006-01-02 15:04"); got != "2026-12-07 23:59" || w.extensions(code) != 0 {
			t.Fatalf("%s changed the ticket: due %s, %d extensions", command, got, w.extensions(code))
		}
	}
	refused(leader, "/giahan "+code+" năm Lý do", "Cú pháp: /giahan")
	refused(leader, "/giahan "+code+" 0 Lý do", "Cú pháp: /giahan")
	refused(leader, "/giahan "+code+" 5", "Cú pháp: /giahan")
	refused(leader, "/giahan "+code+" 5 "+strings.Repeat("a", 5000), "vượt quá giới hạn")
	refused(other, "/giahan "+code+" 5 Lý do", "không có quyền")
	refused(leader, "/giahan "+code+" 11 Lý do", "không quá 10 ngày làm việc")

	w.exec(`UPDATE deadline_rules SET max_extensions = 0`)
	refused(leader, "/giahan "+code+" 5 Lý do", "không cho phép gia hạn")
	w.exec(`UPDATE deadline_rules SET max_extensions = 1 WHERE extension_limit > 0`)

	// Waiting for the citizen: the clock is paused, nothing to extend.
	officer.presses("Yêu cầu bổ sung")
	officer.says("Ông/Bà cho biết vị trí cột đèn?")
	refused(leader, "/giahan "+code+" 5 Lý do", "đang tạm dừng")
	c.says("Trước số nhà 45")

	// After the deadline it is too late.
	w.now = time.Date(2026, 12, 8, 9, 0, 0, 0, vn)
	refused(leader, "/giahan "+code+" 5 Lý do", "đã quá hạn")

	// A closed ticket has nothing to extend.
	officer.says("/resolve " + code + " Đã thay bóng đèn")
	refused(leader, "/giahan "+code+" 5 Lý do", "đã kết thúc")
}

// An extension counts in its rule's unit: under a rule in calendar days
// from the clock's start, like the days granted for waits, a deadline on a
// day off moving to the next working day; under one in working hours the
// sender is told the hour too.
func TestAnExtensionCountsInItsRulesUnit(t *testing.T) {
	for _, tc := range []struct {
		name, rule       string
		filed, extended  time.Time
		command, wantDue string
		told             []string
	}{
		{
			// Filed on Monday 25/01/2027: 30 days end on Wednesday 24/02,
			// ten more on Saturday 06/03, so Monday 08/03.
			name: "days", rule: "limit_unit = 'days', answer_limit = 30, extension_limit = 30",
			filed: time.Date(2027, 1, 25, 9, 0, 0, 0, vn), extended: time.Date(2027, 2, 15, 9, 0, 0, 0, vn),
			command: "10 Chờ kết quả đo đạc", wantDue: "2027-03-08 23:59", told: []string{"thêm 10 ngày", "<b>08/03/2027</b>"},
		},
		{
			// Filed on Monday 23/11/2026 at 08:00: four office hours
			// (07:30–11:30, 13:30–17:00) end at 14:00, two more at 16:00.
			name: "working hours", rule: "limit_unit = 'working_hours', answer_limit = 4, extension_limit = 4",
			filed: time.Date(2026, 11, 23, 8, 0, 0, 0, vn), extended: time.Date(2026, 11, 23, 10, 0, 0, 0, vn),
			command: "2 Cần xe cẩu", wantDue: "2026-11-23 16:00", told: []string{"thêm 2 giờ làm việc", "<b>23/11/2026 16:00</b>"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.seedOrg()
			w.exec(`UPDATE deadline_rules SET ` + tc.rule)
			leader := w.staff(2621, "ubnd-hoa-cuong", "leader")
			c := w.citizen(3621)
			w.now = tc.filed
			code := c.file("Phường Hòa Cường", "Đường ngập sâu sau mưa")
			w.now = tc.extended
			mustContain(t, sentTo(leader.says("/giahan "+code+" "+tc.command), c.id), tc.told...)
			if got := w.dueOf(code).Format("2006-01-02 15:04"); got != tc.wantDue {
				t.Fatalf("due = %s, want %s", got, tc.wantDue)
			}
		})
	}
}

// The refusal under a rule allowing no extension reads as text, not as a
// formatting error.
func TestARefusedExtensionReadsCleanly(t *testing.T) {
	w, _, leader, _, code := filedForExtension(t, "ubnd-hoa-cuong")
	w.now = time.Date(2026, 11, 25, 10, 0, 0, 0, vn)
	w.exec(`UPDATE deadline_rules SET max_extensions = 0`)
	out := texts(leader.says("/giahan " + code + " 5 Cần khảo sát"))
	if strings.Contains(out, "%!") {
		t.Fatalf("the refusal has a formatting error:\n%s", out)
	}
}

// A reclassification keeps the waits for the citizen, not the old rule's
// extensions: a phản ánh extended by 5 and found to be a hỏi đáp (5
// working days, no extension) is due when a hỏi đáp is.
func TestAnExtensionIsNotCarriedIntoAnotherRule(t *testing.T) {
	// As a hỏi đáp it would have been due on 30/11.
	w, officer, leader, _, code := filedForExtension(t, "ubnd-hoa-cuong")
	w.now = time.Date(2026, 11, 24, 9, 0, 0, 0, vn)
	mustContain(t, leader.says("/giahan "+code+" 5 Cần khảo sát hiện trường"), "Đã gia hạn")
	if got := dueDate(w.dueOf(code)); got != "2026-12-14" {
		t.Fatalf("extended to %s, want 2026-12-14", got)
	}
	w.now = time.Date(2026, 11, 25, 9, 0, 0, 0, vn)
	officer.reclassifyAs("Hỏi đáp", "Nội dung là câu hỏi về kế hoạch sửa đường")
	if got := dueDate(w.dueOf(code)); got != "2026-11-30" {
		t.Errorf("as a hỏi đáp (no extension allowed) due %s, want 2026-11-30: the phản ánh extension was kept as a wait (%d extension(s) still counted)",
			got, w.count(`SELECT clock_extensions FROM tickets WHERE code = $1`, code))
	}
}

// A clock paused after its deadline had passed (resumeClock gives it no
// wait) is overdue, and its extension is refused as such, not as paused
// with the promise of an extension once the citizen replies.
func TestAClockPausedAfterItsDeadlineIsRefusedAsOverdue(t *testing.T) {
	w, officer, leader, c, code := filedForExtension(t, "ubnd-hoa-cuong")
	// Due 07/12; the officer asks on 09/12.
	w.now = time.Date(2026, 12, 9, 9, 0, 0, 0, vn)
	officer.presses("Yêu cầu bổ sung")
	officer.says("Ông/Bà cho biết vị trí cụ thể?")
	out := leader.says("/giahan " + code + " 5 Cần khảo sát")
	if got := texts(out); !strings.Contains(got, "quá hạn") {
		t.Errorf("an overdue ticket asked after its deadline is refused with:\n%s", got)
	}
	w.now = time.Date(2026, 12, 9, 10, 0, 0, 0, vn)
	c.says("Trước số nhà 45")
	mustContain(t, leader.says("/giahan "+code+" 5 Cần khảo sát"), "quá hạn")
}

// A leader of the city who is also an officer of the ward extends as the
// leader, whichever role comes first.
func TestALeaderAboveWhoIsAlsoAnOfficerOfTheUnitMayExtend(t *testing.T) {
	w, both, _, _, code := filedForExtension(t, "ubnd-hoa-cuong")
	w.join(both, "CODE-2601-LEADER", "ubnd-tp", "leader")
	w.now = time.Date(2026, 11, 25, 10, 0, 0, 0, vn)
	out := both.says("/giahan " + code + " 5 Cần khảo sát hiện trường")
	if got := dueDate(w.dueOf(code)); got != "2026-12-14" {
		t.Errorf("a leader of the city (also an officer of the ward) got due %s, want 2026-12-14:\n%s", got, texts(out))
	}
}

// A ticket escalated, postponed by a day given off (AdjustClock keeps the
// escalation stamps) and then extended is escalated again when the
// extended deadline passes: a new deadline passing is news, as in
// MoveTicketClock.
func TestAnExtendedDeadlineIsEscalatedWhenItPasses(t *testing.T) {
	w, _, wardLeader, _, code := filedForExtension(t, "ubnd-hoa-cuong")
	escalate := func() {
		w.run(func(tx *storage.Store) error {
			return w.service.Escalate(w.ctx, tx, "telegram", handlers.DefaultClockPolicy)
		})
	}
	// Due 07/12, escalated on 08/12.
	w.now = time.Date(2026, 12, 8, 8, 0, 0, 0, vn)
	escalate()
	mustContain(t, sentTo(w.sent(), wardLeader.id), "Phản ánh quá hạn")
	// Thursday 03/12 given off: due 08/12; the leader extends it by 5.
	w.setCalendarDay(workcal.Date{Year: 2026, Month: 12, Day: 3}, false, "Nghỉ theo thông báo")
	w.now = time.Date(2026, 12, 8, 10, 0, 0, 0, vn)
	mustContain(t, wardLeader.says("/giahan "+code+" 5 Chờ ý kiến sở chuyên ngành"), "Đã gia hạn")
	if got := dueDate(w.dueOf(code)); got != "2026-12-15" {
		t.Fatalf("extended to %s, want 2026-12-15", got)
	}
	w.sent()
	// The extended deadline passes.
	w.now = time.Date(2026, 12, 16, 8, 0, 0, 0, vn)
	escalate()
	out := w.sent()
	if got := texts(sentTo(out, wardLeader.id)); !strings.Contains(got, "Phản ánh quá hạn") {
		t.Errorf("the extended deadline passed and the ward leader was not told; all sent:\n%s", texts(out))
	}
}
