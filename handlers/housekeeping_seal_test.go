package handlers_test

import (
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/jobs"
)

// Sealing a ticket found to be a denunciation (law.md §5) finds the cards
// it must edit in the kept copies of delivered messages. The nightly
// housekeeping deletes those copies after 30 days, while the ticket may
// still be open and reclassified later: the ward's card, naming the
// sender, must be sealed all the same.
func TestHousekeepingKeepsWhatSealingAnOpenTicketNeeds(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2191, "ubnd-hoa-cuong", "officer")
	w.staff(2192, "ubnd-tp", "officer")
	c := w.citizen(3191)
	w.now = time.Date(2026, 10, 5, 9, 0, 0, 0, vn)
	code := c.file("Phường Hòa Cường", "Cán bộ phường thu tiền trái phép khi cấp phép sửa nhà")
	// Delivered at once.
	w.exec(`UPDATE outbox SET status = 'sent', sent_at = $1, sent_message_id = coalesce(payload->>'message_id', id::text)
		WHERE status = 'pending'`, w.now)
	var card string
	if err := w.raw.Get(&card, `SELECT sent_message_id FROM outbox WHERE chat_id = $1 AND kind = 'text'
		AND payload::text LIKE '%Người dân 3191%' ORDER BY id LIMIT 1`, officer.id); err != nil {
		t.Fatalf("the ward's card: %v", err)
	}

	// Five weeks on, the ticket still open, housekeeping has run.
	w.now = w.now.AddDate(0, 0, 35)
	if err := jobs.Housekeeping(w.store).Run(w.ctx, w.now); err != nil {
		t.Fatal(err)
	}
	officer.says("/ticket " + code) // a card to press the buttons on
	out := officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ phường")
	for _, o := range sentTo(out, officer.id) {
		if o.Kind == bot.KindEdit && o.MessageID == card {
			return
		}
	}
	t.Fatalf("the ward's card %s, delivered five weeks ago and naming the sender, was not sealed", card)
}
