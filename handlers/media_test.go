package handlers_test

import (
	"testing"

	"github.com/danvan-vn/danvan/bot"
)

// Files travel with a ticket as photos do: a citizen answers a question
// with a scan sent as an image file, which the unit's card brings along;
// an officer answers with the signed reply in PDF, which the citizen gets
// as a file; a citizen's PDF is still refused, as at filing.
func TestFilesTravelWithATicket(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2301, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3301)
	code := c.file("Phường Hòa Cường", "Cống thoát nước bị tắc trước nhà số 12")
	officer.presses("Tiếp nhận")
	officer.presses("Yêu cầu bổ sung")
	officer.says("Ông/Bà gửi giúp ảnh chụp giấy hẹn của phường?")

	mustContain(t, c.sends(func(e *bot.Event) { e.Document = &bot.File{ID: "report.pdf", UniqueID: "r", MIME: "application/pdf"} }),
		"chỉ nhận")
	out := c.sends(func(e *bot.Event) {
		e.Document = &bot.File{ID: "scan.jpg", UniqueID: "s", MIME: "image/jpeg", Name: "giay-hen.jpg"}
	})
	mustContain(t, sentTo(out, c.id), "Đã chuyển thông tin bổ sung")
	mustContain(t, sentTo(out, officer.id), "bổ sung thông tin", code)
	if n := w.count(`SELECT count(*) FROM ticket_attachments WHERE kind = 'document' AND file_id = 'scan.jpg' AND added_by = 'citizen'`); n != 1 {
		t.Fatalf("the scan was kept %d times", n)
	}
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'in_progress'`, code); n != 1 {
		t.Fatal("the ticket still waits for the citizen")
	}

	officer.presses("Trả lời")
	out = officer.sends(func(e *bot.Event) {
		e.Document = &bot.File{ID: "tra-loi.pdf", UniqueID: "t", MIME: "application/pdf", Name: "cong-van-tra-loi.pdf"}
		e.Text = "Phường đã nạo vét cống, kèm công văn trả lời."
	})
	toCitizen := sentTo(out, c.id)
	if len(toCitizen) != 2 || toCitizen[0].Kind != bot.KindDocument || toCitizen[0].FileID != "tra-loi.pdf" {
		t.Fatalf("the reply's file did not go to the citizen first: %+v", toCitizen)
	}
	mustContain(t, toCitizen, "trả lời", "kèm công văn")
	if n := w.count(`SELECT count(*) FROM ticket_attachments WHERE kind = 'document' AND file_id = 'tra-loi.pdf' AND added_by = 'officer'`); n != 1 {
		t.Fatalf("the reply's file was kept %d times", n)
	}
}
