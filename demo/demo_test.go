package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage/storagetest"
)

// sandbox is a running demo driven through its HTTP API, as the page does.
type sandbox struct {
	t    *testing.T
	base string
}

func startSandbox(t *testing.T) *sandbox {
	t.Helper()
	dsn := storagetest.NewDatabase(t)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	go func() {
		done <- Run(ctx, Options{Listen: "127.0.0.1:0", DatabaseURL: dsn, Logger: logger,
			Ready: func(url string) { ready <- url }})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the sandbox stopped with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("the sandbox did not stop within 30 s")
		}
	})
	select {
	case url := <-ready:
		return &sandbox{t: t, base: url}
	case err := <-done:
		t.Fatalf("the sandbox did not start: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("the sandbox did not start within a minute")
	}
	return nil
}

// request calls the API as the page does.
func (s *sandbox) request(method, path, contentType string, body io.Reader) *http.Response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("X-Danvan-Sandbox", "1")
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	return res
}

func (s *sandbox) do(method, path, contentType string, body io.Reader, out any) int {
	s.t.Helper()
	res := s.request(method, path, contentType, body)
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return res.StatusCode
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			s.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return res.StatusCode
}

// apiError is an error answer of the API, as the page reads it.
type apiError struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

// refused makes a request that should fail and returns its status and
// error.
func (s *sandbox) refused(method, path, contentType string, body io.Reader) (int, apiError) {
	s.t.Helper()
	res := s.request(method, path, contentType, body)
	defer res.Body.Close()
	var e apiError
	json.NewDecoder(res.Body).Decode(&e)
	return res.StatusCode, e
}

// post fails the test unless the action succeeds.
func (s *sandbox) post(path string, body any, out any) {
	s.t.Helper()
	data, _ := json.Marshal(body)
	if code := s.do(http.MethodPost, path, "application/json", bytes.NewReader(data), out); code != http.StatusOK {
		s.t.Fatalf("POST %s: status %d", path, code)
	}
}

func (s *sandbox) chatView(chatID int64) chatView {
	s.t.Helper()
	var v chatView
	if code := s.do(http.MethodGet, fmt.Sprintf("/api/chats/%d", chatID), "", nil, &v); code != http.StatusOK {
		s.t.Fatalf("chat %d: status %d", chatID, code)
	}
	return v
}

func (s *sandbox) messages(chatID int64) []messageView {
	s.t.Helper()
	return s.chatView(chatID).Messages
}

func (s *sandbox) lastID(chatID int64) int {
	msgs := s.messages(chatID)
	if len(msgs) == 0 {
		return 0
	}
	return msgs[len(msgs)-1].ID
}

// expect waits for a bot message after message id `after` (or an edited
// one) whose text or caption contains every string.
func (s *sandbox) expect(chatID int64, after int, want ...string) messageView {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		msgs := s.messages(chatID)
		for _, m := range msgs {
			if !m.FromBot || (m.ID <= after && !m.Edited) {
				continue
			}
			all := true
			for _, w := range want {
				all = all && strings.Contains(m.Text+m.Caption, w)
			}
			if all {
				return m
			}
		}
		if time.Now().After(deadline) {
			var got []string
			for _, m := range msgs {
				got = append(got, fmt.Sprintf("#%d %q", m.ID, m.Text+m.Caption))
			}
			s.t.Fatalf("chat %d: no bot message after #%d with %q; messages:\n%s", chatID, after, want, strings.Join(got, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// say sends text in a chat and waits for the reply containing want.
func (s *sandbox) say(chatID int64, text string, want ...string) messageView {
	s.t.Helper()
	at := s.lastID(chatID)
	s.post(fmt.Sprintf("/api/chats/%d/send", chatID), map[string]string{"text": text}, nil)
	return s.expect(chatID, at, want...)
}

// press taps the button labelled label on the latest message that has it.
func (s *sandbox) press(chatID int64, label string, want ...string) messageView {
	s.t.Helper()
	msgs := s.messages(chatID)
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, row := range msgs[i].Buttons {
			for _, b := range row {
				if strings.Contains(b.Text, label) {
					at := s.lastID(chatID)
					s.post(fmt.Sprintf("/api/chats/%d/press", chatID), map[string]any{"message_id": msgs[i].ID, "text": b.Text}, nil)
					return s.expect(chatID, at, want...)
				}
			}
		}
	}
	s.t.Fatalf("chat %d: no button %q", chatID, label)
	return messageView{}
}

func (s *sandbox) sendPhoto(chatID int64, caption string, want ...string) messageView {
	s.t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for x := range 640 {
		for y := range 480 {
			img.Set(x, y, color.RGBA{uint8(x / 3), uint8(y / 2), 120, 255})
		}
	}
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	w, _ := form.CreateFormFile("photo", "street.png")
	png.Encode(w, img)
	if caption != "" {
		form.WriteField("caption", caption)
	}
	form.Close()
	at := s.lastID(chatID)
	if code := s.do(http.MethodPost, fmt.Sprintf("/api/chats/%d/photo", chatID), form.FormDataContentType(), &body, nil); code != http.StatusOK {
		s.t.Fatalf("photo: status %d", code)
	}
	return s.expect(chatID, at, want...)
}

// photographedPetition has a citizen write a petition with their location
// and a photo, up to the phone step.
func (s *sandbox) photographedPetition(chatID int64) {
	s.t.Helper()
	s.say(chatID, "/new", "loại nội dung")
	s.press(chatID, "Phản ánh", "lĩnh vực")
	s.press(chatID, "Môi trường", "xảy ra ở đâu")
	at := s.lastID(chatID)
	s.post(fmt.Sprintf("/api/chats/%d/location", chatID), struct{}{}, nil)
	s.expect(chatID, at, "mô tả sự việc")
	s.say(chatID, "Nước thải tràn ra đường ở kiệt 45 Núi Thành", "gửi ảnh")
	s.sendPhoto(chatID, "", "Đã nhận")
	s.press(chatID, "Tiếp tục", "số điện thoại")
}

// filePetition files a photographed petition with the citizen's phone and
// returns its code and the last message of the chat before it was sent.
func (s *sandbox) filePetition(chatID int64) (code string, before int) {
	s.t.Helper()
	s.photographedPetition(chatID)
	at := s.lastID(chatID)
	s.post(fmt.Sprintf("/api/chats/%d/contact", chatID), struct{}{}, nil)
	s.expect(chatID, at, "giữ bí mật")
	s.press(chatID, "Không cần", "kiểm tra lại")
	before = s.lastID(chatID)
	return codeIn(s.t, s.press(chatID, "Gửi phản ánh", "PA-").Text), before
}

func codeIn(t *testing.T, text string) string {
	t.Helper()
	i := strings.Index(text, "PA-")
	if i < 0 || len(text) < i+14 {
		t.Fatalf("no ticket code in %q", text)
	}
	return text[i : i+14]
}

// The whole loop through the page's API: a citizen files a petition with
// a location, a photo and her phone; the ward's officer gets the card and
// accepts it; the citizen is told; the clock moves past the deadline and
// the city leader gets the escalation.
func TestSandboxLoop(t *testing.T) {
	s := startSandbox(t)
	lan, officer := int64(firstCitizenID), officerID(sampleWard)

	var state stateView
	s.do(http.MethodGet, "/api/state", "", nil, &state)
	if len(state.Chats) < 10 || state.Lang != "vi" {
		t.Fatalf("state: %d chats, lang %q", len(state.Chats), state.Lang)
	}
	s.expect(lan, 0, "Xin chào") // the citizens were started
	s.expect(officer, 0, "cán bộ của Ủy ban nhân dân phường Hòa Cường")
	s.expect(groupChatID, 0, "Nhóm đã được liên kết")

	code, at := s.filePetition(lan)

	s.expect(officer, 0, "Phản ánh mới", code, "Nước thải tràn")
	s.expect(groupChatID, 0, code)
	s.press(officer, "Tiếp nhận", "Đã tiếp nhận bởi")
	s.expect(lan, at, code, "tiếp nhận và đang xử lý")

	// The citizen's photo reached the officer and is served by the page.
	var photo *photoView
	for _, m := range s.messages(officer) {
		if m.Photo != nil {
			photo = m.Photo
		}
	}
	if photo == nil {
		t.Fatal("the officer got no photo")
	}
	res, err := http.Get(s.base + "/api/file/" + photo.FileID)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "image/") {
		t.Fatalf("photo: status %d, type %q", res.StatusCode, ct)
	}

	// Past the deadline (10 working days): the escalation job runs at once.
	var ran jobsResult
	s.post("/api/clock/advance", map[string]int{"workdays": 11}, &ran)
	if !strings.Contains(strings.Join(ran.Ran, " "), "escalations") {
		t.Fatalf("jobs run after the advance: %v", ran.Ran)
	}
	s.expect(cityLeaderID, 0, "Phản ánh quá hạn", code)
	s.expect(wardLeaderID, 0, "Phản ánh quá hạn", code)

	// Leaders get the XLSX report as a document the page can download.
	report := s.say(cityLeaderID, "/report", "Báo cáo tiếp nhận") // the document's caption
	if report.Document == nil || !strings.HasSuffix(report.Document.Name, ".xlsx") {
		t.Fatalf("report: %+v", report)
	}
	res, err = http.Get(s.base + "/api/file/" + report.Document.FileID + "?download=1&name=" + report.Document.Name)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
		t.Fatalf("report download: type %q", ct)
	}

	var tk ticketView
	s.do(http.MethodGet, "/api/tickets/"+code, "", nil, &tk)
	var kinds []string
	for _, e := range tk.Events {
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, " "); !strings.HasPrefix(got, "created") || !strings.Contains(got, "accepted") {
		t.Fatalf("timeline: %s", got)
	}
	if tk.Unit != "Ủy ban nhân dân phường Hòa Cường" || tk.DueAt == nil || !tk.DueAt.Before(ran.Now) {
		t.Fatalf("ticket: unit %q, due %v, now %v", tk.Unit, tk.DueAt, ran.Now)
	}
	// The category is named in the page's language, not the sandbox's.
	var en ticketView
	s.do(http.MethodGet, "/api/tickets/"+code+"?lang=en", "", nil, &en)
	if tk.Category != "Môi trường" || en.Category != "Environment" {
		t.Fatalf("category: %q, in English %q", tk.Category, en.Category)
	}
}

// Other sites cannot drive the sandbox: changes need the page's header, and
// only loopback host names are answered.
func TestSandboxGuard(t *testing.T) {
	h := guard("127.0.0.1:8080", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, tc := range []struct {
		method, host string
		header       bool
		want         int
	}{
		{"GET", "127.0.0.1:8080", false, http.StatusOK},
		{"GET", "localhost:8080", false, http.StatusOK},
		{"GET", "evil.example:8080", false, http.StatusForbidden},
		{"POST", "127.0.0.1:8080", false, http.StatusForbidden},
		{"POST", "127.0.0.1:8080", true, http.StatusOK},
	} {
		req, _ := http.NewRequest(tc.method, "http://"+tc.host+"/api/state", nil)
		if tc.header {
			req.Header.Set("X-Danvan-Sandbox", "1")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s %s header=%v: status %d, want %d", tc.method, tc.host, tc.header, rec.Code, tc.want)
		}
		// A refusal answers as the API's errors do (README).
		var e apiError
		if rec.Code != http.StatusOK && (json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error == "") {
			t.Errorf("%s %s header=%v: refused with %q, want {\"error\": …}", tc.method, tc.host, tc.header, rec.Body.String())
		}
	}
}

// In the unit's group the bot is in privacy mode, as on Telegram: it sees
// the officer's answer only as a reply to its prompt. The page sends what
// the officer types as that reply, as Telegram's apps do with the prompt's
// force_reply, and shows which message it answers.
func TestSandboxGroupAnswersAreRepliesToThePrompt(t *testing.T) {
	s := startSandbox(t)
	lan := int64(firstCitizenID)
	s.expect(groupChatID, 0, "Nhóm đã được liên kết")

	code, at := s.filePetition(lan)

	s.expect(groupChatID, 0, code)
	if v := s.chatView(groupChatID); v.ReplyingTo != nil {
		t.Fatalf("a reply is open before any prompt: %+v", v.ReplyingTo)
	}
	s.press(groupChatID, "Tiếp nhận", "Đã tiếp nhận bởi")
	prompt := s.press(groupChatID, "Trả lời", "nhập nội dung trả lời")
	v := s.chatView(groupChatID)
	if v.ReplyingTo == nil || v.ReplyingTo.ID != prompt.ID || !v.ReplyingTo.FromBot {
		t.Fatalf("the page does not reply to the prompt #%d: %+v", prompt.ID, v.ReplyingTo)
	}

	answer := "Đã thu gom rác thải ở kiệt 45 Núi Thành."
	s.say(groupChatID, answer, "Đã gửi trả lời phản ánh")
	s.expect(lan, at, code, "Đã thu gom rác thải")
	v = s.chatView(groupChatID)
	var sent *messageView
	for i, m := range v.Messages {
		if m.Text == answer {
			sent = &v.Messages[i]
		}
	}
	if sent == nil || sent.ReplyTo == nil || sent.ReplyTo.ID != prompt.ID {
		t.Fatalf("the answer was not sent as a reply to the prompt #%d: %+v", prompt.ID, sent)
	}
	if v.ReplyingTo != nil {
		t.Fatalf("the reply stays open after the answer: %+v", v.ReplyingTo)
	}
}

// The sample ward holds a weekly citizen reception: a resident books a
// place from the menu and the ward's officer finds it in /lichtiep.
func TestSandboxReceptionBooking(t *testing.T) {
	s := startSandbox(t)
	lan, officer := int64(firstCitizenID), officerID(sampleWard)
	s.expect(lan, 0, "Xin chào")
	s.expect(officer, 0, "cán bộ của Ủy ban nhân dân phường Hòa Cường")

	s.press(lan, "Đăng ký tiếp công dân", "chọn đơn vị")
	s.press(lan, "phường Hòa Cường", "chọn ngày muốn đến")
	s.press(lan, "còn 10 chỗ", "125 Núi Thành", "nêu ngắn gọn nội dung")
	s.say(lan, "Đề nghị giải quyết dứt điểm tình trạng ngập ở kiệt 45 Núi Thành", "Đã đăng ký tiếp công dân")

	s.say(officer, "/lichtiep", "Lịch tiếp công dân", "ngập ở kiệt 45 Núi Thành")
	s.press(officer, "#1", "Lịch tiếp công dân #1", "Người đăng ký", "125 Núi Thành")

	// Once the day has come, the reception is recorded: the card becomes
	// the follow-up ticket's, and the resident is told its code.
	at := s.lastID(lan)
	s.post("/api/clock/advance", map[string]int{"workdays": 6}, nil)
	list := s.say(officer, "/lichtiep", "chọn một lịch để ghi nhận kết quả")
	s.press(officer, "#1")
	// The list becomes the booking's card, now with "Đã tiếp".
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		m := s.messages(officer)[len(s.messages(officer))-1]
		if m.ID == list.ID && len(m.Buttons) > 0 && strings.Contains(m.Buttons[0][0].Text, "Đã tiếp") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the booking's card has no «Đã tiếp» once its day has come: %+v", m)
		}
	}
	s.press(officer, "Đã tiếp", "Đã ghi nhận buổi tiếp theo lịch #1", "Tiếp công dân")
	msgs := s.messages(officer)
	if last := msgs[len(msgs)-1]; !strings.Contains(last.Text, "Đã ghi nhận buổi tiếp theo lịch #1") {
		t.Fatalf("the officer's last message is %q", last.Text)
	}
	s.expect(lan, at, "Cảm ơn Ông/Bà đã đến buổi tiếp công dân", "PA-")
}

// sent is what the chat's person sent after message id `after`.
func (s *sandbox) sent(chatID int64, after int) []messageView {
	s.t.Helper()
	var out []messageView
	for _, m := range s.messages(chatID) {
		if !m.FromBot && m.ID > after {
			out = append(out, m)
		}
	}
	return out
}

// A visitor's text over Telegram's 4,096 characters goes as several
// messages, cut between words, and a caption over 1,024 characters goes
// as a message of its own before its photo, as Telegram's apps send them:
// the visitor is not refused with the fake Bot API's internal error.
func TestSandboxSendsLongTextsAsTelegramsAppsDo(t *testing.T) {
	s := startSandbox(t)
	lan := int64(firstCitizenID)
	s.expect(lan, 0, "Xin chào")

	long := strings.Repeat("Nước thải tràn ra đường ở kiệt 45 Núi Thành. ", 110) // 5,060 characters
	at := s.lastID(lan)
	s.post(fmt.Sprintf("/api/chats/%d/send", lan), map[string]string{"text": long}, nil)
	parts := s.sent(lan, at)
	var texts []string
	for _, m := range parts {
		if n := utf16Len(m.Text); n > maxTextLen || n == 0 {
			t.Errorf("a part of %d characters", n)
		}
		texts = append(texts, m.Text)
	}
	if len(parts) != 2 || strings.Join(texts, " ") != strings.TrimSpace(long) || !strings.HasSuffix(texts[0], "Thành.") {
		t.Fatalf("a 5,060-character text was sent as %d messages: %q", len(parts), texts)
	}

	var form bytes.Buffer
	w := multipart.NewWriter(&form)
	f, _ := w.CreateFormFile("photo", "street.png")
	png.Encode(f, image.NewRGBA(image.Rect(0, 0, 64, 48)))
	caption := strings.TrimSpace(strings.Repeat("Rác thải đổ trộm. ", 70)) // 1,259 characters
	w.WriteField("caption", caption)
	w.Close()
	at = s.lastID(lan)
	if code, e := s.refused(http.MethodPost, fmt.Sprintf("/api/chats/%d/photo", lan), w.FormDataContentType(), &form); code != http.StatusOK {
		t.Fatalf("a photo with a 1,259-character caption: status %d, %+v", code, e)
	}
	sent := s.sent(lan, at)
	if len(sent) != 2 || sent[0].Text != caption || sent[1].Photo == nil || sent[1].Caption != "" {
		t.Fatalf("a photo with a 1,259-character caption was sent as %+v", sent)
	}
}

// What the page cannot do is refused with a code, which the page shows in
// its own language: an empty text, a file that is no image, a ticket code
// with no ticket.
func TestSandboxErrorsHaveCodesForThePage(t *testing.T) {
	s := startSandbox(t)
	lan := int64(firstCitizenID)
	chat := fmt.Sprintf("/api/chats/%d", lan)

	if code, e := s.refused(http.MethodPost, chat+"/send", "application/json", strings.NewReader(`{"text": "  \n "}`)); code != http.StatusBadRequest || e.Code != errEmptyText {
		t.Errorf("a blank text: status %d, %+v", code, e)
	}
	var form bytes.Buffer
	w := multipart.NewWriter(&form)
	f, _ := w.CreateFormFile("photo", "notes.txt")
	f.Write([]byte("not a picture"))
	w.Close()
	if code, e := s.refused(http.MethodPost, chat+"/photo", w.FormDataContentType(), &form); code != http.StatusBadRequest || e.Code != errNotImage {
		t.Errorf("a text file as a photo: status %d, %+v", code, e)
	}
	for _, path := range []string{"/api/tickets/PA-2026-999999", "/api/tickets/nonsense"} {
		if code, e := s.refused(http.MethodGet, path, "", nil); code != http.StatusNotFound || e.Code != errTicketNotFound {
			t.Errorf("GET %s: status %d, %+v", path, code, e)
		}
	}
}
