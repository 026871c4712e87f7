package handlers_test

import "testing"

// A person wrote their phone into their petition and shared it too; the
// ward's /inbox list quotes the petition. They withdraw their consent to
// be called, which takes the phone off the list's kept copy ("—"). The
// petition, later found to be a denunciation, still takes its quote off
// the list (law.md §5).
func TestSealingTakesItsQuoteOffAListAfterThePhoneIsWithdrawn(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2971, "ubnd-hoa-cuong", "officer")
	w.staff(2972, "ubnd-tp", "officer")
	c := w.citizen(3971)
	_, code := c.fileWithPhone("Cán bộ phường thu tiền trái phép, xin gọi 0905000971 để biết thêm", "0905000971")
	officer.says("/inbox")
	w.markDelivered()
	list := w.listQuoting(officer.id, "thu tiền trái phép, xin gọi 0905000971")

	c.says("/mydata")
	mustContain(t, c.presses("Rút lại đồng ý"), "Đã rút lại sự đồng ý")
	if n := w.count(`SELECT count(*) FROM outbox WHERE id = $1::bigint AND strpos(payload::text, '0905000971') = 0`, list); n != 1 {
		t.Fatal("setup: the list's kept copy still holds the withdrawn phone")
	}

	out := officer.sealAsDenunciation(code)
	if !editedWithout(out, officer.id, list, "thu tiền trái phép") {
		t.Fatalf("sealing %s did not take its quote off the list %s after the phone was withdrawn; sent there:\n%s",
			code, list, texts(sentTo(out, officer.id)))
	}
}
