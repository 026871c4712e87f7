package handlers_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// markDelivered records what is queued as delivered, as the sender does,
// the outbox row's id standing in for the messenger's message id (an
// edit's, the id of the message it edits).
func (w *world) markDelivered() {
	w.t.Helper()
	var marks []storage.SentMark
	if err := w.raw.Select(&marks, `SELECT id AS "id", coalesce(payload->>'message_id', id::text) AS "messageid", revision AS "revision"
		FROM outbox WHERE status = 'pending' ORDER BY id`); err != nil {
		w.t.Fatal(err)
	}
	if len(marks) == 0 {
		return
	}
	if replaced, err := w.store.MarkOutboxSent(w.ctx, marks...); err != nil || len(replaced) > 0 {
		w.t.Fatalf("marking delivered: %v (%d replaced)", err, len(replaced))
	}
}

// complete has officer answer a petition and its sender rate the answer
// satisfied, which completes it; what is queued is then delivered.
func (w *world) complete(officer, sender *citizen, code string) {
	w.t.Helper()
	officer.says("/resolve " + code + " Đã thay bóng đèn.")
	sender.presses("Rất hài lòng")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'completed'`, code); n != 1 {
		w.t.Fatalf("setup: %s is not completed", code)
	}
	w.markDelivered()
}

// editedWithout reports whether out edits message id in chat into a text
// without quote.
func editedWithout(out []bot.Outgoing, chat, id, quote string) bool {
	return slices.ContainsFunc(sentTo(out, chat), func(o bot.Outgoing) bool {
		return o.MessageID == id && o.Kind == bot.KindEdit && !strings.Contains(o.Text, quote)
	})
}

// listQuoting returns the messenger id of the latest list in chat that
// quotes every one of words.
func (w *world) listQuoting(chat string, words ...string) string {
	w.t.Helper()
	q := `SELECT coalesce(max(id), 0) FROM outbox WHERE chat_id = $1 AND payload::text LIKE '%"c:%'`
	args := []any{chat}
	for i, s := range words {
		q += fmt.Sprintf(" AND strpos(payload::text, $%d) > 0", i+2)
		args = append(args, s)
	}
	id := w.count(q, args...)
	if id == 0 {
		w.t.Fatalf("setup: no list in chat %s quoting %q", chat, words)
	}
	return fmt.Sprint(id)
}

// A person with two petitions still open, both quoted in one /inbox list
// in the ward's chat, erases their data: the list's kept copy loses the
// quote of each of them (README, /mydata erase: "holding nothing of the
// person").
func TestErasureLeavesNoQuoteOfASecondPetitionInAPresealedList(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2901, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3901)
	first := c.file("Phường Hòa Cường", "Cống thoát nước tắc trước nhà số 12 Núi Thành")
	second := c.file("Phường Hòa Cường", "Rác thải đổ trộm ở bãi đất trống hẻm 45")
	officer.says("/inbox") // quotes both
	w.markDelivered()
	w.listQuoting(officer.id, "Cống thoát nước tắc", "Rác thải đổ trộm")

	mustContain(t, c.erase(), "Đã xóa")
	for _, s := range []string{"Cống thoát nước tắc", "Rác thải đổ trộm", "Người dân 3901"} {
		if n := w.count(`SELECT count(*) FROM outbox WHERE status <> 'pending' AND strpos(payload::text, $1) > 0`, s); n != 0 {
			t.Errorf("%d kept copies still hold %q after erasure (petitions %s, %s)", n, s, first, second)
		}
	}
}

// A list in the ward's chat quotes two petitions of two people. The first
// sender erases their data, and the list's kept copy is presealed for
// their petition. The other petition, later found to be a denunciation,
// takes its quote off the list all the same (law.md §5: the denouncer's
// words).
func TestSealingTakesItsQuoteOffAListPresealedForAnotherPetition(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2902, "ubnd-hoa-cuong", "officer")
	w.staff(2903, "ubnd-tp", "officer")
	erased := w.citizen(3902)
	erased.file("Phường Hòa Cường", "Đèn đường hỏng trước nhà số 9 Núi Thành")
	denouncer := w.citizen(3903)
	code := denouncer.file("Phường Hòa Cường", "Cán bộ phường thu tiền trái phép khi cấp phép sửa nhà")
	officer.says("/inbox")
	w.markDelivered()
	list := w.listQuoting(officer.id, "Đèn đường hỏng", "thu tiền trái phép")

	mustContain(t, erased.erase(), "Đã xóa")

	officer.says("/ticket " + code)
	out := officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ phường")
	checkOutgoing(t, out)
	edited := false
	for _, o := range sentTo(out, officer.id) {
		if o.MessageID != list {
			continue
		}
		edited = true
		if strings.Contains(o.Text, "thu tiền trái phép") {
			t.Fatalf("sealing left the denunciation's quote on the list: %q", o.Text)
		}
	}
	if !edited {
		t.Fatalf("sealing did not edit the list %s that quotes %s", list, code)
	}
}

// A list quotes a petition that is later completed and another person's
// petition still open. The first sender erases their data: the list's
// copy is kept without their quote, not blanked, since the other petition
// may still be sealed; found to be a denunciation, it takes its quote off
// the list.
func TestErasureDoesNotHideAnotherPetitionsListFromSealing(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2904, "ubnd-hoa-cuong", "officer")
	w.staff(2905, "ubnd-tp", "officer")
	erased := w.citizen(3904)
	done := erased.file("Phường Hòa Cường", "Đèn đường hỏng trước nhà số 9 Núi Thành")
	denouncer := w.citizen(3905)
	code := denouncer.file("Phường Hòa Cường", "Cán bộ phường thu tiền trái phép khi cấp phép sửa nhà")
	officer.says("/inbox")
	w.markDelivered()
	list := w.listQuoting(officer.id, "Đèn đường hỏng", "thu tiền trái phép")

	w.complete(officer, erased, done)
	mustContain(t, erased.erase(), "Đã xóa")

	officer.says("/ticket " + code)
	out := officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ phường")
	checkOutgoing(t, out)
	if editedWithout(out, officer.id, list, "thu tiền trái phép") {
		return
	}
	t.Fatalf("sealing did not take %s's quote off the list %s; sent to the ward:\n%s", code, list, texts(sentTo(out, officer.id)))
}

// A duplicate is merged (/gop) into a petition still open, whose timeline
// (/ticket) in the ward's chat then names the duplicate's code. The
// duplicate's sender erases their data: the main petition's timeline is
// someone else's and stays, so when the main petition is later found to be
// a denunciation its timeline is still turned into the sealed notice.
func TestErasureOfADuplicatesSenderDoesNotHideTheMainTimelineFromSealing(t *testing.T) {
	w, officer, _, second, into, dup := oneMatterTwice(t)
	w.staff(2906, "ubnd-tp", "officer")
	mustContain(t, officer.says("/gop "+dup+" "+into), "Đã gộp phản ánh "+dup)
	mustContain(t, officer.says("/ticket "+into), "Phản ánh trùng được gộp vào 🔒: "+dup)
	w.markDelivered()
	timeline := fmt.Sprint(w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND payload->>'text' LIKE '%Quá trình xử lý ' || $2 || '%'`,
		officer.id, into))

	mustContain(t, second.erase(), "Đã xóa")

	officer.says("/ticket " + into)
	out := officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ phường")
	checkOutgoing(t, out)
	for _, o := range sentTo(out, officer.id) {
		if o.MessageID == timeline && o.Kind == bot.KindEdit && strings.Contains(o.Text, "đã được xác định là tố cáo") {
			return
		}
	}
	t.Fatalf("sealing %s did not edit its timeline %s in the ward's chat; sent:\n%s", into, timeline, texts(sentTo(out, officer.id)))
}

// Two people's petitions are quoted in one list; both people erase their
// data, one after the other: the list's copy presealed by the first
// erasure loses the second person's quote too.
func TestASecondPersonsErasureTakesTheirQuoteOffAPresealedList(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2907, "ubnd-hoa-cuong", "officer")
	a, b := w.citizen(3907), w.citizen(3908)
	a.file("Phường Hòa Cường", "Đèn đường hỏng trước nhà số 9 Núi Thành")
	b.file("Phường Hòa Cường", "Nước thải tràn ra hẻm 31 Núi Thành")
	officer.says("/inbox")
	w.markDelivered()
	w.listQuoting(officer.id, "Đèn đường hỏng", "Nước thải tràn")

	mustContain(t, a.erase(), "Đã xóa")
	mustContain(t, b.erase(), "Đã xóa")
	if n := w.count(`SELECT count(*) FROM outbox WHERE status <> 'pending' AND strpos(payload::text, 'Nước thải tràn') > 0`); n != 0 {
		t.Fatalf("%d kept copies still quote the second person's petition after their erasure", n)
	}
}

// An officer accepts a citizen's petition from its card in their own
// private chat: the card is refreshed there with "✅ Đã tiếp nhận bởi
// <officer's name>". The officer then erases their own data: no kept copy
// holds their name (README: "the name (for good ...)").
func TestAnOfficersErasureKeepsNoCopyOfTheirNameOnACardTheyAccepted(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2951, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3951)
	code := c.file("Phường Hòa Cường", "Cống thoát nước tắc trước nhà số 12 Núi Thành")
	w.markDelivered()
	mustContain(t, officer.presses("Tiếp nhận"), "Đã tiếp nhận bởi Cán bộ 2951")
	w.markDelivered()

	mustContain(t, officer.erase(), "Đã xóa")
	if n := w.count(`SELECT count(*) FROM citizens WHERE user_id = $1 AND display_name = ''`, officer.id); n != 1 {
		t.Fatal("setup: the officer's name was not erased from the profile")
	}
	if n := w.count(`SELECT count(*) FROM outbox WHERE status <> 'pending' AND strpos(payload::text, 'Cán bộ 2951') > 0`); n != 0 {
		t.Fatalf("%d kept copies (the card of %s in the officer's own chat) still hold the officer's name after their erasure", n, code)
	}
}

// An officer files a petition of their own in their ward; another person
// files one there too, and the officer's /inbox list in their own private
// chat quotes both. The officer erases their data: no kept copy holds their
// own words.
func TestAnOfficersErasureKeepsNoQuoteOfTheirOwnPetitionInTheirInbox(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2952, "ubnd-hoa-cuong", "officer")
	own := officer.file("Phường Hòa Cường", "Hàng xóm xả nước thải ra hẻm 77 Núi Thành mỗi tối")
	other := w.citizen(3952)
	other.file("Phường Hòa Cường", "Đèn đường hỏng trước nhà số 9 Núi Thành")
	officer.says("/inbox")
	w.markDelivered()
	w.listQuoting(officer.id, "Hàng xóm xả nước thải", "Đèn đường hỏng")

	mustContain(t, officer.erase(), "Đã xóa")
	if n := w.count(`SELECT count(*) FROM outbox WHERE status <> 'pending' AND strpos(payload::text, 'Hàng xóm xả nước thải') > 0`); n != 0 {
		var kept string
		_ = w.raw.Get(&kept, `SELECT payload->>'text' FROM outbox WHERE status <> 'pending' AND strpos(payload::text, 'Hàng xóm xả nước thải') > 0 LIMIT 1`)
		t.Fatalf("%d kept copies still quote the officer's own petition %s after their erasure, e.g.:\n%s", n, own, strings.TrimSpace(kept))
	}
}

// A list in the ward's chat quotes two petitions of one person: an older
// one since completed and one still open. Their erasure presealed the
// list's copy (both quotes off, kept for the open one), and a second
// erasure (another /mydata erase, or the confirmation pressed twice) keeps
// it too: when the open petition is later found to be a denunciation,
// sealing still takes its quote off the list (law.md §5).
func TestASecondErasureDoesNotHideAPresealedListFromSealing(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2953, "ubnd-hoa-cuong", "officer")
	w.staff(2954, "ubnd-tp", "officer")
	c := w.citizen(3953)
	done := c.file("Phường Hòa Cường", "Đèn đường hỏng trước nhà số 9 Núi Thành")
	open := c.file("Phường Hòa Cường", "Cán bộ phường thu tiền trái phép khi cấp phép sửa nhà")
	officer.says("/inbox")
	w.markDelivered()
	list := w.listQuoting(officer.id, "Đèn đường hỏng", "thu tiền trái phép")

	w.complete(officer, c, done)
	mustContain(t, c.erase(), "Đã xóa")
	if n := w.count(`SELECT count(*) FROM outbox WHERE id = $1::bigint AND payload ? 'presealed'`, list); n != 1 {
		t.Fatal("setup: the first erasure did not keep the list presealed")
	}
	mustContain(t, c.erase(), "Đã xóa")

	officer.says("/ticket " + open)
	out := officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ phường")
	checkOutgoing(t, out)
	if editedWithout(out, officer.id, list, "thu tiền trái phép") {
		return
	}
	t.Fatalf("sealing %s did not take its quote off the list %s in the ward's chat after a second erasure; sent there:\n%s",
		open, list, texts(sentTo(out, officer.id)))
}

// sealAsDenunciation has an officer find a petition to be a denunciation,
// which seals it.
func (c *citizen) sealAsDenunciation(code string) []bot.Outgoing {
	c.w.t.Helper()
	c.says("/ticket " + code) // a card to press the buttons on
	out := c.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ phường")
	checkOutgoing(c.w.t, out)
	return out
}

// sealsCard has an officer find a petition to be a denunciation and
// checks that sealing it edits the card delivered to them as outbox row
// card into the notice.
func (c *citizen) sealsCard(code string, card int) {
	c.w.t.Helper()
	out := c.sealAsDenunciation(code)
	if !slices.ContainsFunc(sentTo(out, c.id), func(o bot.Outgoing) bool {
		return o.Kind == bot.KindEdit && o.MessageID == fmt.Sprint(card) && strings.Contains(o.Text, "đã được xác định là tố cáo")
	}) {
		c.w.t.Fatalf("the card %d was not sealed:\n%s", card, texts(sentTo(out, c.id)))
	}
}

// A petition's card still waits to be sent when its sender erases their
// data: it goes out (the unit handles the petition; without the name,
// TestACardQueuedAtErasureGoesOutWithoutTheName), but what is kept of it
// once delivered holds nothing of the person, and sealing
// the petition later still finds the card in the ward's chat.
func TestACardQueuedAtErasureKeepsNoCopyOfThePersonAndIsStillSealed(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2911, "ubnd-hoa-cuong", "officer")
	w.staff(2913, "ubnd-tp", "officer")
	c := w.citizen(3911)
	code := c.file("Phường Hòa Cường", "Cán bộ phường thu tiền trái phép khi cấp giấy phép sửa nhà")
	card := w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND status = 'pending' AND strpos(payload::text, $2) > 0`,
		officer.id, c.name)
	if card == 0 {
		t.Fatal("setup: no card queued for the officer")
	}

	mustContain(t, c.erase(), "Đã xóa")
	if n := w.count(`SELECT count(*) FROM outbox WHERE id = $1 AND status = 'pending' AND strpos(payload::text, 'thu tiền trái phép') > 0`, card); n != 1 {
		t.Fatal("the card queued at the erasure no longer goes out")
	}
	w.markDelivered()
	for _, s := range []string{c.name, "thu tiền trái phép"} {
		if n := w.count(`SELECT count(*) FROM outbox WHERE status <> 'pending' AND strpos(payload::text, $1) > 0`, s); n != 0 {
			t.Errorf("%d kept copies hold %q once delivered after the erasure", n, s)
		}
	}

	officer.sealsCard(code, card)
}

// A list in the ward's chat, still queued, quotes a petition of a person
// who erases their data and a petition of someone else's: once
// delivered, its copy keeps the other petition's quote, for that one's
// sealing, and not the person's.
func TestAListQueuedAtErasureKeepsOnlyTheOtherPetitionsQuote(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2912, "ubnd-hoa-cuong", "officer")
	w.staff(2914, "ubnd-tp", "officer")
	c := w.citizen(3912)
	c.file("Phường Hòa Cường", "Cống thoát nước tắc trước nhà số 12 Núi Thành")
	other := w.citizen(3913).file("Phường Hòa Cường", "Cán bộ phường thu tiền trái phép khi cấp phép")
	w.markDelivered()
	officer.says("/inbox") // queued, quoting both
	list := w.listQuoting(officer.id, "Cống thoát nước tắc", "thu tiền trái phép")

	mustContain(t, c.erase(), "Đã xóa")
	w.markDelivered()
	if n := w.count(`SELECT count(*) FROM outbox WHERE status <> 'pending' AND strpos(payload::text, 'Cống thoát nước tắc') > 0`); n != 0 {
		t.Errorf("%d kept copies quote the erased person's petition", n)
	}
	out := officer.sealAsDenunciation(other)
	if !editedWithout(out, officer.id, list, "thu tiền trái phép") {
		t.Fatalf("the list delivered after the erasure was not sealed for %s:\n%s", other, texts(sentTo(out, officer.id)))
	}
}

// A message queued at the erasure and then refused for good (the person
// blocked the bot, say) keeps what a delivered one would: nothing of the
// person. Failed messages are kept 30 days for an operator.
func TestAMessageQueuedAtErasureThatFailsKeepsNothingOfThePerson(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.staff(2951, "ubnd-hoa-cuong", "officer")
	w.staff(2952, "ubnd-tp", "officer")
	c := w.citizen(3951)
	c.fileWithPhone("Cống thoát nước bị tắc trước nhà số 8 Trần Phú", "0905000951")
	c.says("/mydata") // shows the name and phone; still queued

	mustContain(t, c.erase(), "Đã xóa")
	var pending []struct{ ID, Revision int64 }
	if err := w.raw.Select(&pending, `SELECT id AS "id", revision AS "revision" FROM outbox WHERE status = 'pending' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	for _, m := range pending { // Forbidden: bot was blocked by the user
		if _, err := w.store.FailOutbox(w.ctx, m.ID, int(m.Revision), "telegram: 403 Forbidden: bot was blocked by the user"); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []string{c.name, "0905000951", "Cống thoát nước bị tắc"} {
		if n := w.count(`SELECT count(*) FROM outbox WHERE status = 'failed' AND strpos(payload::text, $1) > 0`, s); n != 0 {
			t.Errorf("%d messages queued at the erasure and then refused keep %q", n, s)
		}
	}
}

// The ward's card is being delivered when its sender erases their data:
// the erasure's withdrawal of the phone rewrites the card where it waits,
// so the delivery is corrected by an edit (the sender's settling). What
// is kept of that edit once delivered is what is kept of the card, not
// the person's name and words.
func TestTheCorrectionOfACardInFlightAtErasureKeepsNothingOfThePerson(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2953, "ubnd-hoa-cuong", "officer")
	w.staff(2954, "ubnd-tp", "officer")
	c := w.citizen(3953)
	c.fileWithPhone("Cây xanh gãy cành chắn lối đi đường Trưng Nữ Vương", "0905000953")
	var inFlight storage.SentMark // the card, as a sender delivering it now claimed it
	if err := w.raw.Get(&inFlight, `SELECT id AS "id", revision AS "revision" FROM outbox
		WHERE chat_id = $1 AND strpos(payload::text, '0905000953') > 0`, officer.id); err != nil {
		t.Fatal(err)
	}

	mustContain(t, c.erase(), "Đã xóa")
	inFlight.MessageID = "77"
	replaced, err := w.store.MarkOutboxSent(w.ctx, inFlight)
	if err != nil || len(replaced) != 1 {
		t.Fatalf("setup: the delivery of the card with the phone was recorded as is (%v)", err)
	}
	w.settleLikeTheSender(replaced[0])
	w.markDelivered()

	for _, s := range []string{c.name, "Cây xanh gãy cành"} {
		if n := w.count(`SELECT count(*) FROM outbox WHERE status <> 'pending' AND strpos(payload::text, $1) > 0`, s); n != 0 {
			t.Errorf("%d kept copies hold %q once delivered after the erasure", n, s)
		}
	}
}

// settleLikeTheSender records a delivery whose mark was refused (the
// message replaced since its claim), standing in for the sender
// (bot.Sender.settleReplaced) with its correction of a text delivered as
// a text: the delivered message is edited into the outbox's current
// payload. The sender's own tests cover its corrections.
func (w *world) settleLikeTheSender(mark storage.SentMark) {
	w.t.Helper()
	err := w.store.SettleReplaced(w.ctx, mark, func(now storage.OutboxMessage) ([]storage.OutboxEntry, error) {
		var o bot.Outgoing
		if err := json.Unmarshal(now.Payload, &o); err != nil {
			return nil, err
		}
		o.Kind, o.MessageID, o.ChatID, o.Group = bot.KindEdit, mark.MessageID, now.ChatID, now.Group
		payload, _ := json.Marshal(o)
		return []storage.OutboxEntry{{ChatID: now.ChatID, Group: now.Group, Kind: string(o.Kind), Payload: payload,
			DedupeKey: fmt.Sprintf("replaced:%d:%d:%s:0", now.ID, now.Revision, mark.MessageID)}}, nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

// A list still queued at an erasure, quoting the person's petition and
// someone else's, is sealed before it goes out for the other petition:
// the copy kept of it once delivered is the erasure's, sealed further,
// and quotes neither.
func TestSealingAListQueuedAtErasureSealsItsKeptCopyToo(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2955, "ubnd-hoa-cuong", "officer")
	w.staff(2956, "ubnd-tp", "officer")
	c := w.citizen(3955)
	c.file("Phường Hòa Cường", "Cống thoát nước tắc trước nhà số 12 Núi Thành")
	other := w.citizen(3956).file("Phường Hòa Cường", "Cán bộ phường thu tiền trái phép khi cấp phép")
	w.markDelivered()
	officer.says("/inbox") // queued, quoting both
	w.listQuoting(officer.id, "Cống thoát nước tắc", "thu tiền trái phép")

	mustContain(t, c.erase(), "Đã xóa")
	officer.sealAsDenunciation(other) // the list still waits
	w.markDelivered()
	if n := w.count(`SELECT count(*) FROM outbox WHERE status <> 'pending' AND strpos(payload::text, 'Cống thoát nước tắc') > 0`); n != 0 {
		t.Errorf("%d kept copies quote the erased person's petition", n)
	}
}
