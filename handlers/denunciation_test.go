package handlers_test

import (
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/bot"
)

// A denunciation about a ward goes to the triage unit, never to the ward
// it may accuse (law.md §5): the ward's officers get no card, the city's
// intake does, without the denouncer's name.
func TestADenunciationGoesToTheTriageUnit(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	ward := w.staff(2201, "ubnd-hoa-cuong", "officer")
	intake := w.staff(2202, "ubnd-tp", "officer")
	c := w.citizen(3201)
	out := c.denounces("Cán bộ địa chính phường thu tiền trái quy định khi làm sổ đỏ")
	if n := len(sentTo(out, ward.id)); n != 0 {
		t.Fatalf("the ward it may accuse got %d messages", n)
	}
	card := texts(sentTo(out, intake.id))
	if !strings.Contains(card, "Tố cáo") || !strings.Contains(card, "UBND thành phố Đà Nẵng") || strings.Contains(card, "Người dân 3201") {
		t.Fatalf("the intake's card:\n%s", card)
	}
	if n := w.count(`SELECT count(*) FROM tickets t JOIN units u ON u.id = t.unit_id WHERE t.kind = 'to_cao' AND u.code = 'ubnd-tp'`); n != 1 {
		t.Fatal("the denunciation is not with the triage unit")
	}
	// A phản ánh about the same ward still goes to the ward.
	w.citizen(3202).file("Phường Hòa Cường", "Cống thoát nước bị tắc trước chợ")
	if n := w.count(`SELECT count(*) FROM tickets t JOIN units u ON u.id = t.unit_id WHERE t.kind = 'phan_anh' AND u.code = 'ubnd-hoa-cuong'`); n != 1 {
		t.Fatal("a phản ánh left its ward")
	}
}

// denounces has a citizen send a tố cáo about Phường Hòa Cường, for
// guidance, and returns what sending it queued.
func (c *citizen) denounces(text string) []bot.Outgoing {
	c.w.t.Helper()
	c.toDenunciationReview(text)
	return c.presses("Gửi")
}

// toDenunciationReview has a citizen write a tố cáo about Phường Hòa
// Cường up to its review screen, which it returns.
func (c *citizen) toDenunciationReview(text string) []bot.Outgoing {
	c.w.t.Helper()
	c.says("/new")
	c.presses("Tố cáo")
	c.presses("Vẫn gửi")
	c.presses("Đất đai")
	c.presses("Thành phố Đà Nẵng")
	c.presses("Phường Hòa Cường")
	c.says(text)
	c.presses("Bỏ qua")
	c.says("Bỏ qua")
	return c.presses("Tiếp tục")
}
