package telegramtest

import (
	"net/url"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestLongPollBlocksUntilTimeout(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	began := time.Now()
	ups := poll(t, bot, 0, 1)
	if len(ups) != 0 {
		t.Fatalf("updates %+v", ups)
	}
	if d := time.Since(began); d < 900*time.Millisecond {
		t.Fatalf("empty long poll returned after %v; it must wait for the timeout", d)
	}
}

func TestShortPollReturnsAtOnce(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	began := time.Now()
	if ups := poll(t, bot, 0, 0); len(ups) != 0 {
		t.Fatalf("updates %+v", ups)
	}
	if d := time.Since(began); d > 500*time.Millisecond {
		t.Fatalf("timeout=0 took %v", d)
	}
}

func TestLongPollWakesOnPush(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	go func() {
		time.Sleep(200 * time.Millisecond)
		srv.PushCommand(citizen, "/status PA-2026-000001")
	}()
	began := time.Now()
	ups := poll(t, bot, 0, 10)
	if d := time.Since(began); d > 3*time.Second {
		t.Fatalf("poll took %v", d)
	}
	if len(ups) != 1 {
		t.Fatalf("updates %+v", ups)
	}
	m := ups[0].Message
	if m == nil || !m.IsCommand() || m.Command() != "status" || m.CommandArguments() != "PA-2026-000001" {
		t.Fatalf("message %+v", m)
	}
	if e := m.Entities[0]; e.Type != "bot_command" || e.Offset != 0 || e.Length != len("/status") {
		t.Fatalf("entity %+v", e)
	}
	if m.Chat.ID != citizen.ID || m.Chat.Type != "private" || m.From.ID != citizen.ID || m.From.IsBot {
		t.Fatalf("chat/from %+v %+v", m.Chat, m.From)
	}
	if m.Date < int(time.Now().Add(-time.Minute).Unix()) || m.Date > int(time.Now().Unix()+1) {
		t.Fatalf("date %d is not Unix seconds", m.Date)
	}
}

func TestUnconfirmedUpdatesAreRedelivered(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	p1 := srv.PushText(citizen, "một")
	p2 := srv.PushText(citizen, "hai")

	first := poll(t, bot, 0, 0)
	again := poll(t, bot, 0, 0) // no offset: nothing confirmed
	if len(first) != 2 || len(again) != 2 || again[0].UpdateID != p1.UpdateID || again[1].UpdateID != p2.UpdateID {
		t.Fatalf("first %d, again %d", len(first), len(again))
	}
	if srv.DeliveryCount(p1.UpdateID) != 2 {
		t.Fatalf("delivery count %d", srv.DeliveryCount(p1.UpdateID))
	}

	// Offset = last + 1 confirms both.
	if ups := poll(t, bot, p2.UpdateID+1, 0); len(ups) != 0 {
		t.Fatalf("after confirm: %+v", ups)
	}
	if srv.PendingUpdates() != 0 {
		t.Fatalf("pending %d", srv.PendingUpdates())
	}

	// An offset in the middle confirms only what is below it.
	p3 := srv.PushText(citizen, "ba")
	p4 := srv.PushText(citizen, "bốn")
	ups := poll(t, bot, p4.UpdateID, 0)
	if len(ups) != 1 || ups[0].UpdateID != p4.UpdateID {
		t.Fatalf("partial confirm: %+v (p3=%d)", ups, p3.UpdateID)
	}
}

func TestRestartedBotGetsTheBatchAgain(t *testing.T) {
	srv := start(t, Config{})
	p := srv.PushText(citizen, "xin chào")
	crashed := newBot(t, srv)
	if ups := poll(t, crashed, 0, 0); len(ups) != 1 {
		t.Fatalf("first bot got %d", len(ups))
	}
	// The first bot "crashes" before confirming; a new instance starts.
	restarted := newBot(t, srv)
	ups := poll(t, restarted, 0, 0)
	if len(ups) != 1 || ups[0].UpdateID != p.UpdateID {
		t.Fatalf("restarted bot got %+v", ups)
	}
	if srv.DeliveryCount(p.UpdateID) != 2 {
		t.Fatalf("delivery count %d", srv.DeliveryCount(p.UpdateID))
	}
}

func TestNegativeOffsetReadsFromTheEnd(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	for _, s := range []string{"a", "b", "c", "d"} {
		srv.PushText(citizen, s)
	}
	ups := poll(t, bot, -2, 0)
	if len(ups) != 2 || ups[0].Message.Text != "c" || ups[1].Message.Text != "d" {
		t.Fatalf("got %+v", ups)
	}
	// Earlier updates were forgotten.
	if srv.PendingUpdates() != 2 {
		t.Fatalf("pending %d", srv.PendingUpdates())
	}
}

func TestLimitIsClamped(t *testing.T) {
	srv := start(t, Config{})
	for range 105 {
		srv.PushText(citizen, "x")
	}
	for _, tc := range []struct {
		limit string
		want  int
	}{{"", 100}, {"1000", 100}, {"-5", 1}, {"0", 1}, {"7", 7}} {
		form := url.Values{}
		if tc.limit != "" {
			form.Set("limit", tc.limit)
		}
		a := rawCall(t, srv, "getUpdates", form)
		var ups []tgbotapi.Update
		if err := jsonUnmarshalString(string(a.Result), &ups); err != nil {
			t.Fatal(err)
		}
		if len(ups) != tc.want {
			t.Fatalf("limit %q: got %d, want %d", tc.limit, len(ups), tc.want)
		}
	}
}

func TestEmptyResultIsAnArray(t *testing.T) {
	srv := start(t, Config{})
	a := rawCall(t, srv, "getUpdates", nil)
	if string(a.Result) != "[]" {
		t.Fatalf("result %s", a.Result)
	}
}

func TestAllowedUpdatesFilterIsSticky(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	m := mustSend(t, bot, withKeyboard(tgbotapi.NewMessage(citizen.ID, "chọn"), "A", "a"))

	cfg := tgbotapi.NewUpdate(0)
	cfg.AllowedUpdates = []string{"callback_query"}
	if _, err := bot.GetUpdates(cfg); err != nil {
		t.Fatal(err)
	}
	text := srv.PushText(citizen, "ignored")
	if text.Queued {
		t.Fatal("a message update was queued despite allowed_updates")
	}
	cb, err := srv.PushCallback(citizen, citizen.ID, m.MessageID, "a")
	if err != nil {
		t.Fatal(err)
	}
	// The next call omits allowed_updates: the previous setting still holds.
	ups := poll(t, bot, 0, 0)
	if len(ups) != 1 || ups[0].CallbackQuery == nil || ups[0].UpdateID != cb.UpdateID {
		t.Fatalf("got %+v", ups)
	}
	// An empty list restores the default (everything but chat_member...).
	cfg.AllowedUpdates = []string{}
	rawCall(t, srv, "getUpdates", url.Values{"allowed_updates": {"[]"}, "offset": {"-1"}})
	if p := srv.PushText(citizen, "seen"); !p.Queued {
		t.Fatal("message not queued after allowed_updates reset")
	}
}

func TestSecondPollerTerminatesTheFirst(t *testing.T) {
	srv := start(t, Config{})
	a, b := newBot(t, srv), newBot(t, srv)
	errc := make(chan error, 1)
	go func() {
		cfg := tgbotapi.NewUpdate(0)
		cfg.Timeout = 10
		_, err := a.GetUpdates(cfg)
		errc <- err
	}()
	waitCalls(t, srv, "getUpdates", 1)
	go func() {
		cfg := tgbotapi.NewUpdate(0)
		cfg.Timeout = 1
		_, _ = b.GetUpdates(cfg)
	}()
	select {
	case err := <-errc:
		wantAPIError(t, err, 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
	case <-time.After(3 * time.Second):
		t.Fatal("first poller was not terminated")
	}
}

func TestGetUpdatesConflictsWithWebhook(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	if a := rawCall(t, srv, "setWebhook", url.Values{"url": {"http://127.0.0.1:1/hook"}}); !a.OK {
		t.Fatalf("setWebhook %+v", a)
	}
	_, err := bot.GetUpdates(tgbotapi.NewUpdate(0))
	wantAPIError(t, err, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
}

func TestSetWebhookTerminatesPendingPoll(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	errc := make(chan error, 1)
	go func() {
		cfg := tgbotapi.NewUpdate(0)
		cfg.Timeout = 10
		_, err := bot.GetUpdates(cfg)
		errc <- err
	}()
	waitCalls(t, srv, "getUpdates", 1)
	rawCall(t, srv, "setWebhook", url.Values{"url": {"http://127.0.0.1:1/hook"}})
	wantAPIError(t, <-errc, 409, "Conflict: terminated by setWebhook request")
}

func TestUpdatesExpireAfterRetention(t *testing.T) {
	srv := start(t, Config{UpdateRetention: 100 * time.Millisecond})
	bot := newBot(t, srv)
	srv.PushText(citizen, "old")
	time.Sleep(200 * time.Millisecond)
	fresh := srv.PushText(citizen, "new")
	ups := poll(t, bot, 0, 0)
	if len(ups) != 1 || ups[0].UpdateID != fresh.UpdateID {
		t.Fatalf("got %+v", ups)
	}
}

func TestCloseEndsLongPolls(t *testing.T) {
	srv := NewServer(Config{})
	bot := newBot(t, srv)
	done := make(chan struct{})
	go func() {
		defer close(done)
		cfg := tgbotapi.NewUpdate(0)
		cfg.Timeout = 30
		_, _ = bot.GetUpdates(cfg)
	}()
	waitCalls(t, srv, "getUpdates", 1)
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	for _, ch := range []chan struct{}{closed, done} {
		select {
		case <-ch:
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not end the long poll")
		}
	}
	srv.Close() // idempotent
}

func TestConcurrentPushesKeepOrder(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() { srv.PushText(User{ID: int64(5000 + i), FirstName: "U"}, "hi") })
	}
	wg.Wait()
	ups := poll(t, bot, 0, 0)
	if len(ups) != 20 {
		t.Fatalf("got %d", len(ups))
	}
	for i := 1; i < len(ups); i++ {
		if ups[i].UpdateID != ups[i-1].UpdateID+1 {
			t.Fatalf("ids not increasing by one: %d then %d", ups[i-1].UpdateID, ups[i].UpdateID)
		}
	}
}

// waitCalls waits until method has been called at least n times.
func waitCalls(t *testing.T, srv *Server, method string, n int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for srv.CallCount(method) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%s called %d times, want %d", method, srv.CallCount(method), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the call reach its wait
}

func withKeyboard(c tgbotapi.MessageConfig, text, data string) tgbotapi.MessageConfig {
	c.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(text, data)))
	return c
}
