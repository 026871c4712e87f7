package telegram_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot/telegram"
	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

func TestNewClientRetriesUntilTheAPIAnswers(t *testing.T) {
	t.Parallel()
	srv := newFake(t, telegramtest.Config{})
	srv.InjectFault(telegramtest.Fault{Method: "getMe", Kind: telegramtest.FaultRawBody, Times: 1})
	var logs logBuffer
	c, err := telegram.NewClient(t.Context(), srv.Token(), telegram.ClientOptions{APIURL: srv.URL, Logger: logs.logger()})
	if err != nil {
		t.Fatal(err)
	}
	if c.Username() != srv.Bot().Username {
		t.Errorf("Username = %q, want %q", c.Username(), srv.Bot().Username)
	}
	if n := srv.CallCount("getMe"); n != 2 {
		t.Errorf("getMe called %d times, want 2", n)
	}
	// The library drops the status of a non-JSON answer; the client logs it.
	if !strings.Contains(logs.String(), "status=502") {
		t.Errorf("the HTTP status was not logged:\n%s", logs.String())
	}
}

func TestNewClientFailsAtOnceOnARejectedToken(t *testing.T) {
	t.Parallel()
	srv := newFake(t, telegramtest.Config{})
	const wrong = "7000000001:wrong-token-ABCDEFGHIJKLMNOP"
	_, err := telegram.NewClient(t.Context(), wrong, telegram.ClientOptions{APIURL: srv.URL, Logger: quiet})
	if err == nil || !strings.Contains(err.Error(), "rejected") {
		t.Fatalf("err = %v, want the token rejected", err)
	}
	if strings.Contains(err.Error(), wrong) {
		t.Errorf("the error reveals the token: %v", err)
	}
}

// Telegram answers 404, not 401, to a token that is not shaped like one
// (the "bot" prefix pasted into it): retrying cannot help either, and the
// service must not hang at start saying the API cannot be reached.
func TestNewClientFailsAtOnceOnAMalformedToken(t *testing.T) {
	t.Parallel()
	srv := newFake(t, telegramtest.Config{})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	begin := time.Now()
	_, err := telegram.NewClient(ctx, "bot"+srv.Token(), telegram.ClientOptions{APIURL: srv.URL, Logger: quiet})
	if err == nil || !strings.Contains(err.Error(), "rejected") {
		t.Fatalf("err = %v, want the token rejected", err)
	}
	if took := time.Since(begin); took > time.Second {
		t.Errorf("gave up after %v", took)
	}
	if strings.Contains(err.Error(), srv.Token()) {
		t.Errorf("the error reveals the token: %v", err)
	}
}

// While the API cannot be reached, NewClient keeps trying until its context
// ends, and the token appears in neither errors nor logs.
func TestNewClientNeverRevealsTheToken(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now

	const token = "7000000001:secret-token-ABCDEFGHIJKLMNOP"
	var logs logBuffer
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err = telegram.NewClient(ctx, token, telegram.ClientOptions{APIURL: "http://" + addr, Logger: logs.logger()})
	if err == nil {
		t.Fatal("connected to nothing")
	}
	if took := time.Since(begin); took > 2*time.Second {
		t.Errorf("gave up after %v, past its context", took)
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("no retry was logged:\n%s", logs.String())
	}
	for what, s := range map[string]string{"error": err.Error(), "log": logs.String()} {
		if strings.Contains(s, token) || strings.Contains(s, "secret-token") {
			t.Errorf("the %s reveals the token: %s", what, s)
		}
	}
}
