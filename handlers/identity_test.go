package handlers_test

import (
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/bot"
)

// Only the intake sees who sent a confidential petition, in a private
// chat, with a reason that is logged (law.md §5); the unit handling it,
// and anyone asking without a reason or in a group, is refused and
// nothing is logged.
func TestOnlyTheIntakeSeesAConfidentialSender(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	ward := w.staff(2501, "ubnd-hoa-cuong", "officer")
	intake := w.staff(2502, "ubnd-tp", "officer")
	c := w.citizen(3501)
	c.describe("Phường Hòa Cường", "Cán bộ thu tiền trái quy định khi cấp giấy phép")
	c.presses("Bỏ qua")
	c.sends(func(e *bot.Event) { e.Contact = &bot.Contact{Phone: "0905123456", UserID: c.id} })
	c.presses("Giữ bí mật")
	code := codeIn(t, c.presses("Gửi phản ánh"))
	reads := func() int { return w.count(`SELECT count(*) FROM identity_reads`) }

	mustContain(t, ward.says("/identity "+code+" cần liên hệ"), "Chỉ cán bộ của bộ phận tiếp nhận")
	mustContain(t, intake.says("/identity "+code), "Cú pháp: /identity")
	mustContain(t, intake.sends(func(e *bot.Event) {
		e.Chat = bot.Chat{ID: "-100900", Group: true}
		e.Command, e.Args = "identity", code+" cần liên hệ"
	}), "chưa được liên kết")
	if n := reads(); n != 0 {
		t.Fatalf("%d reads logged by refusals", n)
	}

	out := texts(intake.says("/identity " + code + " Cần xác minh để bảo vệ người gửi"))
	if !strings.Contains(out, "Người dân 3501") || !strings.Contains(out, "0905123456") || !strings.Contains(out, "đã được ghi vào nhật ký") {
		t.Fatalf("the intake's answer:\n%s", out)
	}
	if n := w.count(`SELECT count(*) FROM identity_reads r JOIN officers o ON o.id = r.officer_id
		JOIN units u ON u.id = o.unit_id WHERE u.code = 'ubnd-tp' AND r.reason = 'Cần xác minh để bảo vệ người gửi'`); n != 1 {
		t.Fatalf("%d reads logged, want 1", n)
	}
	// Staff see the look on the internal timeline; the sender does not.
	timeline := texts(ward.says("/ticket " + code))
	if !strings.Contains(timeline, "Xem danh tính người gửi 🔒") || strings.Contains(timeline, "bảo vệ người gửi") {
		t.Fatalf("the unit's timeline should show the look but not its reason:\n%s", timeline)
	}
	if strings.Contains(texts(c.says("/status "+code)), "danh tính") {
		t.Fatal("the sender's timeline shows the internal look")
	}
	mustContain(t, intake.says("/identity "+w.citizen(3502).file("Phường Hòa Cường", "Đèn đường hỏng ở kiệt 12")+" kiểm tra"),
		"không được giữ bí mật")
	if n := reads(); n != 1 {
		t.Fatalf("%d reads logged after asking about a petition that is not confidential", n)
	}
	// Looking up a sender is not handling the ticket: a denunciation the
	// intake has, and only looked up, is not among the intake's own.
	denounced := codeIn(t, w.citizen(3503).denounces("Cán bộ phường nhận tiền để bỏ qua vi phạm xây dựng"))
	mustContain(t, intake.says("/identity "+denounced+" Xác minh"), "đã được ghi vào nhật ký")
	if strings.Contains(texts(intake.says("/mine")), denounced) {
		t.Fatal("/mine lists a ticket the intake only looked up")
	}
}
