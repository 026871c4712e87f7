package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

var (
	citizen = User{ID: 1001, FirstName: "Lan", LastName: "Nguyễn", Username: "lan_ng", LanguageCode: "vi"}
	officer = User{ID: 2002, FirstName: "Minh", LastName: "Trần", LanguageCode: "vi"}
)

// start runs a fake server for one test.
func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	srv := NewServer(cfg)
	t.Cleanup(srv.Close)
	return srv
}

// newBot builds the real client against srv; the constructor calls getMe.
func newBot(t *testing.T, srv *Server) *tgbotapi.BotAPI {
	t.Helper()
	bot, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.URL+"/bot%s/%s", http.DefaultClient)
	if err != nil {
		t.Fatalf("NewBotAPIWithClient: %v", err)
	}
	return bot
}

// tgError extracts the *tgbotapi.Error the client returns for non-ok answers.
func tgError(t *testing.T, err error) *tgbotapi.Error {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *tgbotapi.Error, got %T: %v", err, err)
	}
	return e
}

// wantAPIError asserts a tgbotapi error with the given code and description.
func wantAPIError(t *testing.T, err error, code int, desc string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %d %q, got nil", code, desc)
	}
	e := tgError(t, err)
	if e.Code != code || e.Message != desc {
		t.Fatalf("want %d %q, got %d %q", code, desc, e.Code, e.Message)
	}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

type rawAnswer struct {
	Status int
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Code   int             `json:"error_code"`
	Desc   string          `json:"description"`
	Params *struct {
		RetryAfter int   `json:"retry_after"`
		MigrateTo  int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// call posts form values to a method and decodes the envelope, without
// the client library, to check HTTP-level details.
func rawCall(t *testing.T, srv *Server, method string, form url.Values) rawAnswer {
	t.Helper()
	resp, err := http.PostForm(srv.URL+"/bot"+srv.Token()+"/"+method, form)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return decodeAnswer(t, resp)
}

func rawJSON(t *testing.T, srv *Server, method string, body string) rawAnswer {
	t.Helper()
	resp, err := http.Post(srv.URL+"/bot"+srv.Token()+"/"+method, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return decodeAnswer(t, resp)
}

func decodeAnswer(t *testing.T, resp *http.Response) rawAnswer {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var a rawAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("answer is not JSON (%d): %s", resp.StatusCode, body)
	}
	a.Status = resp.StatusCode
	if a.OK == (a.Status != http.StatusOK) {
		t.Fatalf("ok=%v but HTTP %d", a.OK, a.Status)
	}
	if !a.OK && a.Code != a.Status {
		t.Fatalf("error_code %d differs from HTTP status %d", a.Code, a.Status)
	}
	return a
}

// poll does one getUpdates call with the client.
func poll(t *testing.T, bot *tgbotapi.BotAPI, offset, timeout int) []tgbotapi.Update {
	t.Helper()
	u := tgbotapi.NewUpdate(offset)
	u.Timeout = timeout
	ups, err := bot.GetUpdates(u)
	if err != nil {
		t.Fatalf("getUpdates: %v", err)
	}
	return ups
}

func mustSend(t *testing.T, bot *tgbotapi.BotAPI, c tgbotapi.Chattable) tgbotapi.Message {
	t.Helper()
	m, err := bot.Send(c)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	return m
}
