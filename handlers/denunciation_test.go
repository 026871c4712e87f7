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

// When the intake transfers a denunciation to the unit that is to settle
// it, the copies of its card in the intake's other chats keep their text,
// which the new unit's progress never reaches, and lose their buttons,
// which would be refused; once, not at every later step.
func TestADenunciationTransferredAwayLeavesTheIntakesCopiesWithoutButtons(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	intake1, intake2 := w.staff(2211, "ubnd-tp", "officer"), w.staff(2212, "ubnd-tp", "officer")
	ward := w.staff(2213, "ubnd-hai-chau", "officer")
	code := codeIn(t, w.citizen(3211).denounces("Cán bộ địa chính phường thu tiền trái quy định khi làm sổ đỏ"))
	w.markDelivered()
	card := w.cardIn(intake2.id, code)
	before := w.copyText(intake2.id, card)

	out := intake1.says("/transfer " + code + " ubnd-hai-chau Thuộc thẩm quyền giải quyết của phường Hải Châu")
	if e := editedOnce(t, out, intake2.id, card); len(e.Buttons) != 0 || e.Text != before {
		t.Fatalf("the intake's other copy became %q with %v, want its text without buttons", e.Text, labels(e))
	}
	w.markDelivered()
	for _, step := range []func() []bot.Outgoing{
		func() []bot.Outgoing { return ward.presses("Tiếp nhận") },
		func() []bot.Outgoing { return ward.says("/reply " + code + " Đang xác minh nội dung tố cáo.") },
	} {
		if edits := editsOf(step(), intake2.id, card); len(edits) != 0 {
			t.Fatalf("the intake's copy was edited by the ward's step:\n%s", texts(edits))
		}
		w.markDelivered()
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
