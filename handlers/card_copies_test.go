package handlers_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// Button labels of a card, as each state leaves them.
var (
	handlingButtons = []string{"❓ Yêu cầu bổ sung", "✉️ Trả lời", "↪️ Chuyển đơn vị", "⛔ Không thuộc thẩm quyền", "📝 Ghi chú", "🏷 Phân loại lại"}
	handlingEN      = []string{"❓ Ask for info", "✉️ Answer", "↪️ Transfer", "⛔ Outside our competence", "📝 Note", "🏷 Reclassify"}
	closedButtons   = []string{"📝 Ghi chú"}
)

// copiesWorld is a ward whose card goes to three chats: officers a
// (Vietnamese) and b (English) and the ward's linked group, run by leader.
type copiesWorld struct {
	w             *world
	a, b, leader  *citizen
	group, code   string
	ticketID      int64
	wardNeighbour *citizen // an officer of the next ward, Hải Châu
}

func newCopiesWorld(t *testing.T, base int) *copiesWorld {
	t.Helper()
	w := newWorld(t)
	w.seedOrg()
	k := &copiesWorld{w: w, group: fmt.Sprint(-100000 - base)}
	k.a = w.staff(base+1, "ubnd-hoa-cuong", "officer")
	k.b = w.staff(base+2, "ubnd-hoa-cuong", "officer")
	k.b.says("/lang")
	k.b.presses("English")
	k.leader = w.staff(base+3, "ubnd-hoa-cuong", "leader")
	k.leader.sends(func(e *bot.Event) {
		e.Chat, e.Command, e.Args = bot.Chat{ID: k.group, Group: true}, "linkgroup", "ubnd-hoa-cuong"
	})
	k.wardNeighbour = w.staff(base+5, "ubnd-hai-chau", "officer")
	k.code = w.citizen(base+4).file("Phường Hòa Cường", "Cống thoát nước bị tắc, nước tràn ra đường Núi Thành")
	if err := w.raw.Get(&k.ticketID, `SELECT id FROM tickets WHERE code = $1`, k.code); err != nil {
		t.Fatal(err)
	}
	return k
}

// transferredAway has officer a transfer the ticket to the next ward once
// every copy of its card was delivered, and returns the copies by chat.
func (k *copiesWorld) transferredAway() map[string]string {
	k.w.markDelivered()
	cards := k.w.cardsIn(k.code, k.chats()...)
	k.a.says("/transfer " + k.code + " ubnd-hai-chau Địa điểm thuộc phường Hải Châu")
	k.w.markDelivered()
	return cards
}

// chats are the three chats that got the card.
func (k *copiesWorld) chats() []string { return []string{k.a.id, k.b.id, k.group} }

// cardIn returns the messenger id of the card of ticket code delivered to
// chat (the outbox row's id, as markDelivered records it).
func (w *world) cardIn(chat, code string) string {
	w.t.Helper()
	var id string
	if err := w.raw.Get(&id, `SELECT sent_message_id FROM outbox WHERE chat_id = $1 AND kind = 'text' AND status = 'sent'
		AND strpos(payload->>'text', '<b>' || $2 || '</b> · ') > 0 AND payload::text LIKE '%"o:accept:%' ORDER BY id LIMIT 1`,
		chat, code); err != nil {
		w.t.Fatalf("no card of %s delivered to %s: %v", code, chat, err)
	}
	return id
}

// editsOf returns the edits of message id in chat among out.
func editsOf(out []bot.Outgoing, chat, id string) []bot.Outgoing {
	var edits []bot.Outgoing
	for _, o := range sentTo(out, chat) {
		if o.Kind == bot.KindEdit && o.MessageID == id {
			edits = append(edits, o)
		}
	}
	return edits
}

// labels lists the labels of a message's buttons, row after row.
func labels(o bot.Outgoing) []string {
	var l []string
	for _, row := range o.Buttons {
		for _, b := range row {
			l = append(l, b.Text)
		}
	}
	return l
}

// cardsIn returns the messenger ids of the cards of ticket code delivered
// to chats, by chat.
func (w *world) cardsIn(code string, chats ...string) map[string]string {
	w.t.Helper()
	ids := map[string]string{}
	for _, chat := range chats {
		ids[chat] = w.cardIn(chat, code)
	}
	return ids
}

// editedOnce returns the one edit of message id in chat among out, or
// fails.
func editedOnce(t *testing.T, out []bot.Outgoing, chat, id string) bot.Outgoing {
	t.Helper()
	edits := editsOf(out, chat, id)
	if len(edits) != 1 {
		t.Fatalf("%d edits of message %s in chat %s, want 1:\n%s", len(edits), id, chat, texts(out))
	}
	return edits[0]
}

// One of three chats' officers accepts: the two other copies of the card
// are edited to show who accepted it, without the Accept button (README:
// every copy of a card follows the ticket), each in its own language and
// under its own heading; the pressed one is edited once.
func TestOneAcceptEditsEveryCopyOfTheCard(t *testing.T) {
	k := newCopiesWorld(t, 8400)
	k.w.markDelivered()
	cards := k.w.cardsIn(k.code, k.chats()...)
	out := k.a.presses("Tiếp nhận")
	checkOutgoing(t, out)

	if e := editedOnce(t, out, k.a.id, cards[k.a.id]); !strings.Contains(e.Text, "Đã tiếp nhận bởi Cán bộ 8401") || !slices.Equal(labels(e), handlingButtons) || e.InPlaceOnly {
		t.Fatalf("the pressed card became %q with %v", e.Text, labels(e))
	}
	for _, c := range []struct {
		chat    string
		buttons []string
		want    []string
	}{
		{k.b.id, handlingEN, []string{"New report", "In progress", "Accepted by: Cán bộ 8401", "Cống thoát nước bị tắc"}},
		{k.group, handlingButtons, []string{"Phản ánh mới", "Đang xử lý", "Người tiếp nhận: Cán bộ 8401", "Cống thoát nước bị tắc"}},
	} {
		e := editedOnce(t, out, c.chat, cards[c.chat])
		if !e.InPlaceOnly {
			t.Fatalf("the edit of the copy in chat %s would bring it back as a new message were it deleted", c.chat)
		}
		if !slices.Equal(labels(e), c.buttons) {
			t.Fatalf("the copy in chat %s has buttons %v, want %v", c.chat, labels(e), c.buttons)
		}
		mustContain(t, []bot.Outgoing{e}, c.want...)
		if len(sentTo(out, c.chat)) != 1 {
			t.Fatalf("chat %s got more than the edit of its copy:\n%s", c.chat, texts(sentTo(out, c.chat)))
		}
	}
}

// A second officer presses Accept on their copy before its edit reaches
// them: they are told who accepted the ticket, in their language; once
// that officer's name is erased, the unit that accepted it.
func TestASecondAcceptSaysWhoAcceptedTheTicket(t *testing.T) {
	k := newCopiesWorld(t, 8410)
	k.w.markDelivered()
	accept := fmt.Sprintf("o:accept:%d", k.ticketID)
	k.a.presses("Tiếp nhận")

	mustAnswer(t, k.b.pressData(k.w.cardIn(k.b.id, k.code), accept), "The report is already «In progress»; Cán bộ 8411 accepted it.")
	inGroup := k.leader.sends(func(e *bot.Event) {
		e.Chat = bot.Chat{ID: k.group, Group: true}
		e.Button = &bot.Button{QueryID: "gq", Data: accept, MessageID: k.w.cardIn(k.group, k.code)}
	})
	mustAnswer(t, inGroup, "Phản ánh đang ở trạng thái «Đang xử lý», do Cán bộ 8411 tiếp nhận.")

	k.w.exec(`UPDATE citizens SET display_name = '', erased_at = now() WHERE chat_id = $1`, k.a.id)
	mustAnswer(t, k.b.pressData(k.w.cardIn(k.b.id, k.code), accept), "The report is already «In progress»; UBND phường Hòa Cường accepted it.")
}

// Once answered, rejected or merged into another ticket, a ticket can only
// take notes: every copy of its card keeps the Note button alone.
func TestAClosingStepLeavesOnlyTheNoteButtonOnEveryCopy(t *testing.T) {
	for i, step := range []struct {
		name   string
		status string
		do     func(k *copiesWorld) (code string, out []bot.Outgoing)
	}{
		{"answer", "Đã trả lời", func(k *copiesWorld) (string, []bot.Outgoing) {
			return k.code, k.a.says("/resolve " + k.code + " Đã nạo vét cống, nước đã rút.")
		}},
		{"reject", "Không tiếp nhận", func(k *copiesWorld) (string, []bot.Outgoing) {
			k.a.presses("Không thuộc thẩm quyền")
			return k.code, k.a.says("Tuyến cống do Công ty Thoát nước quản lý, Ông/Bà liên hệ số 0236 3xxx")
		}},
		{"merge", "Đã gộp vào phản ánh cùng nội dung", func(k *copiesWorld) (string, []bot.Outgoing) {
			dup := k.w.citizen(8499).file("Phường Hòa Cường", "Nước tràn ra đường Núi Thành vì cống bị tắc")
			k.w.markDelivered()
			return dup, k.a.says("/gop " + dup + " " + k.code)
		}},
	} {
		t.Run(step.name, func(t *testing.T) {
			k := newCopiesWorld(t, 8420+10*i)
			k.w.markDelivered()
			code, out := step.do(k)
			checkOutgoing(t, out)
			cards := k.w.cardsIn(code, k.chats()...)
			for _, chat := range k.chats() {
				e := editedOnce(t, out, chat, cards[chat])
				want := closedButtons
				if chat == k.b.id {
					want = []string{"📝 Note"}
				}
				if !slices.Equal(labels(e), want) {
					t.Fatalf("the copy in chat %s has buttons %v, want %v", chat, labels(e), want)
				}
				if chat != k.b.id && !strings.Contains(e.Text, step.status) {
					t.Fatalf("the copy in chat %s does not say %q:\n%s", chat, step.status, e.Text)
				}
			}
		})
	}
}

// A transfer takes the ticket out of the ward's hands: the ward's copies
// show where it went, without buttons; the receiving ward gets a card of
// its own to act on.
func TestATransferTakesTheButtonsOffTheCopiesOfTheUnitThatGaveItAway(t *testing.T) {
	k := newCopiesWorld(t, 8460)
	k.w.markDelivered()
	cards := k.w.cardsIn(k.code, k.chats()...)
	out := k.a.says("/transfer " + k.code + " ubnd-hai-chau Địa điểm thuộc phường Hải Châu")
	checkOutgoing(t, out)
	for _, chat := range k.chats() {
		e := editedOnce(t, out, chat, cards[chat])
		if len(e.Buttons) != 0 {
			t.Fatalf("the copy in chat %s, whose unit no longer has the ticket, keeps %v", chat, labels(e))
		}
		if chat != k.b.id {
			mustContain(t, []bot.Outgoing{e}, "Đã chuyển đơn vị xử lý", "Đơn vị xử lý: UBND phường Hải Châu")
		}
	}
	mustContain(t, sentTo(out, k.wardNeighbour.id), "được chuyển đến đơn vị", k.code, "[✅ Tiếp nhận]")
}

// The copies a transfer left without buttons follow the ticket like the
// others, and like them are edited only when they change: a step that
// changes nothing on the card leaves them alone, rather than comparing
// them with their last version with buttons and editing them again (a
// call Telegram refuses, counted against a group's 20 a minute).
func TestACopyLeftWithoutButtonsIsEditedOnlyWhenItChanges(t *testing.T) {
	k := newCopiesWorld(t, 8540)
	cards := k.transferredAway()
	out := k.wardNeighbour.presses("Tiếp nhận")
	for _, chat := range k.chats() {
		if e := editedOnce(t, out, chat, cards[chat]); len(e.Buttons) != 0 || !strings.Contains(e.Text, "Cán bộ 8545") {
			t.Fatalf("the copy in chat %s did not follow the acceptance without buttons: %v\n%s", chat, labels(e), e.Text)
		}
	}
	k.w.markDelivered()
	out = k.wardNeighbour.says("/reply " + k.code + " Tổ công tác sẽ kiểm tra trong hôm nay.")
	for _, chat := range k.chats() {
		if edits := editsOf(out, chat, cards[chat]); len(edits) != 0 {
			t.Fatalf("a reply that changes nothing on the card edited the copy in chat %s:\n%s", chat, texts(edits))
		}
	}
}

// A progress reply takes a received ticket in hand: the copies lose the
// Accept button. A second reply changes nothing on them, and no copy is
// edited for it (Telegram refuses an edit that changes nothing, and it
// would count against the chat's limits).
func TestAProgressReplyEditsTheCopiesOnlyWhenTheyChange(t *testing.T) {
	k := newCopiesWorld(t, 8470)
	k.w.markDelivered()
	cards := k.w.cardsIn(k.code, k.chats()...)
	out := k.a.says("/reply " + k.code + " Tổ công tác sẽ kiểm tra trong hôm nay.")
	for _, chat := range k.chats() {
		if e := editedOnce(t, out, chat, cards[chat]); slices.Contains(labels(e), "✅ Tiếp nhận") || slices.Contains(labels(e), "✅ Accept") {
			t.Fatalf("the copy in chat %s still offers Accept: %v", chat, labels(e))
		}
	}
	k.w.markDelivered()
	out = k.a.says("/reply " + k.code + " Đã liên hệ Công ty Thoát nước.")
	for _, o := range out {
		if o.Kind == bot.KindEdit {
			t.Fatalf("a reply that changes nothing on the card edited a copy in chat %s:\n%s", o.ChatID, o.Text)
		}
	}
}

// A copy not yet delivered (its chat waits out Telegram's limits) is
// replaced where it waits, rather than edited before it exists.
func TestACopyStillQueuedIsReplacedWhereItWaits(t *testing.T) {
	k := newCopiesWorld(t, 8480)
	var queued int64
	if err := k.w.raw.Get(&queued, `SELECT id FROM outbox WHERE chat_id = $1 AND payload::text LIKE '%"o:accept:%'`, k.b.id); err != nil {
		t.Fatal(err)
	}
	k.w.exec(`UPDATE outbox SET status = 'sent', sent_message_id = coalesce(payload->>'message_id', id::text)
		WHERE status = 'pending' AND chat_id <> $1`, k.b.id)
	out := k.a.presses("Tiếp nhận")
	if n := len(sentTo(out, k.b.id)); n != 0 {
		t.Fatalf("%d messages queued for the chat whose copy still waits:\n%s", n, texts(sentTo(out, k.b.id)))
	}
	if n := k.w.count(`SELECT count(*) FROM outbox WHERE id = $1 AND status = 'pending' AND kind = 'text' AND revision = 1
		AND payload::text NOT LIKE '%"o:accept:%' AND payload->>'text' LIKE '%Accepted by: Cán bộ 8481%'`, queued); n != 1 {
		t.Fatal("the copy still queued was not replaced with the card as it now is")
	}
}

// A ticket found to be a denunciation has its ward's cards sealed and
// goes to the intake. When the intake accepts it, its other intake copy
// follows, and nothing reaches the ward's chat: the sealed card stays
// sealed.
func TestASealedCardStaysSealedWhenTheTicketMovesOn(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	ward := w.staff(8491, "ubnd-hoa-cuong", "officer")
	intake1, intake2 := w.staff(8492, "ubnd-tp", "officer"), w.staff(8493, "ubnd-tp", "officer")
	code := w.citizen(8494).fileWithLetter("Cán bộ phường thu tiền trái phép khi cấp phép sửa nhà, tôi gửi kèm đơn viết tay")
	w.markDelivered()
	ward.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ phường")
	w.markDelivered()
	other := w.cardIn(intake2.id, code)

	out := intake1.presses("Tiếp nhận")
	checkOutgoing(t, out)
	if got := sentTo(out, ward.id); len(got) != 0 {
		t.Fatalf("the ward's chat, whose card was sealed, got:\n%s", texts(got))
	}
	e := editedOnce(t, out, intake2.id, other)
	if !slices.Equal(labels(e), handlingButtons) || strings.Contains(e.Text, "8494") {
		t.Fatalf("the intake's other copy became %q with %v", e.Text, labels(e))
	}
}

// The copies a transfer left without buttons are still the ticket's
// cards: should the receiving unit find it to be a denunciation, they are
// sealed with the rest.
func TestACopyLeftWithoutButtonsIsStillSealed(t *testing.T) {
	k := newCopiesWorld(t, 8500)
	cards := k.transferredAway()
	out := k.wardNeighbour.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ")
	for _, chat := range k.chats() {
		e := editedOnce(t, out, chat, cards[chat])
		if strings.Contains(e.Text, "Cống thoát nước") || !strings.Contains(e.Text, k.code) {
			t.Fatalf("the copy in chat %s was not sealed:\n%s", chat, e.Text)
		}
	}
}

// A copy left without buttons (its unit gave the ticket away) keeps its
// language when a later step edits it: an English officer's copy is not
// rewritten in Vietnamese because no button label says its language.
func TestACopyWithoutButtonsKeepsItsLanguage(t *testing.T) {
	k := newCopiesWorld(t, 8490)
	cards := k.transferredAway()
	out := k.wardNeighbour.presses("Tiếp nhận")
	checkOutgoing(t, out)
	var edit *bot.Outgoing
	for _, e := range editsOf(out, k.b.id, cards[k.b.id]) {
		edit = &e
	}
	if edit == nil {
		t.Fatalf("the English copy was not edited when Hải Châu accepted:\n%s", texts(out))
	}
	mustContain(t, []bot.Outgoing{*edit}, "Sent: ", "Accepted by: ")
}

// An officer presses Accept on their copy as soon as it reaches them,
// before the sender has recorded its delivery: the pressed card is edited
// once, by the accept. The copy the sender is delivering is left as it is,
// so recording its delivery finds it unchanged and queues no second edit
// over the accept's.
func TestACardPressedBeforeItsDeliveryIsRecordedIsEditedOnce(t *testing.T) {
	k := newCopiesWorld(t, 8510)
	var card storage.SentMark
	if err := k.w.raw.Get(&card, `SELECT id AS "id", revision AS "revision" FROM outbox
		WHERE chat_id = $1 AND payload::text LIKE '%"o:accept:%'`, k.a.id); err != nil {
		t.Fatal(err)
	}
	k.w.exec(`UPDATE outbox SET status = 'sent', sent_message_id = coalesce(payload->>'message_id', id::text)
		WHERE status = 'pending' AND id <> $1`, card.ID)
	k.w.exec(`UPDATE outbox SET lease_until = now() + interval '1 minute' WHERE id = $1`, card.ID)
	card.MessageID = "7001" // what Telegram gave it, not yet recorded

	out := k.a.pressData(card.MessageID, fmt.Sprintf("o:accept:%d", k.ticketID))
	checkOutgoing(t, out)
	if e := editedOnce(t, out, k.a.id, card.MessageID); !strings.Contains(e.Text, "Đã tiếp nhận bởi Cán bộ 8511") {
		t.Fatalf("the pressed card became %q", e.Text)
	}
	if replaced, err := k.w.store.MarkOutboxSent(k.w.ctx, card); err != nil || len(replaced) != 0 {
		t.Fatalf("recording the pressed card's delivery: %v; replaced since its claim: %d (its sender would edit it again)", err, len(replaced))
	}
	editedOnce(t, out, k.b.id, k.w.cardIn(k.b.id, k.code)) // the others still follow
}

// Only a press on the ticket's own card can be of a copy in flight: an
// officer who filed a petition themselves rates its answer while the card
// of it is still being delivered to them, and that copy is replaced with
// the card as it now is, as any copy still queued.
func TestARatingPressLeavesNoCopyInFlightBehind(t *testing.T) {
	k := newCopiesWorld(t, 8520)
	code := k.a.file("Phường Hòa Cường", "Đèn đường trên đường Núi Thành không sáng")
	k.w.markDelivered()
	k.b.says("/resolve " + code + " Đã thay bóng đèn.")
	var card storage.SentMark
	if err := k.w.raw.Get(&card, `SELECT o.id AS "id", o.revision AS "revision" FROM outbox o JOIN tickets t ON t.code = $2
		WHERE o.chat_id = $1 AND o.payload::text LIKE '%"o:note:' || t.id || '"%' ORDER BY o.id LIMIT 1`, k.a.id, code); err != nil {
		t.Fatal(err)
	}
	k.w.exec(`UPDATE outbox SET status = 'pending', sent_message_id = NULL, lease_until = now() + interval '1 minute' WHERE id = $1`, card.ID)
	k.w.exec(`UPDATE outbox SET status = 'sent', sent_message_id = coalesce(payload->>'message_id', id::text)
		WHERE status = 'pending' AND id <> $1`, card.ID)

	k.a.presses("Rất hài lòng")
	if n := k.w.count(`SELECT count(*) FROM outbox WHERE id = $1 AND revision > $2 AND payload->>'text' LIKE '%Hoàn thành%'`, card.ID, card.Revision); n != 1 {
		t.Fatal("the card still being delivered to the officer who rated was not replaced with the ticket completed")
	}
}

// A ticket found to be a tố cáo a second time (it went back to a ward as
// a kiến nghị, and the ward found it a denunciation again) is not sealed
// again, so the ward's newer cards stay as they were: no later step edits
// them into a card that shows it is a denunciation, now at the intake,
// to a unit it may accuse (law.md §5).
func TestADenunciationFoundAgainIsNotShownToTheWardByALaterStep(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	ward := w.staff(8531, "ubnd-hai-chau", "officer")
	intake := w.staff(8532, "ubnd-tp", "officer")
	first := w.staff(8533, "ubnd-hoa-cuong", "officer")
	code := w.citizen(8534).file("Phường Hòa Cường", "Cán bộ phường thu phí chợ không có biên lai")
	first.reclassifyAs("Tố cáo", "Nội dung tố cáo cán bộ thu phí")
	intake.reclassifyAs("Kiến nghị", "Nội dung là kiến nghị về mức phí chợ")
	intake.presses("Chuyển đơn vị")
	intake.presses("UBND phường Hải Châu")
	intake.says("Thuộc địa bàn phường Hải Châu")
	w.markDelivered()
	card := w.cardIn(ward.id, code)
	ward.reclassifyAs("Tố cáo", "Nội dung vẫn là tố cáo cán bộ")
	w.markDelivered()

	out := intake.presses("Tiếp nhận")
	checkOutgoing(t, out)
	if edits := editsOf(out, ward.id, card); len(edits) != 0 {
		t.Fatalf("the ward's card was edited when the intake accepted the denunciation:\n%s", texts(edits))
	}
}

// An officer deleted their copy of the card: the edit that found it gone
// was dropped (delivered without a message, as the sender records an edit
// InPlaceOnly whose message is not found). Later steps leave that copy
// alone instead of trying it again, each try a refused call counted
// against the chat's limits; the other copies still follow the ticket.
func TestADeletedCopyIsNotTriedAgain(t *testing.T) {
	k := newCopiesWorld(t, 8550)
	k.w.markDelivered()
	cards := k.w.cardsIn(k.code, k.chats()...)
	k.a.presses("Tiếp nhận")
	var gone storage.SentMark
	if err := k.w.raw.Get(&gone, `SELECT id AS "id", '' AS "messageid", revision AS "revision" FROM outbox
		WHERE status = 'pending' AND kind = 'edit' AND chat_id = $1 AND payload->>'message_id' = $2`, k.b.id, cards[k.b.id]); err != nil {
		t.Fatal(err)
	}
	if _, err := k.w.store.MarkOutboxSent(k.w.ctx, gone); err != nil {
		t.Fatal(err)
	}
	k.w.markDelivered()

	out := k.a.says("/resolve " + k.code + " Đã nạo vét cống, nước đã rút.")
	checkOutgoing(t, out)
	if edits := editsOf(out, k.b.id, cards[k.b.id]); len(edits) != 0 {
		t.Fatalf("the deleted copy was edited again:\n%s", texts(edits))
	}
	editedOnce(t, out, k.group, cards[k.group])
}
