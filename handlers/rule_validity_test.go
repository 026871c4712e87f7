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
