package handlers_test

import (
	"strings"
	"testing"
)

// A petition's card still waits to be sent to the ward's chat when its
// sender erases their data: it goes out (the unit handles the petition),
// with its words, but no longer with the person's name, which the erasure
// took (README: cards show the sender as erased).
func TestACardQueuedAtErasureGoesOutWithoutTheName(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2981, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3981)
	c.file("Phường Hòa Cường", "Cống thoát nước tắc trước nhà số 12 Núi Thành")
	card := w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND status = 'pending' AND strpos(payload::text, $2) > 0`,
		officer.id, c.name)
	if card == 0 {
		t.Fatal("setup: no card queued for the officer")
	}

	mustContain(t, c.erase(), "Đã xóa")
	var text string
	if err := w.raw.Get(&text, `SELECT payload->>'text' FROM outbox WHERE id = $1 AND status = 'pending'`, card); err != nil {
		t.Fatalf("the card queued at the erasure no longer goes out: %v", err)
	}
	if strings.Contains(text, c.name) || !strings.Contains(text, "Cống thoát nước tắc") ||
		!strings.Contains(text, "Người gửi: (đã xóa theo yêu cầu của người gửi)") {
		t.Fatalf("the card queued at the erasure goes out as:\n%s", text)
	}
}
