package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
)

// A consultation's list, receipt and synthesis give the unit's English
// name to those who chose English.
func TestAConsultationNamesItsUnitInEnglish(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.exec(`UPDATE units SET name_en = 'Hoa Cuong Ward People''s Committee' WHERE code = 'ubnd-hoa-cuong'`)
	w.staff(6101, "ubnd-hoa-cuong", "officer")
	id := w.consultation("Quy hoạch công viên 29/3", -day, 20*day)
	e := w.citizen(6102)
	e.says("/lang")
	e.presses("English")

	list := e.says("/gopy")
	mustContain(t, list, "Drafts open for residents' comments")
	if !strings.Contains(texts(list), "Hoa Cuong Ward People's Committee") {
		t.Errorf("/gopy in English names the unit only in Vietnamese:\n%s", texts(list))
	}
	e.presses("1. Quy hoạch")
	receipt := e.says("Please keep the old trees along the lake.")
	mustContain(t, receipt, "Thank you for your comment")
	if !strings.Contains(texts(sentTo(receipt, e.id)), "Hoa Cuong Ward People's Committee") {
		t.Errorf("the English receipt names the unit only in Vietnamese:\n%s", texts(sentTo(receipt, e.id)))
	}
	w.now = w.now.Add(21 * day)
	out := w.closeConsultation(id, "Tiếp thu: giữ lại hàng cây.")
	mustContain(t, sentTo(out, e.id), "publishes the synthesis")
	if !strings.Contains(texts(sentTo(out, e.id)), "Hoa Cuong Ward People's Committee") {
		t.Errorf("the English synthesis names the unit only in Vietnamese:\n%s", texts(sentTo(out, e.id)))
	}
}

// Someone who stops following their last area is not sent the notices
// still scheduled for followers (a consultation's opening).
func TestSomeoneWhoStopsFollowingIsNotSentTheNoticesScheduled(t *testing.T) {
	w := newWorld(t)
	w.seedNoticeAreas()
	c := w.citizen(6201)
	c.follow("Thành phố Đà Nẵng ›", "Phường Hòa Cường ›", "Theo dõi cả Phường Hòa Cường")

	// Added today, opening in ten days.
	id := w.consultation("Quy hoạch công viên 29/3", 10*day, 40*day)
	w.run(func(tx *storage.Store) error {
		cons, err := tx.ConsultationByID(w.ctx, id)
		if err != nil {
			return err
		}
		n, err := handlers.ScheduleConsultationNotice(w.ctx, tx, cons, w.now, handlers.DefaultAnnouncementRate)
		if err == nil && n != 1 {
			t.Errorf("setup: the notice is scheduled for %d people, want 1", n)
		}
		return err
	})
	if len(w.noticesTo("Quy hoạch công viên 29/3")) != 1 {
		t.Fatal("setup: the follower's notice is not scheduled")
	}

	// The next day the resident stops following the ward.
	w.now = w.now.Add(day)
	c.says("/thongbao")
	mustContain(t, c.presses("Ngừng nhận"), "chưa theo dõi khu vực nào")

	if got := w.noticesTo("Quy hoạch công viên 29/3"); got[c.id].ChatID != "" {
		t.Fatalf("the consultation's notice, due in nine days, still goes to a person who follows no area:\n%s", got[c.id].Text)
	}
}

// A citizen the unit refused to receive on a day (Art. 9) cannot book
// that day again, which would undo the refusal.
func TestARefusedCitizenCannotBookThatDayAgain(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.receptionHours("ubnd-hoa-cuong", 5)
	officer := w.staff(6301, "ubnd-hoa-cuong", "officer")
	c := w.citizen(6302)
	c.book("26/11", "Khiếu nại lần thứ năm về quyết định thu hồi đất năm 2019")
	officer.opensBooking(w.bookingID(c.id))
	officer.presses("Từ chối tiếp")
	out := officer.presses("Vụ việc đã giải quyết")
	mustContain(t, sentTo(out, c.id), "Thông báo từ chối tiếp công dân")

	c.says("/tiepdan")
	c.presses("phường Hòa Cường")
	c.presses("26/11")
	out = c.says("Khiếu nại lần thứ năm về quyết định thu hồi đất năm 2019")
	if n := w.count(`SELECT count(*) FROM reception_bookings b JOIN citizens c ON c.id = b.citizen_id
		WHERE c.user_id = $1 AND b.day = '2026-11-26' AND b.status = 'booked'`, c.id); n != 0 {
		t.Fatalf("refused for Thursday 26/11, the citizen booked the same day with the same unit again:\n%s", texts(out))
	}
}

// A consultation's synthesis answers the comments not answered one by
// one, and comes with the buttons that rate it, as any answer does.
func TestASynthesisComesWithTheButtonsToRateIt(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.staff(6501, "ubnd-hoa-cuong", "officer")
	id := w.consultation("Quy hoạch công viên 29/3", -day, 20*day)
	c := w.citizen(6502)
	code := c.comments("Đề nghị giữ lại hàng cây sao đen dọc đường 2/9")

	w.now = w.now.Add(21 * day)
	out := sentTo(w.closeConsultation(id, "Tiếp thu: giữ lại hàng cây sao đen."), c.id)
	mustContain(t, out, "công bố kết quả tổng hợp ý kiến")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'answered'`, code); n != 1 {
		t.Fatalf("setup: the comment %s is not answered by the synthesis", code)
	}
	if !strings.Contains(texts(out), "[Rất hài lòng]") {
		t.Fatalf("the synthesis answers %s but comes with no button to rate it:\n%s", code, texts(out))
	}
}

// A unit's question arriving while its sender is writing a comment on a
// draft: their reply reaches the unit, not the consultation.
func TestAReplyToTheUnitIsNotTakenAsAComment(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(6601, "ubnd-hoa-cuong", "officer")
	w.consultation("Quy hoạch công viên 29/3", -day, 20*day)
	c := w.citizen(6602)
	code := c.file("Phường Hòa Cường", "Cống thoát nước bị tắc trước nhà trong kiệt Núi Thành")
	c.says("/gopy")
	mustContain(t, c.presses("1. Quy hoạch"), "nhập ý kiến góp ý")

	w.now = w.now.Add(time.Hour)
	officer.presses("Yêu cầu bổ sung")
	officer.says("Ông/Bà cho biết số nhà chính xác?")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'awaiting_info'`, code); n != 1 {
		t.Fatal("setup: the ward's question was not sent")
	}
	w.now = w.now.Add(time.Hour)
	out := c.says("Số nhà chính xác là 25/7 Núi Thành, ngay đầu kiệt")
	if n := w.count(`SELECT count(*) FROM tickets WHERE consultation_id IS NOT NULL`); n != 0 {
		t.Errorf("the reply to the ward's question was filed as a comment on the draft:\n%s", texts(out))
	}
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'awaiting_info'`, code); n != 0 {
		t.Errorf("the ward never got the information it asked for on %s", code)
	}
}
