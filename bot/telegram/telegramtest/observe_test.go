package telegramtest

import (
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// The hook sees every send, edit, deletion and callback answer of the bot,
// in order, with the chat it happened in.
func TestOnBotActivityReportsEveryChange(t *testing.T) {
	var (
		mu  sync.Mutex
		got []Activity
	)
	srv := start(t, Config{OnBotActivity: func(a Activity) {
		mu.Lock()
		got = append(got, a)
		mu.Unlock()
	}})
	bot := newBot(t, srv)
	msg := tgbotapi.NewMessage(citizen.ID, "Chọn")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Có", "yes")))
	sent := mustSend(t, bot, msg)
	press, err := srv.PressButton(citizen, citizen.ID, sent.MessageID, "Có")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Request(tgbotapi.NewCallback(press.CallbackQueryID, "ok")); err != nil {
		t.Fatal(err)
	}
	mustSend(t, bot, tgbotapi.NewEditMessageText(citizen.ID, sent.MessageID, "Đã chọn"))
	if _, err := bot.Request(tgbotapi.NewDeleteMessage(citizen.ID, sent.MessageID)); err != nil {
		t.Fatal(err)
	}
	// A failed call reports nothing.
	if _, err := bot.Send(tgbotapi.NewEditMessageText(citizen.ID, 999, "x")); err == nil {
		t.Fatal("edit of a missing message succeeded")
	}
	srv.PushText(citizen, "user messages are not bot activity")

	mu.Lock()
	defer mu.Unlock()
	want := []struct{ kind, method, text string }{
		{ActivitySend, "sendMessage", "Chọn"},
		{ActivityAnswer, "answerCallbackQuery", ""},
		{ActivityEdit, "editMessageText", "Đã chọn"},
		{ActivityDelete, "deleteMessage", "Đã chọn"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d activities, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		a := got[i]
		if a.Kind != w.kind || a.Method != w.method || a.ChatID != citizen.ID || a.Message.Text != w.text || a.At.IsZero() {
			t.Errorf("activity %d = %s %s chat %d %q, want %s %s %q", i, a.Kind, a.Method, a.ChatID, a.Message.Text, w.kind, w.method, w.text)
		}
	}
	if a := got[1].Answer; a == nil || a.QueryID != press.CallbackQueryID || a.Text != "ok" {
		t.Errorf("answer = %+v", a)
	}
}

// A fault with a probability spares some calls and hits others.
func TestFaultProbability(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	srv.InjectFault(Fault{Method: "sendMessage", Probability: 0.5, Status: 502, Description: "Bad Gateway"})
	failed := 0
	const n = 200
	for range n {
		if _, err := bot.Send(tgbotapi.NewMessage(citizen.ID, "x")); err != nil {
			wantAPIError(t, err, 502, "Bad Gateway")
			failed++
		}
	}
	if failed < n/4 || failed > 3*n/4 {
		t.Fatalf("%d of %d calls failed, want about half", failed, n)
	}
	if sent := len(srv.Sent(citizen.ID)); sent != n-failed {
		t.Fatalf("%d messages stored, want %d", sent, n-failed)
	}
}

// The fake's own capacity, so a load test knows it measures the bot: bot
// sends from parallel clients to many chats, with the activity hook on.
func BenchmarkSendMessageWithHook(b *testing.B) {
	srv := NewServer(Config{OnBotActivity: func(Activity) {}})
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	url := srv.URL + "/bot" + srv.Token() + "/sendMessage"
	var chat atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := 1 + chat.Add(1)%10000
			resp, err := client.PostForm(url, map[string][]string{"chat_id": {strconv.FormatInt(id, 10)}, "text": {"Phản ánh đã được tiếp nhận"}})
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}
