package telegram_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot/telegram"
	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// lan is a citizen; her private chat has her id.
var lan = telegramtest.User{ID: 1001, FirstName: "Lan", LanguageCode: "vi"}

var quiet = slog.New(slog.DiscardHandler)

func newFake(t *testing.T, cfg telegramtest.Config) *telegramtest.Server {
	t.Helper()
	srv := telegramtest.NewServer(cfg)
	t.Cleanup(srv.Close)
	return srv
}

func connect(t *testing.T, srv *telegramtest.Server) *telegram.Client {
	t.Helper()
	c, err := telegram.NewClient(t.Context(), srv.Token(), telegram.ClientOptions{APIURL: srv.URL, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// logBuffer collects log lines, to check what was (not) logged.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// recorder stands in for the inbox: it keeps what it is given, or fails
// as many times as told.
type recorder struct {
	mu      sync.Mutex
	updates []storage.IncomingUpdate
	calls   int
	failing int // calls still to fail
}

func (r *recorder) record(ctx context.Context, updates []storage.IncomingUpdate) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.failing > 0 {
		r.failing--
		return errors.New("database is down")
	}
	r.updates = append(r.updates, updates...)
	return nil
}

// ids returns the recorded update ids, in order.
func (r *recorder) ids() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []int64
	for _, u := range r.updates {
		ids = append(ids, u.UpdateID)
	}
	return ids
}

func (r *recorder) has(ids ...int) bool {
	got := r.ids()
	for _, id := range ids {
		if !slices.Contains(got, int64(id)) {
			return false
		}
	}
	return true
}

// openStore opens a store on a database of the test's own.
func openStore(t *testing.T) *storage.Store {
	t.Helper()
	store, err := storage.Open(t.Context(), storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// run starts fn in the background until the test ends; the returned
// function stops it and returns its error.
func run(t *testing.T, fn func(ctx context.Context) error) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	var (
		once sync.Once
		err  error
	)
	stop = func() error {
		once.Do(func() {
			cancel()
			err = <-done
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}
