package handlers_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
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
	mustContain(t, sentTo(out, officer.id), "cho người dân và 1 người cùng kiến nghị")
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

// cosigned has a neighbour co-sign the sender's petition through the
// invitation the sender forwards.
func (c *citizen) cosigned(code string, neighbour *citizen) {
	c.w.t.Helper()
	c.says("/status " + code)
	m := invitation.FindStringSubmatch(texts(c.presses("Mời người cùng kiến nghị")))
	if m == nil {
		c.w.t.Fatal("no invitation")
	}
	neighbour.says("/start " + m[1])
	mustContain(c.w.t, neighbour.presses("Cùng kiến nghị"), "Ông/Bà đã cùng kiến nghị phản ánh")
}

// A co-signed petition later found to be a denunciation is confidential
// (law.md §5), and one found to be a complaint is its sender's own matter
// (law.md §2: a complaint is about the complainant's own rights; §3: those
// who complain together each sign, through a representative they name):
// its co-signers learn that its handling has ended, not what the unit told
// its sender, whether an answer or why it is not competent, and the
// officer is neither warned of readers who will not read it nor told they
// did.
func TestCosignersOfADenunciationOrAComplaintAreNotToldItsOutcome(t *testing.T) {
	for i, tc := range []struct{ kind, button string }{
		{"Tố cáo", "Trả lời"}, {"Tố cáo", "Không thuộc thẩm quyền"},
		{"Khiếu nại", "Trả lời"}, {"Khiếu nại", "Không thuộc thẩm quyền"},
	} {
		t.Run(tc.kind+"/"+tc.button, func(t *testing.T) {
			w, officer, c, code := filed(t, 2331+10*i, 3331+10*i, "Cán bộ phường thu tiền sai quy định khi cấp phép sửa nhà")
			intake := w.staff(2332+10*i, "ubnd-tp", "officer")
			n := w.citizen(3332 + 10*i)
			c.cosigned(code, n)
			officer.reclassifyAs(tc.kind, "Nội dung tố cáo hoặc khiếu nại của người gửi")
			handler := officer // a complaint stays with the ward
			if tc.kind == "Tố cáo" {
				handler = intake
			}

			if strings.Contains(texts(handler.presses(tc.button)), "người cùng kiến nghị") {
				t.Fatal("the prompt warns of co-signers who will not read the text")
			}
			out := handler.says("Đề nghị Ông Nguyễn Văn A gửi đơn có chữ ký đến Thanh tra thành phố.")
			mustContain(t, sentTo(out, c.id), "Nguyễn Văn A")
			if done := texts(sentTo(out, handler.id)); strings.Contains(done, "người cùng kiến nghị") {
				t.Errorf("the officer is told co-signers got the outcome:\n%s", done)
			}
			told := texts(sentTo(out, n.id))
			if strings.Contains(told, "Nguyễn Văn A") || !strings.Contains(told, "Việc xử lý phản ánh <b>"+code+"</b> mà Ông/Bà cùng kiến nghị đã kết thúc") {
				t.Fatalf("the co-signer was told:\n%s", told)
			}
		})
	}
}

// An answer given as a photo alone reaches co-signers as it reaches the
// sender: the photo, not an empty text.
func TestCosignersGetAPhotoAnswer(t *testing.T) {
	w, officer, c, code := filed(t, 2351, 3351, "Cống thoát nước trước chợ bị tắc, nước tràn vào nhà dân")
	n := w.citizen(3352)
	c.cosigned(code, n)
	officer.presses("Trả lời")
	out := officer.sends(func(e *bot.Event) { e.Photo = &bot.File{ID: "cleared-drain", UniqueID: "cd"} })
	for _, chat := range []string{c.id, n.id} {
		got := false
		for _, o := range sentTo(out, chat) {
			got = got || (o.Kind == bot.KindPhoto && o.FileID == "cleared-drain")
		}
		if !got {
			t.Fatalf("chat %s did not get the answer's photo:\n%+v", chat, sentTo(out, chat))
		}
	}
}

// The officer writing an answer or a reason is told that the ticket's
// co-signers read it too, so as not to name the sender in it.
func TestOfficerIsToldCosignersReadTheAnswer(t *testing.T) {
	w, officer, c, code := filed(t, 2361, 3361, "Cống thoát nước trước chợ bị tắc, nước tràn vào nhà dân")
	if strings.Contains(texts(officer.presses("Trả lời")), "người cùng kiến nghị") {
		t.Fatal("the prompt speaks of co-signers the ticket does not have")
	}
	officer.says("/cancel")
	c.cosigned(code, w.citizen(3362))
	mustContain(t, officer.presses("Trả lời"), "cũng được gửi đến 1 người cùng kiến nghị", "không nêu tên")
	officer.says("/cancel")
	mustContain(t, officer.presses("Không thuộc thẩm quyền"), "cũng được gửi đến 1 người cùng kiến nghị")
}

// Someone co-signing while the unit answers joins before the answer, and
// is told it, or finds the invitation no longer valid: never joined after
// the answer went out, waiting for news that never comes.
func TestCosigningWhileTheUnitAnswers(t *testing.T) {
	w, _, c, code := filed(t, 2371, 3371, "Cống thoát nước trước chợ bị tắc, nước tràn vào nhà dân")
	c.says("/status " + code)
	m := invitation.FindStringSubmatch(texts(c.presses("Mời người cùng kiến nghị")))
	n := w.citizen(3372)
	n.says("/start " + m[1])
	msgID, data := w.findButton(n.id, "Cùng kiến nghị")
	ev := n.event()
	ev.Button = &bot.Button{QueryID: "q-race", Data: data, MessageID: msgID}

	// The unit's answer holds the ticket while the neighbour presses.
	answering, err := w.raw.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer answering.Rollback()
	if _, err := answering.Exec(`SELECT id FROM tickets WHERE code = $1 FOR UPDATE`, code); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- w.store.InTx(w.ctx, func(tx *storage.Store) error { return w.service.Handle(w.ctx, tx, ev) })
	}()
	time.Sleep(300 * time.Millisecond)
	if _, err := answering.Exec(`UPDATE tickets SET status = 'answered' WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	if err := answering.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := w.count(`SELECT count(*) FROM ticket_cosigners`); got != 0 {
		t.Fatal("a co-signer joined a petition already answered")
	}
	mustAnswer(t, w.sent(), "không còn hiệu lực")
}

// What a citizen raised at a reception (tiếp công dân) is the record of
// their own meeting with the unit's leaders, not a petition others join:
// neither its status, a forged button nor an invitation handed out for it
// earlier lets anyone co-sign it.
func TestAReceptionRecordIsNotCosignable(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2331, "ubnd-hoa-cuong", "officer")
	w.receptionHours("ubnd-hoa-cuong", 5)
	c := w.citizen(3331)
	c.book("26/11", "Đề nghị xem xét cấp giấy chứng nhận quyền sử dụng đất")
	w.now = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	officer.opensBooking(w.bookingID(c.id))
	officer.presses("Đã tiếp")
	var id int64
	if err := w.raw.Get(&id, `SELECT id FROM tickets WHERE kind = 'tiep_dan'`); err != nil {
		t.Fatalf("the reception filed no ticket: %v", err)
	}
	if strings.Contains(texts(c.says("/status PA-2026-000001")), "Mời người cùng kiến nghị") {
		t.Error("a reception's record offers an invitation")
	}
	mustAnswer(t, c.pressData("1", fmt.Sprintf("k:share:%d", id)), "Không thể mời người cùng kiến nghị")
	w.exec(`UPDATE tickets SET share_token = 'abcdefghij' WHERE id = $1`, id)
	n := w.citizen(3332)
	mustContain(t, n.says("/start k_abcdefghij"), "không còn hiệu lực")
	mustAnswer(t, n.pressData("1", "k:join:abcdefghij"), "không còn hiệu lực")
	if got := w.count(`SELECT cosigners FROM tickets WHERE id = $1`, id); got != 0 {
		t.Fatalf("%d people co-signed a reception's record", got)
	}
}

// What a citizen raised at a reception stays the record of their own
// meeting after an officer reclassifies it (say, as a kiến nghị, to give it
// that rule's clock): it is still filed from the booking (its source is
// "reception:<id>"), and nobody else may co-sign it.
func TestAReclassifiedReceptionRecordIsStillNotCosignable(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2341, "ubnd-hoa-cuong", "officer")
	w.receptionHours("ubnd-hoa-cuong", 5)
	c := w.citizen(3341)
	c.book("26/11", "Đề nghị xem xét cấp giấy chứng nhận quyền sử dụng đất")
	w.now = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	officer.opensBooking(w.bookingID(c.id))
	officer.presses("Đã tiếp")
	var tk struct {
		ID     int64  `db:"id"`
		Code   string `db:"code"`
		Source string `db:"source"`
	}
	if err := w.raw.Get(&tk, `SELECT id, code, source FROM tickets WHERE kind = 'tiep_dan'`); err != nil {
		t.Fatalf("the reception filed no ticket: %v", err)
	}

	officer.says("/ticket " + tk.Code)
	officer.presses("Phân loại lại")
	officer.presses("Kiến nghị")
	officer.presses("Môi trường")
	officer.says("Nội dung là kiến nghị về cấp giấy chứng nhận")
	var kind, source string
	if err := w.raw.QueryRow(`SELECT kind, source FROM tickets WHERE id = $1`, tk.ID).Scan(&kind, &source); err != nil {
		t.Fatal(err)
	}
	if kind != "kien_nghi" || source != tk.Source {
		t.Fatalf("after reclassifying: kind %q source %q, want kien_nghi and %q", kind, source, tk.Source)
	}

	out := c.pressData("1", fmt.Sprintf("k:share:%d", tk.ID))
	n := w.citizen(3342)
	var token string
	_ = w.raw.Get(&token, `SELECT coalesce(share_token, '') FROM tickets WHERE id = $1`, tk.ID)
	if token != "" {
		n.says("/start k_" + token)
		n.pressData("1", "k:join:"+token)
	}
	if got := w.count(`SELECT cosigners FROM tickets WHERE id = $1`, tk.ID); token != "" || got != 0 {
		t.Fatalf("a reception's record, reclassified as a kiến nghị, handed out an invitation (token %q) and took %d co-signers:\n%s",
			token, got, texts(out))
	}
}

// An officer of the ward who lives there co-signs a neighbour's petition.
// The petition is then found to be a denunciation: sealing takes the
// sender's name off every card the ward's chats hold (law.md §5: the
// denouncer's identity is secret, the ward may be the one accused). The
// card in the co-signing officer's chat was sent to them as staff, not as
// a co-signer, and is sealed too, whether they are staff still or their
// role was revoked since.
func TestSealingReachesTheCardsOfAnOfficerWhoCosigned(t *testing.T) {
	for i, revoked := range []bool{false, true} {
		t.Run(fmt.Sprintf("revoked=%v", revoked), func(t *testing.T) {
			w := newWorld(t)
			w.seedOrg()
			officer := w.staff(2401+10*i, "ubnd-hoa-cuong", "officer")
			neighbour := w.staff(2402+10*i, "ubnd-hoa-cuong", "officer") // lives in the ward too
			w.staff(2403+10*i, "ubnd-tp", "officer")                     // the intake
			c := w.citizen(3401 + 10*i)
			sender := fmt.Sprintf("Người dân %d", 3401+10*i)
			code := c.file("Phường Hòa Cường", "Cán bộ phường thu tiền trái phép khi cấp phép sửa nhà")
			c.cosigned(code, neighbour)
			w.markDelivered()

			cards := map[string]string{}
			for _, chat := range []string{officer.id, neighbour.id} {
				var id string
				if err := w.raw.Get(&id, `SELECT sent_message_id FROM outbox WHERE chat_id = $1 AND kind = 'text'
					AND status = 'sent' AND payload::text LIKE '%' || $2 || '%' ORDER BY id LIMIT 1`, chat, sender); err != nil {
					t.Fatalf("no card naming the sender in chat %s: %v", chat, err)
				}
				cards[chat] = id
			}
			if revoked { // the neighbour leaves the ward's staff (danvan admin revoke)
				w.exec(`UPDATE officers SET active = false, revoked_at = now()
					WHERE citizen_id = (SELECT id FROM citizens WHERE chat_id = $1)`, neighbour.id)
			}

			officer.says("/ticket " + code)
			out := officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ phường")
			for _, chat := range []string{officer.id, neighbour.id} {
				sealed := false
				for _, o := range sentTo(out, chat) {
					sealed = sealed || (o.Kind == bot.KindEdit && o.MessageID == cards[chat] &&
						strings.Contains(o.Text, "đã được xác định là tố cáo") && !strings.Contains(o.Text, sender))
				}
				if !sealed {
					t.Errorf("the card %s in the chat of officer %s still names the denouncer (%s) after sealing; sent there:\n%s",
						cards[chat], chat, sender, texts(sentTo(out, chat)))
				}
			}
		})
	}
}
