package telegram_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot/telegram"
	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/storage"
)

func startPoller(t *testing.T, c *telegram.Client, rec *recorder, opts telegram.PollerOptions) (stop func() error) {
	t.Helper()
	return run(t, newPoller(t, openStore(t), c, rec, quiet, opts).Run)
}

// newPoller builds a poller elected through store.
func newPoller(t *testing.T, store *storage.Store, c *telegram.Client, rec *recorder, logger *slog.Logger, opts telegram.PollerOptions) *telegram.Poller {
	t.Helper()
	return telegram.NewPoller(c, store, rec.record, logger, opts)
}

func getUpdatesCalls(srv *telegramtest.Server) []telegramtest.Request {
	var out []telegramtest.Request
	for _, r := range srv.Requests() {
		if r.Method == "getUpdates" {
			out = append(out, r)
		}
	}
	return out
}

// An update is confirmed to Telegram only once it is recorded: if the
// inbox fails, the same updates come again.
func TestPollerConfirmsOnlyRecordedUpdates(t *testing.T) {
	t.Parallel()
	srv := newFake(t, telegramtest.Config{})
	rec := &recorder{failing: 1}
	first := srv.PushText(lan, "Cống bị tắc")
	second := srv.PushCommand(lan, "/start")
	startPoller(t, connect(t, srv), rec, telegram.PollerOptions{Timeout: time.Second})

	eventually(t, 5*time.Second, "the updates recorded", func() bool { return rec.has(first.UpdateID, second.UpdateID) })
	if n := srv.DeliveryCount(first.UpdateID); n != 2 {
		t.Errorf("the update was delivered %d times, want 2 (once more after the failed record)", n)
	}
	eventually(t, 2*time.Second, "the updates confirmed", func() bool { return srv.PendingUpdates() == 0 })

	third := srv.PushLocation(lan, 21.03, 105.85)
	eventually(t, 2*time.Second, "a later update", func() bool { return rec.has(third.UpdateID) })
	want := []int64{int64(first.UpdateID), int64(second.UpdateID), int64(third.UpdateID)}
	if got := rec.ids(); !slices.Equal(got, want) {
		t.Errorf("recorded %v, want %v", got, want)
	}
	rec.mu.Lock()
	u := rec.updates[0]
	rec.mu.Unlock()
	if u.ChatKey != "telegram:1001" || !strings.Contains(string(u.Payload), "Cống bị tắc") {
		t.Errorf("recorded %+v", u)
	}
}

func TestPollerBacksOffOnServerErrors(t *testing.T) {
	t.Parallel()
	srv := newFake(t, telegramtest.Config{})
	srv.InjectFault(telegramtest.Fault{Method: "getUpdates", Status: 502, Times: 2})
	p := srv.PushText(lan, "Xin chào")
	rec := &recorder{}
	startPoller(t, connect(t, srv), rec, telegram.PollerOptions{Timeout: time.Second})
	eventually(t, 5*time.Second, "the update after the errors", func() bool { return rec.has(p.UpdateID) })

	calls := getUpdatesCalls(srv)
	if len(calls) < 3 {
		t.Fatalf("%d calls", len(calls))
	}
	// Backoff with jitter: at least 125 ms, then at least 250 ms.
	for i, least := range []time.Duration{125 * time.Millisecond, 250 * time.Millisecond} {
		if gap := calls[i+1].At.Sub(calls[i].At); gap < least {
			t.Errorf("call %d came %v after a failure, want at least %v", i+1, gap, least)
		}
	}
}

func TestPollerHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	srv := newFake(t, telegramtest.Config{})
	srv.InjectFault(telegramtest.Fault{Method: "getUpdates", Kind: telegramtest.FaultFlood, RetryAfter: 2, Times: 1})
	p := srv.PushText(lan, "Xin chào")
	rec := &recorder{}
	startPoller(t, connect(t, srv), rec, telegram.PollerOptions{Timeout: time.Second})
	eventually(t, 5*time.Second, "the update", func() bool { return rec.has(p.UpdateID) })
	if early := srv.EarlyRetries(); len(early) != 0 {
		t.Errorf("polled again before retry_after: %+v", early)
	}
}

func TestPollerStopsPromptly(t *testing.T) {
	t.Parallel()
	srv := newFake(t, telegramtest.Config{})
	stop := startPoller(t, connect(t, srv), &recorder{}, telegram.PollerOptions{Timeout: 25 * time.Second})
	eventually(t, 2*time.Second, "a long poll", func() bool { return srv.CallCount("getUpdates") == 1 })
	time.Sleep(50 * time.Millisecond) // let it settle into waiting
	begin := time.Now()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(begin); took > 300*time.Millisecond {
		t.Errorf("stopping took %v: the long poll was not aborted", took)
	}
}

// scriptedAPI answers getMe, and getUpdates at once with the next
// scripted batch or []: like telegram-test-api, it ignores timeout and
// offset and hands out each update once.
type scriptedAPI struct {
	mu      sync.Mutex
	batches []string
	calls   []time.Time
	offsets []string
	status  int // if set, getUpdates fails with it
}

func (s *scriptedAPI) start(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			_, _ = w.Write([]byte(`{"ok":true,"result":{"id":666,"username":"TestNameBot","first_name":"Test"}}`))
			return
		}
		_ = r.ParseForm()
		s.mu.Lock()
		defer s.mu.Unlock()
		s.calls = append(s.calls, time.Now())
		s.offsets = append(s.offsets, r.PostForm.Get("offset"))
		if s.status != 0 {
			w.WriteHeader(s.status)
			_, _ = w.Write([]byte(`{"ok":false,"error_code":401,"description":"Unauthorized"}`))
			return
		}
		batch := "[]"
		if len(s.batches) > 0 {
			batch, s.batches = s.batches[0], s.batches[1:]
		}
		_, _ = w.Write([]byte(`{"ok":true,"result":` + batch + `}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (s *scriptedAPI) client(t *testing.T) *telegram.Client {
	c, err := telegram.NewClient(t.Context(), "123:abc", telegram.ClientOptions{APIURL: s.start(t), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (s *scriptedAPI) callCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// A server that answers an empty getUpdates at once must not be polled in
// a tight loop (2,550 requests/s against the telegram-test-api emulator,
// which answers that way).
func TestPollerPausesAfterAnEmptyAnswer(t *testing.T) {
	t.Parallel()
	api := &scriptedAPI{}
	stop := startPoller(t, api.client(t), &recorder{}, telegram.PollerOptions{})
	time.Sleep(time.Second)
	_ = stop()
	if n := api.callCount(); n < 3 || n > 7 {
		t.Errorf("%d getUpdates calls in 1 s, want about 5 (one per 200 ms)", n)
	}
}

// Updates can come below the offset already confirmed: the emulator
// ignores offset, and Telegram numbers updates from a new, random start
// after a week without any (go-telegram-bot-api issue #156: a bot kept
// asking above it and was given the same update forever). All are
// recorded, and the next call confirms the batch it got: one past its
// highest update, even below the offset before.
func TestPollerCopesWithAServerIgnoringOffset(t *testing.T) {
	t.Parallel()
	api := &scriptedAPI{batches: []string{
		`[{"update_id":5,"message":{"message_id":1,"chat":{"id":9,"type":"private"},"date":1,"text":"a"}}]`,
		`[{"update_id":3,"message":{"message_id":2,"chat":{"id":9,"type":"private"},"date":1,"text":"b"}},{"no_update_id":true}]`,
	}}
	rec := &recorder{}
	stop := startPoller(t, api.client(t), rec, telegram.PollerOptions{MinInterval: 10 * time.Millisecond})
	eventually(t, 2*time.Second, "both updates", func() bool { return rec.has(5, 3) })
	eventually(t, 2*time.Second, "another poll", func() bool { return api.callCount() >= 3 })
	_ = stop()
	api.mu.Lock()
	defer api.mu.Unlock()
	if api.offsets[0] != "" || api.offsets[1] != "6" || api.offsets[2] != "4" {
		t.Errorf("offsets sent: %q, want none, then 6, then 4", api.offsets)
	}
}

// After a quiet spell (QuietReset, six days by default) the poller asks
// without an offset, from the earliest update not confirmed: should
// Telegram give the next update an id below the offset held, and not
// give it to a call with that offset, it is still received.
func TestPollerAsksWithoutAnOffsetAfterAQuietSpell(t *testing.T) {
	t.Parallel()
	api := &scriptedAPI{batches: []string{
		`[{"update_id":5,"message":{"message_id":1,"chat":{"id":9,"type":"private"},"date":1,"text":"a"}}]`,
	}}
	stop := startPoller(t, api.client(t), &recorder{}, telegram.PollerOptions{MinInterval: 10 * time.Millisecond, QuietReset: 150 * time.Millisecond})
	eventually(t, 2*time.Second, "a call without an offset after the quiet spell", func() bool {
		api.mu.Lock()
		defer api.mu.Unlock()
		return len(api.offsets) > 2 && api.offsets[len(api.offsets)-1] == ""
	})
	_ = stop()
	api.mu.Lock()
	defer api.mu.Unlock()
	if api.offsets[1] != "6" {
		t.Errorf("offsets sent: %q; the batch was not confirmed first", api.offsets)
	}
}

func TestPollerStopsOnARevokedToken(t *testing.T) {
	t.Parallel()
	api := &scriptedAPI{}
	c := api.client(t)
	api.mu.Lock()
	api.status = http.StatusUnauthorized
	api.mu.Unlock()
	err := newPoller(t, openStore(t), c, &recorder{}, quiet, telegram.PollerOptions{}).Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "rejected") {
		t.Fatalf("Run = %v, want the token rejected", err)
	}
}

// After a batch the poller expects an answer at once: a stalled call is
// abandoned after StallTimeout, and a conflict that the abandoned call may
// cause if it reaches Telegram late is not taken for another bot instance.
func TestPollerAbandonsAStalledCall(t *testing.T) {
	t.Parallel()
	srv := newFake(t, telegramtest.Config{})
	stall := 1500 * time.Millisecond
	srv.InjectFault(telegramtest.Fault{Method: "getUpdates", Kind: telegramtest.FaultDelay, Delay: stall, Times: 2})
	first := srv.PushText(lan, "Đèn đường hỏng")
	rec := &recorder{}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	stop := run(t, newPoller(t, openStore(t), connect(t, srv), rec, logger,
		telegram.PollerOptions{Timeout: 5 * time.Second, StallTimeout: 200 * time.Millisecond}).Run)
	eventually(t, 5*time.Second, "the first update", func() bool { return rec.has(first.UpdateID) })

	// The call after the batch meets the second stall and is abandoned.
	second := srv.PushText(lan, "Ngập nước")
	pushed := time.Now()
	eventually(t, 5*time.Second, "the second update", func() bool { return rec.has(second.UpdateID) })
	if took := time.Since(pushed); took >= stall-200*time.Millisecond {
		t.Errorf("an update waited %v behind a stalled call, want under %v", took, stall-200*time.Millisecond)
	}

	srv.InjectFault(telegramtest.Fault{Method: "getUpdates", Kind: telegramtest.FaultError, Status: http.StatusConflict,
		Description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", Times: 1})
	third := srv.PushText(lan, "Rác chưa thu gom")
	eventually(t, 5*time.Second, "the third update", func() bool { return rec.has(third.UpdateID) })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "getUpdates stalled") {
		t.Errorf("the stall was not logged:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("the conflict after an abandoned call was taken for another instance:\n%s", logs.String())
	}
}

// Of two processes polling the same bot through one database, one polls
// and the other stands by, so Telegram never ends a call with 409 Conflict;
// when the one polling stops, the other takes over within StandbyPoll.
func TestOnePollerOfSeveralPolls(t *testing.T) {
	t.Parallel()
	srv := newFake(t, telegramtest.Config{})
	store := openStore(t)
	opts := telegram.PollerOptions{Timeout: time.Second, StandbyPoll: 100 * time.Millisecond}
	recs := []*recorder{{}, {}}
	stops := make([]func() error, len(recs))
	for i, rec := range recs {
		stops[i] = run(t, newPoller(t, store, connect(t, srv), rec, quiet, opts).Run)
	}

	first := srv.PushText(lan, "Cống bị tắc")
	eventually(t, 5*time.Second, "the first update", func() bool { return recs[0].has(first.UpdateID) || recs[1].has(first.UpdateID) })
	polling, standby := 0, 1
	if recs[1].has(first.UpdateID) {
		polling, standby = 1, 0
	}
	time.Sleep(3 * opts.StandbyPoll) // the standby's tries to take over
	if err := stops[polling](); err != nil {
		t.Fatal(err)
	}
	second := srv.PushText(lan, "Đèn đường hỏng")
	eventually(t, 5*time.Second, "the second update, by the standby", func() bool { return recs[standby].has(second.UpdateID) })

	for _, r := range getUpdatesCalls(srv) {
		if r.Status == http.StatusConflict {
			t.Errorf("getUpdates answered 409 at %v: %s", r.At, r.Description)
		}
	}
	if got := recs[polling].ids(); slices.Contains(got, int64(second.UpdateID)) {
		t.Errorf("the stopped poller recorded %v", got)
	}
}

// A poller whose hold on the role is lost (its database session ended, so
// another process may take the role) stops polling, or the two would end
// each other's calls with 409 Conflict for as long as both run.
func TestAPollerThatLostItsRoleStopsPolling(t *testing.T) {
	t.Parallel()
	srv := newFake(t, telegramtest.Config{})
	store := openStore(t)
	opts := telegram.PollerOptions{Timeout: time.Second, StandbyPoll: 100 * time.Millisecond}
	rec := &recorder{}
	for range 2 {
		run(t, newPoller(t, store, connect(t, srv), rec, quiet, opts).Run)
	}
	first := srv.PushText(lan, "Cống bị tắc")
	eventually(t, 5*time.Second, "the first update", func() bool { return rec.has(first.UpdateID) })

	var ended bool
	err := store.DB().QueryRowContext(t.Context(), `
		SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted`).Scan(&ended)
	if err != nil || !ended {
		t.Fatalf("ending the session holding the role: %v, %v", ended, err)
	}
	// The role changes hands (or is taken back) within a few tries, and
	// a call open when it was lost ends.
	time.Sleep(5*opts.StandbyPoll + opts.Timeout + time.Second)
	settled := time.Now()
	second := srv.PushText(lan, "Đèn đường hỏng")
	eventually(t, 5*time.Second, "the second update", func() bool { return rec.has(second.UpdateID) })
	time.Sleep(2 * opts.Timeout) // both long polls, were both polling
	for _, r := range getUpdatesCalls(srv) {
		if r.Status == http.StatusConflict && r.At.After(settled) {
			t.Errorf("getUpdates answered 409 at %v, after the role changed hands", r.At)
		}
	}
}
