package handlers_test

// Bad input gets a clear, polite message and changes nothing.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/bot"
)

// A citizen's command sent in a group linked to a unit is answered with a
// pointer to the private chat, not with a claim that the group is not
// linked.
func TestACitizensCommandInALinkedGroupPointsToThePrivateChat(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	leader := w.staff(7001, "ubnd-hoa-cuong", "leader")
	group := "-1007001"
	inGroup := func(who *citizen, cmd, args string) []bot.Outgoing {
		return who.sends(func(e *bot.Event) {
			e.Chat = bot.Chat{ID: group, Group: true}
			e.Command, e.Args = cmd, args
		})
	}
	mustContain(t, inGroup(leader, "linkgroup", "ubnd-hoa-cuong"), "Nhóm đã được liên kết")
	c := w.citizen(7002)
	for _, cmd := range []string{"start", "my", "new"} {
		got := texts(inGroup(c, cmd, ""))
		if strings.Contains(got, "chưa được liên kết") {
			t.Errorf("/%s by a citizen in a linked group says the group is not linked:\n%s", cmd, got)
		}
	}
}

// Only an answer carries a photo. A photo sent for a question to the
// citizen (or a reason, a note) is refused with a word on why and the
// task keeps waiting: its caption alone would speak of a picture nobody
// gets.
func TestAPhotoIsRefusedForAnythingButAnAnswer(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(7011, "ubnd-hoa-cuong", "officer")
	c := w.citizen(7012)
	code := c.file("Phường Hòa Cường", "Cống thoát nước bị tắc trước nhà số 10")
	officer.presses("Yêu cầu bổ sung")
	out := officer.sends(func(e *bot.Event) {
		e.Photo = &bot.File{ID: "officer-map", UniqueID: "om"}
		e.Text = "Ông/Bà xác nhận vị trí như ảnh đính kèm?"
	})
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'awaiting_info'`, code); n != 0 {
		t.Errorf("the question was sent without the photo the officer attached:\n%s", texts(out))
	}
	for _, o := range sentTo(out, c.id) {
		if strings.Contains(o.Text, "xác nhận vị trí như ảnh") {
			t.Errorf("the citizen got a question referring to a photo that was dropped: %q", o.Text)
		}
	}
	mustContain(t, sentTo(out, officer.id), "chỉ nhận nội dung bằng chữ")
	// The task still waits: the question typed next goes to the citizen.
	officer.says("Ông/Bà cho biết số nhà chính xác?")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'awaiting_info'`, code); n != 1 {
		t.Error("the question typed after the refused photo was not sent")
	}
}

// A typed answer at the area step that is part of several areas' names
// («Phường») is asked again with the candidates, the draft unchanged,
// rather than taken as the address.
func TestATypedNameSeveralAreasShareIsAskedAgain(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(7021)
	c.says("/new")
	c.presses("Phản ánh")
	c.presses("Môi trường")
	out := c.says("Phường")
	if s := w.draftStep(c); s != "area" || w.draftField(c, "address") != "" {
		t.Fatalf("an ambiguous area name was taken: step %q, address %q, reply:\n%s", s, w.draftField(c, "address"), texts(out))
	}
	mustContain(t, out, "Phường Hòa Cường", "Phường Hải Châu")
}

// A staff command without a ticket's code, or with a word that is no
// code, gets the command's syntax: being told one may not act on "this
// ticket" would be no clear message.
func TestAStaffCommandWithoutACodeGivesItsSyntax(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(7031, "ubnd-hoa-cuong", "officer")
	w.citizen(7032).file("Phường Hòa Cường", "Cống thoát nước bị tắc trước nhà số 10")
	for _, cmd := range []string{"/ticket", "/ticket hôm nay", "/reply xem-lai Đã cử cán bộ kiểm tra"} {
		got := texts(officer.says(cmd))
		if strings.Contains(got, "không có quyền") || !strings.Contains(got, "Cú pháp: /"+strings.Fields(cmd)[0][1:]) {
			t.Errorf("%q is not answered with the command's syntax:\n%s", cmd, got)
		}
	}
}

// A description typed at the kind step (which takes one) over the limit
// is told so, with the limit, as at the description step.
func TestAnOverLongDescriptionAtTheKindStepIsToldTooLong(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(7041)
	c.says("/new")
	long := strings.Repeat("Rác thải tồn đọng nhiều ngày. ", 110) // 3,300 characters
	out := c.says(long)
	mustContain(t, out, "vượt quá giới hạn 3.000 ký tự")
}

// An address typed at the area step over its 300 characters is told so,
// not that the area is unknown and should be more specific.
func TestAnOverLongAddressIsToldTooLong(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(7051)
	c.says("/new")
	c.presses("Phản ánh")
	c.presses("Môi trường")
	address := "Kiệt 25 đường Núi Thành, tổ 12, gần chợ, đối diện trường tiểu học, " + strings.Repeat("phía sau dãy nhà trọ ", 14)
	out := c.says(address)
	got := texts(out)
	if w.draftStep(c) != "area" {
		t.Fatalf("the over-long address was taken: step %q", w.draftStep(c))
	}
	if !strings.Contains(got, "300") || strings.Contains(got, "cụ thể hơn") {
		t.Fatalf("a %d-character address is not told it is too long:\n%s", len([]rune(address)), got)
	}
}

// The ticket's own unit typed for a transfer is refused and asked again:
// the next code typed is still the transfer's, not a new petition.
func TestTypingTheTicketsOwnUnitAtATransferAsksAgain(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(7061, "ubnd-hoa-cuong", "officer")
	c := w.citizen(7062)
	c.file("Phường Hòa Cường", "Cây xanh đổ trên đường Lê Duẩn")
	officer.presses("Chuyển đơn vị")
	mustContain(t, officer.says("ubnd-hoa-cuong"), "đang thuộc đơn vị này")
	out := officer.says("ubnd-hai-chau")
	if n := w.count(`SELECT count(*) FROM conversations WHERE chat_id = $1 AND flow = 'petition'`, officer.id); n != 0 {
		t.Errorf("the unit code typed next started a petition:\n%s", texts(out))
	}
	mustContain(t, out, "lý do chuyển", "người dân sẽ được thông báo lý do này")
}

// Buttons of a person's own petition (its status, «Bổ sung thông tin»)
// pressed or forged in a group are refused: the petition would be shown
// to everyone there, or a step started whose answers the group does not
// take.
func TestAPersonsOwnButtonsAreRefusedInAGroup(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	leader := w.staff(7071, "ubnd-hoa-cuong", "leader")
	group := "-1007071"
	leader.sends(func(e *bot.Event) {
		e.Chat = bot.Chat{ID: group, Group: true}
		e.Command, e.Args = "linkgroup", "ubnd-hoa-cuong"
	})
	c := w.citizen(7072)
	code := c.file("Phường Hòa Cường", "Nhà tôi ở kiệt 25 Núi Thành bị ngập sau mưa")
	w.sent()
	out := c.sends(func(e *bot.Event) {
		e.Chat = bot.Chat{ID: group, Group: true}
		e.Button = &bot.Button{QueryID: "gq", Data: "s:" + code, MessageID: "1"}
	})
	for _, o := range sentTo(out, group) {
		if strings.Contains(o.Text, "kiệt 25 Núi Thành") {
			t.Errorf("a citizen's petition was posted to the group:\n%s", o.Text)
		}
	}
	// The same with «Bổ sung thông tin» ("a:<id>"): it waits, in the
	// group, for information that handleGroup then never reads (it takes
	// only a staff task's text there), so what the person sends is lost
	// without a word.
	var id int64
	if err := w.raw.Get(&id, `SELECT id FROM tickets WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	c.sends(func(e *bot.Event) {
		e.Chat = bot.Chat{ID: group, Group: true}
		e.Button = &bot.Button{QueryID: "gq2", Data: fmt.Sprintf("a:%d", id), MessageID: "1"}
	})
	if n := w.count(`SELECT count(*) FROM conversations WHERE chat_id = $1`, group); n != 0 {
		t.Errorf("a press in the group started a flow there that the group never reads")
	}
	// So are a rating and the co-signing invitation's share button.
	for _, forged := range []string{fmt.Sprintf("r:%d:5:1", id), fmt.Sprintf("k:share:%d", id)} {
		mustContain(t, c.sends(func(e *bot.Event) {
			e.Chat = bot.Chat{ID: group, Group: true}
			e.Button = &bot.Button{QueryID: "gq-" + forged, Data: forged, MessageID: "1"}
		}), "chỉ dùng được trong tin nhắn riêng")
	}
	// A language chosen in the group (/lang is a staff command there too)
	// is set, without putting a person's menu in the group.
	out = leader.sends(func(e *bot.Event) {
		e.Chat = bot.Chat{ID: group, Group: true}
		e.Button = &bot.Button{QueryID: "gq3", Data: "l:en", MessageID: "1"}
	})
	if n := w.count(`SELECT count(*) FROM citizens WHERE user_id = $1 AND language = 'en'`, leader.id); n != 1 {
		t.Error("the language chosen in the group was not set")
	}
	for _, o := range sentTo(out, group) {
		if len(o.Buttons) > 0 {
			t.Errorf("a menu was put in the group: %q", o.Text)
		}
	}
}

// The Cancel button's label typed while writing a comment on a draft
// stops it, as at every other step that waits for text.
func TestTypedCancelStopsAConsultationComment(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.consultation("Quy hoạch công viên 29/3", -day, 20*day)
	c := w.citizen(7081)
	c.says("/gopy")
	mustContain(t, c.presses("1. Quy hoạch"), "nhập ý kiến góp ý")
	out := c.says("Hủy")
	if n := w.count(`SELECT count(*) FROM conversations WHERE chat_id = $1 AND flow = 'consultation'`, c.id); n != 0 {
		t.Fatalf("typed «Hủy» did not stop the comment:\n%s", texts(out))
	}
}

// An unknown unit code given to /linkgroup is quoted shortened: the
// whole of a long one would make a reply Telegram refuses.
func TestAnUnknownUnitCodeIsQuotedShortened(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	leader := w.staff(7091, "ubnd-hoa-cuong", "leader")
	out := leader.sends(func(e *bot.Event) {
		e.Chat = bot.Chat{ID: "-1007091", Group: true}
		e.Command, e.Args = "linkgroup", strings.Repeat("ubnd-", 1000)
	})
	checkOutgoing(t, out)
	if got := texts(out); !strings.Contains(got, "ubnd-ubnd-") || len([]rune(got)) > 400 {
		t.Fatalf("the reply to an unknown code of 5,000 characters has %d characters", len([]rune(got)))
	}
}
