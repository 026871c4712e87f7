package handlers_test

import (
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/bot"
)

// askedForAPhoto has a citizen file a petition in Phường Hòa Cường, whose
// officer accepts it and asks them for a photo.
func (w *world) askedForAPhoto(officerID, citizenID int) (officer, c *citizen, code string) {
	w.t.Helper()
	w.seedOrg()
	officer = w.staff(officerID, "ubnd-hoa-cuong", "officer")
	c = w.citizen(citizenID)
	code = c.file("Phường Hòa Cường", "Cống thoát nước bị tắc trước nhà số 12")
	officer.presses("Tiếp nhận")
	officer.presses("Yêu cầu bổ sung")
	officer.says("Ông/Bà gửi giúp ảnh chụp giấy hẹn của phường?")
	return officer, c, code
}

// Files travel with a ticket as photos do: a citizen answers a question
// with a scan sent as an image file, which the unit's card brings along;
// an officer answers with the signed reply in PDF, which the citizen gets
// as a file; a citizen's PDF is still refused, as at filing.
func TestFilesTravelWithATicket(t *testing.T) {
	w := newWorld(t)
	officer, c, code := w.askedForAPhoto(2301, 3301)

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

// A citizen at the description step sends a PDF with a caption: they are
// told that only photos are taken, as for a PDF alone, and nothing
// changes: the caption does not become the description in the file's
// place, and the form still asks for the description.
func TestAFileWithACaptionIsRefusedAtTheDescriptionStep(t *testing.T) {
	w := newWorld(t)
	w.seedAreas()
	c := w.citizen(5001)
	c.says("/new")
	c.presses("Phản ánh")
	c.presses("Môi trường")
	mustContain(t, c.says("Kiệt 25 Núi Thành"), "mô tả sự việc")
	mustContain(t, c.sends(func(e *bot.Event) {
		e.Document = &bot.File{ID: "don.pdf", UniqueID: "d1", MIME: "application/pdf", Name: "don.pdf"}
		e.Text = "Đơn phản ánh về việc rác thải tồn đọng, chi tiết trong tệp đính kèm"
	}), "chỉ nhận ảnh")
	if step, desc := w.draftStep(c), w.draftField(c, "description"); step != "description" || desc != "" {
		t.Fatalf("a PDF with a caption changed the draft: step %q, description %q", step, desc)
	}
}

// At the review step, a PDF captioned «gửi» is refused like any PDF: it
// does not send the petition (without the file the person meant to add).
func TestAFileCaptionedSendAtTheReviewSendsNothing(t *testing.T) {
	w := newWorld(t)
	w.seedAreas()
	c := w.citizen(5002)
	c.describe("Phường Hòa Cường", "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành")
	c.presses("Bỏ qua")
	c.says("Bỏ qua")
	mustContain(t, c.presses("Không cần"), "kiểm tra lại")
	mustContain(t, c.sends(func(e *bot.Event) {
		e.Document = &bot.File{ID: "bienban.pdf", UniqueID: "b1", MIME: "application/pdf"}
		e.Text = "gửi"
	}), "chỉ nhận ảnh")
	if n := w.count(`SELECT count(*) FROM tickets`); n != 0 || w.draftStep(c) != "review" {
		t.Fatalf("a PDF captioned «gửi» filed the petition (%d tickets)", n)
	}
}

// Where a message goes to a ticket — the answer to a unit's question, or
// information after «Bổ sung thông tin» — a PDF with a caption is refused
// too, and its caption is not passed on alone; the unit still waits for
// the answer, which a photo then brings.
func TestAFileWithACaptionIsRefusedWhereInformationIsAwaited(t *testing.T) {
	w := newWorld(t)
	officer, c, code := w.askedForAPhoto(5011, 5012)
	pdf := func(e *bot.Event) {
		e.Document = &bot.File{ID: "giay-hen.pdf", UniqueID: "g", MIME: "application/pdf"}
		e.Text = "Giấy hẹn của phường, Ông/Bà xem tệp đính kèm"
	}
	out := c.sends(pdf)
	mustContain(t, out, "chỉ nhận ảnh")
	if len(sentTo(out, officer.id)) != 0 || w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'info_added'`) != 0 {
		t.Fatalf("the caption of a refused PDF went to the unit:\n%s", texts(out))
	}
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'awaiting_info'`, code); n != 1 {
		t.Fatal("the ticket no longer waits for the citizen")
	}

	c.says("/status " + code)
	mustContain(t, c.presses("Bổ sung thông tin"), "gửi thêm thông tin")
	mustContain(t, c.sends(pdf), "chỉ nhận ảnh")
	if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'info_added'`); n != 0 {
		t.Fatal("the caption of a refused PDF was added as information")
	}
	mustContain(t, c.sends(func(e *bot.Event) { e.Photo = &bot.File{ID: "giay-hen.jpg", UniqueID: "j"} }), "Đã chuyển thông tin bổ sung")
}

// An image sent as a file, with a caption, as the first message: the
// petition starts with the caption as its description and the image kept
// as a photo, as an image file is kept at any step of the form.
func TestAnImageFileWithACaptionStartsAPetitionWithIt(t *testing.T) {
	w := newWorld(t)
	w.seedAreas()
	c := w.citizen(5003)
	mustContain(t, c.sends(func(e *bot.Event) {
		e.Document = &bot.File{ID: "scan.jpg", UniqueID: "s1", MIME: "image/jpeg", Name: "anh.jpg"}
		e.Text = "Cây xanh gãy đổ chắn ngang đường Trưng Nữ Vương"
	}), "vài bước", "loại nội dung")
	if photos := w.count(`SELECT coalesce(jsonb_array_length(data->'photos'), 0) FROM conversations WHERE chat_id = $1`, c.id); photos != 1 ||
		!strings.HasPrefix(w.draftField(c, "description"), "Cây xanh gãy đổ") {
		t.Fatalf("the image file sent first is not in the draft (%d photos)", photos)
	}
}

// The same without a caption: the image starts the petition, as a photo
// does, instead of being refused as a file.
func TestAnImageFileAloneStartsAPetition(t *testing.T) {
	w := newWorld(t)
	w.seedAreas()
	c := w.citizen(5004)
	out := texts(c.sends(func(e *bot.Event) {
		e.Document = &bot.File{ID: "scan2.jpg", UniqueID: "s2", MIME: "image/jpeg", Name: "anh.jpg"}
	}))
	if strings.Contains(out, "chỉ nhận ảnh") || !strings.Contains(out, "loại nội dung") {
		t.Fatalf("an image file sent first did not start a petition:\n%s", out)
	}
	if n := w.count(`SELECT count(*) FROM conversations WHERE chat_id = $1 AND data->'photos'->0->>'id' = 'scan2.jpg'`, c.id); n != 1 {
		t.Fatal("the image file is not in the draft")
	}
}
