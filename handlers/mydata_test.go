package handlers_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// fileWithPhone files a petition in Hòa Cường sharing the phone with the
// button, and returns the review screen and the code.
func (c *citizen) fileWithPhone(text, phone string) (review []bot.Outgoing, code string) {
	c.w.t.Helper()
	c.describe("Phường Hòa Cường", text)
	c.presses("Bỏ qua")
	c.sends(func(e *bot.Event) { e.Contact = &bot.Contact{Phone: phone, UserID: c.id} })
	review = c.presses("Không cần")
	out := texts(c.presses("Gửi phản ánh"))
	i := strings.Index(out, "PA-")
	if i < 0 {
		c.w.t.Fatalf("no code in %s", out)
	}
	return review, out[i : i+14]
}

func TestSendingAPetitionRecordsWhatThePersonAgreedTo(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3501)
	review, code := c.fileWithPhone("Rác thải đổ trộm bên bờ sông", "0905000222")
	mustContain(t, review, "Khi bấm «✅ Gửi phản ánh», Ông/Bà đồng ý", "/mydata")

	var consents []struct {
		Purpose string `db:"purpose"`
		Wording string `db:"wording"`
		Code    string `db:"code"`
	}
	if err := w.raw.Select(&consents, `
		SELECT purpose, wording, t.code FROM consents k JOIN tickets t ON t.id = k.ticket_id ORDER BY k.id`); err != nil {
		t.Fatal(err)
	}
	if len(consents) != 2 || consents[0].Purpose != "handling" || consents[1].Purpose != "phone" {
		t.Fatalf("consents: %+v", consents)
	}
	for _, k := range consents {
		if k.Code != code || !strings.HasPrefix(k.Wording, "vi/petition.") || !strings.Contains(k.Wording, "#") {
			t.Fatalf("consent not tied to the petition and the words shown: %+v", k)
		}
	}
}

func TestMyDataShowsAndExportsWhatIsKept(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3502)
	_, code := c.fileWithPhone("Đèn đường hỏng trên đường Trần Phú", "0905000333")
	w.exec(`INSERT INTO ticket_events (ticket_id, actor_kind, kind, body, internal)
		SELECT id, 'officer', 'note', 'Ghi chú nội bộ về người dân', true FROM tickets WHERE code = $1`, code)

	mustContain(t, c.says("/mydata"), "Người dân 3502", "0905000333", "Số phản ánh đã gửi: 1",
		"Sử dụng thông tin để giải quyết phản ánh", "Liên hệ qua số điện thoại", "[📄 Tải dữ liệu về]")

	out := c.presses("Tải dữ liệu về")
	var file *bot.Outgoing
	for i := range out {
		if out[i].Kind == bot.KindDocument {
			file = &out[i]
		}
	}
	if file == nil || file.ChatID != c.id || !strings.HasSuffix(file.FileName, ".json") {
		t.Fatalf("no data file sent to the person: %+v", out)
	}
	var export struct {
		Name      string `json:"name"`
		Phone     string `json:"phone"`
		Consents  []struct{ Purpose string }
		Petitions []struct {
			Code, Description, Phone, Area string
			Timeline                       []struct{ Text string }
		}
	}
	if err := json.Unmarshal(file.Content, &export); err != nil {
		t.Fatal(err)
	}
	if export.Name != "Người dân 3502" || export.Phone != "0905000333" || len(export.Consents) != 2 || len(export.Petitions) != 1 {
		t.Fatalf("export: %+v", export)
	}
	p := export.Petitions[0]
	if p.Code != code || p.Description != "Đèn đường hỏng trên đường Trần Phú" || p.Phone != "0905000333" || p.Area != "Phường Hòa Cường" {
		t.Fatalf("exported petition: %+v", p)
	}
	if strings.Contains(string(file.Content), "Ghi chú nội bộ") {
		t.Fatal("the export holds an officers' internal note")
	}
}

func TestWithdrawingPhoneConsentForgetsTheNumber(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2501, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3503)
	_, code := c.fileWithPhone("Cây đổ chắn ngang đường", "0905000444")
	c.says("/mydata")
	mustContain(t, c.presses("Rút lại đồng ý"), "Đã rút lại sự đồng ý")

	if n := w.count(`SELECT count(*) FROM citizens WHERE phone IS NOT NULL OR phone_consent_at IS NOT NULL`); n != 0 {
		t.Fatalf("%d profiles keep a phone", n)
	}
	if n := w.count(`SELECT count(*) FROM tickets WHERE phone IS NOT NULL`); n != 0 {
		t.Fatalf("%d petitions keep the phone", n)
	}
	if n := w.count(`SELECT count(*) FROM consents WHERE purpose = 'phone' AND withdrawn_at IS NULL`); n != 0 {
		t.Fatal("the phone consent is not recorded as withdrawn")
	}
	if strings.Contains(texts(officer.says("/ticket "+code)), "0905000444") {
		t.Fatal("the officer's card still shows the withdrawn phone")
	}
	if out := texts(c.says("/mydata")); strings.Contains(out, "0905000444") || !strings.Contains(out, "đã rút lại lúc") {
		t.Fatalf("the screen after withdrawal:\n%s", out)
	}
}

func TestErasingPersonalDataKeepsThePetitionAndItsUpdates(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2502, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3504)
	_, code := c.fileWithPhone("Nắp cống bị mất trước số 12", "0905000555")
	c.says("/new") // an unfinished form
	c.says("/mydata")
	mustContain(t, c.presses("Xóa thông tin cá nhân"), "có chắc muốn xóa", "[« Không xóa]")
	if n := w.count(`SELECT count(*) FROM citizens WHERE erased_at IS NOT NULL`); n != 0 {
		t.Fatal("erased before the person confirmed")
	}
	mustContain(t, c.presses("Đồng ý xóa"), "Đã xóa tên, số điện thoại")

	if n := w.count(`SELECT count(*) FROM citizens WHERE user_id = $1 AND display_name = '' AND phone IS NULL AND erased_at IS NOT NULL`, c.id); n != 1 {
		t.Fatal("name or phone kept")
	}
	if n := w.count(`SELECT count(*) FROM conversations WHERE user_id = $1`, c.id); n != 0 {
		t.Fatal("the unfinished form was kept")
	}
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = $1 AND status <> 'pending' AND payload::text LIKE '%Nắp cống%'`, c.id); n != 0 {
		t.Fatal("sent messages still hold the petition's text")
	}
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND phone IS NULL`, code); n != 1 {
		t.Fatal("the petition was lost or keeps the phone")
	}
	mustContain(t, officer.says("/ticket "+code), "đã xóa theo yêu cầu của người gửi")
	out := officer.says("/resolve " + code + " Đã lắp nắp cống mới.")
	mustContain(t, sentTo(out, c.id), "Đã lắp nắp cống mới")

	// Writing again does not bring the name back.
	c.presses("Rất hài lòng")
	c.says("/my")
	if n := w.count(`SELECT count(*) FROM citizens WHERE user_id = $1 AND display_name = ''`, c.id); n != 1 {
		t.Fatal("the erased name was recorded again")
	}
}

func TestMyDataStaysOutOfGroupsAndForgedButtons(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3505)
	c.fileWithPhone("Nước sinh hoạt có mùi lạ", "0905000666")
	mustAnswer(t, c.pressData("1", "d:everything"), "không còn hiệu lực")
	if n := w.count(`SELECT count(*) FROM citizens WHERE phone IS NOT NULL AND erased_at IS NULL`); n != 1 {
		t.Fatal("a forged button changed the person's data")
	}
	ev := c.event()
	ev.Chat = bot.Chat{ID: "-100777", Group: true}
	ev.Button = &bot.Button{QueryID: "qg", Data: "d:erase!", MessageID: "1"}
	w.handle(ev)
	if n := w.count(`SELECT count(*) FROM citizens WHERE erased_at IS NOT NULL`); n != 0 {
		t.Fatal("a button in a group erased the person's data")
	}
}

func TestMyDataScreenIsNotShownInALinkedGroup(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	leader := w.staff(2503, "ubnd-hoa-cuong", "leader")
	leader.fileWithPhone("Lấn chiếm vỉa hè trước chợ", "0905000777")
	inGroup := func(mutate func(*bot.Event)) []bot.Outgoing {
		return leader.sends(func(e *bot.Event) { mutate(e); e.Chat = bot.Chat{ID: "-100778", Group: true} })
	}
	mustContain(t, inGroup(func(e *bot.Event) { e.Command, e.Args = "linkgroup", "ubnd-hoa-cuong" }), "Nhóm đã được liên kết")
	// "« Không xóa" leads back to the screen with "m:mydata"; pressed (or
	// forged) in a group, it must not show the person's data to everyone.
	out := inGroup(func(e *bot.Event) { e.Button = &bot.Button{QueryID: "qg2", Data: "m:mydata", MessageID: "1"} })
	if got := texts(out); strings.Contains(got, "0905000777") || strings.Contains(got, "Dữ liệu hệ thống") {
		t.Fatalf("the personal data screen was shown in a group:\n%s", got)
	}
}

// erase has the person erase their data from the /mydata screen.
func (c *citizen) erase() []bot.Outgoing {
	c.w.t.Helper()
	c.says("/mydata")
	c.presses("Xóa thông tin cá nhân")
	return c.presses("Đồng ý xóa")
}

func TestErasureLeavesNoCopyOfTheNameOrPhoneBehind(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2504, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3506)
	c.fileWithPhone("Cống thoát nước bị tắc trước nhà số 8", "0905000888")
	// Everything queued so far went out, but the officer's card failed: a
	// failed message is never purged.
	w.exec(`UPDATE outbox SET status = 'sent', sent_at = now()`)
	w.exec(`UPDATE outbox SET status = 'failed' WHERE id = (SELECT max(id) FROM outbox WHERE chat_id = $1)`, officer.id)
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = $1 AND strpos(payload::text, 'Người dân 3506 · 0905000888') > 0`, officer.id); n == 0 {
		t.Fatal("the officer got no card naming the person")
	}
	// An update of theirs the bot gave up on keeps its raw payload.
	w.exec(`INSERT INTO inbox (channel, update_id, chat_key, payload, failed_at) VALUES ('telegram', 999001, 'telegram:3506', $1, now())`,
		`{"update_id":999001,"message":{"message_id":7,"from":{"id":3506,"first_name":"Người dân 3506"},"chat":{"id":3506,"type":"private"},"text":"Số của tôi là 0905000888"}}`)
	// So does one shed in a flood, until its notice is queued.
	w.exec(`INSERT INTO inbox (channel, update_id, chat_key, payload, processed_at, last_error) VALUES ('telegram', 999002, 'telegram:3506', $1, now(), 'shed')`,
		`{"update_id":999002,"message":{"message_id":8,"from":{"id":3506,"first_name":"Người dân 3506"},"chat":{"id":3506,"type":"private"},"text":"Gọi 0905000888"}}`)

	mustContain(t, c.erase(), "Đã xóa")
	for _, s := range []string{"Người dân 3506", "0905000888"} {
		if n := w.count(`SELECT count(*) FROM outbox WHERE status <> 'pending' AND strpos(payload::text, $1) > 0`, s); n != 0 {
			t.Errorf("%d messages in the outbox still hold %q", n, s)
		}
		if n := w.count(`SELECT count(*) FROM inbox WHERE strpos(payload::text, $1) > 0`, s); n != 0 {
			t.Errorf("%d updates in the inbox still hold %q", n, s)
		}
	}
}

func TestWithdrawingPhoneConsentLeavesNoCopyOfTheNumberBehind(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2506, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3508)
	c.fileWithPhone("Cây xanh gãy cành trên đường Trưng Nữ Vương", "0905000123")
	w.exec(`UPDATE outbox SET status = 'sent', sent_at = now()`)
	c.says("/mydata")
	c.presses("Rút lại đồng ý")
	if n := w.count(`SELECT count(*) FROM outbox WHERE status <> 'pending' AND strpos(payload::text, '0905000123') > 0`); n != 0 {
		t.Fatalf("%d sent messages still hold the withdrawn phone", n)
	}
	mustContain(t, officer.says("/inbox"), "Cây xanh gãy cành")
}

func TestErasureBlanksWhatThePersonWroteInFinishedPetitions(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c, done := w.answered(2505, 3507, "Rác tồn đọng trước nhà bà Lan, kiệt 25 Lê Thanh Nghị")
	c.presses("Rất hài lòng")
	c.says("Cảm ơn anh Tuấn ở tổ 5 đã báo giúp")
	w.exec(`UPDATE tickets SET address = 'Kiệt 25 Lê Thanh Nghị', latitude = 16.05, longitude = 108.22 WHERE code = $1`, done)
	w.exec(`INSERT INTO ticket_attachments (ticket_id, channel, kind, file_id, added_by)
		SELECT id, 'telegram', 'photo', f, a FROM tickets, (VALUES ('photo-by-citizen', 'citizen'), ('photo-by-officer', 'officer')) v(f, a)
		WHERE code = $1`, done)
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'completed' AND rating_comment LIKE '%anh Tuấn%'`, done); n != 1 {
		t.Fatal("the petition was not completed with the comment")
	}
	open := c.file("Phường Hải Châu", "Đèn đường tắt ở tổ 12")

	mustContain(t, c.erase(), "Đã xóa")
	for _, s := range []string{"bà Lan", "anh Tuấn", "Lê Thanh Nghị"} {
		if n := w.count(`SELECT count(*) FROM tickets WHERE strpos(description || address || coalesce(rating_comment, ''), $1) > 0`, s); n != 0 {
			t.Errorf("the finished petition still holds %q", s)
		}
		if n := w.count(`SELECT count(*) FROM ticket_events WHERE strpos(body, $1) > 0`, s); n != 0 {
			t.Errorf("the timeline still holds %q", s)
		}
	}
	if n := w.count(`SELECT count(*) FROM tickets WHERE latitude IS NOT NULL`); n != 0 {
		t.Error("the finished petition keeps its location")
	}
	if n := w.count(`SELECT count(*) FROM ticket_attachments WHERE file_id = 'photo-by-citizen'`); n != 0 {
		t.Error("the person's photo is kept")
	}
	// What statistics and the unit's own record need stays.
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'completed' AND rating = 5
		AND kind = 'phan_anh' AND category_id IS NOT NULL AND area_id IS NOT NULL AND unit_id IS NOT NULL AND answered_at IS NOT NULL`, done); n != 1 {
		t.Error("the finished petition lost what statistics count")
	}
	if n := w.count(`SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE t.code = $1 AND e.kind = 'answered' AND e.body LIKE 'Đã xử lý xong%'`, done); n != 1 {
		t.Error("the unit's answer was lost")
	}
	if n := w.count(`SELECT count(*) FROM ticket_attachments WHERE file_id = 'photo-by-officer'`); n != 1 {
		t.Error("the officer's photo was lost")
	}
	// The timeline stays append-only for everything else.
	for _, q := range []string{
		`UPDATE ticket_events SET body = '' WHERE kind = 'answered'`,
		`UPDATE ticket_events SET body = '', at = at + interval '1 day' WHERE actor_kind = 'citizen'`,
		`UPDATE ticket_events SET body = 'khác' WHERE actor_kind = 'citizen'`,
		`DELETE FROM ticket_events WHERE actor_kind = 'citizen'`,
	} {
		if _, err := w.raw.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", q, err)
		}
	}
	// A petition still being handled keeps what the unit needs to handle it.
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND description = 'Đèn đường tắt ở tổ 12'`, open); n != 1 {
		t.Error("the petition being handled lost its text")
	}
}

func TestAnOldOrForgedEraseConfirmationAsksAgain(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3509)
	c.fileWithPhone("Bãi giữ xe tự phát trên vỉa hè", "0905000321")
	c.says("/mydata")
	c.presses("Xóa thông tin cá nhân")
	w.now = w.now.Add(3 * 24 * time.Hour) // the confirmation lies forgotten in the chat
	mustContain(t, c.presses("Đồng ý xóa"), "có chắc muốn xóa")
	mustContain(t, c.pressData("1", "d:erase!"), "có chắc muốn xóa")
	if n := w.count(`SELECT count(*) FROM citizens WHERE erased_at IS NOT NULL OR phone IS NULL`); n != 0 {
		t.Fatal("an old or forged confirmation erased the person's data")
	}
	mustContain(t, c.presses("Đồng ý xóa"), "Đã xóa tên")
	if n := w.count(`SELECT count(*) FROM citizens WHERE erased_at IS NOT NULL AND phone IS NULL`); n != 1 {
		t.Fatal("a fresh confirmation did not erase")
	}
}

// exported presses the download button and returns the file's text.
func (c *citizen) exported() string {
	c.w.t.Helper()
	for _, o := range c.presses("Tải dữ liệu về") {
		if o.Kind == bot.KindDocument {
			return string(o.Content)
		}
	}
	c.w.t.Fatal("no data file sent")
	return ""
}

func TestMyDataExportHoldsTheUnfinishedPetition(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3510)
	c.describe("Phường Hòa Cường", "Nước thải chảy tràn ra hẻm 40 Núi Thành")
	c.says("/mydata")
	if file := c.exported(); !strings.Contains(file, "Nước thải chảy tràn ra hẻm 40 Núi Thành") {
		t.Fatalf("the export leaves out the unfinished petition the bot keeps:\n%s", file)
	}
}

func TestMyDataScreenStaysOneMessageForAFrequentPetitioner(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3511)
	c.fileWithPhone("Rác thải ở chợ Bắc Mỹ An", "0905000432")
	// One consent to handling per petition: a person who has sent many.
	w.exec(`INSERT INTO consents (citizen_id, purpose, wording, given_at)
		SELECT citizen_id, purpose, wording, given_at FROM consents, generate_series(1, 80) WHERE purpose = 'handling'`)
	out := c.says("/mydata")
	if len(out) != 1 || bot.TextLen(out[0].Text) > bot.MaxTextLen {
		t.Fatalf("the screen takes %d messages:\n%s", len(out), texts(out))
	}
	mustContain(t, out, "Sử dụng thông tin để giải quyết phản ánh: đồng ý 81 lần", "Liên hệ qua số điện thoại: đồng ý lúc")
}

func TestMyDataExportStaysUnderTheUploadLimit(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3512)
	c.fileWithPhone("Ngập nước đường Phan Đăng Lưu", "0905000654")
	// Long petitions, each with a long reply: about 8 KB apiece.
	w.exec(`INSERT INTO tickets (code, kind, citizen_id, description)
		SELECT 'PA-2025-' || lpad(n::text, 6, '0'), 'phan_anh', citizen_id, repeat('Đường ngập sâu ', 200)
		FROM tickets, generate_series(1, 1500) n`)
	w.exec(`INSERT INTO ticket_events (ticket_id, actor_kind, kind, body)
		SELECT id, 'officer', 'answered', repeat('Đã khơi thông cống ', 150) FROM tickets WHERE code LIKE 'PA-2025-%'`)
	c.says("/mydata")
	var file *bot.Outgoing
	for _, o := range c.presses("Tải dữ liệu về") {
		if o.Kind == bot.KindDocument {
			file = &o
		}
	}
	if file == nil {
		t.Fatal("no data file sent")
	}
	if len(file.Content) > 10<<20 || bot.TextLen(file.Text) > bot.MaxCaptionLen {
		t.Fatalf("a file of %d bytes, a caption of %d characters", len(file.Content), bot.TextLen(file.Text))
	}
	var export struct {
		Petitions []struct{ Code string }
		LeftOut   int `json:"petitions_left_out"`
	}
	if err := json.Unmarshal(file.Content, &export); err != nil {
		t.Fatal(err)
	}
	if export.LeftOut == 0 || len(export.Petitions)+export.LeftOut != 1501 || export.Petitions[0].Code != "PA-2025-001500" {
		t.Fatalf("%d petitions exported, %d said left out; the newest first: %v", len(export.Petitions), export.LeftOut, export.Petitions[:1])
	}
	mustContain(t, []bot.Outgoing{*file}, "gần nhất")
}

func TestAConsentRecordHoldsTheWordsThePersonAgreedTo(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3513)
	review, _ := c.fileWithPhone("Chó thả rông trong công viên", "0905000765")
	var shown string
	for _, line := range strings.Split(texts(review), "\n") {
		if strings.HasPrefix(line, "Khi bấm") {
			shown = line
		}
	}
	if n := w.count(`SELECT count(*) FROM consents WHERE purpose = 'handling' AND text = $1`, shown); n != 1 {
		t.Fatalf("no consent record holds the words shown: %q", shown)
	}
	if n := w.count(`SELECT count(*) FROM consents WHERE purpose = 'phone' AND text LIKE 'Để cán bộ có thể liên hệ%'`); n != 1 {
		t.Fatal("the phone consent does not hold the words shown")
	}
	c.says("/mydata")
	var export struct{ Consents []struct{ Text string } }
	if err := json.Unmarshal([]byte(c.exported()), &export); err != nil {
		t.Fatal(err)
	}
	if len(export.Consents) != 2 || export.Consents[0].Text != shown {
		t.Fatalf("the export does not show what was agreed to: %+v", export.Consents)
	}
}

func TestMyDataExportHoldsTheStaffRoles(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2507, "ubnd-hoa-cuong", "officer")
	officer.says("/mydata")
	var export struct {
		StaffRoles []struct{ Unit, Role string } `json:"staff_roles"`
	}
	if err := json.Unmarshal([]byte(officer.exported()), &export); err != nil {
		t.Fatal(err)
	}
	if len(export.StaffRoles) != 1 || export.StaffRoles[0].Unit != "UBND phường Hòa Cường" || export.StaffRoles[0].Role != "officer" {
		t.Fatalf("the export leaves out the person's roles: %+v", export.StaffRoles)
	}
}

// A petition being written when the consent to be called is withdrawn
// forgets its phone too, and asks for it again.
func TestWithdrawingPhoneConsentClearsThePetitionBeingWritten(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3521)
	c.fileWithPhone("Cống thoát nước bị vỡ", "0905000777")
	c.describe("Phường Hòa Cường", "Đường ngập nước sau mưa lớn")
	c.presses("Bỏ qua")
	c.sends(func(e *bot.Event) { e.Contact = &bot.Contact{Phone: "0905000777", UserID: c.id} })
	c.says("/mydata")
	c.presses("Rút lại đồng ý")
	if n := w.count(`SELECT count(*) FROM conversations WHERE user_id = $1 AND data::text LIKE '%0905000777%'`, c.id); n != 0 {
		t.Fatal("the petition being written keeps the withdrawn phone")
	}
}

// The downloaded file holds the phone too, encoded as the document's bytes:
// its kept copy goes with the withdrawal like the other messages'.
func TestWithdrawingPhoneConsentForgetsTheDownloadedFile(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3521)
	c.fileWithPhone("Nắp cống bị vỡ trên đường Lê Duẩn", "0905000765")
	c.says("/mydata")
	c.presses("Tải dữ liệu về")
	w.exec(`UPDATE outbox SET status = 'sent', sent_at = now()`)
	if n := w.count(`SELECT count(*) FROM outbox WHERE kind = 'document' AND payload <> '{}'`); n != 1 {
		t.Fatalf("%d kept copies of the downloaded file", n)
	}
	c.says("/mydata")
	c.presses("Rút lại đồng ý")
	if n := w.count(`SELECT count(*) FROM outbox WHERE kind = 'document' AND payload <> '{}'`); n != 0 {
		t.Fatal("the kept copy of the downloaded file still holds the withdrawn phone")
	}
}

// A citizen's commands and menu show the person's own petitions and data:
// in a linked group, where everyone reads them, they are refused with a
// word on why, while the staff's commands work there.
func TestCitizensCommandsAreRefusedInALinkedGroup(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	leader := w.staff(2504, "ubnd-hoa-cuong", "leader")
	code := leader.file("Phường Hòa Cường", "Lấn chiếm vỉa hè trước chợ Hòa Cường")
	inGroup := func(mutate func(*bot.Event)) []bot.Outgoing {
		return leader.sends(func(e *bot.Event) { mutate(e); e.Chat = bot.Chat{ID: "-100779", Group: true} })
	}
	mustContain(t, inGroup(func(e *bot.Event) { e.Command, e.Args = "linkgroup", "ubnd-hoa-cuong" }), "Nhóm đã được liên kết")
	for _, cmd := range []string{"start", "my", "status", "new", "thongbao", "tiepdan", "gopy"} {
		out := inGroup(func(e *bot.Event) { e.Command, e.Args = cmd, code })
		mustContain(t, out, "chỉ dùng trong tin nhắn riêng")
		if strings.Contains(texts(out), "Lấn chiếm") {
			t.Fatalf("/%s showed the person's petition in the group:\n%s", cmd, texts(out))
		}
	}
	out := inGroup(func(e *bot.Event) { e.Button = &bot.Button{QueryID: "qg3", Data: "m:my", MessageID: "1"} })
	if got := texts(out); strings.Contains(got, "Lấn chiếm") || !strings.Contains(got, "chỉ dùng trong tin nhắn riêng") {
		t.Fatalf("the menu's «my petitions» in a group:\n%s", got)
	}
	mustContain(t, inGroup(func(e *bot.Event) { e.Command = "inbox" }), code)
	if n := w.count(`SELECT count(*) FROM conversations WHERE chat_id = '-100779'`); n != 0 {
		t.Fatalf("%d forms started in the group", n)
	}
}

// The consent to be called is withdrawn after the ward got the
// petition's card, which shows the phone after the sender's name. The
// card's kept copy loses the phone but stays, so that sealing the
// petition later, found to be a denunciation, still finds the card and
// seals it (law.md §5).
func TestWithdrawingPhoneConsentDoesNotHideACardFromSealing(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2521, "ubnd-hoa-cuong", "officer")
	w.staff(2522, "ubnd-tp", "officer")
	c := w.citizen(3521)
	_, code := c.fileWithPhone("Cán bộ phường thu tiền trái phép khi cấp giấy phép", "0905000611")
	w.markDelivered()
	card := w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND strpos(payload::text, '0905000611') > 0`, officer.id)
	if card == 0 {
		t.Fatal("setup: the officer's card does not show the phone")
	}

	c.says("/mydata")
	mustContain(t, c.presses("Rút lại đồng ý"), "Đã rút lại sự đồng ý")
	// The /mydata screen still waiting to be sent to the person shows it.
	if n := w.count(`SELECT count(*) FROM outbox WHERE (status <> 'pending' OR chat_id <> $1)
		AND strpos(payload::text, '0905000611') > 0`, c.id); n != 0 {
		t.Fatalf("%d kept copies or messages to others still hold the withdrawn phone", n)
	}
	if n := w.count(`SELECT count(*) FROM outbox WHERE id = $1 AND strpos(payload::text, $2) > 0`, card, c.name); n != 1 {
		t.Fatal("the card's copy was not kept without the phone")
	}
	officer.sealsCard(code, card)
}

// A card still waiting to be sent when the consent to be called is
// withdrawn goes out without the phone: the person no longer agrees to
// be called. What is queued to the person themselves goes out as it is,
// and no copy keeps the phone once delivered.
func TestACardQueuedWhenThePhoneIsWithdrawnGoesWithoutIt(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2523, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3523)
	c.fileWithPhone("Cây xanh gãy cành trên đường Trưng Nữ Vương", "0905000612")
	var inFlight storage.SentMark // the card, as a sender delivering it now claimed it
	if err := w.raw.Get(&inFlight, `SELECT id AS "id", revision AS "revision" FROM outbox
		WHERE chat_id = $1 AND strpos(payload::text, '0905000612') > 0`, officer.id); err != nil {
		t.Fatal(err)
	}
	c.says("/mydata")
	mustContain(t, c.presses("Rút lại đồng ý"), "Đã rút lại sự đồng ý")
	// Its delivery, were it under way, is not recorded as is but put right.
	inFlight.MessageID = "77"
	if replaced, err := w.store.MarkOutboxSent(w.ctx, inFlight); err != nil || len(replaced) != 1 {
		t.Fatalf("a delivery of the card with the phone was recorded as is (%v)", err)
	}

	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = $1 AND status = 'pending' AND strpos(payload::text, $2) > 0
		AND strpos(payload::text, 'Cây xanh gãy cành') > 0`, officer.id, c.name); n != 1 {
		t.Fatalf("%d cards queued for the officer with the sender's name, want 1", n)
	}
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id <> $1 AND strpos(payload::text, '0905000612') > 0`, c.id); n != 0 {
		t.Fatalf("%d messages to others still go out with the withdrawn phone", n)
	}
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = $1 AND status = 'pending' AND strpos(payload::text, '0905000612') > 0`, c.id); n == 0 {
		t.Fatal("setup: nothing queued to the person shows the phone")
	}
	w.markDelivered()
	if n := w.count(`SELECT count(*) FROM outbox WHERE strpos(payload::text, '0905000612') > 0`); n != 0 {
		t.Fatalf("%d kept copies hold the withdrawn phone once delivered", n)
	}
}

// A person wrote their phone in the petition as well as sharing it, and
// withdraws the consent to be called after the ward got the card: the
// card's copy loses the number everywhere but is kept, so that sealing
// still finds the card.
func TestAPhoneWrittenInThePetitionLeavesTheCardButNotTheNumber(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2957, "ubnd-hoa-cuong", "officer")
	w.staff(2958, "ubnd-tp", "officer")
	c := w.citizen(3957)
	_, code := c.fileWithPhone("Cán bộ phường thu tiền trái phép khi cấp giấy phép, gọi tôi số 0905000957", "0905000957")
	w.markDelivered()
	card := w.count(`SELECT max(id) FROM outbox WHERE chat_id = $1 AND strpos(payload::text, $2) > 0
		AND strpos(payload::text, 'thu tiền trái phép') > 0`, officer.id, c.name)
	if card == 0 {
		t.Fatal("setup: no card delivered to the officer")
	}

	c.says("/mydata")
	mustContain(t, c.presses("Rút lại đồng ý"), "Đã rút lại sự đồng ý")
	if n := w.count(`SELECT count(*) FROM outbox WHERE id = $1 AND strpos(payload::text, 'thu tiền trái phép') > 0`, card); n != 1 {
		t.Errorf("the card's copy was blanked: sealing can no longer find it")
	}
	officer.sealsCard(code, card)
}

// A leader's /report lists a finished petition with its description. Once
// the file is delivered the outbox keeps no copy of its bytes, so that after
// the sender's erasure no stored copy still holds what they wrote.
func TestErasureReachesTheReportsThatListedThePetition(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2951, "ubnd-hoa-cuong", "officer")
	leader := w.staff(2952, "ubnd-hoa-cuong", "leader")
	c := w.citizen(3951)
	const words = "Rác tồn đọng trước nhà bà Lan số 12 kiệt 25 Lê Thanh Nghị"
	code := c.file("Phường Hòa Cường", words)
	officer.says("/resolve " + code + " Đã thu gom.")
	c.presses("Rất hài lòng")

	out := leader.says("/report")
	var sent bool
	for _, o := range out {
		if o.Kind == bot.KindDocument && strings.Contains(xlsxText(t, o.Content), words) {
			sent = true
		}
	}
	if !sent {
		t.Fatalf("the leader's report does not list the petition's text:\n%s", texts(out))
	}
	w.markDelivered()

	mustContain(t, c.erase(), "Đã xóa")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND description = ''`, code); n != 1 {
		t.Fatal("erasure did not blank the finished petition")
	}

	var payloads [][]byte
	if err := w.raw.Select(&payloads, `SELECT payload FROM outbox WHERE chat_id = $1`, leader.id); err != nil {
		t.Fatal(err)
	}
	for _, p := range payloads {
		var o bot.Outgoing
		if err := json.Unmarshal(p, &o); err != nil {
			t.Fatal(err)
		}
		if o.Kind == bot.KindDocument && len(o.Content) > 0 && strings.Contains(xlsxText(t, o.Content), words) {
			t.Fatalf("after the sender's erasure, the stored copy of the leader's report %q still holds their words %q", o.FileName, words)
		}
	}
}

// What a person who erased their data writes on a finished petition after
// the nightly blanking has run (a rating's comment) is blanked by the next
// run, not left because the description is blank already.
func TestACommentAfterTheNightlyBlankingIsBlankedTheNextNight(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c, code := w.answered(2991, 3991, "Ổ gà lớn trên đường Hùng Vương")
	mustContain(t, c.erase(), "Đã xóa")
	c.presses("Rất hài lòng")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'completed'`, code); n != 1 {
		t.Fatal("setup: the petition is not completed")
	}
	blank := func() {
		w.run(func(tx *storage.Store) error { return tx.BlankErasedPetitions(w.ctx, workcal.DateOf(w.now)) })
	}
	blank()
	c.says("Cảm ơn chị Hoa ở số 14 Hùng Vương")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND rating_comment LIKE '%chị Hoa%'`, code); n != 1 {
		t.Fatal("setup: the comment was not kept with the rating")
	}
	blank()
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND rating_comment LIKE '%chị Hoa%'`, code); n != 0 {
		t.Error("a comment written after the first blanking survived the next")
	}
}

// A phone typed into a petition still being written, shown on its review
// screen, is forgotten with the others when the person withdraws their
// consent, in the messages sent as on the draft.
func TestWithdrawingThePhoneForgetsOneTypedIntoADraft(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3981)
	c.fileWithPhone("Đèn đường hỏng trước nhà số 9", "0905000981")
	c.describe("Phường Hòa Cường", "Rác thải đổ trộm ở bãi đất trống hẻm 45")
	c.presses("Bỏ qua")
	c.says("0905111222")
	mustContain(t, c.presses("Không cần"), "0905111222")
	w.markDelivered()
	c.says("/mydata")
	mustContain(t, c.presses("Rút lại đồng ý"), "Đã rút lại")
	w.markDelivered()
	if n := w.count(`SELECT count(*) FROM outbox WHERE strpos(payload::text, '0905111222') > 0 OR strpos(kept_copy::text, '0905111222') > 0`); n != 0 {
		t.Errorf("%d messages still show the phone typed into the draft", n)
	}
}
