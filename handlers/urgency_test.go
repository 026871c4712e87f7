package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
)

// urgencyOf reads whether a ticket is urgent and the limit of its rule.
func (w *world) urgencyOf(code string) (urgent bool, rule string) {
	w.t.Helper()
	var row struct {
		Urgent bool   `db:"urgent"`
		Rule   string `db:"rule"`
	}
	if err := w.raw.Get(&row, `SELECT t.urgent, r.answer_limit || ' ' || r.limit_unit AS rule
		FROM tickets t JOIN deadline_rules r ON r.id = t.deadline_rule_id WHERE t.code = $1`, code); err != nil {
		w.t.Fatal(err)
	}
	return row.Urgent, row.Rule
}

// A sender marks a danger as urgent on the review screen, which also says
// whom to call when lives are at risk: the ticket takes the urgent rule
// (8 working hours), the unit's leaders are told at once (without the
// sender's words), and its card, the unit's lists, /status and the
// person's download show it.
func TestASenderMarksAReportUrgentAndItIsDueWithinAWorkingDay(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2701, "ubnd-hoa-cuong", "officer")
	leader := w.staff(2709, "ubnd-hoa-cuong", "leader")
	c := w.citizen(3701)
	w.now = time.Date(2026, 11, 23, 9, 0, 0, 0, vn) // Monday
	mustContain(t, c.toReview("Phường Hòa Cường", "Cây đổ chắn ngang đường Núi Thành, xe không qua được"), "Mức độ: Thông thường", "<b>113</b>", "<b>115</b>", "[🚨 Báo là khẩn cấp]")
	mustContain(t, c.presses("🚨 Báo là khẩn cấp"), "Mức độ: 🚨 Khẩn cấp", "[Bỏ đánh dấu khẩn cấp]")
	out := c.presses("Gửi phản ánh")
	code := codeIn(t, out)
	checkOutgoing(t, out)

	// 09:00–11:30 and 13:30–17:00 on Monday, then 07:30–09:30 on Tuesday.
	mustContain(t, sentTo(out, c.id), "chậm nhất <b>09:30</b> ngày <b>24/11/2026</b> (8 giờ làm việc)")
	if urgent, rule := w.urgencyOf(code); !urgent || rule != "8 working_hours" {
		t.Fatalf("urgent %v under rule %q, want true under 8 working_hours", urgent, rule)
	}
	if due := w.dueOf(code).Format("2006-01-02 15:04"); due != "2026-11-24 09:30" {
		t.Fatalf("due %s, want 2026-11-24 09:30", due)
	}
	mustContain(t, sentTo(out, officer.id), "<b>"+code+"</b> · Phản ánh · Đã tiếp nhận · 🚨 KHẨN")
	told := sentTo(out, leader.id)
	mustContain(t, told, "<b>"+code+"</b> · Phản ánh · KHẨN CẤP", "Lĩnh vực: Môi trường", "Thời hạn giải quyết: 24/11/2026 09:30")
	if s := texts(told); len(told) != 1 || strings.Contains(s, "Cây đổ") || strings.Contains(s, "Người dân") {
		t.Fatalf("the leader was told %d messages, or the sender's words or name: %s", len(told), s)
	}
	mustContain(t, officer.says("/inbox"), code+"</b> · Phản ánh · Đã tiếp nhận · 🚨 KHẨN")
	mustContain(t, c.says("/status "+code), "Mức độ: 🚨 Khẩn cấp")
	c.says("/mydata")
	if file := c.exported(); !strings.Contains(file, `"urgent": true`) {
		t.Fatalf("the download does not say the petition is urgent:\n%s", file)
	}

	// Unmarked before sending, a report keeps the usual rule.
	d := w.citizen(3702)
	d.toReview("Phường Hòa Cường", "Đèn đường trước nhà số 9 không sáng")
	d.presses("🚨 Báo là khẩn cấp")
	mustContain(t, d.presses("Bỏ đánh dấu khẩn cấp"), "Mức độ: Thông thường")
	out = d.presses("Gửi phản ánh")
	other := codeIn(t, out)
	if told := sentTo(out, leader.id); len(told) != 0 {
		t.Fatalf("the leader was told of a report that is not urgent: %s", texts(told))
	}
	if urgent, rule := w.urgencyOf(other); urgent || rule != "10 workdays" {
		t.Fatalf("urgent %v under rule %q, want false under 10 workdays", urgent, rule)
	}
}

// Only a phản ánh may be marked urgent by its sender: a question has no
// such button, a forged one changes nothing, and a report marked urgent
// and then turned into another kind on the form is no longer urgent.
func TestOnlyAReportMayBeMarkedUrgentOnTheForm(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3703)
	c.says("/new")
	c.presses("Hỏi đáp")
	c.presses("Môi trường")
	c.presses("Thành phố Đà Nẵng")
	c.presses("Phường Hòa Cường")
	c.says("Xin hỏi thủ tục cấp phép chặt cây trước nhà")
	c.presses("Bỏ qua")
	c.says("Bỏ qua")
	review := c.presses("Không cần")
	if s := texts(review); strings.Contains(s, "khẩn cấp") || strings.Contains(s, "Mức độ") {
		t.Fatalf("a question's review offers urgency: %s", s)
	}
	msgID, _ := w.findButton(c.id, "Gửi phản ánh")
	mustContain(t, c.pressData(msgID, "p:review:urgent:1"), "Nút này không còn hiệu lực")
	code := codeIn(t, c.presses("Gửi phản ánh"))
	if urgent, _ := w.urgencyOf(code); urgent {
		t.Fatal("a forged button made a question urgent")
	}

	d := w.citizen(3704)
	d.toReview("Phường Hòa Cường", "Dây điện đứt rơi xuống vỉa hè đường Núi Thành")
	d.presses("🚨 Báo là khẩn cấp")
	// Back to the kind: confidentiality, phone (its own keyboard),
	// photos, description, the area and the city above it, field.
	for _, back := range []func(string) []bot.Outgoing{d.presses, d.presses, d.says, d.presses, d.presses, d.presses, d.presses, d.presses} {
		back("Quay lại")
	}
	review = d.presses("Kiến nghị")
	mustContain(t, review, "Loại: Kiến nghị", "Gửi phản ánh]")
	if s := texts(review); strings.Contains(s, "Khẩn cấp") {
		t.Fatalf("a recommendation kept the report's urgency: %s", s)
	}
	code = codeIn(t, d.presses("Gửi phản ánh"))
	if urgent, _ := w.urgencyOf(code); urgent {
		t.Fatal("a recommendation was filed urgent")
	}
}

// The unit judges: /khan marks a ticket urgent and /thuong takes it back.
// The clock moves to the rule of the new urgency, counted from its start;
// the sender is told in the unit's name, the unit's chats are told, and
// the timeline keeps the change. Out of scope, on a complaint, already
// so or without a reason, nothing changes.
func TestTheUnitDecidesWhetherATicketIsUrgent(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2705, "ubnd-hoa-cuong", "officer")
	colleague := w.staff(2706, "ubnd-hoa-cuong", "officer")
	outsider := w.staff(2707, "ubnd-hai-chau", "officer")
	leader := w.staff(2710, "ubnd-hoa-cuong", "leader")
	c := w.citizen(3705)
	w.now = time.Date(2026, 11, 23, 9, 0, 0, 0, vn)
	code := c.file("Phường Hòa Cường", "Nắp cống bị vỡ giữa đường Núi Thành, rất nguy hiểm")
	if due := w.dueOf(code).Format("2006-01-02"); due != "2026-12-07" {
		t.Fatalf("due %s, want 2026-12-07", due)
	}

	w.now = time.Date(2026, 11, 23, 10, 0, 0, 0, vn)
	mustContain(t, officer.says("/khan "+code), "Cú pháp: /khan")
	mustContain(t, outsider.says("/khan "+code+" nguy hiểm cho xe máy"), "không có quyền")
	if urgent, _ := w.urgencyOf(code); urgent {
		t.Fatal("a refused /khan marked the ticket urgent")
	}
	out := officer.says("/khan " + code + " nắp cống vỡ giữa lòng đường")
	checkOutgoing(t, out)
	mustContain(t, sentTo(out, officer.id), "Đã xác định phản ánh "+code+" ở mức độ 🚨 Khẩn cấp. Thời hạn giải quyết: 24/11/2026 09:30.")
	mustContain(t, sentTo(out, c.id), "<b>UBND phường Hòa Cường</b> thông báo", "mức độ <b>🚨 Khẩn cấp</b>",
		"Lý do: nắp cống vỡ giữa lòng đường", "<b>24/11/2026 09:30</b>")
	mustContain(t, sentTo(out, colleague.id), "Đồng chí Cán bộ 2705 (UBND phường Hòa Cường) đã xác định phản ánh <b>"+code+"</b> ở mức độ 🚨 Khẩn cấp")
	mustContain(t, sentTo(out, leader.id), "<b>"+code+"</b> · Phản ánh · KHẨN CẤP", "Thời hạn giải quyết: 24/11/2026 09:30")
	if urgent, rule := w.urgencyOf(code); !urgent || rule != "8 working_hours" {
		t.Fatalf("urgent %v under rule %q after /khan", urgent, rule)
	}
	// Counted from 09:00, when the clock started.
	if due := w.dueOf(code).Format("2006-01-02 15:04"); due != "2026-11-24 09:30" {
		t.Fatalf("due %s, want 2026-11-24 09:30", due)
	}
	if rows, err := w.store.ReportTickets(w.ctx, nil, time.Date(2026, 11, 1, 0, 0, 0, 0, vn), w.now); err != nil || len(rows) != 1 || !rows[0].Urgent {
		t.Fatalf("the report's rows = %+v, %v; want one urgent", rows, err)
	}
	mustContain(t, officer.says("/khan "+code+" lần nữa"), "đã ở mức độ 🚨 Khẩn cấp")
	mustContain(t, c.says("/status "+code), "Thông thường → 🚨 Khẩn cấp. Lý do: nắp cống vỡ giữa lòng đường")

	out = colleague.says("/thuong " + code + " đã rào chắn tạm")
	mustContain(t, sentTo(out, c.id), "mức độ <b>Thông thường</b>", "<b>07/12/2026</b>")
	if told := sentTo(out, leader.id); len(told) != 0 {
		t.Fatalf("the leader was told again when the ticket stopped being urgent: %s", texts(told))
	}
	if urgent, rule := w.urgencyOf(code); urgent || rule != "10 workdays" {
		t.Fatalf("urgent %v under rule %q after /thuong", urgent, rule)
	}
	if due := w.dueOf(code).Format("2006-01-02"); due != "2026-12-07" {
		t.Fatalf("due %s after /thuong, want 2026-12-07", due)
	}
	if n := w.count(`SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE t.code = $1 AND e.kind = 'urgency'`, code); n != 2 {
		t.Fatalf("%d urgency entries on the timeline, want 2", n)
	}

	complaint := w.citizen(3706)
	complaint.says("/new")
	complaint.presses("Khiếu nại")
	complaint.presses("Vẫn gửi để được hướng dẫn")
	complaint.presses("Môi trường")
	complaint.presses("Thành phố Đà Nẵng")
	complaint.presses("Phường Hòa Cường")
	complaint.says("Khiếu nại quyết định xử phạt vi phạm hành chính của phường")
	complaint.presses("Bỏ qua")
	complaint.says("Bỏ qua")
	complaint.presses("Không cần")
	guided := codeIn(t, complaint.presses("Gửi phản ánh"))
	mustContain(t, officer.says("/khan "+guided+" gấp"), "không áp dụng cho Khiếu nại")
	if urgent, _ := w.urgencyOf(guided); urgent {
		t.Fatal("a complaint was marked urgent")
	}
}

// fileUrgent has a citizen file a phản ánh marked urgent on the review
// screen, about Phường Hòa Cường, and returns its code.
func (c *citizen) fileUrgent(text string) string {
	c.w.t.Helper()
	c.toReview("Phường Hòa Cường", text)
	mustContain(c.w.t, c.presses("🚨 Báo là khẩn cấp"), "Mức độ: 🚨 Khẩn cấp")
	return codeIn(c.w.t, c.presses("Gửi phản ánh"))
}

// An urgent phản ánh found to be a khiếu nại is no longer urgent: urgency
// does not apply to complaints and denunciations (/thuong is refused for
// them), which would otherwise stay marked «🚨 KHẨN» for good. The
// reclassification's entry on the timeline says so.
func TestAComplaintFoundInAnUrgentReportDoesNotStayUrgent(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2921, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3921)
	w.now = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC) // Monday 09:00 in Vietnam
	code := c.fileUrgent("Phường ra quyết định xử phạt sai, đề nghị xem xét lại gấp")

	officer.says("/ticket " + code)
	out := officer.reclassifyAs("Khiếu nại", "Nội dung là khiếu nại quyết định hành chính")
	if w.classification(code).Kind != "khieu_nai" {
		t.Fatal("setup: not reclassified")
	}
	if urgent, _ := w.urgencyOf(code); urgent {
		t.Fatalf("the complaint %s stays urgent", code)
	}
	mustContain(t, sentTo(out, c.id), "Phản ánh → Khiếu nại; mức độ: 🚨 Khẩn cấp → Thông thường. Lý do: Nội dung là khiếu nại")
	mustContain(t, c.says("/status "+code), "mức độ: 🚨 Khẩn cấp → Thông thường")
}

// README: "A typed answer is understood at every button step (a button's
// label in either language ...)", the urgent one on the review too.
func TestTheUrgentButtonsLabelTypedOnTheReviewIsUnderstood(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3922)
	c.toReview("Phường Hòa Cường", "Cây đổ chắn ngang đường Núi Thành")
	out := c.says("Báo là khẩn cấp")
	if !strings.Contains(texts(out), "Mức độ: 🚨 Khẩn cấp") {
		t.Fatalf("typing the urgent button's label did not mark the report urgent:\n%s", texts(out))
	}
}

// README ("When a rule changes") ends the phản ánh default and adds its
// successor with statements that leave the urgent rule in force, and its
// example for "the default row alone" changes that row alone.
func TestTheReadmesRuleChangeExampleKeepsTheUrgentRule(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.exec(`UPDATE deadline_rules SET valid_to = '2027-01-01'
WHERE kind = 'phan_anh' AND category_id IS NULL AND area_id IS NULL AND NOT remote_only AND NOT urgent
  AND valid_to IS NULL`)
	w.exec(`INSERT INTO deadline_rules (kind, answer_limit, max_extensions, extension_limit, legal_basis, valid_from)
VALUES ('phan_anh', 7, 1, 7, 'Quyết định … của UBND tỉnh', '2027-01-01')`)
	c := w.citizen(3923)
	w.now = time.Date(2027, 1, 4, 9, 0, 0, 0, vn) // Monday
	code := c.fileUrgent("Cây đổ chắn ngang đường Núi Thành, xe không qua được")
	if urgent, rule := w.urgencyOf(code); !urgent || rule != "8 working_hours" {
		t.Fatalf("an urgent report filed in 2027 is under %q, want the urgent rule of 8 working_hours", rule)
	}
}

func TestTheReadmesDefaultRowExampleLeavesTheUrgentRuleAlone(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.exec(`UPDATE deadline_rules SET answer_limit = 3 WHERE kind = 'phan_anh'
AND category_id IS NULL AND area_id IS NULL AND NOT remote_only AND NOT urgent`)
	if n := w.count(`SELECT count(*) FROM deadline_rules WHERE kind = 'phan_anh' AND answer_limit = 3`); n != 1 {
		t.Fatalf("the README's example for «the default row alone» changed %d rows (the urgent rule too)", n)
	}
}

// An urgent ticket transferred to another unit: that unit's leaders are
// told at once, as its own were when it was filed.
func TestTheLeadersOfTheUnitAnUrgentTicketIsTransferredToAreTold(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2711, "ubnd-hoa-cuong", "officer")
	w.staff(2712, "ubnd-hai-chau", "officer")
	leader := w.staff(2713, "ubnd-hai-chau", "leader")
	c := w.citizen(3711)
	w.now = time.Date(2026, 11, 23, 9, 0, 0, 0, vn)
	code := c.fileUrgent("Cây đổ chắn ngang đường Trần Phú, sát ranh giới hai phường")
	out := officer.says("/transfer " + code + " ubnd-hai-chau Vị trí thuộc phường Hải Châu")
	mustContain(t, sentTo(out, leader.id), "<b>"+code+"</b> · Phản ánh · KHẨN CẤP", "Đơn vị xử lý: UBND phường Hải Châu")
}

// A unit's leader marks a ticket urgent with /khan in the unit's linked
// group: the group is answered, and the leader gets no private notice of
// their own decision.
func TestALeaderWhoMarksATicketUrgentInTheGroupIsNotToldOfItPrivately(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	leader := w.staff(2971, "ubnd-hoa-cuong", "leader")
	group := "-100971"
	inGroup := func(who *citizen, text string) []bot.Outgoing {
		return who.sends(func(e *bot.Event) {
			e.Chat = bot.Chat{ID: group, Group: true, Title: "Tổ PAKN Hòa Cường"}
			cmd, args, _ := strings.Cut(strings.TrimPrefix(text, "/"), " ")
			e.Command, e.Args = cmd, args
		})
	}
	mustContain(t, inGroup(leader, "/linkgroup ubnd-hoa-cuong"), "Nhóm đã được liên kết")
	c := w.citizen(3971)
	w.now = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	code := c.file("Phường Hòa Cường", "Nắp cống bị vỡ giữa đường Núi Thành, rất nguy hiểm")

	out := inGroup(leader, "/khan "+code+" nắp cống vỡ giữa lòng đường")
	mustContain(t, sentTo(out, group), "Đã xác định phản ánh "+code)
	if told := sentTo(out, leader.id); len(told) != 0 {
		t.Fatalf("the leader who marked %s urgent in the group was told of it privately: %s", code, texts(told))
	}
}

// /help tells a citizen how to report a danger as urgent and whom to call
// when lives or property are at risk right now: the bot is no emergency
// line.
func TestHelpNamesTheUrgentButtonAndTheEmergencyNumbers(t *testing.T) {
	w := newWorld(t)
	mustContain(t, w.citizen(3712).says("/help"), "«Báo là khẩn cấp»", "113 (Công an)", "114", "115 (Cấp cứu)")
}
