package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/bot"
)

// markDelivered marks what is queued as delivered, the outbox row's id
// standing in for the messenger's message id.
func (w *world) markDelivered() {
	w.t.Helper()
	w.exec(`UPDATE outbox SET status = 'sent', sent_message_id = coalesce(payload->>'message_id', id::text) WHERE status = 'pending'`)
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

	officer.says("/resolve " + done + " Đã thay bóng đèn.")
	erased.presses("Rất hài lòng")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'completed'`, done); n != 1 {
		t.Fatal("setup: the first petition is not completed")
	}
	w.markDelivered()
	mustContain(t, erased.erase(), "Đã xóa")

	officer.says("/ticket " + code)
	out := officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ phường")
	checkOutgoing(t, out)
	for _, o := range sentTo(out, officer.id) {
		if o.MessageID == list && (o.Kind == bot.KindEdit) && !strings.Contains(o.Text, "thu tiền trái phép") {
			return
		}
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

// An officer uses /mydata to erase their own personal data (they are a
// person too). The cards of other people's petitions still open that
// their private chat received stay: when one is later found to be a
// denunciation, its card there is sealed.
func TestAnOfficersOwnErasureDoesNotHideOthersCardsFromSealing(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2908, "ubnd-hoa-cuong", "officer")
	colleague := w.staff(2909, "ubnd-hoa-cuong", "officer")
	w.staff(2910, "ubnd-tp", "officer")
	denouncer := w.citizen(3909)
	code := denouncer.file("Phường Hòa Cường", "Cán bộ phường thu tiền trái phép khi cấp phép sửa nhà")
	w.markDelivered()
	card := fmt.Sprint(w.count(`SELECT min(id) FROM outbox WHERE chat_id = $1 AND strpos(payload::text, 'Người dân 3909') > 0`, officer.id))

	mustContain(t, officer.erase(), "Đã xóa")

	colleague.says("/ticket " + code)
	out := colleague.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ phường")
	checkOutgoing(t, out)
	for _, o := range sentTo(out, officer.id) {
		if o.MessageID == card && strings.Contains(o.Text, "đã được xác định là tố cáo") {
			return
		}
	}
	t.Fatalf("sealing %s left its card %s in the erased officer's chat; sent there:\n%s", code, card, texts(sentTo(out, officer.id)))
}
