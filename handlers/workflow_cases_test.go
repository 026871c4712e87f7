package handlers_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
)

// deadlineLineOf returns the deadline line of the card in out, or fails.
func deadlineLineOf(t *testing.T, out []bot.Outgoing) string {
	t.Helper()
	for _, o := range out {
		for _, line := range strings.Split(o.Text, "\n") {
			if strings.HasPrefix(line, "Hạn xử lý: ") {
				return line
			}
		}
	}
	t.Fatalf("no deadline line in:\n%s", texts(out))
	return ""
}

// The card a transfer sends to the receiving unit shows the clock the
// transfer gave it (restart_on_transfer, the default), not the old unit's
// deadline that has passed.
func TestTransferredCardShowsTheNewDeadline(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	a := w.staff(2801, "ubnd-hoa-cuong", "officer")
	b := w.staff(2802, "ubnd-hai-chau", "officer")
	c := w.citizen(3801)
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	code := c.file("Phường Hòa Cường", "Ống nước vỡ, nước chảy lênh láng")
	w.now = time.Date(2026, 12, 10, 9, 0, 0, 0, vn) // overdue at the first unit
	out := a.says("/transfer " + code + " ubnd-hai-chau Thuộc địa bàn phường Hải Châu")
	due := w.dueOf(code)
	if due.Format("2006-01-02") != "2026-12-24" {
		t.Fatalf("due = %s, want 2026-12-24", due)
	}
	line := deadlineLineOf(t, sentTo(out, b.id))
	if !strings.Contains(line, "24/12/2026") || strings.Contains(line, "Quá hạn") {
		t.Fatalf("the receiving unit's card says %q; the ticket is due %s", line, due.Format("02/01/2006 15:04"))
	}
}

// A reopened ticket gets a new clock; the card that tells the unit shows
// it, not the deadline of the first round.
func TestReopenedCardShowsTheNewDeadline(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2811, "ubnd-hai-chau", "officer")
	c := w.citizen(3811)
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	code := c.file("Phường Hải Châu", "Vỉa hè bị lấn chiếm để kinh doanh")
	w.now = time.Date(2026, 12, 10, 9, 0, 0, 0, vn) // answered late
	officer.says("/resolve " + code + " Đã nhắc nhở các hộ kinh doanh.")
	out := c.presses("Không hài lòng")
	due := w.dueOf(code)
	if !due.After(w.now) {
		t.Fatalf("the reopened ticket has no new clock: due %s", due)
	}
	line := deadlineLineOf(t, sentTo(out, officer.id))
	if !strings.Contains(line, due.Format("02/01/2006")) || strings.Contains(line, "Quá hạn") {
		t.Fatalf("the reopened card says %q; the ticket is due %s", line, due.Format("02/01/2006 15:04"))
	}
}

// A ticket found to be a denunciation goes to the intake with a new clock;
// the intake's card shows that clock.
func TestIntakeCardOfAReclassifiedTicketShowsItsDeadline(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2821, "ubnd-hoa-cuong", "officer")
	intake := w.staff(2822, "ubnd-tp", "officer")
	c := w.citizen(3821)
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, vn)
	code := c.file("Phường Hòa Cường", "Cán bộ phường thu tiền sai quy định khi cấp phép sửa nhà")
	w.now = time.Date(2026, 12, 10, 9, 0, 0, 0, vn)
	out := officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ")
	due := w.dueOf(code)
	if !due.After(w.now) {
		t.Fatalf("the denunciation has no new clock at the intake: due %s", due)
	}
	line := deadlineLineOf(t, sentTo(out, intake.id))
	if !strings.Contains(line, due.Format("02/01/2006")) || strings.Contains(line, "Quá hạn") {
		t.Fatalf("the intake's card says %q; the ticket is due %s", line, due.Format("02/01/2006 15:04"))
	}
}

// A unit asks for information on one petition while the citizen's chat
// still waits for a supplement to another (offered after a "not
// satisfied" rating). The citizen replies to the question, as the
// question tells them to: the reply must reach the ticket that asked, and
// its clock resume.
func TestReplyToAQuestionReachesTheTicketThatAsked(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	ward1 := w.staff(2831, "ubnd-hai-chau", "officer")
	ward2 := w.staff(2832, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3831)
	first := c.file("Phường Hải Châu", "Vỉa hè bị lấn chiếm để kinh doanh")
	second := c.file("Phường Hòa Cường", "Cống thoát nước bị tắc trước nhà")
	ward1.says("/resolve " + first + " Đã nhắc nhở các hộ kinh doanh.")
	c.presses("Không hài lòng") // reopened; offered to add information to it
	w.now = w.now.Add(2 * time.Hour)
	ward2.says("/ticket " + second)
	ward2.presses("Yêu cầu bổ sung")
	mustContain(t, sentTo(ward2.says("Ông/Bà cho biết số nhà gần nhất?"), c.id), second)
	w.now = w.now.Add(time.Hour)
	out := c.says("Trước nhà số 45 Núi Thành")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'awaiting_info'`, second); n != 0 {
		t.Fatalf("the reply went elsewhere; %s still waits for it (paused). Replies:\n%s", second, texts(out))
	}
	mustContain(t, sentTo(out, ward2.id), "Trước nhà số 45")
}

// The same within the half hour a comment on a rating is awaited.
func TestReplyToAQuestionIsNotTakenForARatingComment(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	ward1 := w.staff(2841, "ubnd-hai-chau", "officer")
	ward2 := w.staff(2842, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3841)
	first := c.file("Phường Hải Châu", "Vỉa hè bị lấn chiếm để kinh doanh")
	second := c.file("Phường Hòa Cường", "Cống thoát nước bị tắc trước nhà")
	ward1.says("/resolve " + first + " Đã nhắc nhở các hộ kinh doanh.")
	c.presses("Rất hài lòng") // a comment is awaited for 30 minutes
	ward2.says("/ticket " + second)
	ward2.presses("Yêu cầu bổ sung")
	ward2.says("Ông/Bà cho biết số nhà gần nhất?")
	w.now = w.now.Add(5 * time.Minute)
	out := c.says("Trước nhà số 45 Núi Thành")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'awaiting_info'`, second); n != 0 {
		t.Fatalf("the reply to %s was taken for a comment on %s:\n%s", second, first, texts(out))
	}
}

// Officers type the text of a command on the line after the code as often
// as after a space; the ticket is theirs and must not be refused.
func TestStaffCommandWithTheTextOnTheNextLine(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2851, "ubnd-hai-chau", "officer")
	c := w.citizen(3851)
	code := c.file("Phường Hải Châu", "Ổ gà lớn trên đường Hùng Vương")
	out := officer.says("/resolve " + code + "\nĐã vá ổ gà, cảm ơn Ông/Bà.")
	if strings.Contains(texts(out), "không có quyền") {
		t.Fatalf("/resolve with its text on the next line was refused:\n%s", texts(out))
	}
	mustContain(t, sentTo(out, c.id), "Đã vá ổ gà")
}

// /unlinkgroup in a group is for the leaders of the group's unit (and
// administrators); a leader of another unit cannot take the group away
// from its unit either by linking it to their own, which would also send
// their unit's cards, with names and phones, to the other unit's staff.
func TestAnotherUnitsLeaderCannotTakeOverALinkedGroup(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	owner := w.staff(2861, "ubnd-hoa-cuong", "leader")
	other := w.staff(2862, "ubnd-hai-chau", "leader")
	inGroup := func(who *citizen, command string) []bot.Outgoing {
		return who.sends(func(e *bot.Event) {
			e.Chat = bot.Chat{ID: "-100861", Group: true}
			e.Command, e.Args, _ = strings.Cut(command, " ")
		})
	}
	mustContain(t, inGroup(owner, "linkgroup ubnd-hoa-cuong"), "Nhóm đã được liên kết")
	mustContain(t, inGroup(other, "unlinkgroup"), "không có quyền")
	inGroup(other, "linkgroup ubnd-hai-chau")
	if n := w.count(`SELECT count(*) FROM unit_groups g JOIN units u ON u.id = g.unit_id
		WHERE g.chat_id = '-100861' AND g.active AND u.code = 'ubnd-hoa-cuong'`); n != 1 {
		t.Fatal("a leader of another unit took the group away from its unit")
	}
	w.citizen(3861).file("Phường Hải Châu", "Đèn tín hiệu giao thông không hoạt động")
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = '-100861' AND payload->>'text' LIKE '%Đèn tín hiệu%'`); n != 0 {
		t.Fatal("another ward's card, with its sender's name, reached the group")
	}
}

// After «Bổ sung thông tin», a citizen types the word of a button instead
// of pressing it — «Hủy», or «Skip» in the other language: it ends the
// wait as the prompt's Skip does, and is not sent to the unit as
// information.
func TestTypedCancelOrSkipEndsAddingInformation(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(5101, "ubnd-hoa-cuong", "officer")
	c := w.citizen(5102)
	code := c.file("Phường Hòa Cường", "Cống thoát nước bị tắc trước nhà số 12")
	for _, typed := range []string{"Hủy", "skip"} {
		c.says("/status " + code)
		mustContain(t, c.presses("Bổ sung thông tin"), "gửi thêm thông tin")
		out := c.says(typed)
		mustContain(t, out, "Đã ghi nhận")
		if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'info_added'`); n != 0 {
			t.Fatalf("typed «%s» was added to %s as information (%d events) and sent to the unit:\n%s",
				typed, code, n, texts(sentTo(out, officer.id)))
		}
		if n := w.count(`SELECT count(*) FROM conversations WHERE chat_id = $1`, c.id); n != 0 {
			t.Fatalf("typed «%s» did not end the wait for information", typed)
		}
	}
}

// «Bổ sung thông tin» pressed while a petition is being written: the
// petition is kept, and the citizen is told why the button does nothing
// yet and what to do (send or cancel the petition first); once it is
// cancelled, the button works.
func TestAddInformationDuringADraftSaysWhy(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(5231)
	code := c.file("Phường Hòa Cường", "Cống thoát nước bị tắc trước nhà số 12")
	c.says("/status " + code)
	c.says("/new")
	mustContain(t, c.presses("Bổ sung thông tin"), "đang soạn dở", code, "/cancel")
	if w.draftStep(c) != "kind" {
		t.Fatal("the petition draft was not kept")
	}
	c.says("/cancel")
	mustContain(t, c.presses("Bổ sung thông tin"), "gửi thêm thông tin")
}

// A unit asks the citizen for information; before the citizen replies, the
// ticket moves: a colleague transfers it to the unit it belongs to, or it
// is found to be a denunciation and goes to the intake. The citizen's
// reply to the question reaches the ticket, now with that unit, and is not
// taken for a new petition.
func TestAReplyToAQuestionFollowsTheTicketToItsNewUnit(t *testing.T) {
	for i, move := range []string{"transfer", "denunciation"} {
		t.Run(move, func(t *testing.T) {
			w := newWorld(t)
			w.seedOrg()
			a := w.staff(7001+10*i, "ubnd-hoa-cuong", "officer")
			to := map[string]string{"transfer": "ubnd-hai-chau", "denunciation": "ubnd-tp"}[move]
			b := w.staff(7002+10*i, to, "officer")
			c := w.citizen(7003 + 10*i)
			code := c.file("Phường Hòa Cường", "Cán bộ phường thu tiền sai quy định khi cấp phép sửa nhà")
			a.asksOn(code, "Ông/Bà cho biết thời gian, địa điểm cụ thể?")
			w.now = w.now.Add(time.Hour)
			if move == "transfer" {
				a.says("/transfer " + code + " ubnd-hai-chau Địa điểm thuộc phường Hải Châu")
			} else {
				a.says("/ticket " + code)
				a.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ")
			}
			w.now = w.now.Add(time.Hour)

			out := c.says("Ngày 10/11 tại trụ sở phường")
			if n := w.count(`SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
				WHERE t.code = $1 AND e.kind = 'info_added' AND e.body LIKE '%Ngày 10/11%'`, code); n != 1 {
				t.Fatalf("the citizen's reply to the unit's question did not reach %s; the citizen got:\n%s\nthe new unit's officer got:\n%s",
					code, texts(sentTo(out, c.id)), texts(sentTo(out, b.id)))
			}
			if n := w.count(`SELECT count(*) FROM conversations WHERE chat_id = $1 AND flow = 'petition'`, c.id); n != 0 {
				t.Fatal("the reply to the question started a new petition")
			}
		})
	}
}

// A city leader opens a ward's ticket and starts transferring it to the
// other ward (chooses the unit, is asked for the reason). Meanwhile the
// ward's own officer transfers it there with /transfer. When the leader
// sends the reason, the ticket is already at that unit: the leader is told
// so, and nothing is recorded (a second transfer would tell the citizen
// again and restart the clock).
func TestAStaleTransferToTheUnitThatHasTheTicketChangesNothing(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	cityLeader := w.staff(7011, "ubnd-tp", "leader")
	ward := w.staff(7012, "ubnd-hoa-cuong", "officer")
	other := w.staff(7013, "ubnd-hai-chau", "officer")
	c := w.citizen(7014)
	code := c.file("Phường Hòa Cường", "Cây xanh đổ chắn ngang đường Lê Duẩn")

	cityLeader.says("/ticket " + code)
	cityLeader.presses("Chuyển đơn vị")
	mustContain(t, cityLeader.presses("UBND phường Hải Châu"), "lý do chuyển")

	w.now = w.now.Add(24 * time.Hour)
	mustContain(t, ward.says("/transfer "+code+" ubnd-hai-chau Thuộc địa bàn phường Hải Châu"), "UBND phường Hải Châu")
	due := w.dueOf(code)
	w.sent()

	w.now = w.now.Add(48 * time.Hour)
	out := cityLeader.says("Địa điểm thuộc phường Hải Châu")
	if n := w.count(`SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE t.code = $1 AND e.kind = 'transferred'`, code); n != 1 {
		t.Fatalf("%s was transferred %d times to the unit that already had it; the citizen got:\n%s\nthe unit got:\n%s",
			code, n, texts(sentTo(out, c.id)), texts(sentTo(out, other.id)))
	}
	if got := w.dueOf(code); !got.Equal(due) {
		t.Fatalf("the deadline moved from %s to %s without an extension", due, got)
	}
}

// An officer of the receiving unit accepts a transferred ticket from the
// card that brought it. The card, edited in place to say who accepted it,
// keeps the reason of the transfer ("Lý do chuyển: …").
func TestAcceptingATransferredCardKeepsTheReason(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	a := w.staff(7021, "ubnd-hoa-cuong", "officer")
	b := w.staff(7022, "ubnd-hai-chau", "officer")
	code := w.citizen(7023).file("Phường Hòa Cường", "Cây xanh đổ chắn ngang đường Lê Duẩn")
	out := a.says("/transfer " + code + " ubnd-hai-chau Cây nằm trên đường Trần Phú thuộc phường Hải Châu")
	mustContain(t, sentTo(out, b.id), "Lý do chuyển", "đường Trần Phú")

	edited := editIn(t, b.presses("Tiếp nhận"), b.id)
	if !strings.Contains(edited.Text, "đường Trần Phú") {
		t.Fatalf("accepting the card erased the reason of the transfer from it:\n%s", edited.Text)
	}
}

// An officer asks the citizen for information; before the citizen
// replies, a colleague answers the ticket. The citizen then replies to the
// question, as told: as information given through «Bổ sung thông tin»
// after the unit answered, it gets the rating buttons ("not satisfied"
// reopens), and is not taken for a new petition.
func TestAReplyToAQuestionAnsweredMeanwhileOffersTheRating(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	a := w.staff(7031, "ubnd-hoa-cuong", "officer")
	b := w.staff(7032, "ubnd-hoa-cuong", "officer")
	c := w.citizen(7033)
	code := c.file("Phường Hòa Cường", "Cống thoát nước bị tắc, nước tràn ra đường")
	a.asksOn(code, "Ông/Bà cho biết số nhà gần nhất?")
	w.now = w.now.Add(10 * time.Minute)
	mustContain(t, sentTo(b.says("/resolve "+code+" Đã nạo vét cống, nước đã rút."), c.id), "Đã nạo vét cống")
	w.now = w.now.Add(5 * time.Minute)

	out := c.says("Trước nhà số 45 Núi Thành")
	if n := w.count(`SELECT count(*) FROM conversations WHERE chat_id = $1 AND flow = 'petition'`, c.id); n != 0 {
		t.Fatalf("the reply to the unit's question on %s, answered meanwhile, started a new petition:\n%s", code, texts(out))
	}
	mustContain(t, out, code, "[Không hài lòng]")
}

// A unit's linked group gets its cards in Vietnamese, whatever its
// members' languages (staffRecipients). A member who reads the bot in
// English accepts a ticket from the group's card: the card everyone in the
// group shares stays in Vietnamese.
func TestAcceptingInAGroupKeepsTheGroupsLanguage(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	leader := w.staff(7041, "ubnd-hoa-cuong", "leader")
	leader.says("/lang")
	leader.presses("English")
	group := "-100704"
	leader.sends(func(e *bot.Event) {
		e.Chat, e.Command, e.Args = bot.Chat{ID: group, Group: true}, "linkgroup", "ubnd-hoa-cuong"
	})
	w.citizen(7042).file("Phường Hòa Cường", "Rác thải xây dựng đổ trộm ven sông")
	msgID, data := w.findButton(group, "Tiếp nhận")

	out := leader.sends(func(e *bot.Event) {
		e.Chat = bot.Chat{ID: group, Group: true}
		e.Button = &bot.Button{QueryID: "gq", Data: data, MessageID: msgID}
	})
	edited := editIn(t, out, group)
	if !strings.Contains(edited.Text, "Đã tiếp nhận bởi") || strings.Contains(edited.Text, "Accepted by") {
		t.Fatalf("the group's shared card was rewritten in the presser's language:\n%s", edited.Text)
	}
}

// An officer whose name is gone (they erased their data) accepts in the
// unit's name: the card does not read "accepted by ." with no one.
func TestAnOfficerWithoutANameAcceptsInTheUnitsName(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(7071, "ubnd-hoa-cuong", "officer")
	w.citizen(7072).file("Phường Hòa Cường", "Cây xanh đổ chắn ngang đường Lê Duẩn")
	w.exec(`UPDATE citizens SET display_name = '', erased_at = now() WHERE chat_id = $1`, officer.id)
	mustContain(t, officer.presses("Tiếp nhận"), "Đã tiếp nhận bởi UBND phường Hòa Cường.")
}

// A question the citizen never replied to, asked before the unit answered,
// no longer waits once the answer came: a day after the answer, or days
// after a «Không hài lòng» reopening, a message is a new matter that
// starts a petition.
func TestAMessageLongAfterTheAnswerIsNotTakenForAnOldQuestionsReply(t *testing.T) {
	for i, reopen := range []bool{false, true} {
		t.Run(fmt.Sprintf("reopened=%v", reopen), func(t *testing.T) {
			w := newWorld(t)
			w.seedOrg()
			officer := w.staff(7061+10*i, "ubnd-hoa-cuong", "officer")
			c := w.citizen(7063 + 10*i)
			code := c.file("Phường Hòa Cường", "Cống thoát nước bị tắc, nước tràn ra đường")
			officer.asksOn(code, "Ông/Bà cho biết số nhà gần nhất?")
			w.now = w.now.Add(time.Hour)
			officer.says("/resolve " + code + " Đã nạo vét cống, nước đã rút.")
			if reopen {
				w.now = w.now.Add(time.Hour)
				c.presses("Không hài lòng") // reopened; the 30-minute prompt
				c.presses("Bỏ qua")
				w.now = w.now.Add(72 * time.Hour)
			} else {
				w.now = w.now.Add(25 * time.Hour)
			}

			out := c.says("Đèn đường kiệt 12 Núi Thành bị hỏng")
			if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'info_added'`); n != 0 {
				t.Fatalf("a new matter was added to %s as the reply to the old question:\n%s", code, texts(out))
			}
			if n := w.count(`SELECT count(*) FROM conversations WHERE chat_id = $1 AND flow = 'petition'`, c.id); n != 1 {
				t.Fatalf("a new matter did not start a petition:\n%s", texts(out))
			}
		})
	}
}

// editIn returns the last edit sent to chat among out, or fails.
func editIn(t *testing.T, out []bot.Outgoing, chat string) bot.Outgoing {
	t.Helper()
	for _, o := range slices.Backward(sentTo(out, chat)) {
		if o.Kind == bot.KindEdit {
			return o
		}
	}
	t.Fatalf("no edit in chat %s:\n%s", chat, texts(out))
	return bot.Outgoing{}
}
