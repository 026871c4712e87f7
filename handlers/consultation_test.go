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

// consultation puts a draft of Phường Hòa Cường out for comments from
// opens to closes (relative to the world's clock) and returns its id.
func (w *world) consultation(title string, opens, closes time.Duration) int64 {
	w.t.Helper()
	var id int64
	err := w.raw.Get(&id, `
		INSERT INTO consultations (unit_id, title, summary, link, opens_at, closes_at, created_at)
		SELECT id, $1, 'Bố trí thêm cây xanh & ghế đá quanh hồ.', 'https://hoacuong.danang.gov.vn/du-thao', $2, $3, $2
		FROM units WHERE code = 'ubnd-hoa-cuong' RETURNING id`, title, w.now.Add(opens), w.now.Add(closes))
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

const day = 24 * time.Hour

// A resident finds the open draft from the menu, reads it and comments;
// the comment is a góp ý ticket of the ward, with its card and receipt,
// and the synthesis reaches everyone who commented, in their language.
func TestResidentCommentsOnAnOpenConsultation(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2401, "ubnd-hoa-cuong", "officer")
	id := w.consultation("Quy hoạch công viên 29/3", -day, 20*day)
	w.consultation("Dự thảo chưa mở", day, 25*day)
	c := w.citizen(3401)

	c.says("/start")
	out := c.presses("Góp ý dự thảo")
	mustContain(t, out, "Quy hoạch công viên 29/3", "UBND phường Hòa Cường", "nhận góp ý đến hết ngày 13/12/2026")
	if strings.Contains(texts(out), "chưa mở") {
		t.Fatal("a consultation not yet open is listed")
	}
	out = c.presses("1. Quy hoạch")
	mustContain(t, out, "Bố trí thêm cây xanh &amp; ghế đá", "https://hoacuong.danang.gov.vn/du-thao", "nhập ý kiến góp ý")

	out = c.says("Đề nghị giữ lại hàng cây sao đen dọc đường 2/9")
	mustContain(t, sentTo(out, c.id), "Cảm ơn Ông/Bà đã góp ý về dự thảo «Quy hoạch công viên 29/3»", "PA-2026-000001",
		"gửi Ông/Bà kết quả tổng hợp")
	// The synthesis answers it: it has no deadline of its own to pass.
	if strings.Contains(texts(out), "Thời hạn trả lời dự kiến") || w.count(`SELECT count(*) FROM tickets WHERE due_at IS NOT NULL`) != 0 {
		t.Fatal("a comment on a consultation got a deadline of its own")
	}
	mustContain(t, sentTo(out, officer.id), "PA-2026-000001</b> · Góp ý", "Lấy ý kiến: Quy hoạch công viên 29/3", "hàng cây sao đen")
	if strings.Contains(texts(sentTo(out, officer.id)), "Khu vực") {
		t.Fatal("a comment's card names an area it does not have")
	}
	if n := w.count(`SELECT count(*) FROM tickets WHERE kind = 'gop_y' AND consultation_id = $1
		AND unit_id = (SELECT id FROM units WHERE code = 'ubnd-hoa-cuong')`, id); n != 1 {
		t.Fatalf("%d comment tickets", n)
	}
	if n := w.count(`SELECT count(*) FROM consents WHERE purpose = 'handling'`); n != 1 {
		t.Fatalf("%d consents recorded", n)
	}
	if n := w.count(`SELECT count(*) FROM conversations`); n != 0 {
		t.Fatal("the comment left a conversation behind")
	}
	// The next message is not taken for another comment.
	mustContain(t, c.says("/gopy"), "Quy hoạch công viên 29/3")

	// An English speaker comments too; closing tells both, once each.
	e := w.citizen(3402)
	e.says("/lang")
	e.presses("English")
	e.says("/gopy")
	e.presses("1. Quy hoạch")
	mustContain(t, e.says("Please keep the old trees along the lake."), "Thank you for your comment")
	w.now = w.now.Add(21 * day)
	err := w.store.InTx(w.ctx, func(tx *storage.Store) error {
		if err := tx.PublishSynthesis(w.ctx, id, "Tiếp thu: giữ lại hàng cây <sao đen>.", w.now); err != nil {
			return err
		}
		cons, err := tx.ConsultationByID(w.ctx, id)
		if err != nil {
			return err
		}
		n, err := handlers.QueueSynthesis(w.ctx, tx, cons, w.now)
		if n != 2 {
			t.Errorf("synthesis queued for %d people", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	out = w.sent()
	checkOutgoing(t, out)
	mustContain(t, sentTo(out, c.id), "UBND phường Hòa Cường công bố kết quả tổng hợp ý kiến", "giữ lại hàng cây &lt;sao đen&gt;")
	mustContain(t, sentTo(out, e.id), "publishes the synthesis")
	if n := w.count(`SELECT count(*) FROM tickets t JOIN ticket_events e ON e.ticket_id = t.id AND e.kind = 'answered'
		WHERE t.consultation_id = $1 AND t.status = 'answered' AND t.answered_at IS NOT NULL AND e.body LIKE 'Tiếp thu%'`, id); n != 2 {
		t.Fatalf("%d comments answered by the synthesis, want 2", n)
	}
	// Closed, it is no longer listed; the other draft has opened meanwhile.
	if list := texts(c.says("/gopy")); strings.Contains(list, "Quy hoạch") || !strings.Contains(list, "Dự thảo chưa mở") {
		t.Fatalf("open consultations after closing one:\n%s", list)
	}
}

// Forged or stale buttons, a period that ends while the resident writes,
// and a comment over the limit are refused politely and file nothing.
func TestConsultationRefusals(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3411)
	mustContain(t, c.says("/gopy"), "chưa có dự thảo nào")
	open := w.consultation("Kế hoạch chỉnh trang vỉa hè", -day, 20*day)
	future := w.consultation("Dự thảo chưa mở", day, 25*day)
	closed := w.consultation("Dự thảo đã tổng hợp", -30*day, 20*day)
	w.exec(`UPDATE consultations SET synthesis = 'Xong', published_at = $2 WHERE id = $1`, closed, w.now)

	for _, d := range []string{fmt.Sprint(future), fmt.Sprint(closed), "999", "-1", "abc", "1:2"} {
		out := c.pressData("1", "g:"+d)
		checkOutgoing(t, out)
		if d == "1:2" {
			mustAnswer(t, out, "không còn hiệu lực")
			continue
		}
		mustAnswer(t, out, "không nhận góp ý")
	}
	mustAnswer(t, c.pressData("1", "g:x"), "không còn hiệu lực")
	if n := w.count(`SELECT count(*) FROM conversations`); n != 0 {
		t.Fatal("a refused press started a comment")
	}

	c.says("/gopy")
	c.presses("1. Kế hoạch")
	mustContain(t, c.sends(func(e *bot.Event) { e.Photo = &bot.File{ID: "p", UniqueID: "p"} }), "bằng chữ")
	mustContain(t, c.says(strings.Repeat("x", 3001)), "vượt quá giới hạn")
	mustContain(t, c.says("ngắn"), "hơi ngắn")
	// Cancel ends the wait; the next text is a petition again.
	mustContain(t, c.presses("Hủy"), "Đã hủy")
	c.says("/gopy")
	c.presses("1. Kế hoạch")

	// The period ends while the resident is writing.
	w.exec(`UPDATE consultations SET closes_at = $2 WHERE id = $1`, open, w.now.Add(time.Minute))
	w.now = w.now.Add(2 * time.Minute)
	mustContain(t, c.says("Đề nghị lát lại vỉa hè đường Núi Thành"), "không nhận góp ý")
	if n := w.count(`SELECT count(*) FROM tickets`); n != 0 {
		t.Fatalf("%d tickets filed by refused comments", n)
	}
	if n := w.count(`SELECT count(*) FROM conversations`); n != 0 {
		t.Fatal("a refused comment left its conversation")
	}
	mustAnswer(t, c.pressData("1", fmt.Sprintf("g:%d", open)), "không nhận góp ý")
}

// closeConsultation publishes a consultation's synthesis now, as
// `danvan admin consultation close` does, and returns what it queued.
func (w *world) closeConsultation(id int64, synthesis string) []bot.Outgoing {
	w.t.Helper()
	err := w.store.InTx(w.ctx, func(tx *storage.Store) error {
		if err := tx.PublishSynthesis(w.ctx, id, synthesis, w.now); err != nil {
			return err
		}
		cons, err := tx.ConsultationByID(w.ctx, id)
		if err != nil {
			return err
		}
		_, err = handlers.QueueSynthesis(w.ctx, tx, cons, w.now)
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return w.sent()
}

// comments has a resident comment on the first open consultation and
// returns the receipt's code.
func (c *citizen) comments(text string) string {
	c.w.t.Helper()
	c.says("/gopy")
	c.presses("1. ")
	return codeIn(c.w.t, c.says(text))
}

// A comment that stays a góp ý, even reclassified to another field or
// transferred, waits for the synthesis without a clock of its own; one
// found to be something else, above all a denunciation now with the
// intake, is no longer answered by the synthesis: it needs its own answer.
func TestTheSynthesisAnswersOnlyWhatIsStillAComment(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2421, "ubnd-hoa-cuong", "officer")
	w.staff(2422, "ubnd-tp", "officer")
	id := w.consultation("Quy hoạch công viên 29/3", -day, 20*day)

	denunciation := w.citizen(3421).comments("Cán bộ phường nhận tiền để đưa dự án vào quy hoạch công viên")
	// A comment has no field: reclassifying it chooses one.
	reclassify := func(kind, reason string) {
		officer.presses("Phân loại lại")
		officer.presses(kind)
		officer.presses("Môi trường")
		mustContain(t, officer.says(reason), "Đã phân loại lại")
	}
	reclassify("Tố cáo", "Nội dung tố cáo hành vi của cán bộ")
	report := w.citizen(3422).comments("Đèn chiếu sáng ở công viên 29/3 bị hỏng nhiều tuần nay")
	reclassify("Phản ánh", "Đây là phản ánh về sự cố chiếu sáng")
	field := w.citizen(3423).comments("Đề nghị bổ sung nhà vệ sinh công cộng trong công viên")
	reclassify("Góp ý", "Ghi nhận lĩnh vực môi trường")
	// Found to be a kiến nghị, it gets a clock; a góp ý again, it waits
	// for the synthesis without one.
	roundTrip := w.citizen(3425).comments("Đề nghị kéo dài giờ mở cửa công viên đến 22 giờ")
	reclassify("Kiến nghị", "Đây là kiến nghị về giờ mở cửa")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND due_at IS NOT NULL`, roundTrip); n != 1 {
		t.Errorf("the comment found to be a kiến nghị %s has no deadline", roundTrip)
	}
	reclassify("Góp ý", "Xếp lại vào góp ý dự thảo")
	moved := w.citizen(3424).comments("Đề nghị làm thêm lối đi cho xe lăn ở cổng công viên")
	officer.says("/transfer " + moved + " ubnd-hai-chau Đơn vị phối hợp lập dự thảo")

	for _, code := range []string{field, moved, roundTrip} {
		if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND due_at IS NULL`, code); n != 1 {
			t.Errorf("the comment %s got a deadline of its own while the consultation runs", code)
		}
	}
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND due_at IS NOT NULL`, report); n != 1 {
		t.Errorf("the comment found to be a phản ánh %s has no deadline", report)
	}

	w.now = w.now.Add(21 * day)
	w.closeConsultation(id, "Tiếp thu ý kiến bổ sung nhà vệ sinh và lối đi cho xe lăn.")
	status := func(code string) string {
		var s string
		if err := w.raw.Get(&s, `SELECT status FROM tickets WHERE code = $1`, code); err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, code := range []string{denunciation, report} {
		if s := status(code); s == storage.StatusAnswered {
			t.Errorf("%s, no longer a comment, was answered by the synthesis", code)
		}
	}
	for _, code := range []string{field, moved, roundTrip} {
		if s := status(code); s != storage.StatusAnswered {
			t.Errorf("the comment %s is %s after the synthesis, want answered", code, s)
		}
	}
}

// Those who co-signed a comment took part in the consultation: they are
// told the synthesis that answers it, as co-signers are told an answer.
func TestCosignersOfACommentGetTheSynthesis(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.staff(2431, "ubnd-hoa-cuong", "officer")
	id := w.consultation("Quy hoạch công viên 29/3", -day, 20*day)
	c, n := w.citizen(3431), w.citizen(3432)
	c.cosigned(c.comments("Đề nghị giữ lại hàng cây sao đen dọc đường 2/9"), n)

	w.now = w.now.Add(21 * day)
	out := w.closeConsultation(id, "Tiếp thu: giữ lại hàng cây sao đen.")
	mustContain(t, sentTo(out, c.id), "Tiếp thu: giữ lại hàng cây sao đen")
	mustContain(t, sentTo(out, n.id), "Tiếp thu: giữ lại hàng cây sao đen")
}

// /gopy in a unit's linked group (a staff member trying it) points to the
// private chat without claiming the group is not linked.
func TestConsultationsInALinkedGroupPointToThePrivateChat(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	leader := w.staff(2441, "ubnd-hoa-cuong", "leader")
	w.consultation("Quy hoạch công viên 29/3", -day, 20*day)
	inGroup := func(mutate func(*bot.Event)) []bot.Outgoing {
		return leader.sends(func(e *bot.Event) {
			e.Chat = bot.Chat{ID: "-100700", Group: true}
			mutate(e)
		})
	}
	mustContain(t, inGroup(func(e *bot.Event) { e.Command, e.Args = "linkgroup", "ubnd-hoa-cuong" }), "Nhóm đã được liên kết")
	for _, out := range [][]bot.Outgoing{
		inGroup(func(e *bot.Event) { e.Command = "gopy" }),
		inGroup(func(e *bot.Event) { e.Button = &bot.Button{QueryID: "q", MessageID: "1", Data: "g:1"} }),
	} {
		checkOutgoing(t, out)
		if told := texts(out); strings.Contains(told, "chưa được liên kết") || !strings.Contains(told, "tin nhắn riêng với bot") {
			t.Errorf("in a linked group, /gopy says:\n%s", told)
		}
	}
	if n := w.count(`SELECT count(*) FROM conversations`); n != 0 {
		t.Fatal("a press in a group started a comment")
	}
}

// A citizen writing a petition opens /gopy and chooses a draft: the
// petition is kept (the comment would otherwise take its place), and they
// are told to send or cancel it first; once it is cancelled, the draft
// takes their comment.
func TestChoosingAConsultationKeepsAPetitionDraft(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.consultation("Quy hoạch công viên 29/3", -day, 20*day)
	c := w.citizen(5221)
	c.describe("Phường Hòa Cường", "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành")
	c.says("/gopy")
	mustContain(t, c.presses("1. Quy hoạch"), "đang soạn dở", "/cancel")
	if w.draftStep(c) != "photos" || !strings.HasPrefix(w.draftField(c, "description"), "Rác thải") {
		t.Fatal("the petition draft was dropped when a consultation was chosen")
	}
	c.says("/cancel")
	mustContain(t, c.presses("1. Quy hoạch"), "nhập ý kiến góp ý")
}

// Co-signing a comment is taking part in the consultation: once its last
// day is over, the sender is not offered to invite anyone, and an
// invitation given before no longer joins.
func TestACommentTakesNoCosignersOnceTheConsultationIsOver(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.staff(2451, "ubnd-hoa-cuong", "officer")
	w.consultation("Quy hoạch công viên 29/3", -day, 20*day)
	c, n := w.citizen(3451), w.citizen(3452)
	code := c.comments("Đề nghị giữ lại hàng cây sao đen dọc đường 2/9")
	c.says("/status " + code)
	m := invitation.FindStringSubmatch(texts(c.presses("Mời người cùng kiến nghị")))
	if m == nil {
		t.Fatal("no invitation while the consultation is open")
	}

	late := w.citizen(3453)
	n.says("/start " + m[1]) // the screen with the button to join

	w.now = w.now.Add(21 * day) // over, not yet closed by an administrator
	if status := c.says("/status " + code); strings.Contains(texts(status), "Mời người cùng kiến nghị") {
		t.Errorf("after the last day, the comment's status still offers to invite:\n%s", texts(status))
	}
	mustContain(t, n.presses("Cùng kiến nghị"), "không còn hiệu lực")
	mustContain(t, late.says("/start "+m[1]), "không còn hiệu lực")
	if k := w.count(`SELECT count(*) FROM ticket_cosigners`); k != 0 {
		t.Fatalf("%d co-signed the comment after the consultation's last day", k)
	}
}
