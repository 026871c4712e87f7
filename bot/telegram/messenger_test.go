package telegram_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/bot/telegram"
	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

var lanChat = strconv.FormatInt(lan.ID, 10)

func newMessenger(t *testing.T, cfg telegramtest.Config) (*telegram.Messenger, *telegramtest.Server) {
	t.Helper()
	srv := newFake(t, cfg)
	return telegram.NewMessenger(connect(t, srv), quiet), srv
}

func deliver(t *testing.T, m *telegram.Messenger, o bot.Outgoing) string {
	t.Helper()
	id, err := m.Deliver(t.Context(), o)
	if err != nil {
		t.Fatalf("Deliver(%s): %v", o.Kind, err)
	}
	return id.MessageID
}

// deliveryError delivers o and returns the classified failure.
func deliveryError(t *testing.T, m *telegram.Messenger, o bot.Outgoing) *bot.DeliveryError {
	t.Helper()
	_, err := m.Deliver(t.Context(), o)
	var de *bot.DeliveryError
	if !errors.As(err, &de) {
		t.Fatalf("Deliver = %v, want a *bot.DeliveryError", err)
	}
	return de
}

func TestMessengerSendsHTMLWithInlineButtons(t *testing.T) {
	t.Parallel()
	m, srv := newMessenger(t, telegramtest.Config{})
	id := deliver(t, m, bot.Outgoing{Kind: bot.KindText, ChatID: lanChat,
		Text: "<b>Phản ánh</b> đã nhận: " + bot.Escape("<đường & cống>"),
		Buttons: [][]bot.InlineButton{
			{{Text: "Xem", Data: "s:PA-2026-000001"}, {Text: "Hủy", Data: "p:cancel"}},
			{{Text: "Hướng dẫn", URL: "https://example.org/huong-dan"}},
		}})

	sent, ok := srv.LastSent(lan.ID)
	if !ok {
		t.Fatal("nothing sent")
	}
	if id != strconv.Itoa(sent.ID) {
		t.Errorf("Deliver returned id %q, the message is %d", id, sent.ID)
	}
	if sent.Text != "Phản ánh đã nhận: <đường & cống>" || sent.ParseMode != "HTML" {
		t.Errorf("text %q with parse mode %q", sent.Text, sent.ParseMode)
	}
	var got [][]string
	for _, row := range sent.InlineKeyboard {
		var r []string
		for _, b := range row {
			r = append(r, b.Text+"|"+b.CallbackData+"|"+b.URL)
		}
		got = append(got, r)
	}
	want := [][]string{{"Xem|s:PA-2026-000001|", "Hủy|p:cancel|"}, {"Hướng dẫn||https://example.org/huong-dan"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keyboard (-want +got):\n%s", diff)
	}
}

// Telegram takes a message text of 1-4096 characters after entity
// parsing (telegram.md §2) and refuses "<b></b>" with 400 "message text is
// empty". A long answer wrapped in formatting (an officer's text in <i>, a
// card in <b>) that is only a few units over the limit splits into parts
// Telegram accepts, and the last part, which carries the buttons, reaches
// the chat.
func TestMessengerDeliversEveryPartOfALongFormattedText(t *testing.T) {
	t.Parallel()
	m, srv := newMessenger(t, telegramtest.Config{})
	body := strings.Repeat("Nước ngập ", 409) // 4090 units: with <b></b> just over 4096
	for _, text := range []string{
		"<b>" + body + "</b>",
		"<i>" + body + "\n</i>",
	} {
		o := bot.Outgoing{Kind: bot.KindText, ChatID: lanChat, Text: text,
			Buttons: [][]bot.InlineButton{{{Text: "Đánh giá", Data: "r:1"}}}}
		parts := o.Parts()
		for i, part := range parts {
			if _, err := m.Deliver(t.Context(), part); err != nil {
				t.Errorf("part %d of %d (%q...): %v", i+1, len(parts), part.Text[:min(len(part.Text), 20)], err)
			}
		}
		last, ok := srv.LastSent(lan.ID)
		if !ok || len(last.InlineKeyboard) == 0 {
			t.Errorf("the buttons never reached the chat (%d messages sent)", len(srv.Sent(lan.ID)))
		}
	}
}

func TestMessengerShowsAndRemovesTheReplyKeyboard(t *testing.T) {
	t.Parallel()
	m, srv := newMessenger(t, telegramtest.Config{})
	deliver(t, m, bot.Outgoing{Kind: bot.KindText, ChatID: lanChat, Text: "Gửi vị trí hoặc số điện thoại",
		Reply: &bot.ReplyKeyboard{OneTime: true, Rows: [][]bot.KeyButton{
			{{Text: "📍 Vị trí", RequestLocation: true}},
			{{Text: "📞 Số điện thoại", RequestContact: true}},
		}}})
	kb := srv.ReplyKeyboard(lan.ID)
	if kb == nil {
		t.Fatal("no reply keyboard shown")
	}
	if len(kb.Rows) != 2 || !kb.Rows[0][0].RequestLocation || !kb.Rows[1][0].RequestContact || !kb.OneTimeKeyboard {
		t.Errorf("reply keyboard = %+v", kb)
	}
	deliver(t, m, bot.Outgoing{Kind: bot.KindText, ChatID: lanChat, Text: "Cảm ơn", RemoveReply: true})
	if kb := srv.ReplyKeyboard(lan.ID); kb != nil {
		t.Errorf("reply keyboard still shown: %+v", kb)
	}
}

// A silent message, photo or file goes out with disable_notification,
// any other with the person's usual sound.
func TestMessengerSendsSilentlyWhenAsked(t *testing.T) {
	t.Parallel()
	m, srv := newMessenger(t, telegramtest.Config{})
	for _, silent := range []bool{true, false} {
		for _, o := range []bot.Outgoing{
			{Kind: bot.KindText, Text: "Phản ánh đã được hủy.", RemoveReply: true},
			{Kind: bot.KindPhoto, FileID: srv.PushPhoto(lan, nil, "").FileID, Text: "Ảnh hiện trường"},
			{Kind: bot.KindDocument, Content: []byte("a,b\n"), FileName: "bao-cao.csv"},
		} {
			o.ChatID, o.Silent = lanChat, silent
			deliver(t, m, o)
			if sent, ok := srv.LastSent(lan.ID); !ok || sent.Silent != silent {
				t.Errorf("%s, Silent %v: sent %v, silently %v", o.Kind, silent, ok, sent.Silent)
			}
		}
	}
}

func TestMessengerEdits(t *testing.T) {
	t.Parallel()
	m, srv := newMessenger(t, telegramtest.Config{})
	id := deliver(t, m, bot.Outgoing{Kind: bot.KindText, ChatID: lanChat, Text: "Bước 1",
		Buttons: [][]bot.InlineButton{{{Text: "Tiếp", Data: "next"}}}})
	edit := bot.Outgoing{Kind: bot.KindEdit, ChatID: lanChat, MessageID: id, Text: "<i>Bước 2</i>",
		Buttons: [][]bot.InlineButton{{{Text: "Quay lại", Data: "back"}}}}

	if got := deliver(t, m, edit); got != id {
		t.Errorf("edit returned id %q, want %q", got, id)
	}
	n, _ := strconv.Atoi(id)
	msg, _ := srv.Message(lan.ID, n)
	if msg.Text != "Bước 2" || msg.EditCount != 1 || msg.Buttons()[0].Text != "Quay lại" {
		t.Errorf("after the edit: %q, %d edits, buttons %+v", msg.Text, msg.EditCount, msg.Buttons())
	}

	// Pressing the same button twice shows the same screen: Telegram
	// answers "message is not modified", which is success.
	if got := deliver(t, m, edit); got != id {
		t.Errorf("repeated edit returned id %q, want %q", got, id)
	}

	// No usable message id (the emulator's callbacks), or a message that
	// is gone: the screen comes as a new message instead.
	for _, target := range []string{"", "0", "999"} {
		e := edit
		e.MessageID, e.Text = target, "Bước 3 ("+target+")"
		got := deliver(t, m, e)
		last, _ := srv.LastSent(lan.ID)
		if got == id || got != strconv.Itoa(last.ID) || last.Text != e.Text {
			t.Errorf("edit of %q: id %q, last message %d %q", target, got, last.ID, last.Text)
		}
	}
	if n := len(srv.Sent(lan.ID)); n != 4 {
		t.Errorf("%d messages in the chat, want 4", n)
	}

	// An edit that only follows a change made elsewhere (a copy of a
	// card) is dropped instead: no message comes out of place.
	for _, target := range []string{"", "999"} {
		e := edit
		e.MessageID, e.InPlaceOnly = target, true
		if got := deliver(t, m, e); got != "" {
			t.Errorf("edit in place only of %q returned id %q", target, got)
		}
	}
	if n := len(srv.Sent(lan.ID)); n != 4 {
		t.Errorf("%d messages in the chat after edits in place only of messages that are not there, want 4", n)
	}
}

// A deleted message is gone; one already gone counts as deleted; a
// message id that cannot be one is refused for good.
func TestMessengerDeletes(t *testing.T) {
	t.Parallel()
	m, srv := newMessenger(t, telegramtest.Config{})
	id := deliver(t, m, bot.Outgoing{Kind: bot.KindText, ChatID: lanChat, Text: "PA-2026-000001"})
	del := bot.Outgoing{Kind: bot.KindDelete, ChatID: lanChat, MessageID: id}
	deliver(t, m, del)
	n, _ := strconv.Atoi(id)
	if msg, ok := srv.Message(lan.ID, n); !ok || !msg.Deleted {
		t.Fatalf("after the delete: %+v, %v", msg, ok)
	}
	deliver(t, m, del)
	for _, target := range []string{"", "0", "x"} {
		bad := del
		bad.MessageID = target
		if de := deliveryError(t, m, bad); !de.Permanent {
			t.Errorf("delete of %q: %+v, want a permanent refusal", target, de)
		}
	}
}

// A photo too old to delete (Telegram allows it for 48 hours) is covered
// instead: a blank picture captioned with the delete's text. Without a
// text, the delete is refused for good.
func TestMessengerCoversAPhotoTooOldToDelete(t *testing.T) {
	t.Parallel()
	m, srv := newMessenger(t, telegramtest.Config{})
	photo := deliver(t, m, bot.Outgoing{Kind: bot.KindPhoto, ChatID: lanChat, FileID: srv.PushPhoto(lan, nil, "").FileID,
		Text: "PA-2026-000001"})
	n, _ := strconv.Atoi(photo)
	srv.Backdate(lan.ID, n, 49*time.Hour)
	if de := deliveryError(t, m, bot.Outgoing{Kind: bot.KindDelete, ChatID: lanChat, MessageID: photo}); !de.Permanent {
		t.Fatalf("deleting an old photo without a cover text: %+v, want a permanent refusal", de)
	}
	deliver(t, m, bot.Outgoing{Kind: bot.KindDelete, ChatID: lanChat, MessageID: photo, Text: "🔒 <b>PA-2026-000001</b> được giữ bí mật"})
	msg, _ := srv.Message(lan.ID, n)
	if msg.Deleted || msg.Caption != "🔒 PA-2026-000001 được giữ bí mật" || len(msg.Photo) == 0 || msg.EditCount != 1 {
		t.Fatalf("the old photo became %+v", msg)
	}
	if data, ok := srv.File(msg.Photo[len(msg.Photo)-1].FileID); !ok || bytes.Equal(data, telegramtest.SamplePhoto(800, 600)) {
		t.Fatal("the photo is still the original")
	}
}

func TestMessengerAnswersCallbacks(t *testing.T) {
	t.Parallel()
	m, srv := newMessenger(t, telegramtest.Config{})
	id := deliver(t, m, bot.Outgoing{Kind: bot.KindText, ChatID: lanChat, Text: "Chọn",
		Buttons: [][]bot.InlineButton{{{Text: "Góp ý", Data: "k:gop_y"}}}})
	n, _ := strconv.Atoi(id)
	p, err := srv.PressButton(lan, lan.ID, n, "Góp ý")
	if err != nil {
		t.Fatal(err)
	}
	answer := bot.Outgoing{Kind: bot.KindAnswer, ChatID: lanChat, QueryID: p.CallbackQueryID,
		Text: strings.Repeat("đã nhận ", 40), Alert: true} // too long: cut to 200
	if got := deliver(t, m, answer); got != "" {
		t.Errorf("an answer has no message id, got %q", got)
	}
	answers := srv.CallbackAnswers()
	if len(answers) != 1 || !answers[0].ShowAlert || len([]rune(answers[0].Text)) != 200 {
		t.Fatalf("answers = %+v", answers)
	}

	// Answered or expired: Telegram says the query is too old. Retrying
	// cannot help.
	if de := deliveryError(t, m, answer); !de.Permanent {
		t.Errorf("second answer: %+v, want permanent", de)
	}
}

func TestMessengerSendsFiles(t *testing.T) {
	t.Parallel()
	m, srv := newMessenger(t, telegramtest.Config{})
	p := srv.PushPhoto(lan, nil, "")

	photoID := deliver(t, m, bot.Outgoing{Kind: bot.KindPhoto, ChatID: lanChat, FileID: p.FileID, Text: "Ảnh <b>hiện trường</b>"})
	last, _ := srv.LastSent(lan.ID)
	if photoID != strconv.Itoa(last.ID) || last.Method != "sendPhoto" || last.Caption != "Ảnh hiện trường" {
		t.Errorf("photo: id %q, last %+v", photoID, last)
	}

	content := []byte("mã,trạng thái\nPA-2026-000001,đã tiếp nhận\n")
	deliver(t, m, bot.Outgoing{Kind: bot.KindDocument, ChatID: lanChat, Content: content, FileName: "bao-cao.csv", Text: "Báo cáo tuần"})
	last, _ = srv.LastSent(lan.ID)
	if last.Document == nil || last.Document.FileName != "bao-cao.csv" {
		t.Fatalf("document: %+v", last)
	}
	if got, ok := srv.File(last.Document.FileID); !ok || !bytes.Equal(got, content) {
		t.Errorf("uploaded %q, want %q", got, content)
	}

	deliver(t, m, bot.Outgoing{Kind: bot.KindDocument, ChatID: lanChat, FileID: last.Document.FileID})
	if again, _ := srv.LastSent(lan.ID); again.Document == nil || again.ID == last.ID {
		t.Errorf("re-sending by file id: %+v", again)
	}
}

func TestMessengerDownloadsFromTheConfiguredServer(t *testing.T) {
	t.Parallel()
	m, srv := newMessenger(t, telegramtest.Config{})
	photo := telegramtest.SamplePhoto(640, 480)
	p := srv.PushPhoto(lan, photo, "")
	want, _ := srv.File(p.FileID)
	got, err := m.DownloadFile(t.Context(), p.FileID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("downloaded %d bytes, want the %d stored", len(got), len(want))
	}
	if _, err := m.DownloadFile(t.Context(), "no-such-file"); err == nil {
		t.Error("downloading an unknown file succeeded")
	}
}

func TestMessengerClassifiesFailures(t *testing.T) {
	t.Parallel()
	text := bot.Outgoing{Kind: bot.KindText, ChatID: lanChat, Text: "Xin chào"}
	tests := []struct {
		name  string
		cfg   telegramtest.Config
		setup func(srv *telegramtest.Server)
		msg   bot.Outgoing
		want  bot.DeliveryError
	}{
		{"flood control", telegramtest.Config{}, func(srv *telegramtest.Server) {
			srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.FaultFlood, RetryAfter: 7, Times: 1})
		}, text, bot.DeliveryError{RetryAfter: 7 * time.Second, Description: "sendMessage: Too Many Requests: retry after 7"}},
		{"blocked by the user", telegramtest.Config{}, func(srv *telegramtest.Server) { srv.BlockBot(lan.ID) }, text,
			bot.DeliveryError{Unreachable: true, Description: "sendMessage: Forbidden: bot was blocked by the user"}},
		{"chat not found", telegramtest.Config{RequireKnownChat: true}, nil, text,
			bot.DeliveryError{Unreachable: true, Description: "sendMessage: Bad Request: chat not found"}},
		{"malformed HTML", telegramtest.Config{}, nil, bot.Outgoing{Kind: bot.KindText, ChatID: lanChat, Text: "<b>unclosed"},
			bot.DeliveryError{Permanent: true}},
		{"upload refused", telegramtest.Config{}, func(srv *telegramtest.Server) { srv.BlockBot(lan.ID) },
			bot.Outgoing{Kind: bot.KindDocument, ChatID: lanChat, Content: []byte("x"), FileName: "a.txt"},
			bot.DeliveryError{Unreachable: true, Description: "sendDocument: Forbidden: bot was blocked by the user"}},
		{"server error", telegramtest.Config{}, func(srv *telegramtest.Server) {
			srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Status: 500, Description: "Internal Server Error", Times: 1})
		}, text, bot.DeliveryError{Description: "sendMessage: Internal Server Error"}},
		{"proxy page", telegramtest.Config{}, func(srv *telegramtest.Server) {
			srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.FaultRawBody, Times: 1})
		}, text, bot.DeliveryError{}},
		// A proxy's 403 or 400 page says nothing of the chat or the
		// message: tried again, not dropped, the person not marked
		// unreachable.
		{"proxy forbidden", telegramtest.Config{}, func(srv *telegramtest.Server) {
			srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.FaultRawBody, Status: 403,
				Body: "<html><body>Access denied</body></html>", Times: 1})
		}, text, bot.DeliveryError{}},
		{"proxy bad request", telegramtest.Config{}, func(srv *telegramtest.Server) {
			srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.FaultRawBody, Status: 400,
				Body: "<html><body>400 Bad Request</body></html>", Times: 1})
		}, text, bot.DeliveryError{}},
		{"connection reset", telegramtest.Config{}, func(srv *telegramtest.Server) {
			srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.FaultReset, Times: 1})
		}, text, bot.DeliveryError{}},
		{"token revoked", telegramtest.Config{}, func(srv *telegramtest.Server) {
			srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Status: 401, Description: "Unauthorized", Times: 1})
		}, text, bot.DeliveryError{Rejected: true, Description: "sendMessage: Unauthorized"}},
		{"invalid chat id", telegramtest.Config{}, nil, bot.Outgoing{Kind: bot.KindText, ChatID: "@@", Text: "x"},
			bot.DeliveryError{Permanent: true, Description: `invalid chat id "@@"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, srv := newMessenger(t, tt.cfg)
			if tt.setup != nil {
				tt.setup(srv)
			}
			got := *deliveryError(t, m, tt.msg)
			if tt.want.Description == "" {
				got.Description = "" // only the class matters
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// The emulator answers methods it lacks with HTTP 500 and a body that is
// not Bot-API-shaped; the library then reports code 0 and no description.
// Such a message is given up at once: retried, it would hold every later
// message to its chat behind it for ever.
func TestMessengerGivesUpAMethodTheServerLacks(t *testing.T) {
	t.Parallel()
	srv := emulatorLike(t)
	c, err := telegram.NewClient(t.Context(), "123:abc", telegram.ClientOptions{APIURL: srv.URL, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	m := telegram.NewMessenger(c, quiet)
	de := deliveryError(t, m, bot.Outgoing{Kind: bot.KindPhoto, ChatID: "5", FileID: "f"})
	if !de.Permanent || de.Unreachable || !strings.Contains(de.Description, "sendPhoto: the Bot API server does not support it") {
		t.Errorf("sendPhoto on a server without it: got %+v, want permanent", de)
	}
	// An unsupported setMyCommands likewise.
	de = deliveryError(t, m, bot.Outgoing{Kind: bot.KindCommands, Commands: []bot.Command{{Name: "start", Description: "Bắt đầu"}}})
	if !de.Permanent {
		t.Errorf("setMyCommands on a server without it: got %+v, want permanent", de)
	}
}

// Telegram's own server error, or a proxy's 502, when setting the menu is
// tried again: the menu is queued once per version of its texts, and
// giving it up would leave it unset until they change. Telegram's 400 is
// a refusal, given up.
func TestTheCommandMenuIsGivenUpOnlyWhenRefused(t *testing.T) {
	t.Parallel()
	menu := bot.Outgoing{Kind: bot.KindCommands, Commands: []bot.Command{{Name: "start", Description: "Bắt đầu"}}}
	for _, tt := range []struct {
		name      string
		fault     telegramtest.Fault
		permanent bool
	}{
		{"Telegram's 500", telegramtest.Fault{Method: "setMyCommands", Status: 500, Description: "Internal Server Error", Times: 1}, false},
		{"a proxy's 502", telegramtest.Fault{Method: "setMyCommands", Kind: telegramtest.FaultRawBody, Times: 1}, false},
		{"Telegram's 400", telegramtest.Fault{Method: "setMyCommands", Status: 400, Description: "Bad Request: BOT_COMMAND_INVALID", Times: 1}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, srv := newMessenger(t, telegramtest.Config{})
			srv.InjectFault(tt.fault)
			if de := deliveryError(t, m, menu); de.Permanent != tt.permanent {
				t.Errorf("got %+v, want permanent %v", de, tt.permanent)
			}
		})
	}
}

// emulatorLike answers getMe like telegram-test-api and every other method
// with its HTTP 500.
func emulatorLike(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			_, _ = w.Write([]byte(`{"ok":true,"result":{"id":666,"username":"TestNameBot","first_name":"Test First name"}}`))
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"message":"API method is not supported"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestMessengerSetsTheCommandMenu(t *testing.T) {
	t.Parallel()
	m, srv := newMessenger(t, telegramtest.Config{})
	commands := []bot.Command{{Name: "start", Description: "Bắt đầu"}, {Name: "status", Description: "Tra cứu"}}
	if _, err := m.Deliver(t.Context(), bot.Outgoing{Kind: bot.KindCommands, Commands: commands, Language: "vi"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Deliver(t.Context(), bot.Outgoing{Kind: bot.KindCommands, ChatID: "77", Commands: commands[1:]}); err != nil {
		t.Fatal(err)
	}
	want := []telegramtest.BotCommand{{Command: "start", Description: "Bắt đầu"}, {Command: "status", Description: "Tra cứu"}}
	if diff := cmp.Diff(want, srv.CommandsFor(telegramtest.CommandScope{Type: "default"}, "vi")); diff != "" {
		t.Errorf("default menu (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[1:], srv.CommandsFor(telegramtest.CommandScope{Type: "chat", ChatID: 77}, "")); diff != "" {
		t.Errorf("chat menu (-want +got):\n%s", diff)
	}
}

// A basic group that became a supergroup (Telegram does this when, say,
// an admin is given certain rights) refuses messages to its old id with
// 400 and parameters.migrate_to_chat_id. A unit's cards must still reach
// its group: the message goes to the new id, and an edit comes as a new
// message there (the old group's message ids mean nothing in the new one).
func TestMessengerFollowsAGroupUpgradedToASupergroup(t *testing.T) {
	t.Parallel()
	m, srv := newMessenger(t, telegramtest.Config{})
	const group, supergroup = -4001, -1004001
	if err := srv.AddChat(telegramtest.GroupChat(group, "Tổ tiếp dân")); err != nil {
		t.Fatal(err)
	}
	old := deliver(t, m, bot.Outgoing{Kind: bot.KindText, ChatID: "-4001", Group: true, Text: "Phiếu 1"})
	if err := srv.MigrateChat(group, supergroup); err != nil {
		t.Fatal(err)
	}

	deliver(t, m, bot.Outgoing{Kind: bot.KindText, ChatID: "-4001", Group: true, Text: "Phiếu 2",
		Buttons: [][]bot.InlineButton{{{Text: "Tiếp nhận", Data: "c:accept:1"}}}})
	deliver(t, m, bot.Outgoing{Kind: bot.KindEdit, ChatID: "-4001", Group: true, MessageID: old, Text: "Phiếu 1 đã tiếp nhận"})

	var texts []string
	for _, msg := range srv.Sent(supergroup) {
		texts = append(texts, msg.Text)
	}
	if want := []string{"Phiếu 2", "Phiếu 1 đã tiếp nhận"}; !cmp.Equal(texts, want) {
		t.Errorf("the supergroup got %q, want %q", texts, want)
	}
}

// In a group a bot in privacy mode (Telegram's default) receives only
// commands and replies to its own messages: a prompt asks its person's
// client for a reply, and that reply comes through.
func TestAPromptInAGroupGetsItsReplyInPrivacyMode(t *testing.T) {
	t.Parallel()
	m, srv := newMessenger(t, telegramtest.Config{})
	const group = -4002
	if err := srv.AddChat(telegramtest.GroupChat(group, "Tổ tiếp dân")); err != nil {
		t.Fatal(err)
	}
	officer := telegramtest.User{ID: 5002, FirstName: "Hùng"}
	id := deliver(t, m, bot.Outgoing{Kind: bot.KindText, ChatID: "-4002", Group: true, ForceReply: true,
		Text: bot.Mention("5002", "Hùng") + "\nĐồng chí nhập nội dung trả lời."})
	msgID, _ := strconv.Atoi(id)
	prompt, ok := srv.Message(group, msgID)
	if !ok || !prompt.ForceReply || !prompt.ForceReplySelective {
		t.Fatalf("the prompt does not ask its person for a reply: %+v", prompt)
	}
	if open, ok := srv.ForceReplyFor(group, officer); !ok || open.ID != msgID {
		t.Fatalf("the officer's client opens no reply to the prompt (%v, %d)", ok, open.ID)
	}
	if _, ok := srv.ForceReplyFor(group, telegramtest.User{ID: 5003, FirstName: "Lan"}); ok {
		t.Fatal("the selective prompt opens a reply box for someone it does not mention")
	}
	chat := telegramtest.GroupChat(group, "Tổ tiếp dân")
	plain, err := srv.PushMessage(telegramtest.Incoming{Chat: &chat, From: officer, Text: "Đã xử lý."})
	if err != nil || plain.Queued {
		t.Fatalf("a plain message reached a bot in privacy mode (%v)", err)
	}
	reply, err := srv.PushMessage(telegramtest.Incoming{Chat: &chat, From: officer, Text: "Đã xử lý.", ReplyTo: msgID})
	if err != nil || !reply.Queued {
		t.Fatalf("the reply to the prompt did not reach the bot (%v)", err)
	}
}
