package handlers_test

import (
	"strings"
	"testing"
	"time"
)

// clockOf is a ticket's deadline state as the tests read it.
type clockOf struct {
	Rule bool `db:"rule"`
	Due  bool `db:"due"`
}

func (w *world) clockOf(code string) clockOf {
	w.t.Helper()
	var c clockOf
	if err := w.raw.Get(&c, `SELECT deadline_rule_id IS NOT NULL AS rule, due_at IS NOT NULL AS due
		FROM tickets WHERE code = $1`, code); err != nil {
		w.t.Fatal(err)
	}
	return c
}

// A reopening gives a new clock under the rules that cover the ticket, as
// filing does; when none does any more (its kind's rules deactivated), it
// gets none, as a ticket filed now would: not the first round's deadline,
// long passed, which would show it overdue at once.
func TestAReopeningNoRuleCoversLeavesNoDeadline(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2831, "ubnd-hai-chau", "officer")
	c := w.citizen(3831)
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	code := c.file("Phường Hải Châu", "Vỉa hè bị lấn chiếm để kinh doanh")
	w.now = time.Date(2026, 12, 10, 9, 0, 0, 0, vn) // answered late
	officer.says("/resolve " + code + " Đã nhắc nhở các hộ kinh doanh.")
	w.exec(`UPDATE deadline_rules SET active = false WHERE kind = 'phan_anh'`)
	out := c.presses("Không hài lòng")
	if s := w.clockOf(code); s.Rule || s.Due {
		t.Fatalf("the reopened ticket kept the first round's clock (due %s): %+v", w.dueOf(code).Format("02/01/2006"), s)
	}
	if line := deadlineLineOf(t, sentTo(out, officer.id)); strings.Contains(line, "Quá hạn") {
		t.Fatalf("the reopened card says %q", line)
	}
}

// A transfer that restarts the clock does so under the rules that cover
// the ticket; when none does any more, it has no deadline at the
// receiving unit, not the deadline the unit that gave it away let pass.
func TestATransferNoRuleCoversLeavesNoDeadline(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	a := w.staff(2841, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3841)
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	code := c.file("Phường Hòa Cường", "Ống nước vỡ, nước chảy lênh láng")
	w.exec(`UPDATE deadline_rules SET active = false WHERE kind = 'phan_anh'`)
	w.now = time.Date(2026, 12, 10, 9, 0, 0, 0, vn) // overdue at the first unit
	a.says("/transfer " + code + " ubnd-hai-chau Thuộc địa bàn phường Hải Châu")
	if s := w.clockOf(code); s.Rule || s.Due {
		t.Fatalf("the transferred ticket kept the old unit's clock (due %s): %+v", w.dueOf(code).Format("02/01/2006"), s)
	}
}
