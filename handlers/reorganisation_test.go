package handlers_test

import (
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/org"
)

// mergedWards is the organisation after Phường Hòa Cường is merged into
// Phường Hải Châu (law.md §10): the area hoa-cuong and its committee leave
// the file, so the import deactivates them and their rule.
const mergedWards = `
areas:
  - {code: da-nang, name: Thành phố Đà Nẵng, level: thành phố}
  - {code: hai-chau, name: Phường Hải Châu, level: phường, parent: da-nang}
categories:
  - {code: moi-truong, name: Môi trường}
units:
  - {code: ubnd-tp, name: UBND thành phố Đà Nẵng, level: thành phố, triage: true}
  - {code: ubnd-hai-chau, name: UBND phường Hải Châu, level: phường, parent: ubnd-tp, areas: [hai-chau]}
rules:
  - {area: hai-chau, unit: ubnd-hai-chau}
`

func (w *world) importOrg(src string) {
	w.t.Helper()
	f, err := org.Parse("org.yaml", strings.NewReader(src))
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := org.Apply(w.ctx, w.store, f); err != nil {
		w.t.Fatal(err)
	}
}

// A citizen chose an area, and the organisation file removed it before they
// pressed Send: the area is asked again, as a removed category is, rather
// than the ticket filed in an area that no longer exists and routed by its
// old ancestors instead of to the unit that serves the place now.
func TestAnAreaRemovedBeforeSendingIsAskedAgain(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(9101)
	c.describe("Phường Hòa Cường", "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành")
	c.presses("Bỏ qua")
	c.says("Bỏ qua")
	mustContain(t, c.presses("Không cần"), "kiểm tra lại", "Phường Hòa Cường")

	w.importOrg(mergedWards)
	out := c.presses("Gửi phản ánh")

	if n := w.count(`SELECT count(*) FROM tickets t JOIN areas a ON a.id = t.area_id WHERE NOT a.active`); n != 0 {
		var unit string
		if err := w.raw.Get(&unit, `SELECT u.code FROM tickets t JOIN units u ON u.id = t.unit_id`); err != nil {
			t.Fatal(err)
		}
		t.Fatalf("%d ticket(s) filed in an area the organisation no longer has, routed to %s; reply:\n%s", n, unit, texts(out))
	}
	mustContain(t, out, "chọn lại khu vực", "[Thành phố Đà Nẵng ›]")
	// Chosen again, it goes to the unit serving the place now.
	c.presses("Thành phố Đà Nẵng")
	c.presses("Phường Hải Châu")
	codeIn(t, c.presses("Gửi phản ánh"))
	var unit string
	if err := w.raw.Get(&unit, `SELECT u.code FROM tickets t JOIN units u ON u.id = t.unit_id`); err != nil || unit != "ubnd-hai-chau" {
		t.Fatalf("the petition went to %q (%v), want ubnd-hai-chau", unit, err)
	}
}

// An officer chose the unit to transfer a ticket to, and before they typed
// the reason an import removed that unit: the transfer is refused, as a
// typed code or a button of such a unit is, and says why.
func TestATransferToAUnitRemovedMeanwhileIsRefused(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	a := w.staff(9201, "ubnd-hoa-cuong", "officer")
	c := w.citizen(9202)
	code := c.file("Phường Hòa Cường", "Cây xanh đổ trên đường Lê Duẩn")

	a.presses("Chuyển đơn vị")
	mustContain(t, a.presses("UBND phường Hải Châu"), "lý do chuyển")
	w.exec(`UPDATE units SET active = false WHERE code = 'ubnd-hai-chau'`) // as an import does
	out := a.says("Địa điểm thuộc phường Hải Châu")

	var unit string
	var active bool
	if err := w.raw.QueryRow(`SELECT u.code, u.active FROM tickets t JOIN units u ON u.id = t.unit_id WHERE t.code = $1`, code).Scan(&unit, &active); err != nil {
		t.Fatal(err)
	}
	if !active {
		t.Fatalf("ticket %s transferred to the removed unit %s; reply:\n%s", code, unit, texts(out))
	}
	mustContain(t, out, "<b>UBND phường Hải Châu</b> không còn hoạt động")
}
