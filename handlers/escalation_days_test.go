package handlers_test

import (
	"testing"
	"time"

	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
)

// The second escalation step comes when a ticket is "still overdue
// ESCALATION_SECOND_WORKDAYS (3) working days later" than the first. A
// ticket first escalated on Tuesday evening (a rule in working hours, due
// at 17:00) has been overdue for Wednesday and Thursday by Friday 08:00:
// two working days, not three. The step must not come yet.
func TestSecondEscalationWaitsThreeWorkingDays(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.staff(2201, "ubnd-hoa-cuong", "officer")
	w.staff(2202, "ubnd-hoa-cuong", "leader")
	cityLeader := w.staff(2203, "ubnd-tp", "leader")
	w.exec(`UPDATE deadline_rules SET limit_unit = 'working_hours', answer_limit = 4`)
	// Filed on Tuesday 01/12/2026 at 11:00: 4 working hours end at 17:00.
	w.now = time.Date(2026, 12, 1, 11, 0, 0, 0, vn)
	code := w.citizen(3201).file("Phường Hòa Cường", "Cây đổ chắn ngang đường Núi Thành")
	if due := w.dueOf(code); due.Format("2006-01-02 15:04") != "2026-12-01 17:00" {
		t.Fatalf("due %s", due)
	}
	w.sent()
	w.now = time.Date(2026, 12, 1, 17, 10, 0, 0, vn)
	w.escalate()
	mustContain(t, sentTo(w.sent(), cityLeader.id), "Phản ánh quá hạn", code)

	// Friday 04/12 08:00: Wednesday and Thursday have passed.
	w.now = time.Date(2026, 12, 4, 8, 0, 0, 0, vn)
	w.escalate()
	if out := sentTo(w.sent(), cityLeader.id); len(out) != 0 {
		t.Fatalf("second step %s after the first, two working days:\n%s",
			w.now.Sub(time.Date(2026, 12, 1, 17, 10, 0, 0, vn)), texts(out))
	}
}

// A ticket due at the end of Tuesday gets its first escalation just after
// midnight (Wednesday 00:05): in office time as old as one sent on
// Tuesday evening, so its second step comes after Friday's close, not
// after the weekend.
func TestASecondEscalationAfterAMidnightFirstStepComesOnFridayEvening(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.staff(2901, "ubnd-hoa-cuong", "officer")
	w.staff(2902, "ubnd-hoa-cuong", "leader")
	cityLeader := w.staff(2903, "ubnd-tp", "leader")
	w.exec(`UPDATE deadline_rules SET answer_limit = 1 WHERE limit_unit = 'workdays'`)
	// Filed on Monday 30/11/2026: one working day ends with Tuesday 01/12.
	w.now = time.Date(2026, 11, 30, 10, 0, 0, 0, vn)
	code := w.citizen(3901).file("Phường Hòa Cường", "Cống thoát nước bị tắc, nước tràn lên đường")
	if due := w.dueOf(code); due.Format("2006-01-02") != "2026-12-01" {
		t.Fatalf("due %s", due)
	}
	w.sent()
	// The first step, the first run after the deadline.
	w.now = time.Date(2026, 12, 2, 0, 5, 0, 0, vn)
	w.escalate()
	mustContain(t, sentTo(w.sent(), cityLeader.id), "Phản ánh quá hạn", code)

	// Friday evening and Saturday morning: three working days of office
	// time (Wednesday, Thursday, Friday) have passed since the first step.
	for _, at := range []time.Time{
		time.Date(2026, 12, 4, 20, 0, 0, 0, vn),
		time.Date(2026, 12, 5, 9, 0, 0, 0, vn),
	} {
		w.now = at
		w.escalate()
	}
	mustContain(t, sentTo(w.sent(), cityLeader.id), "Phản ánh vẫn quá hạn", code)
}

// escalate runs the escalations job once, with the default policy.
func (w *world) escalate() {
	w.t.Helper()
	w.run(func(tx *storage.Store) error {
		return w.service.Escalate(w.ctx, tx, "telegram", handlers.DefaultClockPolicy)
	})
}
