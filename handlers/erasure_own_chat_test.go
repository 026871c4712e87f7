package handlers_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/bot"
)

// An officer accepts a citizen's petition from its card in their own
// private chat (which then names them) and opens its card and timeline
// there (/ticket), and lists it (/inbox). The officer erases their data;
// the petition, still open, is later found to be a denunciation: its card
// and timeline in the officer's chat become the notice and the list loses
// its quote (law.md §5), and no kept copy there holds the officer's name.
func TestAnOfficersErasureDoesNotHideOtherPeoplesCardsInTheirChatFromSealing(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2961, "ubnd-hoa-cuong", "officer")
	colleague := w.staff(2962, "ubnd-hoa-cuong", "officer")
	w.staff(2963, "ubnd-tp", "officer")
	c := w.citizen(3961)
	code := c.file("Phường Hòa Cường", "Cán bộ phường thu tiền trái phép khi cấp giấy phép sửa nhà")
	w.markDelivered()
	card := w.count(`SELECT min(id) FROM outbox WHERE chat_id = $1 AND strpos(payload::text, $2) > 0`, officer.id, c.name)
	mustContain(t, officer.presses("Tiếp nhận"), "Đã tiếp nhận bởi Cán bộ 2961")
	officer.says("/ticket " + code)
	officer.says("/inbox")
	w.markDelivered()
	timeline := w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND payload->>'text' LIKE '%Quá trình xử lý ' || $2 || '%'`,
		officer.id, code)
	list := w.listQuoting(officer.id, "thu tiền trái phép")

	mustContain(t, officer.erase(), "Đã xóa")
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = $1 AND status <> 'pending' AND strpos(payload::text, 'Cán bộ 2961') > 0`,
		officer.id); n != 0 {
		t.Errorf("%d kept copies in the officer's chat hold their name after their erasure", n)
	}

	out := sentTo(colleague.sealAsDenunciation(code), officer.id)
	for _, id := range []int{card, timeline} {
		if !slices.ContainsFunc(out, func(o bot.Outgoing) bool {
			return o.Kind == bot.KindEdit && o.MessageID == fmt.Sprint(id) && strings.Contains(o.Text, "đã được xác định là tố cáo")
		}) {
			t.Errorf("sealing %s did not turn message %d in the erased officer's chat into the notice; sent there:\n%s", code, id, texts(out))
		}
	}
	if !editedWithout(out, officer.id, list, "thu tiền trái phép") {
		t.Errorf("sealing %s did not take its quote off the list %s in the erased officer's chat; sent there:\n%s", code, list, texts(out))
	}
}
