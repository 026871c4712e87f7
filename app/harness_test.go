package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/app"
	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/config"
)

// service is the real danvan service running against the fake Bot API.
type service struct {
	t      *testing.T
	cancel context.CancelFunc
	done   chan error
}

func testConfig(api *telegramtest.Server, dsn string) *config.Config {
	return &config.Config{
		TelegramToken: api.Token(), TelegramAPIURL: api.URL, TelegramMode: "polling",
		ListenAddr: "127.0.0.1:0", DatabaseURL: dsn, RunMigrations: true,
		Workers: 2, ShutdownTimeout: 5 * time.Second, LogLevel: "info", LogFormat: "text",
		ReminderCron: "0 7 * * *", DigestCron: "30 7 * * MON", SecondEscalationDays: 3, RatingReminderDays: 3, AutoCloseDays: 4,
	}
}

func startService(t *testing.T, cfg *config.Config) *service {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &service{t: t, cancel: cancel, done: make(chan error, 1)}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	go func() { s.done <- app.Run(ctx, cfg, app.Options{Logger: logger}) }()
	t.Cleanup(s.stop)
	return s
}

// stop shuts the service down gracefully and waits for it.
func (s *service) stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Errorf("service stopped with %v", err)
		}
	case <-time.After(20 * time.Second):
		s.t.Error("service did not stop within 20 s")
	}
}

// person talks to the bot through the fake Bot API.
type person struct {
	t    *testing.T
	api  *telegramtest.Server
	user telegramtest.User
}

func newPerson(t *testing.T, api *telegramtest.Server, id int64, name string) *person {
	return &person{t: t, api: api, user: telegramtest.User{ID: id, FirstName: name, LanguageCode: "vi"}}
}

const wait = 10 * time.Second

// expect waits for a bot message to this person, sent or edited after the
// given cursor, that contains every string.
func (p *person) expect(after telegramtest.Cursor, want ...string) telegramtest.Message {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	preds := make([]func(telegramtest.Message) bool, len(want))
	for i, w := range want {
		preds[i] = telegramtest.TextContains(w)
	}
	m, err := p.api.WaitAfter(ctx, after, p.user.ID, telegramtest.All(preds...))
	if err != nil {
		p.t.Fatalf("waiting for %q: %v", want, err)
	}
	return m
}

func (p *person) says(text string, want ...string) telegramtest.Message {
	p.t.Helper()
	at := p.api.Cursor()
	if strings.HasPrefix(text, "/") {
		p.api.PushCommand(p.user, text)
	} else {
		p.api.PushText(p.user, text)
	}
	return p.expect(at, want...)
}

// presses taps a button on the latest bot message that has one with this
// label.
func (p *person) presses(label string, want ...string) telegramtest.Message {
	p.t.Helper()
	sent := p.api.Sent(p.user.ID)
	for i := len(sent) - 1; i >= 0; i-- {
		for _, b := range sent[i].Buttons() {
			if strings.Contains(b.Text, label) {
				at := p.api.Cursor()
				if _, err := p.api.PressButton(p.user, p.user.ID, sent[i].ID, b.Text); err != nil {
					p.t.Fatal(err)
				}
				return p.expect(at, want...)
			}
		}
	}
	p.t.Fatalf("no button %q in %d messages", label, len(sent))
	return telegramtest.Message{}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func codeIn(t *testing.T, text string) string {
	i := strings.Index(text, "PA-")
	if i < 0 || len(text) < i+14 {
		t.Fatalf("no ticket code in %q", text)
	}
	return text[i : i+14]
}

var _ = fmt.Sprint

// probe gets path from the service's HTTP server: its status and body, or
// 0 and the error.
func probe(addr, path string) (int, string) {
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// deliveryInFlight has p ask for /help and holds the reply's delivery for
// 4.5 s at the fake, returning once the sender has leased it (its call is
// under way).
func deliveryInFlight(t *testing.T, api *telegramtest.Server, dsn string, p *person) {
	t.Helper()
	api.InjectFault(telegramtest.Fault{Method: "sendMessage", ChatID: p.user.ID, Times: 1, Kind: telegramtest.FaultDelay, Delay: 4500 * time.Millisecond})
	api.PushCommand(p.user, "/help")
	for deadline := time.Now().Add(wait); count(t, dsn, `SELECT count(*) FROM outbox WHERE chat_id = $1 AND status = 'pending' AND lease_until > now()`, fmt.Sprint(p.user.ID)) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the reply was never leased")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
