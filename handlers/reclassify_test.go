package handlers_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// classification is what a reclassification may change.
type classification struct {
	Kind         string    `db:"kind"`
	Category     string    `db:"category"`
	Confidential bool      `db:"confidential"`
	DueAt        time.Time `db:"due_at"`
	Paused       bool      `db:"paused"`
}

func (w *world) classification(code string) classification {
	w.t.Helper()
	var s classification
	if err := w.raw.Get(&s, `
		SELECT t.kind, c.code AS category, t.confidential, t.due_at, t.paused_at IS NOT NULL AS paused
		FROM tickets t JOIN categories c ON c.id = t.category_id WHERE t.code = $1`, code); err != nil {
		w.t.Fatal(err)
	}
	return s
}

// filed has a citizen file a petition about Phường Hòa Cường, whose card
// goes to an officer of its ward.
func filed(t *testing.T, officerID, citizenID int, text string) (w *world, officer, c *citizen, code string) {
	t.Helper()
	w = newWorld(t)
	w.seedOrg()
	officer = w.staff(officerID, "ubnd-hoa-cuong", "officer")
	c = w.citizen(citizenID)
	return w, officer, c, c.file("Phường Hòa Cường", text)
}

// asks has a staff member ask for information on their latest card.
func (c *citizen) asks(question string) {
	c.w.t.Helper()
	c.presses("Yêu cầu bổ sung")
	c.says(question)
}

// asksOn has a staff member ask for information on the ticket of code,
// from its card.
func (c *citizen) asksOn(code, question string) {
	c.w.t.Helper()
	c.says("/ticket " + code)
	c.asks(question)
}

// reclassifyAs has a staff member reclassify the ticket of their latest
// card as kind, keeping its category.
func (c *citizen) reclassifyAs(kind, reason string) []bot.Outgoing {
	c.w.t.Helper()
	c.presses("Phân loại lại")
	c.presses(kind)
	c.presses("Giữ lĩnh vực")
	return c.says(reason)
}

func dueDate(at time.Time) string { return at.In(workcal.Location()).Format(time.DateOnly) }

// An officer finds a phản ánh to be a question about transport: kind and
// category change, the deadline becomes the question's 5 working days from
// receipt instead of 10, the timeline records it and the citizen is told
// why and by when.
func TestReclassifyChangesKindCategoryAndDeadline(t *testing.T) {
	w, officer, c, code := filed(t, 2101, 3101, "Đường Núi Thành khi nào được sửa lại mặt đường?")
	// Filed on Monday 23 November 2026: 10 working days end on 7 December.
	if s := w.classification(code); s.Kind != "phan_anh" || s.Category != "moi-truong" || dueDate(s.DueAt) != "2026-12-07" {
		t.Fatalf("filed as %+v", s)
	}
	w.now = w.now.Add(24 * time.Hour)

	mustContain(t, officer.presses("Phân loại lại"), "Chọn loại mới cho phản ánh "+code, "[• Phản ánh]", "[Hỏi đáp]")
	mustContain(t, officer.presses("Hỏi đáp"), "loại mới: Hỏi đáp", "[Giữ lĩnh vực: Môi trường]", "[Giao thông và hạ tầng]")
	officer.presses("Giao thông và hạ tầng")
	if s := w.classification(code); s.Kind != "phan_anh" {
		t.Fatal("changed before the reason was given")
	}
	out := officer.says("Nội dung là câu hỏi về kế hoạch sửa đường")

	// 5 working days from receipt: 24, 25, 26, 27 and 30 November.
	s := w.classification(code)
	if s.Kind != "hoi_dap" || s.Category != "giao-thong" || dueDate(s.DueAt) != "2026-11-30" || s.Confidential {
		t.Fatalf("after reclassifying: %+v", s)
	}
	mustContain(t, sentTo(out, c.id), "Phản ánh <b>"+code+"</b> của Ông/Bà đã được <b>UBND phường Hòa Cường</b> phân loại lại",
		"Phản ánh → Hỏi đáp; lĩnh vực: Môi trường → Giao thông và hạ tầng. Lý do: Nội dung là câu hỏi về kế hoạch sửa đường",
		"Thời hạn trả lời dự kiến: <b>30/11/2026</b>")
	mustContain(t, sentTo(out, officer.id), "Đã phân loại lại phản ánh "+code+" là «Hỏi đáp». Hạn xử lý: 30/11/2026")
	mustContain(t, c.says("/status "+code), "Loại: Hỏi đáp", "Phân loại lại: Phản ánh → Hỏi đáp")

	// Choosing what it already is changes nothing.
	events := w.count(`SELECT count(*) FROM ticket_events`)
	officer.presses("Phân loại lại")
	officer.presses("Hỏi đáp")
	mustAnswer(t, officer.presses("Giữ lĩnh vực"), "Phân loại không thay đổi")
	if n := w.count(`SELECT count(*) FROM ticket_events`); n != events {
		t.Fatalf("an unchanged classification was recorded: %d → %d events", events, n)
	}
}

// A ticket found to be a denunciation becomes confidential (law.md §5): the
// card stops naming its sender, and the citizen is told how a denunciation
// is made. Its clock is the guidance one, 5 working days from receipt.
func TestReclassifyAsDenunciationMakesItConfidential(t *testing.T) {
	w, officer, c, code := filed(t, 2111, 3111, "Cán bộ địa chính đòi tiền khi làm sổ đỏ")
	intake := w.staff(2112, "ubnd-tp", "officer")
	mustContain(t, officer.says("/ticket "+code), "Người dân 3111")

	out := officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ")
	s := w.classification(code)
	if s.Kind != "to_cao" || s.Category != "moi-truong" || !s.Confidential || dueDate(s.DueAt) != "2026-11-30" {
		t.Fatalf("after reclassifying: %+v", s)
	}
	mustContain(t, sentTo(out, c.id), "Phản ánh → Tố cáo. Lý do:", "đã được chuyển đến <b>UBND thành phố Đà Nẵng</b>", "Lưu ý về tố cáo")
	// It leaves the ward, which it may accuse, for the intake (law.md §5).
	if n := w.count(`SELECT count(*) FROM tickets t JOIN units u ON u.id = t.unit_id WHERE t.code = $1 AND u.code = 'ubnd-tp'`, code); n != 1 {
		t.Fatal("the denunciation stayed with the ward")
	}
	card := texts(sentTo(out, intake.id))
	if !strings.Contains(card, "Lý do chuyển:") || strings.Contains(card, "Người dân 3111") || !strings.Contains(card, "được giữ bí mật") {
		t.Fatalf("the intake's card:\n%s", card)
	}
	mustContain(t, officer.says("/ticket "+code), "không có quyền")
}

// A ticket waiting for the citizen keeps its clock paused through a
// reclassification, and its deadline still moves by the wait afterwards.
func TestReclassifyKeepsAPausedClockPaused(t *testing.T) {
	w, officer, c, code := filed(t, 2121, 3121, "Đề nghị lắp thêm đèn chiếu sáng ở kiệt 45")
	officer.asks("Ông/Bà cho biết kiệt nào?")
	officer.reclassifyAs("Hỏi đáp", "Đây là câu hỏi về kế hoạch lắp đèn")
	s := w.classification(code)
	if s.Kind != "hoi_dap" || !s.Paused || dueDate(s.DueAt) != "2026-11-30" {
		t.Fatalf("after reclassifying while waiting: %+v", s)
	}
	// The citizen answers a working week later: the deadline moves by it.
	w.now = w.now.Add(7 * 24 * time.Hour)
	c.says("Kiệt 45 Núi Thành")
	if s := w.classification(code); s.Paused || dueDate(s.DueAt) != "2026-12-07" {
		t.Fatalf("after the citizen's answer: %+v", s)
	}
}

// A deadline already moved for a wait for the citizen keeps that time
// under the new kind.
func TestReclassifyKeepsTheTimeWaitedForTheCitizen(t *testing.T) {
	w, officer, c, code := filed(t, 2141, 3141, "Khi nào phường tổ chức tiêm phòng dại cho chó mèo?")
	officer.asks("Ông/Bà ở tổ dân phố nào?")
	w.now = w.now.Add(7 * 24 * time.Hour) // a working week
	c.says("Tổ 12")
	if s := w.classification(code); dueDate(s.DueAt) != "2026-12-14" {
		t.Fatalf("after the wait: %+v", s)
	}
	officer.reclassifyAs("Hỏi đáp", "Đây là câu hỏi")
	// 5 working days from receipt (30 November), and the week waited.
	if s := w.classification(code); s.Kind != "hoi_dap" || dueDate(s.DueAt) != "2026-12-07" {
		t.Fatalf("after reclassifying: %+v", s)
	}
}

// Leaders told that a ticket is overdue are not told again because its
// kind changed, unless the change gives it a later deadline.
func TestReclassifyKeepsEscalationsUnlessTheDeadlineMovesLater(t *testing.T) {
	w, officer, _, code := filed(t, 2151, 3151, "Hố ga mất nắp trên đường 2 Tháng 9")
	leader := w.staff(2152, "ubnd-hoa-cuong", "leader")
	w.exec(`INSERT INTO deadline_rules (kind, category_id, answer_limit, legal_basis)
		SELECT 'gop_y', id, 20, 'test' FROM categories WHERE code = 'giao-thong'`)
	escalations := func() int {
		t.Helper()
		w.run(func(tx *storage.Store) error {
			return w.service.Escalate(w.ctx, tx, "telegram", handlers.DefaultClockPolicy)
		})
		return len(sentTo(w.sent(), leader.id))
	}
	w.now = time.Date(2026, 12, 8, 8, 0, 0, 0, workcal.Location()) // due 7 December
	if n := escalations(); n != 1 {
		t.Fatalf("%d escalations of the overdue ticket", n)
	}
	officer.reclassifyAs("Kiến nghị", "Đề nghị sửa chữa")   // the same 10 working days
	officer.reclassifyAs("Hỏi đáp", "Hỏi về thời gian sửa") // 5: earlier still
	if n := escalations(); n != 0 {
		t.Fatalf("the same overdue ticket escalated again after reclassifying (%d)", n)
	}
	officer.presses("Phân loại lại")
	officer.presses("Góp ý")
	officer.presses("Giao thông và hạ tầng")
	officer.says("Góp ý về hạ tầng giao thông")
	if s := w.classification(code); dueDate(s.DueAt) != "2026-12-21" {
		t.Fatalf("under the 20-day rule: %+v", s)
	}
	w.now = time.Date(2026, 12, 22, 8, 0, 0, 0, workcal.Location())
	if n := escalations(); n != 1 {
		t.Fatalf("%d escalations when the later deadline passed", n)
	}
}

// Forged or stale choices, and staff of another unit, change nothing.
func TestReclassifyRefusals(t *testing.T) {
	w, officer, c, code := filed(t, 2131, 3131, "Rác thải tồn đọng ở chợ")
	other := w.staff(2132, "ubnd-hai-chau", "officer")
	var id int64
	if err := w.raw.Get(&id, `SELECT id FROM tickets WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	before := w.classification(code)
	events := w.count(`SELECT count(*) FROM ticket_events`)

	mustAnswer(t, other.pressData("1", fmt.Sprintf("o:kind:%d", id)), "không có quyền")
	mustAnswer(t, other.pressData("1", fmt.Sprintf("o:rc:%d:hoi_dap:0", id)), "không có quyền")
	mustAnswer(t, c.pressData("1", fmt.Sprintf("o:rk:%d:hoi_dap", id)), "không có quyền")
	mustAnswer(t, officer.pressData("1", fmt.Sprintf("o:rk:%d:bi_mat", id)), "không còn hiệu lực")
	mustAnswer(t, officer.pressData("1", fmt.Sprintf("o:rc:%d:hoi_dap:999999", id)), "không còn hiệu lực")
	mustAnswer(t, officer.pressData("1", fmt.Sprintf("o:rc:%d:hoi_dap:-1", id)), "không còn hiệu lực")
	mustAnswer(t, officer.pressData("1", fmt.Sprintf("o:rc:%d:phan_anh:0", id)), "không thay đổi")
	if n := w.count(`SELECT count(*) FROM conversations WHERE flow = 'officer'`); n != 0 {
		t.Fatal("a refused choice started a task")
	}

	// Cancelling at the reason changes nothing either.
	officer.presses("Phân loại lại")
	officer.presses("Hỏi đáp")
	officer.presses("Giữ lĩnh vực")
	mustContain(t, officer.says("/cancel"), "Đã hủy")
	if after := w.classification(code); after != before {
		t.Fatalf("refusals changed the ticket: %+v → %+v", before, after)
	}
	if n := w.count(`SELECT count(*) FROM ticket_events`); n != events {
		t.Fatalf("refusals changed the timeline: %d → %d events", events, n)
	}

	// A closed ticket cannot be reclassified.
	w.exec(`UPDATE tickets SET status = 'completed' WHERE id = $1`, id)
	mustAnswer(t, officer.pressData("1", fmt.Sprintf("o:rc:%d:hoi_dap:0", id)), "đã kết thúc")
}

// fileWithLetter has a citizen file a petition about Phường Hòa Cường with
// a photo of a handwritten letter, and returns its code.
func (c *citizen) fileWithLetter(text string) string {
	c.w.t.Helper()
	c.describe("Phường Hòa Cường", text)
	c.sends(func(e *bot.Event) { e.Photo = &bot.File{ID: "handwritten-letter", UniqueID: "hl"} })
	c.presses("Tiếp tục")
	c.says("Bỏ qua")
	c.presses("Không cần")
	return codeIn(c.w.t, c.presses("Gửi phản ánh"))
}

// A denunciation's photos may show its sender's handwriting (law.md §5):
// once a ticket has been a tố cáo, they stay off its cards even after it
// is reclassified as something else, as its identity stays sealed.
func TestPhotosOfAFormerDenunciationStayOffTheCards(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2161, "ubnd-hoa-cuong", "officer")
	other := w.staff(2162, "ubnd-hai-chau", "officer")
	intake := w.staff(2163, "ubnd-tp", "officer")
	c := w.citizen(3161)
	c.fileWithLetter("Tôi gửi kèm đơn viết tay về việc thu phí chợ")

	officer.reclassifyAs("Tố cáo", "Nội dung tố cáo cán bộ thu phí")
	// The intake, which now has it, finds it a kiến nghị after all.
	intake.reclassifyAs("Kiến nghị", "Nội dung là kiến nghị về mức phí chợ")
	intake.presses("Chuyển đơn vị")
	intake.presses("UBND phường Hải Châu")
	card := sentTo(intake.says("Thuộc địa bàn phường Hải Châu"), other.id)
	mustContain(t, card, "Kiến nghị", "được giữ bí mật")
	for _, o := range card {
		if o.FileID != "" {
			t.Fatalf("a former denunciation's photo went on a card: %+v", o)
		}
	}
}

// The timeline entry of a reclassification is the citizen's to read in
// /status and in their /mydata file: it is written in their language, not
// in the one the officer chose for themselves.
func TestReclassificationIsRecordedInTheCitizensLanguage(t *testing.T) {
	_, officer, c, code := filed(t, 2171, 3171, "Khi nào phường thu gom rác cồng kềnh?")
	officer.says("/lang")
	officer.presses("English")
	officer.says("/ticket " + code)
	officer.presses("Reclassify")
	officer.presses("Question")
	officer.presses("Keep the field")
	mustContain(t, sentTo(officer.says("Đây là câu hỏi"), officer.id), "is now a «Question»")
	mustContain(t, c.says("/status "+code), "Phân loại lại: Phản ánh → Hỏi đáp. Lý do: Đây là câu hỏi")
}

// Between two rules in calendar days, the new deadline gets back the days
// the citizen was waited for, not also the days the old deadline was
// moved off a weekend.
func TestReclassifyInCalendarDaysCreditsOnlyTheWait(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.exec(`UPDATE deadline_rules SET limit_unit = 'days', answer_limit = CASE kind WHEN 'hoi_dap' THEN 10 ELSE 4 END`)
	officer := w.staff(2191, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3191)
	// Filed on Monday 23/11/2026: 4 days end on Friday 27/11; a day's
	// wait makes it Saturday 28/11, moved to Monday 30/11.
	w.now = time.Date(2026, 11, 23, 9, 0, 0, 0, vn)
	code := c.file("Phường Hòa Cường", "Hỏi thủ tục xin giấy phép sửa nhà")
	if due := w.pauseFor(officer, c, code, time.Date(2026, 11, 24, 9, 0, 0, 0, vn), time.Date(2026, 11, 25, 9, 0, 0, 0, vn)); due != "2026-11-30" {
		t.Fatalf("after the wait due = %s, want 2026-11-30", due)
	}
	officer.reclassifyAs("Hỏi đáp", "Đây là câu hỏi về thủ tục")
	// 10 days and the day waited from Monday 23/11: Friday 04/12.
	if due := w.dueOf(code).Format("2006-01-02"); due != "2026-12-04" {
		t.Fatalf("after reclassifying due = %s, want 2026-12-04", due)
	}
}

// A ticket found to be a denunciation is taken off the ward's chats that
// had its card and photo (law.md §5: the ward may be the one accused, and
// the denouncer's name and handwriting are secret): the card becomes a
// notice, the photo is deleted and the kept copies are blanked. The
// sender's own messages and the intake's new card stay.
func TestDenunciationIsSealedInTheChatsThatHadItsCard(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2171, "ubnd-hoa-cuong", "officer")
	intake := w.staff(2172, "ubnd-tp", "officer")
	c := w.citizen(3171)
	code := c.fileWithLetter("Cán bộ phường thu tiền trái phép khi cấp phép sửa nhà, tôi gửi kèm đơn viết tay")
	other := w.citizen(3172).file("Phường Hòa Cường", "Đèn đường hỏng trước nhà số 9 Núi Thành")
	officer.says("/ticket " + code) // a second card in the officer's chat
	officer.says("/inbox")          // a list quoting both tickets
	// The sender delivers what is queued: each message gets the id of
	// its outbox row, an edit keeps the id of the message it edits.
	w.exec(`UPDATE outbox SET status = 'sent', sent_message_id = coalesce(payload->>'message_id', id::text) WHERE status = 'pending'`)
	list := fmt.Sprint(w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND payload::text LIKE '%Đèn đường hỏng%'
		AND payload::text LIKE '%Cán bộ phường thu tiền%'`, officer.id))
	// One more card is still queued when the ticket is sealed.
	officer.says("/ticket " + code)
	queued := w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND status = 'pending'`, officer.id)
	var cards, photos, timelines []string
	if err := w.raw.Select(&cards, `SELECT sent_message_id FROM outbox WHERE chat_id = $1 AND kind = 'text'
		AND status = 'sent' AND payload::text LIKE '%Người dân 3171%' ORDER BY id`, officer.id); err != nil || len(cards) != 2 {
		t.Fatalf("cards in the officer's chat: %v, %v", cards, err)
	}
	if err := w.raw.Select(&photos, `SELECT sent_message_id FROM outbox WHERE chat_id = $1 AND kind = 'photo'`, officer.id); err != nil || len(photos) != 1 {
		t.Fatalf("photos in the officer's chat: %v, %v", photos, err)
	}
	if err := w.raw.Select(&timelines, `SELECT sent_message_id FROM outbox WHERE chat_id = $1 AND status = 'sent'
		AND payload->>'text' LIKE '%Quá trình xử lý ' || $2 || '%'`, officer.id, code); err != nil || len(timelines) != 1 {
		t.Fatalf("timelines in the officer's chat: %v, %v", timelines, err)
	}

	out := officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ phường")
	checkOutgoing(t, out)
	sealed := map[string]bool{}
	for _, o := range sentTo(out, officer.id) {
		switch {
		case o.Kind == bot.KindEdit && o.MessageID == list:
		case o.Kind == bot.KindEdit:
			if !strings.Contains(o.Text, "đã được xác định là tố cáo") || strings.Contains(o.Text, "3171") || len(o.Buttons) != 0 {
				t.Fatalf("a card edited into %q with %d button rows", o.Text, len(o.Buttons))
			}
			sealed[o.MessageID] = true
		case o.Kind == bot.KindDelete:
			if o.MessageID != photos[0] {
				t.Fatalf("deleted message %s, the photo is %s", o.MessageID, photos[0])
			}
			sealed["photo"] = true
		}
	}
	if !sealed[cards[0]] || !sealed[cards[1]] || !sealed[timelines[0]] || !sealed["photo"] {
		t.Fatalf("sealed %v; cards %v, timeline %v, photo %v", sealed, cards, timelines, photos)
	}
	if n := w.count(`SELECT count(*) FROM outbox WHERE id IN ($1, $2) AND status = 'pending'
		AND payload->>'text' LIKE '%đã được xác định là tố cáo%' AND payload::text NOT LIKE '%3171%'`, queued-1, queued); n != 2 {
		t.Fatalf("%d of the card and timeline still queued for the ward were sealed where they wait, want 2", n)
	}
	// The list keeps the other ticket and loses the denunciation's words.
	var edited bool
	for _, o := range sentTo(out, officer.id) {
		if o.Kind == bot.KindEdit && o.MessageID == list {
			edited = true
			if strings.Contains(o.Text, "thu tiền trái phép") || !strings.Contains(o.Text, "nội dung được giữ bí mật") ||
				!strings.Contains(o.Text, other) || !strings.Contains(o.Text, "Đèn đường hỏng") || len(o.Buttons) != 2 {
				t.Fatalf("the list became %q with %d button rows", o.Text, len(o.Buttons))
			}
		}
	}
	if !edited {
		t.Fatal("the /inbox list quoting the denunciation was not edited")
	}
	for _, o := range sentTo(out, c.id) {
		if o.Kind == bot.KindEdit || o.Kind == bot.KindDelete {
			t.Fatalf("the sender's own message was changed: %+v", o)
		}
	}
	mustContain(t, sentTo(out, intake.id), code, "Lý do chuyển:")
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = $1 AND status = 'sent' AND payload::text LIKE '%' || $2 || '%'`,
		officer.id, code); n != 0 {
		t.Fatalf("%d copies naming %s kept for the ward's chat", n, code)
	}
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = $1 AND status = 'sent' AND payload::text LIKE '%' || $2 || '%'`,
		c.id, code); n == 0 {
		t.Fatal("the sender's own copies were blanked")
	}
	// Found to be something else later, it is not sealed again.
	w.exec(`UPDATE outbox SET status = 'sent', sent_message_id = coalesce(payload->>'message_id', id::text) WHERE status = 'pending'`)
	for _, o := range intake.reclassifyAs("Kiến nghị", "Nội dung là kiến nghị") {
		if o.Kind == bot.KindEdit && strings.Contains(o.Text, "xác định là tố cáo") {
			t.Fatalf("sealed again: %+v", o)
		}
	}
}

// Sealing also reaches both parts of a card too long for one message (a
// long petition and the long information added to it), spares what the
// co-signers were told, seals where it waits a card a sender is
// delivering at that moment (a retry sends the sealed one), and a long
// timeline stays one message.
func TestSealingReachesASplitCardAndSparesCosignersAndDeliveries(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2181, "ubnd-hoa-cuong", "officer")
	w.staff(2182, "ubnd-tp", "officer")
	c, n := w.citizen(3181), w.citizen(3182)
	long := strings.Repeat("Cán bộ địa chính phường nhận tiền khi làm sổ đỏ. ", 55)
	code := c.file("Phường Hòa Cường", long)
	c.cosigned(code, n)
	officer.asks("Ông/Bà cho biết thêm thời gian, địa điểm?")
	c.says(strings.Repeat("Ngày 12/11 tại trụ sở phường, có người làm chứng. ", 55))
	for i := range 16 {
		officer.says(fmt.Sprintf("/note %s Ghi chú %d: %s", code, i, strings.Repeat("đã xác minh một phần nội dung; ", 9)))
	}
	timeline := officer.says("/ticket " + code)
	for _, o := range timeline {
		if n := bot.TextLen(o.Text); n > bot.MaxTextLen {
			t.Fatalf("a message of %d characters", n)
		}
	}
	mustContain(t, timeline, "mục trước không hiển thị", "Ghi chú 15")
	w.exec(`UPDATE outbox SET status = 'sent', sent_message_id = coalesce(payload->>'message_id', id::text) WHERE status = 'pending'`)
	// Every message quoting the petition or what was added to it: the
	// cards (the one with the information added in two parts) and the
	// timeline.
	var parts []string
	if err := w.raw.Select(&parts, `SELECT sent_message_id FROM outbox WHERE chat_id = $1 AND status = 'sent'
		AND (payload->>'text' LIKE '%có người làm chứng%' OR payload->>'text' LIKE '%nhận tiền khi làm sổ đỏ%') ORDER BY id`,
		officer.id); err != nil || len(parts) < 4 {
		t.Fatalf("messages quoting the petition: %v, %v", parts, err)
	}
	var split int
	if err := w.raw.Get(&split, `SELECT count(*) FROM outbox WHERE chat_id = $1 AND status = 'sent'
		AND payload->>'text' LIKE '%nhận tiền khi làm sổ đỏ%' AND payload->'buttons' IS NULL`, officer.id); err != nil || split == 0 {
		t.Fatalf("no card was split in two (%d): the test does not test it", split)
	}
	// A card a sender is delivering as the ticket is sealed.
	officer.says("/ticket " + code)
	w.exec(`UPDATE outbox SET lease_until = now() + interval '1 minute' WHERE chat_id = $1 AND status = 'pending'`, officer.id)
	leased := w.count(`SELECT count(*) FROM outbox WHERE chat_id = $1 AND status = 'pending'`, officer.id)

	out := officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ")
	edited := map[string]bool{}
	for _, o := range out {
		if o.ChatID == n.id && (o.Kind == bot.KindEdit || o.Kind == bot.KindDelete) {
			t.Fatalf("what a co-signer was told was changed: %+v", o)
		}
		if o.ChatID == officer.id && o.Kind == bot.KindEdit {
			edited[o.MessageID] = strings.Contains(o.Text, "đã được xác định là tố cáo")
		}
	}
	for _, p := range parts {
		if !edited[p] {
			t.Fatalf("message %s quoting the petition was not sealed; sealed %v", p, edited)
		}
	}
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = $1 AND status = 'pending' AND lease_until > now()
		AND payload::text NOT LIKE '%Người dân 3181%' AND payload::text NOT LIKE '%nhận tiền khi làm sổ đỏ%'`, officer.id); n != leased {
		t.Fatalf("%d of the %d messages being delivered are left in the outbox, sealed for a retry", n, leased)
	}
}

// Sealing leaves alone another ticket's card that mentions the sealed
// one's code, and a reminder listing it, whatever the sender's name.
func TestSealingLeavesOtherTicketsAlone(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2191, "ubnd-hoa-cuong", "officer")
	w.staff(2192, "ubnd-tp", "officer")
	c := w.citizen(3191)
	c.name = "A" // a name found in every code (PA-…)
	code := c.file("Phường Hòa Cường", "Cán bộ phường thu tiền trái phép khi cấp phép sửa nhà")
	other := w.citizen(3192).file("Phường Hòa Cường", "Tôi đã gửi phản ánh "+code+" rồi, nay đường lại ngập")
	w.now = w.now.Add(11 * 24 * time.Hour) // Friday 4/12: both due on Monday, the reminder lists them
	w.run(func(tx *storage.Store) error { return w.service.RemindUnits(w.ctx, tx, "telegram") })
	officer.says("/ticket " + code) // its card is the latest: reclassifyAs acts on it
	w.exec(`UPDATE outbox SET status = 'sent', sent_message_id = coalesce(payload->>'message_id', id::text) WHERE status = 'pending'`)
	otherCard := fmt.Sprint(w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND payload->>'text' LIKE '%nay đường lại ngập%'
		AND payload::text LIKE '%"o:accept:%'`, officer.id))
	reminder := fmt.Sprint(w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND payload->>'text' LIKE '%' || $2 || '%'
		AND payload->>'text' LIKE '%' || $3 || '%' AND payload::text NOT LIKE '%"o:accept:%'`, officer.id, code, other))
	sealed := 0
	for _, o := range officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ") {
		if (o.Kind == bot.KindEdit || o.Kind == bot.KindDelete) && (o.MessageID == otherCard || o.MessageID == reminder) {
			t.Fatalf("sealing changed message %s (another ticket's card is %s, the reminder %s): %+v", o.MessageID, otherCard, reminder, o)
		}
		if o.Kind == bot.KindEdit && strings.Contains(o.Text, code+"</b> đã được xác định là tố cáo") {
			sealed++
		}
	}
	if sealed < 2 { // the new card and /ticket's card and timeline
		t.Fatalf("%d of the ticket's own messages sealed", sealed)
	}
	// The other ticket's kept copy stays, so that it can be sealed in
	// turn when it too is found to be a denunciation.
	if n := w.count(`SELECT count(*) FROM outbox WHERE id = $1 AND payload->>'text' LIKE '%nay đường lại ngập%'`, otherCard); n != 1 {
		t.Fatal("sealing one ticket blanked the kept copy of another ticket's card")
	}
	officer.says("/ticket " + other)
	w.exec(`UPDATE outbox SET status = 'sent', sent_message_id = coalesce(payload->>'message_id', id::text) WHERE status = 'pending'`)
	sealedOther := false
	for _, o := range officer.reclassifyAs("Tố cáo", "Nội dung tố cáo") {
		sealedOther = sealedOther || o.Kind == bot.KindEdit && o.MessageID == otherCard
	}
	if !sealedOther {
		t.Fatal("the other ticket's first card was not sealed when it became a denunciation")
	}
}

// A card queued by another update of the same batch (one transaction)
// is sealed too.
func TestSealingReachesACardQueuedInTheSameBatch(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2201, "ubnd-hoa-cuong", "officer")
	colleague := w.staff(2202, "ubnd-hoa-cuong", "officer")
	w.staff(2203, "ubnd-tp", "officer")
	code := w.citizen(3201).file("Phường Hòa Cường", "Cán bộ phường thu tiền trái phép khi cấp phép sửa nhà")
	officer.presses("Phân loại lại")
	officer.presses("Tố cáo")
	officer.presses("Giữ lĩnh vực")
	look, reason := colleague.event(), officer.event()
	look.Command, look.Args = "ticket", code
	reason.Text = "Nội dung tố cáo hành vi của cán bộ"
	err := w.store.InTx(w.ctx, func(tx *storage.Store) error {
		if err := w.service.Handle(w.ctx, tx, look); err != nil {
			return err
		}
		return w.service.Handle(w.ctx, tx, reason)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = $1 AND payload::text LIKE '%thu tiền trái phép%'`, colleague.id); n != 0 {
		t.Fatalf("%d messages with the denunciation's words queued for the colleague in the same batch", n)
	}
}

// The intake, holding a petition transferred to it, finds it a
// denunciation: its own earlier card and photo named and showed the
// sender too, so they are sealed like the ward's, and it gets a new card
// without the name. The photos stay with it, shown with the identity.
func TestSealingReachesTheChatsOfTheUnitThatKeepsIt(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	ward := w.staff(2181, "ubnd-hoa-cuong", "officer")
	intake := w.staff(2182, "ubnd-tp", "officer")
	c := w.citizen(3181)
	code := c.fileWithLetter("Tổ trưởng dân phố thu tiền trái phép, tôi gửi kèm đơn viết tay")
	ward.presses("Chuyển đơn vị")
	ward.presses("UBND thành phố Đà Nẵng")
	mustContain(t, sentTo(ward.says("Vượt thẩm quyền của phường"), intake.id), code, "Người dân 3181")
	w.exec(`UPDATE outbox SET status = 'sent', sent_message_id = id::text WHERE status = 'pending'`)
	card := fmt.Sprint(w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND kind = 'text'
		AND payload::text LIKE '%Người dân 3181%'`, intake.id))
	photo := fmt.Sprint(w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND kind = 'photo'`, intake.id))

	out := intake.reclassifyAs("Tố cáo", "Nội dung tố cáo tổ trưởng dân phố")
	checkOutgoing(t, out)
	var sealedCard, deletedPhoto bool
	var fresh []bot.Outgoing
	for _, o := range sentTo(out, intake.id) {
		switch {
		case o.Kind == bot.KindEdit && o.MessageID == card:
			sealedCard = !strings.Contains(o.Text, "3181") && len(o.Buttons) == 0
		case o.Kind == bot.KindDelete && o.MessageID == photo:
			deletedPhoto = true
		case o.Kind == bot.KindText && strings.Contains(o.Text, "Tổ trưởng dân phố thu tiền"):
			fresh = append(fresh, o)
		case o.Kind == bot.KindPhoto || o.Kind == bot.KindEdit || o.Kind == bot.KindDelete:
			t.Fatalf("unexpected message to the intake: %+v", o)
		}
	}
	if !sealedCard || !deletedPhoto {
		t.Fatalf("the intake's card sealed %v, its photo deleted %v", sealedCard, deletedPhoto)
	}
	if len(fresh) != 1 || strings.Contains(fresh[0].Text, "3181") || !strings.Contains(fresh[0].Text, "giữ bí mật") ||
		len(fresh[0].Buttons) == 0 {
		t.Fatalf("the intake's new card: %+v", fresh)
	}
	mustContain(t, sentTo(out, ward.id), "đã được xác định là tố cáo")
	// The intake reads the identity, and with it the photos.
	shown := intake.says("/identity " + code + " Cần xác minh nội dung đơn")
	mustContain(t, shown, "Người dân 3181")
	if n := len(slices.DeleteFunc(shown, func(o bot.Outgoing) bool { return o.FileID != "handwritten-letter" })); n != 1 {
		t.Fatalf("%d copies of the sender's photo with the identity, want 1: %+v", n, shown)
	}
	if n := len(slices.DeleteFunc(ward.says("/identity "+code+" xem"), func(o bot.Outgoing) bool { return o.FileID == "" })); n != 0 {
		t.Fatal("the ward was shown the photos")
	}
}

// A ticket found, while its clock is paused for the citizen, to be a
// complaint, whose guidance rule does not pause (its 5 working days are
// the law's forwarding limit), is counted as if it had been a complaint
// from receipt: the clock ran through the wait, so the wait moves nothing
// and the clock runs on.
func TestReclassifyToARuleThatDoesNotPauseCountsNoWait(t *testing.T) {
	w, officer, _, code := filed(t, 2241, 3241, "Phường thu hồi giấy phép kinh doanh của tôi không đúng")
	officer.asks("Ông/Bà gửi bản chụp quyết định thu hồi?")
	w.now = w.now.Add(3 * 24 * time.Hour) // Thursday 26/11, three working days waited
	officer.reclassifyAs("Khiếu nại", "Nội dung là khiếu nại quyết định hành chính")
	// 5 working days from receipt: 24, 25, 26, 27 and 30 November.
	if s := w.classification(code); s.Kind != "khieu_nai" || s.Paused || dueDate(s.DueAt) != "2026-11-30" {
		t.Fatalf("after reclassifying while waiting: %+v", s)
	}
}

// Nor does a wait already over: the new deadline under a rule that does
// not pause is its limit from receipt.
func TestReclassifyToARuleThatDoesNotPauseDropsPastWaits(t *testing.T) {
	w, officer, c, code := filed(t, 2251, 3251, "Phường thu hồi giấy phép kinh doanh của tôi không đúng")
	officer.asks("Ông/Bà gửi bản chụp quyết định thu hồi?")
	w.now = w.now.Add(3 * 24 * time.Hour)
	c.says("Quyết định số 12/QĐ-UBND")
	if s := w.classification(code); dueDate(s.DueAt) != "2026-12-10" {
		t.Fatalf("after the wait: %+v", s)
	}
	officer.reclassifyAs("Khiếu nại", "Nội dung là khiếu nại quyết định hành chính")
	if s := w.classification(code); s.Kind != "khieu_nai" || s.Paused || dueDate(s.DueAt) != "2026-11-30" {
		t.Fatalf("after reclassifying: %+v", s)
	}
}
