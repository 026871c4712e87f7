package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
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
