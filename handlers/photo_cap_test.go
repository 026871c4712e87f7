package handlers_test

import (
	"fmt"
	"testing"

	"github.com/danvan-vn/danvan/bot"
)

// A ticket takes at most 10 of its sender's photos, added information
// included: every card sent on it carries them all, to every chat of the
// unit, so an 11th is refused with a word on why.
func TestInformationAddedTakesNoMoreThanTenPhotos(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2951, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3951)
	code := c.file("Phường Hòa Cường", "Nước thải tràn ra đường trước chợ suốt tuần qua")
	w.sent()
	most, total := 0, 0
	for i := range 15 {
		c.says("/status " + code)
		c.presses("Bổ sung thông tin")
		out := c.sends(func(e *bot.Event) {
			e.Photo = &bot.File{ID: fmt.Sprintf("flood-%d", i), UniqueID: fmt.Sprintf("fl%d", i)}
		})
		n := 0
		for _, o := range sentTo(out, officer.id) {
			if o.Kind == bot.KindPhoto {
				n++
			}
		}
		most, total = max(most, n), total+n
	}
	kept := w.count(`SELECT count(*) FROM ticket_attachments a JOIN tickets t ON t.id = a.ticket_id
		WHERE t.code = $1 AND a.added_by = 'citizen'`, code)
	if kept > 10 || most > 10 {
		t.Errorf("one citizen added 15 photos to %s one by one: the ticket keeps %d (cap 10), one card came with %d photos, "+
			"and the officer's chat received %d photos in all", code, kept, most, total)
	}
}
