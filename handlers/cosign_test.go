package handlers_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/handlers"
)

var invitation = regexp.MustCompile(`/start (k_[a-z0-9]+)`)

// A petition's sender invites a neighbour, who sees what it is about
// without the sender's words, co-signs it, and is told the answer; the
// sender hears of it and the card counts co-signers.
func TestNeighboursCosignAPetition(t *testing.T) {
	w, officer, c, code := filed(t, 2301, 3301, "Cống thoát nước trước chợ bị tắc, nước tràn vào nhà dân")
	c.says("/status " + code)
	out := c.presses("Mời người cùng kiến nghị")
	mustContain(t, out, "chuyển tiếp tin nhắn dưới đây", "Mời Ông/Bà cùng kiến nghị: Phản ánh "+code+" · Môi trường · ")
	m := invitation.FindStringSubmatch(texts(out))
	if m == nil {
		t.Fatalf("no invitation in:\n%s", texts(out))
	}
	// Asked again, the sender gets the same invitation.
	c.says("/status " + code)
	if again := invitation.FindStringSubmatch(texts(c.presses("Mời người cùng kiến nghị"))); again == nil || again[1] != m[1] {
		t.Fatalf("a second invitation %v, want %s", again, m[1])
	}

	n := w.citizen(3302)
	screen := texts(n.says("/start " + m[1]))
	if !strings.Contains(screen, "Đã có 0 người cùng kiến nghị") || strings.Contains(screen, "Cống thoát nước") || strings.Contains(screen, "Người dân 3301") {
		t.Fatalf("the invitation screen:\n%s", screen)
	}
	out = n.presses("Cùng kiến nghị")
	mustContain(t, sentTo(out, n.id), "Ông/Bà đã cùng kiến nghị phản ánh <b>"+code+"</b>")
	mustContain(t, sentTo(out, c.id), "nay có 1 người")
	mustAnswer(t, n.presses("Cùng kiến nghị"), "đã cùng kiến nghị phản ánh này")
	if got := w.count(`SELECT cosigners FROM tickets WHERE code = $1`, code); got != 1 {
		t.Fatalf("cosigners = %d after a second press", got)
	}
	if got := w.count(`SELECT count(*) FROM consents WHERE citizen_id = (SELECT id FROM citizens WHERE user_id = $1)`, n.id); got != 1 {
		t.Fatalf("%d consents recorded for the co-signer", got)
	}
	mustContain(t, c.says("/start "+m[1]), "phản ánh của chính Ông/Bà")
	n.says("/mydata")
	if file := n.exported(); !regexp.MustCompile(`"cosigned": \[\s*\{\s*"code": "` + code).MatchString(file) {
		t.Fatalf("the co-signer's data file does not list the petition:\n%s", file)
	}
	mustContain(t, officer.says("/ticket "+code), "Cùng kiến nghị: 1 người")

	officer.presses("Trả lời")
	out = officer.says("Đã nạo vét cống, nước đã thoát.")
	mustContain(t, sentTo(out, n.id), "đã trả lời phản ánh <b>"+code+"</b> mà Ông/Bà cùng kiến nghị", "Đã nạo vét cống")
	for _, o := range sentTo(out, n.id) {
		if len(o.Buttons) != 0 {
			t.Fatal("a co-signer was asked to rate")
		}
	}
	mustContain(t, sentTo(out, c.id), "hài lòng")
	// Answered, the petition takes no more co-signers.
	mustContain(t, w.citizen(3303).says("/start "+m[1]), "không còn hiệu lực")
}

// Only the sender can have an invitation, only for what may be shared;
// invitations cannot be guessed or forged.
func TestCosignRefusals(t *testing.T) {
	w, _, c, code := filed(t, 2311, 3311, "Đèn đường trên đường Núi Thành hỏng nhiều ngày")
	var id int64
	if err := w.raw.Get(&id, `SELECT id FROM tickets WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	stranger := w.citizen(3312)
	mustAnswer(t, stranger.pressData("1", fmt.Sprintf("k:share:%d", id)), "không còn hiệu lực")
	mustContain(t, stranger.says("/start k_"+strings.ToLower(code)), "không còn hiệu lực")
	mustAnswer(t, stranger.pressData("1", "k:join:aaaaaaaaaa"), "không còn hiệu lực")
	mustAnswer(t, stranger.pressData("1", "k:join"), "không còn hiệu lực")
	if n := w.count(`SELECT count(*) FROM tickets WHERE share_token IS NOT NULL`); n != 0 {
		t.Fatal("a stranger obtained an invitation")
	}

	// A confidential petition offers no invitation, even forged.
	w.exec(`UPDATE tickets SET confidential = true WHERE id = $1`, id)
	if strings.Contains(texts(c.says("/status "+code)), "Mời người cùng kiến nghị") {
		t.Fatal("a confidential petition offers an invitation")
	}
	mustAnswer(t, c.pressData("1", fmt.Sprintf("k:share:%d", id)), "Không thể mời người cùng kiến nghị")
	if n := w.count(`SELECT count(*) FROM tickets WHERE share_token IS NOT NULL`); n != 0 {
		t.Fatal("a confidential petition got an invitation")
	}
}

// With the bot's username known, the invitation is a link as well.
func TestCosignInvitationLinksToTheBot(t *testing.T) {
	w, _, c, code := filed(t, 2321, 3321, "Vỉa hè đường Bạch Đằng bị lấn chiếm")
	var err error
	if w.service, err = handlers.New(handlers.Config{Now: func() time.Time { return w.now }, BotUsername: "danvan_bot"}); err != nil {
		t.Fatal(err)
	}
	c.says("/status " + code)
	mustContain(t, c.presses("Mời người cùng kiến nghị"), "mở https://t.me/danvan_bot?start=k_", "hoặc gửi cho bot lệnh /start k_")
}
