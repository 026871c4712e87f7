package telegramtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// hookReceiver is a webhook endpoint that records what it receives.
type hookReceiver struct {
	mu       sync.Mutex
	secrets  []string
	updates  []tgbotapi.Update
	failures int32 // answer 500 to this many requests first
	inFlight int32
	peak     int32
	hold     time.Duration
	got      chan struct{}
}

func newHookReceiver(t *testing.T) (*hookReceiver, *httptest.Server) {
	h := &hookReceiver{got: make(chan struct{}, 100)}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return h, ts
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := atomic.AddInt32(&h.inFlight, 1)
	defer atomic.AddInt32(&h.inFlight, -1)
	for {
		p := atomic.LoadInt32(&h.peak)
		if n <= p || atomic.CompareAndSwapInt32(&h.peak, p, n) {
			break
		}
	}
	time.Sleep(h.hold)
	if atomic.AddInt32(&h.failures, -1) >= 0 {
		http.Error(w, "boom", http.StatusInternalServerError)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var u tgbotapi.Update
	_ = json.Unmarshal(body, &u)
	h.mu.Lock()
	h.secrets = append(h.secrets, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
	h.updates = append(h.updates, u)
	h.mu.Unlock()
	h.got <- struct{}{}
}

func (h *hookReceiver) wait(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-h.got:
		case <-time.After(5 * time.Second):
			t.Fatal("webhook delivery did not arrive")
		}
	}
}

// setWebhook uses MakeRequest: WebhookConfig of v5.5.1 has no secret_token.
func setWebhook(t *testing.T, bot *tgbotapi.BotAPI, params tgbotapi.Params) {
	t.Helper()
	if _, err := bot.MakeRequest("setWebhook", params); err != nil {
		t.Fatalf("setWebhook: %v", err)
	}
}

func TestWebhookDeliveryWithSecret(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	hook, ts := newHookReceiver(t)
	setWebhook(t, bot, tgbotapi.Params{"url": ts.URL + "/hook", "secret_token": "s3cr3t_-X"})

	p := srv.PushCommand(citizen, "/start")
	hook.wait(t, 1)
	waitUntil(t, func() bool { return srv.PendingUpdates() == 0 })
	hook.mu.Lock()
	defer hook.mu.Unlock()
	if hook.secrets[0] != "s3cr3t_-X" || hook.updates[0].UpdateID != p.UpdateID || hook.updates[0].Message.Command() != "start" {
		t.Fatalf("secret %q update %+v", hook.secrets[0], hook.updates[0])
	}
	info, err := bot.GetWebhookInfo()
	if err != nil || info.URL != ts.URL+"/hook" || info.MaxConnections != 40 || info.LastErrorDate != 0 {
		t.Fatalf("info %+v %v", info, err)
	}
	d := srv.WebhookDeliveries()
	if len(d) != 1 || d[0].StatusCode != 200 || d[0].Secret != "s3cr3t_-X" || srv.DeliveryCount(p.UpdateID) != 1 {
		t.Fatalf("deliveries %+v", d)
	}
}

func TestWebhookRetriesNon2xx(t *testing.T) {
	srv := start(t, Config{Webhook: WebhookConfig{RetryMin: 20 * time.Millisecond}})
	bot := newBot(t, srv)
	hook, ts := newHookReceiver(t)
	hook.failures = 2
	setWebhook(t, bot, tgbotapi.Params{"url": ts.URL})
	p := srv.PushText(citizen, "xin chào")
	hook.wait(t, 1)
	waitUntil(t, func() bool { return len(srv.WebhookDeliveries()) == 3 })

	d := srv.WebhookDeliveries()
	if len(d) != 3 || d[0].StatusCode != 500 || d[1].Attempt != 2 || d[2].StatusCode != 200 || d[2].UpdateID != p.UpdateID {
		t.Fatalf("deliveries %+v", d)
	}
	if gap := d[2].At.Sub(d[1].At); gap < 40*time.Millisecond {
		t.Fatalf("no backoff between retries: %v", gap)
	}
	info, _ := bot.GetWebhookInfo()
	if info.LastErrorMessage != "Wrong response from the webhook: 500 Internal Server Error" || info.LastErrorDate == 0 || info.PendingUpdateCount != 0 {
		t.Fatalf("info %+v", info)
	}
}

func TestWebhookConnectionErrorIsRetried(t *testing.T) {
	srv := start(t, Config{Webhook: WebhookConfig{RetryMin: 10 * time.Millisecond, RetryMax: 20 * time.Millisecond}})
	bot := newBot(t, srv)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	setWebhook(t, bot, tgbotapi.Params{"url": deadURL})
	srv.PushText(citizen, "x")
	waitUntil(t, func() bool { return len(srv.WebhookDeliveries()) >= 3 })
	info, _ := bot.GetWebhookInfo()
	if info.LastErrorMessage != "Connection refused" || info.PendingUpdateCount != 1 {
		t.Fatalf("info %+v", info)
	}
	// Switching back to polling: the update is still there.
	if _, err := bot.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatal(err)
	}
	if ups := poll(t, bot, 0, 0); len(ups) != 1 {
		t.Fatalf("updates %+v", ups)
	}
}

func TestWebhookSecretHeaderControl(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	hook, ts := newHookReceiver(t)
	setWebhook(t, bot, tgbotapi.Params{"url": ts.URL, "secret_token": "abc"})
	srv.SetWebhookSecretHeader(SecretHeaderOmit)
	srv.PushText(citizen, "1")
	hook.wait(t, 1)
	srv.SetWebhookSecretHeader(SecretHeaderWrong)
	srv.PushText(citizen, "2")
	hook.wait(t, 1)
	hook.mu.Lock()
	defer hook.mu.Unlock()
	if hook.secrets[0] != "" || hook.secrets[1] == "" || hook.secrets[1] == "abc" {
		t.Fatalf("secrets %q", hook.secrets)
	}
}

func TestWebhookMaxConnections(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	hook, ts := newHookReceiver(t)
	hook.hold = 50 * time.Millisecond
	for i := range 8 {
		srv.PushText(User{ID: int64(100 + i), FirstName: "U"}, "x")
	}
	setWebhook(t, bot, tgbotapi.Params{"url": ts.URL, "max_connections": "2"})
	hook.wait(t, 8)
	if p := atomic.LoadInt32(&hook.peak); p != 2 {
		t.Fatalf("peak concurrency %d, want 2", p)
	}
}

func TestSetWebhookValidation(t *testing.T) {
	srv := start(t, Config{})
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"url": {"ftp://example.com"}}, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"},
		{url.Values{"url": {"https://example.com"}, "secret_token": {"has space"}}, "Bad Request: secret token contains unallowed characters"},
		{url.Values{"url": {"https://example.com"}, "secret_token": {string(make([]byte, 257))}}, "Bad Request: secret token is too long"},
	} {
		if a := rawCall(t, srv, "setWebhook", tc.form); a.Desc != tc.want {
			t.Fatalf("%v: got %+v", tc.form, a)
		}
	}
	strict := start(t, Config{Webhook: WebhookConfig{StrictURL: true}})
	if a := rawCall(t, strict, "setWebhook", url.Values{"url": {"http://example.com/hook"}}); a.Status != 400 {
		t.Fatalf("strict http: %+v", a)
	}
	if a := rawCall(t, strict, "setWebhook", url.Values{"url": {"https://example.com:9000/hook"}}); a.Desc != "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443" {
		t.Fatalf("strict port: %+v", a)
	}
	// max_connections is clamped to 1..100 like tdlib's telegram-bot-api.
	a := rawCall(t, srv, "setWebhook", url.Values{"url": {"http://127.0.0.1:1/x"}, "max_connections": {"500"}})
	if !a.OK || a.Desc != "Webhook was set" {
		t.Fatalf("set: %+v", a)
	}
	var info struct {
		MaxConnections int `json:"max_connections"`
	}
	_ = json.Unmarshal(rawCall(t, srv, "getWebhookInfo", nil).Result, &info)
	if info.MaxConnections != 100 {
		t.Fatalf("max_connections %d", info.MaxConnections)
	}
}

func TestDeleteWebhookDropPendingUpdates(t *testing.T) {
	srv := start(t, Config{})
	rawCall(t, srv, "setWebhook", url.Values{"url": {"http://127.0.0.1:1/x"}})
	srv.PushText(citizen, "x")
	a := rawCall(t, srv, "deleteWebhook", url.Values{"drop_pending_updates": {"true"}})
	if !a.OK || a.Desc != "Webhook was deleted" || srv.PendingUpdates() != 0 {
		t.Fatalf("%+v pending %d", a, srv.PendingUpdates())
	}
	if a := rawCall(t, srv, "deleteWebhook", nil); a.Desc != "Webhook is already deleted" {
		t.Fatalf("%+v", a)
	}
}

// waitUntil polls cond for up to 5 seconds.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
