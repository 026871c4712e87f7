package handlers_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

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
