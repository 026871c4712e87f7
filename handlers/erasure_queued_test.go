package handlers_test

import (
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/bot"
)

// A petition's card still waits to be sent to the ward's chat when its
// sender erases their data: it goes out (the unit handles the petition),
// with its words, but no longer with the person's name, which the erasure
// took (README: cards show the sender as erased).
func TestACardQueuedAtErasureGoesOutWithoutTheName(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2981, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3981)
	c.file("Phường Hòa Cường", "Cống thoát nước tắc trước nhà số 12 Núi Thành")
	card := w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND status = 'pending' AND strpos(payload::text, $2) > 0`,
		officer.id, c.name)
	if card == 0 {
		t.Fatal("setup: no card queued for the officer")
	}

	mustContain(t, c.erase(), "Đã xóa")
	var text string
	if err := w.raw.Get(&text, `SELECT payload->>'text' FROM outbox WHERE id = $1 AND status = 'pending'`, card); err != nil {
		t.Fatalf("the card queued at the erasure no longer goes out: %v", err)
	}
	if strings.Contains(text, c.name) || !strings.Contains(text, "Cống thoát nước tắc") ||
		!strings.Contains(text, "Người gửi: (đã xóa theo yêu cầu của người gửi)") {
		t.Fatalf("the card queued at the erasure goes out as:\n%s", text)
	}
}

// The card of a reception booking an officer has just opened still waits
// to be sent when the person who booked erases their data: it goes out
// (the unit still receives them, and reads what they will raise), but as
// a card opened after the erasure shows it, without their name.
func TestABookingCardQueuedAtErasureGoesOutWithoutTheName(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.receptionHours("ubnd-hoa-cuong", 5)
	officer := w.staff(2982, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3982)
	c.book("26/11", "Tranh chấp lối đi chung với hộ liền kề số 21")
	mustContain(t, officer.opensBooking(w.bookingID(c.id)), "Người đăng ký: "+c.name)
	card := w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND status = 'pending' AND strpos(payload::text, $2) > 0`,
		officer.id, c.name)

	mustContain(t, c.erase(), "Đã xóa")
	var text string
	if err := w.raw.Get(&text, `SELECT payload->>'text' FROM outbox WHERE id = $1 AND status = 'pending'`, card); err != nil {
		t.Fatalf("the booking's card queued at the erasure no longer goes out: %v", err)
	}
	if strings.Contains(text, c.name) || !strings.Contains(text, "Tranh chấp lối đi chung") ||
		!strings.Contains(text, "Người đăng ký: (không tên)\n") {
		t.Fatalf("the booking's card queued at the erasure goes out as:\n%s", text)
	}
}

// The intake's answer to /identity still waits to be sent when the sender
// of the confidential petition erases their data: it goes out, naming
// the petition, but with the name and phone as erased, as an answer
// asked after the erasure would.
func TestAnIdentityAnswerQueuedAtErasureGoesOutWithoutTheName(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	intake := w.staff(2983, "ubnd-tp", "officer")
	c := w.citizen(3983)
	c.describe("Phường Hòa Cường", "Cán bộ thu tiền trái quy định khi cấp giấy phép xây dựng")
	c.presses("Bỏ qua")
	c.sends(func(e *bot.Event) { e.Contact = &bot.Contact{Phone: "0905398398", UserID: c.id} })
	c.presses("Giữ bí mật")
	code := codeIn(t, c.presses("Gửi phản ánh"))
	mustContain(t, intake.says("/identity "+code+" Cần liên hệ xác minh"), c.name, "0905398398")
	answer := w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND status = 'pending' AND strpos(payload::text, $2) > 0`,
		intake.id, c.name)

	mustContain(t, c.erase(), "Đã xóa")
	var text string
	if err := w.raw.Get(&text, `SELECT payload->>'text' FROM outbox WHERE id = $1 AND status = 'pending'`, answer); err != nil {
		t.Fatalf("the answer queued at the erasure no longer goes out: %v", err)
	}
	if strings.Contains(text, c.name) || strings.Contains(text, "0905398398") ||
		!strings.Contains(text, code+"</b>: (đã xóa theo yêu cầu của người gửi) · điện thoại: ") {
		t.Fatalf("the answer queued at the erasure goes out as:\n%s", text)
	}
}
