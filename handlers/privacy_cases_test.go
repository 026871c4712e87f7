package handlers_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// A card too long for one message is queued as several (bot.Outgoing.Parts):
// only the first names the ticket's code. Erasure promises to blank "the
// stored copies of the messages sent to you and to officers about your
// reports": the later parts, which hold the person's words and the
// ticket's buttons, are such copies too.
func TestErasureBlanksEveryPartOfASplitCard(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2901, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3901)
	code := c.file("Phường Hòa Cường", strings.Repeat("Nước thải tràn ra đường trước chợ, bốc mùi hôi thối suốt tuần qua. ", 40))
	c.says("/status " + code)
	c.presses("Bổ sung thông tin")
	added := strings.Repeat("Nước thải chảy từ nhà số 14 kiệt 25 sang nhà hàng xóm. ", 50) + "Người gây ra là ông Trần Văn Bình"
	c.says(added)
	w.exec(`UPDATE outbox SET status = 'sent', sent_at = now()`)
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = $1 AND strpos(payload::text, 'ông Trần Văn Bình') > 0
		AND strpos(payload::text, $2) = 0`, officer.id, code); n == 0 {
		var rows []string
		_ = w.raw.Select(&rows, `SELECT left(payload::text, 300) FROM outbox WHERE chat_id = $1 ORDER BY id`, officer.id)
		t.Fatalf("setup: no part of the officer's card without the code: %q", rows)
	}

	mustContain(t, c.erase(), "Đã xóa")
	if n := w.count(`SELECT count(*) FROM outbox WHERE status <> 'pending' AND strpos(payload::text, 'ông Trần Văn Bình') > 0`); n != 0 {
		t.Errorf("%d kept copies of messages to officers about the person's petition still hold what they wrote", n)
	}
}

// /identity notes the look "without the reason, on the internal timeline"
// (README): the reason, which may hint at who the denouncer is, belongs in
// identity_reads alone, not in ticket_events.body, which `danvan ticket
// show` and the breach runbook's queries print.
func TestIdentityReasonStaysOffTheTimeline(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	intake := w.staff(2902, "ubnd-tp", "officer")
	c := w.citizen(3902)
	code := codeIn(t, c.denounces("Cán bộ địa chính phường nhận tiền để hợp thức hóa đất lấn chiếm"))
	mustContain(t, intake.says("/identity "+code+" Người gửi là hàng xóm của cán bộ bị tố cáo"), "đã được ghi vào nhật ký")
	if n := w.count(`SELECT count(*) FROM identity_reads WHERE reason LIKE 'Người gửi là hàng xóm%'`); n != 1 {
		t.Fatalf("setup: %d reads logged", n)
	}
	if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'identity_read' AND body <> ''`); n != 0 {
		t.Errorf("the reason of the look is on the ticket's timeline (%d events)", n)
	}
}

// The erase screen promises to erase "what you wrote when booking citizen
// receptions that are over (đã qua)", a booking still to come keeping it
// "until after the meeting"; housekeeping blanks it "once these are over".
// A booking whose day has long passed but that staff never recorded stays
// 'booked': 14 days after its day it is over all the same, and its
// subject goes.
func TestErasureBlanksAReceptionWhoseDayHasPassedUnrecorded(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.receptionHours("ubnd-hoa-cuong", 5)
	c := w.citizen(3903)
	c.book("26/11", "Tranh chấp ranh giới đất với hộ ông Lê Văn Tám")
	id := w.bookingID(c.id)
	// Weeks after the reception; no one recorded whether it took place.
	w.now = time.Date(2026, 12, 21, 3, 0, 0, 0, time.UTC)
	mustContain(t, c.erase(), "Đã xóa")
	w.run(func(tx *storage.Store) error { return tx.BlankErasedPetitions(w.ctx, workcal.DateOf(w.now)) })
	if n := w.count(`SELECT count(*) FROM reception_bookings WHERE id = $1 AND subject <> ''`, id); n != 0 {
		t.Errorf("the subject of a reception held on 26/11 is kept after erasure on 21/12 and housekeeping")
	}
}

// A consent is stored "with its time, its petition and the exact words
// shown" (README); the download, "everything kept about them, as it is
// stored", says which petition each consent was given for.
func TestMyDataExportNamesThePetitionOfEachConsent(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3904)
	_, code := c.fileWithPhone("Rác thải đổ trộm bên bờ sông Hàn", "0905000999")
	c.says("/mydata")
	var export struct {
		Consents []map[string]any `json:"consents"`
	}
	if err := json.Unmarshal([]byte(c.exported()), &export); err != nil {
		t.Fatal(err)
	}
	if len(export.Consents) != 2 {
		t.Fatalf("consents: %+v", export.Consents)
	}
	for _, k := range export.Consents {
		if !strings.Contains(fmt.Sprint(k), code) {
			t.Errorf("the exported consent does not say which petition it was given for (%s): %v", code, k)
		}
	}
}

// Erasure blanks the kept copies of the messages about a person's
// petitions, and sealing finds in those copies what it must edit. A
// petition still open whose sender erased their data, found later to be a
// denunciation, is sealed in the ward's chats all the same: its card and
// timeline become the notice, the sender's photo is deleted and the list
// quoting it loses the quote. What erasure keeps of those copies holds
// nothing of the person; a second erasure keeps it too.
func TestAPetitionWhoseSenderErasedTheirDataIsStillSealedInTheWardsChats(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2173, "ubnd-hoa-cuong", "officer")
	w.staff(2174, "ubnd-tp", "officer")
	c := w.citizen(3173)
	code := c.fileWithLetter("Cán bộ phường thu tiền trái phép khi cấp phép sửa nhà, tôi gửi kèm đơn viết tay")
	other := w.citizen(3174).file("Phường Hòa Cường", "Đèn đường hỏng trước nhà số 9 Núi Thành")
	officer.says("/ticket " + code) // a timeline and a second card
	officer.says("/inbox")          // a list quoting both tickets
	w.exec(`UPDATE outbox SET status = 'sent', sent_message_id = coalesce(payload->>'message_id', id::text) WHERE status = 'pending'`)
	var cards, photos []string
	if err := w.raw.Select(&cards, `SELECT sent_message_id FROM outbox WHERE chat_id = $1 AND kind = 'text'
		AND payload::text LIKE '%Người dân 3173%' ORDER BY id`, officer.id); err != nil || len(cards) != 2 {
		t.Fatalf("cards in the officer's chat: %v, %v", cards, err)
	}
	if err := w.raw.Select(&photos, `SELECT sent_message_id FROM outbox WHERE chat_id = $1 AND kind = 'photo'`, officer.id); err != nil || len(photos) != 1 {
		t.Fatalf("photos in the officer's chat: %v, %v", photos, err)
	}
	timeline := fmt.Sprint(w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND payload->>'text' LIKE '%Quá trình xử lý ' || $2 || '%'`,
		officer.id, code))
	list := fmt.Sprint(w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND payload::text LIKE '%Đèn đường hỏng%'
		AND payload::text LIKE '%Cán bộ phường thu tiền%'`, officer.id))

	mustContain(t, c.erase(), "Đã xóa")
	mustContain(t, c.erase(), "Đã xóa") // what the first kept stays
	for _, s := range []string{"Người dân 3173", "thu tiền trái phép", "đơn viết tay"} {
		if n := w.count(`SELECT count(*) FROM outbox WHERE status <> 'pending' AND strpos(payload::text, $1) > 0`, s); n != 0 {
			t.Fatalf("%d kept copies still hold %q after erasure", n, s)
		}
	}

	officer.says("/ticket " + code) // a card to press the buttons on, as the kept copies have none
	out := officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ phường")
	checkOutgoing(t, out)
	sealed := map[string]bool{}
	for _, o := range sentTo(out, officer.id) {
		switch {
		case o.Kind == bot.KindEdit && o.MessageID == list:
			if !strings.Contains(o.Text, "nội dung được giữ bí mật") || !strings.Contains(o.Text, other) ||
				!strings.Contains(o.Text, "Đèn đường hỏng") || len(o.Buttons) != 2 {
				t.Fatalf("the list became %q with %d button rows", o.Text, len(o.Buttons))
			}
			sealed["list"] = true
		case o.Kind == bot.KindEdit:
			if !strings.Contains(o.Text, "đã được xác định là tố cáo") || len(o.Buttons) != 0 {
				t.Fatalf("a card edited into %q with %d button rows", o.Text, len(o.Buttons))
			}
			sealed[o.MessageID] = true
		case o.Kind == bot.KindDelete && o.MessageID == photos[0]:
			sealed["photo"] = true
		}
	}
	if !sealed[cards[0]] || !sealed[cards[1]] || !sealed[timeline] || !sealed["photo"] || !sealed["list"] {
		t.Fatalf("sealed %v; cards %v, timeline %s, photo %v, list %s", sealed, cards, timeline, photos, list)
	}
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = $1 AND status = 'sent' AND payload::text LIKE '%' || $2 || '%'`,
		officer.id, code); n != 0 {
		t.Fatalf("%d copies naming %s kept for the ward's chat after sealing", n, code)
	}
}
