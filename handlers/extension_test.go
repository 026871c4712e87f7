package handlers_test

import (
	"strings"
	"testing"
	"time"
)

// extensions counts a ticket's extended events.
func (w *world) extensions(code string) int {
	w.t.Helper()
	return w.count(`SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE t.code = $1 AND e.kind = 'extended'`, code)
}

func TestALeaderExtendsADeadlineAndTheSenderIsTold(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2601, "ubnd-hoa-cuong", "officer")
	leader := w.staff(2602, "ubnd-tp", "leader")
	c := w.citizen(3601)
	// Filed on Monday 23/11/2026: due at the end of Monday 07/12.
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	code := c.file("Phường Hòa Cường", "Cống thoát nước bị lấp")
	w.now = time.Date(2026, 12, 1, 10, 0, 0, 0, vn)

	mustContain(t, officer.says("/giahan "+code+" 5 Cần khảo sát hiện trường"), "lãnh đạo đơn vị quyết định")
	if got := w.dueOf(code).Format("2006-01-02"); got != "2026-12-07" || w.extensions(code) != 0 {
		t.Fatalf("an officer's extension changed the ticket: due %s, %d extensions", got, w.extensions(code))
	}

	// Five working days more: 08–11/12 and Monday 14/12.
	out := leader.says("/giahan " + code + " 5 Cần khảo sát hiện trường")
	mustContain(t, sentTo(out, leader.id), "Đã gia hạn phản ánh "+code+" đến 14/12/2026 23:59")
	mustContain(t, sentTo(out, c.id), "được gia hạn thêm 5 ngày làm việc", "<b>14/12/2026</b>", "Lý do: Cần khảo sát hiện trường")
	mustContain(t, sentTo(out, officer.id), "đã gia hạn phản ánh <b>"+code+"</b> đến 14/12/2026 23:59")
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
	mustContain(t, leader.says("/giahan "+code+" 1 Chờ ý kiến sở chuyên ngành"), "Đã gia hạn phản ánh "+code)
}

func TestAnExtensionOutsideItsRuleChangesNothing(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2611, "ubnd-hoa-cuong", "officer")
	leader := w.staff(2612, "ubnd-hoa-cuong", "leader")
	other := w.staff(2613, "ubnd-hai-chau", "leader")
	c := w.citizen(3611)
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	code := c.file("Phường Hòa Cường", "Đèn đường không sáng")
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
	w.exec(`UPDATE deadline_rules SET max_extensions = 1`)

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
