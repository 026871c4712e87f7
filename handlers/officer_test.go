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

// seedOrg creates a small organisation: a city with a triage office, two
// wards with their people's committees, and rules sending each ward's
// tickets to its committee.
func (w *world) seedOrg() {
	w.seedAreas()
	w.exec(`INSERT INTO units (code, name, level, is_triage) VALUES ('ubnd-tp', 'UBND thành phố Đà Nẵng', 'thành phố', true)`)
	for _, u := range [][2]string{{"ubnd-hoa-cuong", "UBND phường Hòa Cường"}, {"ubnd-hai-chau", "UBND phường Hải Châu"}} {
		w.exec(`INSERT INTO units (code, name, level, parent_id) SELECT $1, $2, 'phường', id FROM units WHERE code = 'ubnd-tp'`, u[0], u[1])
	}
	w.exec(`INSERT INTO routing_rules (area_id, unit_id)
		SELECT a.id, u.id FROM areas a, units u WHERE (a.code, u.code) IN (('hoa-cuong', 'ubnd-hoa-cuong'), ('hai-chau', 'ubnd-hai-chau'))`)
}

// staff invites a person to a unit with a role and has them join.
func (w *world) staff(id int, unit, role string) *citizen {
	w.t.Helper()
	c := w.citizen(id)
	c.name = fmt.Sprintf("Cán bộ %d", id)
	w.join(c, fmt.Sprintf("CODE-%d", id), unit, role)
	return c
}

// join has a person redeem an invitation code to a unit with a role, a
// further one for someone already on staff.
func (w *world) join(c *citizen, code, unit, role string) {
	w.t.Helper()
	err := w.store.InTx(w.ctx, func(tx *storage.Store) error {
		u, err := tx.UnitByCode(w.ctx, unit)
		if err != nil {
			return err
		}
		return tx.CreateInvite(w.ctx, u.ID, role, handlers.HashInvite(code), w.now.Add(time.Hour))
	})
	if err != nil {
		w.t.Fatal(err)
	}
	mustContain(w.t, c.says("/join "+strings.ToLower(code)), "Đồng chí đã được ghi nhận")
}

// describe starts an environmental petition about an area of Đà Nẵng and
// gives its description, up to the photos step.
func (c *citizen) describe(area, text string) {
	c.w.t.Helper()
	c.says("/new")
	c.presses("Phản ánh")
	c.presses("Môi trường")
	c.presses("Thành phố Đà Nẵng")
	c.presses(area)
	c.says(text)
}

// toReview has a citizen describe a petition about an area and skip the
// optional steps, up to the review screen it returns.
func (c *citizen) toReview(area, text string) []bot.Outgoing {
	c.w.t.Helper()
	c.describe(area, text)
	c.presses("Bỏ qua")
	c.says("Bỏ qua")
	return c.presses("Không cần")
}

// file has a citizen file a petition about an area and returns its code.
func (c *citizen) file(area, text string) string {
	c.w.t.Helper()
	c.toReview(area, text)
	return codeIn(c.w.t, c.presses("Gửi phản ánh"))
}

// codeIn returns the ticket code in a receipt.
func codeIn(t *testing.T, out []bot.Outgoing) string {
	t.Helper()
	for _, o := range out {
		if i := strings.Index(o.Text, "PA-"); i >= 0 {
			return o.Text[i : i+14]
		}
	}
	t.Fatalf("no code in %s", texts(out))
	return ""
}

func sentTo(out []bot.Outgoing, chat string) []bot.Outgoing {
	var mine []bot.Outgoing
	for _, o := range out {
		if o.ChatID == chat {
			mine = append(mine, o)
		}
	}
	return mine
}

func TestWholeLoop(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2001, "ubnd-hoa-cuong", "officer")
	leader := w.staff(2002, "ubnd-hoa-cuong", "leader")
	c := w.citizen(3001)

	c.describe("Phường Hòa Cường", "Cống thoát nước bị tắc, nước tràn ra đường")
	c.sends(func(e *bot.Event) { e.Photo = &bot.File{ID: "citizen-photo", UniqueID: "cp"} })
	c.presses("Tiếp tục")
	c.sends(func(e *bot.Event) { e.Contact = &bot.Contact{Phone: "0905000111", UserID: c.id} })
	c.presses("Không cần")
	out := c.presses("Gửi phản ánh")
	card := sentTo(out, officer.id)
	mustContain(t, card, "Phản ánh mới", "PA-2026-000001", "Cống thoát nước", "Người dân 3001", "0905000111", "[✅ Tiếp nhận]")
	if len(card) != 2 || card[1].Kind != bot.KindPhoto || card[1].FileID != "citizen-photo" {
		t.Fatalf("card and photo not delivered: %+v", card)
	}

	out = officer.presses("Tiếp nhận")
	mustContain(t, sentTo(out, c.id), "đã được <b>UBND phường Hòa Cường</b> tiếp nhận")
	if strings.Contains(texts(sentTo(out, c.id)), "Cán bộ 2001") {
		t.Fatal("the citizen must hear from the unit, not the officer")
	}

	officer.presses("Yêu cầu bổ sung")
	out = officer.says("Ông/Bà cho biết số nhà gần nhất?")
	mustContain(t, sentTo(out, c.id), "đề nghị Ông/Bà bổ sung", "số nhà gần nhất")
	out = c.says("Trước nhà số 45 Núi Thành")
	mustContain(t, sentTo(out, officer.id), "bổ sung thông tin", "Trước nhà số 45")
	mustContain(t, sentTo(out, c.id), "Đã chuyển thông tin bổ sung")

	officer.presses("Trả lời")
	out = officer.sends(func(e *bot.Event) {
		e.Photo = &bot.File{ID: "evidence", UniqueID: "ev"}
		e.Text = "Đã nạo vét cống, nước đã rút."
	})
	toCitizen := sentTo(out, c.id)
	if len(toCitizen) != 2 || toCitizen[0].FileID != "evidence" {
		t.Fatalf("answer photo not sent first: %+v", toCitizen)
	}
	mustContain(t, toCitizen, "UBND phường Hòa Cường</b> trả lời", "Đã nạo vét", "[Rất hài lòng]")

	mustContain(t, c.presses("Rất hài lòng"), "Cảm ơn Ông/Bà đã đánh giá")
	mustContain(t, c.says("Xử lý nhanh, cảm ơn phường"), "Cảm ơn Ông/Bà đã góp ý")
	if n := w.count(`SELECT count(*) FROM tickets WHERE status = 'completed' AND rating = 5 AND rating_comment = 'Xử lý nhanh, cảm ơn phường'`); n != 1 {
		t.Fatal("rating not stored")
	}
	wantKinds := "created accepted info_requested info_added answered rated rated"
	var kinds []string
	if err := w.raw.Select(&kinds, `SELECT kind FROM ticket_events ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(kinds, " "); got != wantKinds {
		t.Fatalf("timeline = %s, want %s", got, wantKinds)
	}
	// The leader was not bothered with the routine card.
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = $1 AND payload->>'text' LIKE '%Phản ánh mới%'`, leader.id); n != 0 {
		t.Fatalf("leader got %d routine cards", n)
	}
}

func TestUnsatisfiedReopensAndTellsLeader(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2011, "ubnd-hai-chau", "officer")
	leader := w.staff(2012, "ubnd-hai-chau", "leader")
	c := w.citizen(3011)
	code := c.file("Phường Hải Châu", "Vỉa hè bị lấn chiếm để kinh doanh")
	officer.says("/resolve " + code + " Đã nhắc nhở các hộ kinh doanh.")
	out := c.presses("Chưa hài lòng")
	mustContain(t, sentTo(out, leader.id), "chưa hài lòng", code)
	mustContain(t, sentTo(out, officer.id), "mở lại", code)
	mustContain(t, sentTo(out, c.id), "đã được mở lại")
	if n := w.count(`SELECT count(*) FROM tickets WHERE status = 'reopened' AND rating = 2`); n != 1 {
		t.Fatal("ticket not reopened")
	}
	// The rating buttons do not work twice.
	mustAnswer(t, c.presses("Rất hài lòng"), "đã được đánh giá")
}

// A ticket that no unit has (its unit's link lost in a database edited
// by hand) can still be transferred by an administrator: the choice
// offers the units at the top, not an error.
func TestATicketWithoutAUnitCanBeTransferred(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	admin := w.staff(2181, "ubnd-tp", "admin")
	code := w.citizen(2182).file("Phường Hòa Cường", "Cống thoát nước bị tắc trước chợ")
	w.exec(`UPDATE tickets SET unit_id = NULL WHERE code = $1`, code)
	admin.says("/ticket " + code)
	mustContain(t, admin.presses("Chuyển đơn vị"), "UBND thành phố Đà Nẵng")
	admin.presses("UBND thành phố Đà Nẵng")
	admin.says("Chưa có đơn vị xử lý")
	if n := w.count(`SELECT count(*) FROM tickets t JOIN units u ON u.id = t.unit_id WHERE t.code = $1 AND u.code = 'ubnd-tp'`, code); n != 1 {
		t.Error("the ticket was not transferred")
	}
}

func TestTransferAndReject(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	a := w.staff(2021, "ubnd-hoa-cuong", "officer")
	b := w.staff(2022, "ubnd-hai-chau", "officer")
	c := w.citizen(3021)
	code := c.file("Phường Hòa Cường", "Cây xanh đổ trên đường Lê Duẩn")

	mustContain(t, a.presses("Chuyển đơn vị"), "[UBND phường Hải Châu]", "[UBND thành phố Đà Nẵng]")
	mustContain(t, a.says("khong-co"), "Không tìm thấy đơn vị")
	mustContain(t, a.presses("UBND phường Hải Châu"), "lý do chuyển")
	out := a.says("Địa điểm thuộc phường Hải Châu")
	mustContain(t, sentTo(out, b.id), "được chuyển đến đơn vị", code, "<b>Lý do chuyển:</b> Địa điểm thuộc phường Hải Châu")
	mustContain(t, sentTo(out, c.id), "đã được chuyển đến <b>UBND phường Hải Châu</b>")
	// The first unit no longer has a say.
	mustContain(t, a.says("/note "+code+" theo dõi"), "không có quyền")

	mustContain(t, b.says("/reject "+code+" x"), "chưa hiểu lệnh") // not a command: the button is the way
	b.presses("Không thuộc thẩm quyền")
	out = b.says("Cây trên tuyến đường do Công ty Công viên cây xanh quản lý, Ông/Bà liên hệ số 0236 3822 xxx")
	mustContain(t, sentTo(out, c.id), "không thuộc thẩm quyền", "Công ty Công viên cây xanh")
	if n := w.count(`SELECT count(*) FROM tickets WHERE status = 'rejected'`); n != 1 {
		t.Fatal("ticket not rejected")
	}
}

func TestAccessIsScoped(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	a := w.staff(2031, "ubnd-hoa-cuong", "officer")
	cityLeader := w.staff(2032, "ubnd-tp", "leader")
	c := w.citizen(3031)
	code := c.file("Phường Hải Châu", "Đèn tín hiệu giao thông không hoạt động")
	var id int64
	if err := w.raw.Get(&id, `SELECT id FROM tickets WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	before := w.count(`SELECT count(*) FROM ticket_events`)

	// An officer of another unit: command, forged button, and /ticket.
	mustContain(t, a.says("/resolve "+code+" xong"), "không có quyền")
	mustAnswer(t, a.pressData("1", fmt.Sprintf("o:accept:%d", id)), "không có quyền")
	mustContain(t, a.says("/ticket "+code), "không có quyền")
	// A citizen on staff commands and on a forged card button.
	mustContain(t, c.says("/inbox"), "chỉ dành cho cán bộ")
	mustAnswer(t, c.pressData("1", fmt.Sprintf("o:answer:%d", id)), "không có quyền")
	mustAnswer(t, c.pressData("1", "o:answer:notanumber"), "không còn hiệu lực")
	if after := w.count(`SELECT count(*) FROM ticket_events`); after != before {
		t.Fatalf("refusals changed the timeline: %d → %d events", before, after)
	}
	if n := w.count(`SELECT count(*) FROM conversations WHERE flow = 'officer'`); n != 0 {
		t.Fatal("a refused button started a task")
	}
	// A leader sees the subtree below their unit.
	mustContain(t, cityLeader.says("/inbox"), code)
	mustContain(t, cityLeader.says("/ticket "+code), "Đèn tín hiệu", "Quá trình xử lý")
	mustContain(t, a.says("/inbox"), "Không có phản ánh")
}

func TestConfidentialCardHidesIdentity(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2041, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3041)
	c.says("/new")
	c.presses("Phản ánh")
	c.presses("Đất đai")
	c.presses("Thành phố Đà Nẵng")
	c.presses("Phường Hòa Cường")
	c.says("Công trình xây dựng không phép tại kiệt 12")
	c.presses("Bỏ qua")
	c.sends(func(e *bot.Event) { e.Contact = &bot.Contact{Phone: "0905999888", UserID: c.id} })
	c.presses("Giữ bí mật")
	out := c.presses("Gửi phản ánh")
	card := texts(sentTo(out, officer.id))
	if !strings.Contains(card, "được giữ bí mật") || strings.Contains(card, "0905999888") || strings.Contains(card, "Người dân 3041") {
		t.Fatalf("confidential card shows identity:\n%s", card)
	}
}

func TestLinkedGroupGetsCardsAndActs(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	leader := w.staff(2051, "ubnd-hoa-cuong", "leader")
	group := "-100500"
	inGroup := func(who *citizen, text string) []bot.Outgoing {
		return who.sends(func(e *bot.Event) {
			e.Chat = bot.Chat{ID: group, Group: true, Title: "Tổ PAKN Hòa Cường"}
			cmd, args, _ := strings.Cut(strings.TrimPrefix(text, "/"), " ")
			e.Command, e.Args = cmd, args
		})
	}
	stranger := w.citizen(2052)
	mustContain(t, inGroup(stranger, "/linkgroup ubnd-hoa-cuong"), "không có quyền")
	mustContain(t, inGroup(leader, "/linkgroup ubnd-hoa-cuong"), "Nhóm đã được liên kết")

	c := w.citizen(3051)
	code := c.file("Phường Hòa Cường", "Rác thải xây dựng đổ trộm ven sông")
	var cardID int64
	if err := w.raw.Get(&cardID, `SELECT max(id) FROM outbox WHERE chat_id = $1 AND is_group`, group); err != nil || cardID == 0 {
		t.Fatalf("no card in the linked group (%v)", err)
	}
	var id int64
	w.raw.Get(&id, `SELECT id FROM tickets WHERE code = $1`, code)
	pressInGroup := func(who *citizen, data string) []bot.Outgoing {
		return who.sends(func(e *bot.Event) {
			e.Chat = bot.Chat{ID: group, Group: true}
			e.Button = &bot.Button{QueryID: "gq", Data: data, MessageID: fmt.Sprint(cardID)}
		})
	}
	mustAnswer(t, pressInGroup(stranger, fmt.Sprintf("o:accept:%d", id)), "không có quyền")
	out := pressInGroup(leader, fmt.Sprintf("o:accept:%d", id))
	mustContain(t, sentTo(out, c.id), "tiếp nhận")

	// A bot in privacy mode sees only replies in a group: the prompt asks
	// the one who pressed for one.
	var prompt bot.Outgoing
	for _, o := range sentTo(pressInGroup(leader, fmt.Sprintf("o:answer:%d", id)), group) {
		if o.Kind == bot.KindText {
			prompt = o
		}
	}
	if !prompt.ForceReply || !strings.Contains(prompt.Text, `tg://user?id=`+leader.id) {
		t.Fatalf("the prompt in the group does not ask its presser for a reply: %+v", prompt)
	}
	out = leader.sends(func(e *bot.Event) {
		e.Chat, e.Text = bot.Chat{ID: group, Group: true}, "Đã thu gom xong rác thải."
	})
	mustContain(t, sentTo(out, c.id), "Đã thu gom xong")

	// The group becomes a supergroup: Telegram refuses its old id from
	// then on, and the link follows it.
	leader.sends(func(e *bot.Event) { e.Chat, e.MovedTo = bot.Chat{ID: group, Group: true}, "-100500500" })
	c.file("Phường Hòa Cường", "Đèn tín hiệu giao thông không hoạt động")
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = '-100500500' AND payload->>'text' LIKE '%Đèn tín hiệu%'`); n != 1 {
		t.Fatalf("%d cards reached the group's new id", n)
	}
}

// A group linked by mistake, or no longer trusted, is unlinked by the
// people who may link it, and gets no more cards.
func TestUnlinkingAGroupStopsItsCards(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	leader := w.staff(2061, "ubnd-hoa-cuong", "leader")
	other := w.staff(2062, "ubnd-hai-chau", "officer")
	inGroup := func(who *citizen, command string) []bot.Outgoing {
		return who.sends(func(e *bot.Event) {
			e.Chat = bot.Chat{ID: "-100600", Group: true}
			e.Command, e.Args, _ = strings.Cut(command, " ")
		})
	}
	mustContain(t, inGroup(leader, "linkgroup ubnd-hoa-cuong"), "Nhóm đã được liên kết")
	mustContain(t, inGroup(other, "unlinkgroup"), "không có quyền")
	mustContain(t, inGroup(leader, "unlinkgroup"), "Nhóm đã hủy liên kết với <b>UBND phường Hòa Cường</b>")
	w.citizen(3061).file("Phường Hòa Cường", "Ống nước vỡ trên đường Núi Thành")
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = '-100600' AND payload->>'text' LIKE '%Ống nước vỡ%'`); n != 0 {
		t.Fatal("an unlinked group got a card")
	}
	mustContain(t, inGroup(leader, "unlinkgroup"), "chưa được liên kết")
	mustContain(t, leader.says("/unlinkgroup"), "dùng trong nhóm đang liên kết")
}

func TestAnInvitationToARemovedUnitIsRefused(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	err := w.store.InTx(w.ctx, func(tx *storage.Store) error {
		u, err := tx.UnitByCode(w.ctx, "ubnd-hai-chau")
		if err != nil {
			return err
		}
		return tx.CreateInvite(w.ctx, u.ID, "officer", handlers.HashInvite("GONE-1"), w.now.Add(time.Hour))
	})
	if err != nil {
		t.Fatal(err)
	}
	w.exec(`UPDATE units SET active = false WHERE code = 'ubnd-hai-chau'`)
	mustContain(t, w.citizen(3601).says("/join GONE-1"), "không còn hoạt động")
	if n := w.count(`SELECT count(*) FROM officers`); n != 0 {
		t.Fatalf("%d officers bound to a removed unit", n)
	}
}

// An image sent as a file (uncompressed, as some send evidence) reaches
// the officers as a file; only photos went out before.
func TestAnImageSentAsAFileReachesTheOfficer(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2061, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3061)
	c.describe("Phường Hòa Cường", "Cây xanh gãy đổ sau bão")
	c.sends(func(e *bot.Event) {
		e.Document = &bot.File{ID: "scan-1", UniqueID: "s1", MIME: "image/jpeg", Name: "cay.jpg"}
	})
	c.presses("Tiếp tục")
	c.says("Bỏ qua")
	c.presses("Không cần")
	var files []string
	for _, o := range sentTo(c.presses("Gửi phản ánh"), officer.id) {
		if o.Kind == bot.KindDocument {
			files = append(files, o.FileID)
		}
	}
	if len(files) != 1 || files[0] != "scan-1" {
		t.Fatalf("files on the officer's card: %v", files)
	}
}

// Staff asking for help also get their own commands; citizens do not.
func TestHelpForStaff(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2091, "ubnd-hoa-cuong", "officer")
	mustContain(t, officer.says("/help"), "Gửi phản ánh", "Dành cho cán bộ", "/lichtiep", "/resolve MÃ nội dung")
	if out := texts(w.citizen(3091).says("/help")); !strings.Contains(out, "Gửi phản ánh") || strings.Contains(out, "Dành cho cán bộ") {
		t.Fatalf("a citizen's help:\n%s", out)
	}
}
