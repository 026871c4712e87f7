package handlers_test

import (
	"testing"
	"time"
)

// A rule replaced on a day holds for the tickets filed before it, also
// when their clock restarts after it; its successor for those filed from
// that day.
func TestATicketKeepsTheRulesOfTheDayItWasFiled(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2801, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3801)
	w.exec(`UPDATE deadline_rules SET valid_to = '2026-12-01' WHERE kind = 'phan_anh' AND NOT remote_only`)
	w.exec(`INSERT INTO deadline_rules (kind, answer_limit, legal_basis, valid_from)
		VALUES ('phan_anh', 3, 'Quy định mới', '2026-12-01')`)

	// Monday 30/11 at 16:00: ten working days, to Monday 14/12.
	w.now = time.Date(2026, 11, 30, 16, 0, 0, 0, vn)
	before := c.file("Phường Hòa Cường", "Cống thoát nước bị lấp")
	if got := dueDate(w.dueOf(before)); got != "2026-12-14" {
		t.Fatalf("filed under the old rule: due %s, want 2026-12-14", got)
	}
	// Tuesday 01/12: three working days, to Friday 04/12.
	w.now = time.Date(2026, 12, 1, 9, 0, 0, 0, vn)
	after := c.file("Phường Hòa Cường", "Đèn đường không sáng")
	if got := dueDate(w.dueOf(after)); got != "2026-12-04" {
		t.Fatalf("filed under the new rule: due %s, want 2026-12-04", got)
	}
	// A transfer on Wednesday 02/12 restarts the first one's clock under
	// the rule of its filing: ten working days, to Wednesday 16/12.
	w.now = time.Date(2026, 12, 2, 9, 0, 0, 0, vn)
	officer.says("/transfer " + before + " ubnd-hai-chau Thuộc địa bàn phường Hải Châu")
	if got := dueDate(w.dueOf(before)); got != "2026-12-16" {
		t.Fatalf("restarted after the change: due %s, want 2026-12-16", got)
	}
}

// What a citizen raised at a reception is filed on the day of the
// reception, though recorded later: a rule replaced in between still
// holds for it, also when a transfer gives it a new clock.
func TestAReceptionRecordedAfterARuleChangeKeepsTheRuleOfItsDay(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.exec(`UPDATE deadline_rules SET valid_to = '2026-12-01' WHERE kind = 'tiep_dan'`)
	w.exec(`INSERT INTO deadline_rules (kind, answer_limit, legal_basis, valid_from)
		VALUES ('tiep_dan', 20, 'Quy định mới', '2026-12-01')`)
	w.receptionHours("ubnd-hoa-cuong", 5)
	officer := w.staff(2811, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3811)
	c.book("26/11", "Đề nghị xem xét lại mức hỗ trợ giải phóng mặt bằng")
	// Received Thursday 26/11, recorded Wednesday 02/12: the old rule.
	w.now = time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	officer.opensBooking(w.bookingID(c.id))
	officer.presses("Đã tiếp")
	if got := dueDate(w.dueOf("PA-2026-000001")); got != "2026-12-10" {
		t.Fatalf("recorded: due %s, want 2026-12-10", got)
	}
	// Transferred Thursday 03/12: a new clock under the same (old) rule,
	// 10 working days, to Thursday 17/12.
	w.now = time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	officer.says("/transfer PA-2026-000001 ubnd-hai-chau Thuộc địa bàn phường Hải Châu")
	if got := dueDate(w.dueOf("PA-2026-000001")); got != "2026-12-17" {
		t.Fatalf("transferred: due %s, want 2026-12-17 under the rule of the reception's day (not the one of the day it was recorded)", got)
	}
}
