package handlers_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
)

// answered files a petition in Hải Châu and has a unit officer answer it.
func (w *world) answered(officerID, citizenID int, text string) (*citizen, string) {
	w.t.Helper()
	officer := w.staff(officerID, "ubnd-hai-chau", "officer")
	c := w.citizen(citizenID)
	code := c.file("Phường Hải Châu", text)
	officer.says("/resolve " + code + " Đã xử lý xong, cảm ơn Ông/Bà.")
	return c, code
}

func TestRatingKeepsTheAnswerInTheChat(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c, code := w.answered(2201, 3201, "Ổ gà lớn trên đường Hùng Vương")
	out := sentTo(c.presses("Rất hài lòng"), c.id)
	mustContain(t, out, "Cảm ơn Ông/Bà đã đánh giá phản ánh "+code)
	for _, o := range out {
		if o.Kind == bot.KindEdit {
			t.Fatalf("the rating replaced the message holding the answer with %q", o.Text)
		}
	}
}

func TestAMessageLongAfterARatingIsNotTakenForAComment(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c, code := w.answered(2211, 3211, "Biển báo giao thông bị che khuất")
	mustContain(t, c.presses("Rất hài lòng"), "góp ý thêm", code)
	w.now = w.now.Add(31 * time.Minute)
	mustContain(t, c.says("Đường Ông Ích Khiêm mất điện từ sáng"), "loại nội dung nào")
	if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'rated' AND coalesce(body, '') <> ''`); n != 0 {
		t.Fatalf("%d comments recorded", n)
	}
}

func TestAnOldSkipButtonLeavesAPetitionInProgressAlone(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c, _ := w.answered(2221, 3221, "Cột điện nghiêng trên đường Lê Lợi")
	c.presses("Rất hài lòng") // the comment prompt, with its Skip button
	c.says("/new")
	c.presses("Phản ánh")
	mustAnswer(t, c.presses("Bỏ qua"), "không còn hiệu lực")
	if n := w.count(`SELECT count(*) FROM conversations WHERE chat_id = $1 AND flow = 'petition'`, c.id); n != 1 {
		t.Fatal("the old Skip button ended the petition in progress")
	}
	if out := texts(c.presses("Môi trường")); !strings.Contains(out, "Thành phố Đà Nẵng") {
		t.Fatalf("the petition did not go on:\n%s", out)
	}
}

// After rating, the citizen types the Skip button's word instead of
// pressing it: the wait for a comment ends, and «Bỏ qua» is not recorded
// as their comment.
func TestTypedSkipAfterARatingIsNotAComment(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c, _ := w.answered(5111, 5112, "Biển báo giao thông bị che khuất")
	mustContain(t, c.presses("Rất hài lòng"), "góp ý thêm")
	mustContain(t, c.says("Bỏ qua"), "Đã ghi nhận")
	if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'rated' AND coalesce(body, '') <> ''`); n != 0 {
		t.Fatal("typed «Bỏ qua» was recorded as a comment")
	}
	if n := w.count(`SELECT count(*) FROM conversations WHERE chat_id = $1`, c.id); n != 0 {
		t.Fatal("typed «Bỏ qua» did not end the wait for a comment")
	}
}

// A photo sent as the comment after a rating: a comment is kept as text,
// so the citizen is asked to write it, nothing is recorded or thanked
// for, and the comment they then write is kept.
func TestAPhotoAsARatingCommentIsAskedForInWords(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c, _ := w.answered(5121, 5122, "Ổ gà lớn trên đường Hùng Vương")
	mustContain(t, c.presses("Hài lòng"), "góp ý thêm")
	out := texts(c.sends(func(e *bot.Event) { e.Photo = &bot.File{ID: "after.jpg", UniqueID: "a1"} }))
	if !strings.Contains(out, "chỉ nhận nội dung bằng chữ") || strings.Contains(out, "Cảm ơn Ông/Bà đã góp ý") {
		t.Fatalf("a photo as a comment was not asked for in words:\n%s", out)
	}
	if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'rated'`); n != 1 {
		t.Fatalf("%d rated events after a photo, want the rating's only", n)
	}
	mustContain(t, c.says("Đường đã được vá phẳng, cảm ơn phường"), "Cảm ơn Ông/Bà đã góp ý")
	if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'rated' AND body = 'Đường đã được vá phẳng, cảm ơn phường'`); n != 1 {
		t.Fatal("the comment written after the photo was not kept")
	}
}

// After «Không hài lòng» reopens a ticket, the citizen may add information
// for a while, not for days: a new, unrelated matter sent the next day
// starts a petition instead of going to the reopened ticket's unit.
func TestANewMatterADayAfterAReopeningStartsAPetition(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c, code := w.answered(5311, 5312, "Vỉa hè bị lấn chiếm để kinh doanh")
	// The reopening, days later, gives a new deadline, which the citizen
	// is told.
	w.now = w.now.Add(72 * time.Hour)
	mustContain(t, c.presses("Không hài lòng"), "mở lại", "gửi thêm thông tin", "Thời hạn trả lời dự kiến")
	w.now = w.now.Add(26 * time.Hour)
	out := c.says("Đèn đường hỏng cả tuần nay trên đường Bạch Đằng")
	mustContain(t, out, "loại nội dung nào")
	if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'info_added'`); n != 0 {
		t.Fatalf("a new matter a day later was added to %s as information:\n%s", code, texts(out))
	}
}

// A reopened ticket is answered again; the citizen presses a rating
// button under the first answer. It must not rate the second answer,
// which they may not have read: they are told the button is of an earlier
// answer and shown the latest with buttons that rate it. A button of the
// older format (the ticket only, sent before answers were told apart) is
// stale as well once there were two answers, and still rates a ticket
// answered once.
func TestRatingButtonsOfAnEarlierAnswerAreStale(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(5501, "ubnd-hai-chau", "officer")
	c := w.citizen(5502)
	code := c.file("Phường Hải Châu", "Vỉa hè bị lấn chiếm để kinh doanh")
	officer.says("/resolve " + code + " Đã nhắc nhở các hộ kinh doanh.")
	firstMsg, firstData := w.findButton(c.id, "Rất hài lòng")
	c.presses("Không hài lòng") // reopened
	officer.says("/resolve " + code + " Đã lập biên bản và cưỡng chế tháo dỡ.")
	if id, _ := w.findButton(c.id, "Rất hài lòng"); id == firstMsg {
		t.Fatal("no second answer")
	}
	var id int64
	if err := w.raw.Get(&id, `SELECT id FROM tickets WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{firstData, fmt.Sprintf("r:%d:5", id)} {
		out := c.pressData(firstMsg, data)
		mustContain(t, out, "câu trả lời trước đây", "cưỡng chế tháo dỡ", "[Rất hài lòng]")
		if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'answered'`, code); n != 1 {
			t.Fatalf("a rating button under the first answer (%s) rated the second one:\n%s", data, texts(out))
		}
	}
	mustContain(t, c.presses("Rất hài lòng"), "Cảm ơn Ông/Bà đã đánh giá")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'completed' AND rating = 5`, code); n != 1 {
		t.Fatal("the latest answer's buttons did not rate it")
	}

	d, other := w.answered(5511, 5512, "Ổ gà lớn trên đường Hùng Vương")
	if err := w.raw.Get(&id, `SELECT id FROM tickets WHERE code = $1`, other); err != nil {
		t.Fatal(err)
	}
	mustContain(t, d.pressData("1", fmt.Sprintf("r:%d:4", id)), "Cảm ơn Ông/Bà đã đánh giá")
}

// A ticket closed unrated says so on its rating buttons also once later
// events (the intake looking up its confidential sender) follow the close.
func TestARatingButtonOfAClosedTicketSaysSoAfterAnIdentityRead(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2965, "ubnd-hoa-cuong", "officer")
	intake := w.staff(2966, "ubnd-tp", "officer")
	c := w.citizen(3965)
	w.now = time.Date(2026, 11, 23, 9, 0, 0, 0, vn)
	c.describe("Phường Hòa Cường", "Cán bộ thu tiền trái quy định khi cấp giấy phép")
	c.presses("Bỏ qua")
	c.says("Bỏ qua")
	c.presses("Giữ bí mật")
	code := codeIn(t, c.presses("Gửi phản ánh"))
	officer.says("/resolve " + code + " Đã xử lý cán bộ vi phạm.")
	policy := handlers.DefaultClockPolicy
	for _, after := range []time.Duration{4 * 24 * time.Hour, 5 * 24 * time.Hour} {
		w.now = w.now.Add(after)
		w.run(func(tx *storage.Store) error { return w.service.CloseUnrated(w.ctx, tx, "telegram", policy) })
	}
	if n := w.count(`SELECT count(*) FROM tickets WHERE status = 'completed'`); n != 1 {
		t.Fatalf("the ticket was not closed unrated")
	}
	mustContain(t, intake.says("/identity "+code+" Cần xác minh để bảo vệ người gửi"), "đã được ghi vào nhật ký")
	w.sent()
	mustAnswer(t, c.presses("Rất hài lòng"), "chưa được đánh giá trong thời hạn")
}
