package telegram_test

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot/telegram"
	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

const secret = "s3cret_Webhook-token"

const update = `{"update_id":77,"message":{"message_id":1,"chat":{"id":1001,"type":"private"},"date":1764000000,"text":"Xin chào"}}`

// watchedBody notes whether the handler read the body.
type watchedBody struct {
	io.Reader
	read bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.read = true
	return b.Reader.Read(p)
}

func TestWebhookHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		header     string // the secret header; "-" for none
		body       string
		failing    int // record failures
		opts       telegram.WebhookOptions
		wantStatus int
		wantStored bool
		bodyUnread bool
	}{
		{name: "right secret", header: secret, body: update, wantStatus: 200, wantStored: true},
		{name: "wrong secret", header: "guess", body: update, wantStatus: 401, bodyUnread: true},
		{name: "secret of another length", header: secret + "x", body: update, wantStatus: 401, bodyUnread: true},
		{name: "no secret", header: "-", body: update, wantStatus: 401, bodyUnread: true},
		{name: "store fails: Telegram must retry", header: secret, body: update, failing: 1, wantStatus: 500},
		{name: "not a POST", method: http.MethodGet, header: secret, wantStatus: 405, bodyUnread: true},
		{name: "not an update", header: secret, body: `{"hello":1}`, wantStatus: 400},
		{name: "not JSON", header: secret, body: `<html>`, wantStatus: 400},
		{name: "too large", header: secret, body: update, opts: telegram.WebhookOptions{MaxBodyBytes: 20}, wantStatus: 413},
		{name: "test-only: no secret check", header: "-", body: update,
			opts: telegram.WebhookOptions{InsecureSkipSecretCheck: true}, wantStatus: 200, wantStored: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{failing: tt.failing}
			h, err := telegram.NewWebhookHandler(secret, rec.record, quiet, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			body := &watchedBody{Reader: strings.NewReader(tt.body)}
			req := httptest.NewRequest(cmp.Or(tt.method, http.MethodPost), "/telegram/webhook", body)
			if tt.header != "-" {
				req.Header.Set("X-Telegram-Bot-Api-Secret-Token", tt.header)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)

			if w.Code != tt.wantStatus {
				t.Errorf("status %d, want %d", w.Code, tt.wantStatus)
			}
			if stored := rec.has(77); stored != tt.wantStored {
				t.Errorf("stored = %v, want %v", stored, tt.wantStored)
			}
			if tt.bodyUnread && body.read {
				t.Error("the body was read before the request was authenticated")
			}
		})
	}
}

func TestNewWebhookHandlerRequiresASecret(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "has space", "ümlaut", strings.Repeat("x", 257)} {
		if _, err := telegram.NewWebhookHandler(bad, (&recorder{}).record, quiet, telegram.WebhookOptions{}); err == nil {
			t.Errorf("secret %q accepted", bad)
		}
	}
}

// Against the fake: registration with the secret, deliveries with the
// header, forged deliveries refused (and retried by Telegram until they
// succeed), and back to polling.
func TestWebhookWithTheFake(t *testing.T) {
	t.Parallel()
	srv := newFake(t, telegramtest.Config{Webhook: telegramtest.WebhookConfig{RetryMin: 50 * time.Millisecond, RetryMax: 100 * time.Millisecond}})
	c := connect(t, srv)
	rec := &recorder{}
	h, err := telegram.NewWebhookHandler(secret, rec.record, quiet, telegram.WebhookOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /telegram/webhook", h)
	bot := httptest.NewServer(mux)
	t.Cleanup(bot.Close)

	if err := c.RegisterWebhook(t.Context(), bot.URL+"/telegram/webhook", secret); err != nil {
		t.Fatal(err)
	}
	p := srv.PushText(lan, "Xin chào")
	eventually(t, 2*time.Second, "the delivery", func() bool { return rec.has(p.UpdateID) })

	srv.SetWebhookSecretHeader(telegramtest.SecretHeaderWrong)
	forged := srv.PushText(lan, "Giả mạo")
	eventually(t, 2*time.Second, "a refused delivery", func() bool {
		for _, d := range srv.WebhookDeliveries() {
			if d.UpdateID == forged.UpdateID && d.StatusCode == http.StatusUnauthorized {
				return true
			}
		}
		return false
	})
	if rec.has(forged.UpdateID) {
		t.Fatal("a delivery with a wrong secret was recorded")
	}
	srv.SetWebhookSecretHeader(telegramtest.SecretHeaderCorrect)
	eventually(t, 2*time.Second, "the retried delivery", func() bool { return rec.has(forged.UpdateID) })
	eventually(t, 2*time.Second, "the delivery confirmed", func() bool { return srv.PendingUpdates() == 0 })

	if err := c.DeleteWebhook(t.Context()); err != nil {
		t.Fatal(err)
	}
	srv.PushText(lan, "Lại polling")
	time.Sleep(100 * time.Millisecond)
	if n := srv.PendingUpdates(); n != 1 {
		t.Errorf("%d updates wait for polling, want 1", n)
	}
}

func TestRegisterWebhookRefusesABadSecret(t *testing.T) {
	t.Parallel()
	c := connect(t, newFake(t, telegramtest.Config{}))
	if err := c.RegisterWebhook(t.Context(), "https://example.org/telegram/webhook", ""); err == nil {
		t.Error("registered a webhook without a secret")
	}
}

// Telegram lets a bot call setWebhook about once a second and answers 429
// with retry_after to the next call: replicas that start together all
// register the webhook, and none may fail to start for it. A server error
// is waited out too; a refused URL is not.
func TestRegisterWebhookWaitsOutFloodControl(t *testing.T) {
	t.Parallel()
	srv := newFake(t, telegramtest.Config{})
	c := connect(t, srv)
	srv.InjectFault(telegramtest.Fault{Method: "setWebhook", Kind: telegramtest.FaultFlood, RetryAfter: 1, Times: 1})
	srv.InjectFault(telegramtest.Fault{Method: "setWebhook", Kind: telegramtest.FaultError, Status: http.StatusBadGateway, Times: 1})
	begin := time.Now()
	if err := c.RegisterWebhook(t.Context(), "https://example.org/telegram/webhook", secret); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(begin); took < time.Second {
		t.Errorf("registered after %v, before retry_after", took)
	}
	if n := srv.CallCount("setWebhook"); n != 3 {
		t.Errorf("setWebhook called %d times, want 3", n)
	}
	if len(srv.EarlyRetries()) != 0 {
		t.Errorf("retried before retry_after: %+v", srv.EarlyRetries())
	}

	// A refused URL is a configuration error: it fails at once.
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	if err := c.RegisterWebhook(ctx, "ftp://example.org/hook", secret); err == nil || ctx.Err() != nil {
		t.Errorf("RegisterWebhook of a bad URL = %v (context: %v), want a prompt error", err, ctx.Err())
	}
}
