package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
)

// answeredBeforeTheReply has a unit ask a petition's sender a question and
// answer the petition before they reply; what they send within the day is
// about the answered petition (replyAfterAnswer).
func answeredBeforeTheReply(t *testing.T, officerID, citizenID int) (w *world, officer, c *citizen, code string) {
	t.Helper()
	w, officer, c, code = filed(t, officerID, citizenID, "Cống thoát nước bị tắc, nước tràn ra đường")
	officer.asksOn(code, "Ông/Bà cho biết số nhà gần nhất?")
	w.now = w.now.Add(10 * time.Minute)
	mustContain(t, sentTo(officer.says("/resolve "+code+" Đã nạo vét cống, nước đã rút."), c.id), "Đã nạo vét cống")
	w.now = w.now.Add(5 * time.Minute)
	return w, officer, c, code
}

// photoOf is a photo message without a caption.
func photoOf(id string) func(*bot.Event) {
	return func(e *bot.Event) { e.Photo = &bot.File{ID: id, UniqueID: id} }
}

// hasPhoto reports whether out holds the photo id.
func hasPhoto(out []bot.Outgoing, id string) bool {
	for _, o := range out {
		if o.Kind == bot.KindPhoto && o.FileID == id {
			return true
		}
	}
	return false
}

// What a sender writes about their answered petition within the day, in
// words or a photo alone, is kept on it as their follow-up, reaches the
// unit as its card and shows on its timeline (/ticket); they are told it
// was added to their petition. The rating is offered with the first
// follow-up only: it stays open, unrated, with every message after.
func TestWordsAndPhotosSentAfterTheAnswerAreKeptOnTheTicket(t *testing.T) {
	w, officer, c, code := answeredBeforeTheReply(t, 7101, 7102)
	const words = "Nước vẫn tràn ra đường sau mưa tối qua"

	out := c.says(words)
	mustContain(t, sentTo(out, c.id), code, "đã được ghi nhận", "[Không hài lòng]")
	mustContain(t, sentTo(out, officer.id), code, "sau khi được trả lời", words)
	if n := w.count(`SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE t.code = $1 AND e.kind = 'follow_up' AND e.actor_kind = 'citizen' AND e.body = $2`, code, words); n != 1 {
		t.Fatalf("the words sent after the answer of %s were kept %d times; the citizen got:\n%s", code, n, texts(sentTo(out, c.id)))
	}

	w.now = w.now.Add(time.Minute)
	out = c.sends(photoOf("flooded-street"))
	toCitizen := sentTo(out, c.id)
	mustContain(t, toCitizen, code, "đã được ghi nhận")
	for _, o := range toCitizen {
		if len(o.Buttons) != 0 {
			t.Errorf("the rating, already offered and not yet given, was offered again:\n%s", texts(toCitizen))
		}
	}
	if !hasPhoto(sentTo(out, officer.id), "flooded-street") {
		t.Errorf("the unit did not get the photo sent after the answer:\n%+v", sentTo(out, officer.id))
	}
	if n := w.count(`SELECT count(*) FROM ticket_attachments WHERE file_id = 'flooded-street' AND added_by = 'citizen'`); n != 1 {
		t.Fatalf("the photo sent after the answer was kept %d times", n)
	}
	if n := w.count(`SELECT count(*) FROM conversations WHERE chat_id = $1 AND flow = 'petition'`, c.id); n != 0 {
		t.Fatal("a follow-up started a new petition")
	}
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'answered'`, code); n != 1 {
		t.Fatal("a follow-up changed the answered petition's status")
	}
	mustContain(t, officer.says("/ticket "+code), "Người dân gửi thêm ý kiến sau khi được trả lời: "+words)
}

// A denunciation keeps its sender's identity and photos from the cards
// (law.md §5) when they write after its answer too, as when they add
// information: the intake reads the words, without the sender's name, and
// the photo stays with the petition, off the chats.
func TestAFollowUpOnADenunciationReachesTheIntakeSealed(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	intake := w.staff(7111, "ubnd-tp", "officer")
	c := w.citizen(7112)
	c.denounces("Cán bộ địa chính phường thu tiền trái quy định khi làm sổ đỏ")
	var code string
	if err := w.raw.Get(&code, `SELECT code FROM tickets WHERE kind = 'to_cao'`); err != nil {
		t.Fatal(err)
	}
	intake.asksOn(code, "Ông/Bà cho biết thời gian xảy ra sự việc?")
	w.now = w.now.Add(10 * time.Minute)
	intake.says("/resolve " + code + " Đề nghị Ông/Bà gửi đơn tố cáo có chữ ký đến Thanh tra thành phố.")
	w.now = w.now.Add(5 * time.Minute)
	w.sent()

	out := c.sends(func(e *bot.Event) {
		photoOf("handwritten-letter")(e)
		e.Text = "Đơn tôi đã viết tay, xin gửi kèm"
	})
	mustContain(t, sentTo(out, c.id), code, "đã được ghi nhận")
	toIntake := sentTo(out, intake.id)
	mustContain(t, toIntake, code, "Đơn tôi đã viết tay", "được giữ bí mật")
	if strings.Contains(texts(toIntake), "Người dân 7112") || hasPhoto(toIntake, "handwritten-letter") {
		t.Fatalf("the intake's card of a denunciation's follow-up shows its sender or their photo:\n%s", texts(toIntake))
	}
	if n := w.count(`SELECT count(*) FROM ticket_attachments WHERE file_id = 'handwritten-letter' AND added_by = 'citizen'`); n != 1 {
		t.Fatalf("the denunciation's photo sent after its answer was kept %d times", n)
	}
}

// Follow-ups are the sender's own words and photos: once the petition is
// closed, erasing their data (/mydata) blanks them as it blanks what
// they added before the answer.
func TestErasureBlanksTheFollowUpsOfAClosedTicket(t *testing.T) {
	w, _, c, code := answeredBeforeTheReply(t, 7121, 7122)
	c.says("Nước vẫn tràn ra đường sau mưa tối qua")
	c.sends(photoOf("flooded-street"))
	mustContain(t, c.presses("Rất hài lòng"), "Cảm ơn")
	if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'follow_up' AND body <> ''`); n != 1 {
		t.Fatalf("setup: %d follow-ups with words on %s", n, code)
	}

	mustContain(t, c.erase(), "Đã xóa")
	if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'follow_up' AND body <> ''`); n != 0 {
		t.Error("the follow-up's words outlived the erasure of its sender's data")
	}
	if n := w.count(`SELECT count(*) FROM ticket_attachments WHERE added_by = 'citizen'`); n != 0 {
		t.Error("the follow-up's photo outlived the erasure of its sender's data")
	}
}
