package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// delivery is one call of the fake messenger.
type delivery struct {
	Out        bot.Outgoing
	Start, End time.Time
	Err        error
}

// fakeMessenger records deliveries and answers as the test scripts it.
type fakeMessenger struct {
	// respond decides the outcome of the try-th delivery (0-based) of a
	// message, identified by its text.
	respond func(o bot.Outgoing, try int) error

	mu         sync.Mutex
	deliveries []delivery
	tries      map[string]int
	inFlight   map[string]int // per chat
	overlaps   int            // deliveries that started while their chat had one in flight
	started    chan string    // texts, as deliveries start (if not nil)
}

func (f *fakeMessenger) Channel() string { return "telegram" }

func (f *fakeMessenger) Deliver(ctx context.Context, o bot.Outgoing) (bot.Delivered, error) {
	f.mu.Lock()
	try := f.tries[o.Text]
	f.tries[o.Text]++
	if o.Kind != bot.KindAnswer {
		if f.inFlight[o.ChatID] > 0 {
			f.overlaps++
		}
		f.inFlight[o.ChatID]++
	}
	started := f.started
	f.mu.Unlock()
	if started != nil {
		started <- o.Text
	}

	d := delivery{Out: o, Start: time.Now()}
	if f.respond != nil {
		d.Err = f.respond(o, try)
	}
	d.End = time.Now()

	f.mu.Lock()
	defer f.mu.Unlock()
	if o.Kind != bot.KindAnswer {
		f.inFlight[o.ChatID]--
	}
	f.deliveries = append(f.deliveries, d)
	if d.Err != nil {
		return bot.Delivered{}, d.Err
	}
	return bot.Delivered{MessageID: fmt.Sprint("m-", o.Text)}, nil
}

// delivered returns the successful deliveries to a chat, in order.
func (f *fakeMessenger) delivered(chat string) []delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []delivery
	for _, d := range f.deliveries {
		if d.Out.ChatID == chat && d.Err == nil {
			out = append(out, d)
		}
	}
	return out
}

func (f *fakeMessenger) overlapping() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.overlaps
}

// attempts returns every delivery of one message, failed or not.
func (f *fakeMessenger) attempts(text string) []delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []delivery
	for _, d := range f.deliveries {
		if d.Out.Text == text {
			out = append(out, d)
		}
	}
	return out
}

func texts(ds []delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Out.Text
	}
	return out
}

// fast are limits so generous that only what a test sets matters.
func fast(o bot.SenderOptions) bot.SenderOptions {
	if o.GlobalRate == 0 {
		o.GlobalRate, o.GlobalBurst = 10000, 10000
	}
	if o.ChatRate == 0 {
		o.ChatRate, o.ChatBurst = 10000, 10000
	}
	if o.GroupRate == 0 {
		o.GroupRate, o.GroupBurst = 10000, 10000
	}
	if o.Poll == 0 {
		o.Poll = 20 * time.Millisecond
	}
	if o.RetryBase == 0 {
		o.RetryBase = 50 * time.Millisecond
	}
	return o
}

type senderWorld struct {
	t      *testing.T
	store  *storage.Store
	fake   *fakeMessenger
	sender *bot.Sender
	stop   func() // cancels Run and waits for it
}

func newSenderWorld(t *testing.T, opts bot.SenderOptions, respond func(bot.Outgoing, int) error) *senderWorld {
	t.Helper()
	store, err := storage.Open(t.Context(), storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	fake := &fakeMessenger{respond: respond, tries: map[string]int{}, inFlight: map[string]int{}}
	logger := slog.New(slog.DiscardHandler)
	w := &senderWorld{t: t, store: store, fake: fake, sender: bot.NewSender(store, fake, logger, opts)}
	return w
}

// start runs the sender until the test ends (or stop is called).
func (w *senderWorld) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.sender.Run(ctx) }()
	var once sync.Once
	w.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				w.t.Errorf("Run: %v", err)
			}
		})
	}
	w.t.Cleanup(w.stop)
}

func (w *senderWorld) enqueue(o bot.Outgoing) {
	w.t.Helper()
	if o.Kind == "" {
		o.Kind = bot.KindText
	}
	payload, err := json.Marshal(o)
	if err != nil {
		w.t.Fatal(err)
	}
	err = w.store.Enqueue(w.t.Context(), "telegram", storage.OutboxEntry{
		ChatID: o.ChatID, Group: o.Group, Kind: string(o.Kind), Payload: payload})
	if err != nil {
		w.t.Fatal(err)
	}
	w.sender.Wake()
}

func (w *senderWorld) texts(chat string, names ...string) {
	w.t.Helper()
	for _, n := range names {
		w.enqueue(bot.Outgoing{ChatID: chat, Text: n})
	}
}

// status reads a message's row by its text.
func (w *senderWorld) status(text string) (status string, attempts int) {
	w.t.Helper()
	err := w.store.DB().QueryRowContext(w.t.Context(),
		`SELECT status, attempts FROM outbox WHERE payload->>'text' = $1`, text).Scan(&status, &attempts)
	if err != nil {
		w.t.Fatalf("status of %q: %v", text, err)
	}
	return status, attempts
}

func (w *senderWorld) waitUntil(timeout time.Duration, what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (w *senderWorld) backlogEmpty() bool {
	n, _, err := w.store.OutboxBacklog(w.t.Context())
	if err != nil {
		w.t.Fatal(err)
	}
	return n == 0
}

func TestSenderDeliversEachChatInOrder(t *testing.T) {
	t.Parallel()
	w := newSenderWorld(t, fast(bot.SenderOptions{}), func(o bot.Outgoing, try int) error {
		time.Sleep(time.Millisecond) // let chats interleave
		return nil
	})
	want := map[string][]string{}
	for i := range 6 {
		for _, chat := range []string{"1", "2", "3"} {
			text := fmt.Sprintf("%s-%d", chat, i)
			want[chat] = append(want[chat], text)
			w.texts(chat, text)
		}
	}
	w.start()
	w.waitUntil(5*time.Second, "every message", w.backlogEmpty)

	for chat, wantTexts := range want {
		if got := texts(w.fake.delivered(chat)); !slices.Equal(got, wantTexts) {
			t.Errorf("chat %s got %v, want %v", chat, got, wantTexts)
		}
	}
	if n := w.fake.overlapping(); n != 0 {
		t.Errorf("%d deliveries overlapped another to the same chat", n)
	}
	if s := w.sender.Stats(); s.Sent != 18 || s.Retried+s.Failed+s.Deferred != 0 {
		t.Errorf("stats = %+v, want 18 sent", s)
	}
	if status, _ := w.status("2-3"); status != "sent" {
		t.Errorf("status = %s, want sent", status)
	}
}

// The sender looks for messages only when told of some (queued, or a
// chat freed by a delivery or a failure), never by polling here: every
// claim either fills the free slots or has visited every chat.
func TestSenderDeliversEverythingWithoutPolling(t *testing.T) {
	t.Parallel()
	never := time.Hour
	var w *senderWorld
	w = newSenderWorld(t, fast(bot.SenderOptions{Concurrency: 8, Poll: never, StandbyPoll: never}),
		func(o bot.Outgoing, try int) error {
			switch o.Text {
			case "refused":
				return &bot.DeliveryError{Permanent: true, Description: "Bad Request: message is too long"}
			case "in flight":
				w.texts(o.ChatID, "queued meanwhile") // its chat is held until this is recorded
			}
			time.Sleep(5 * time.Millisecond) // claims find chats in flight
			return nil
		})
	chats := []string{"1", "2", "3", "4", "5"}
	for i := range 4 {
		for _, chat := range chats {
			w.texts(chat, fmt.Sprintf("%s-%d", chat, i))
		}
	}
	w.start()
	w.waitUntil(5*time.Second, "queues of several messages", w.backlogEmpty)
	w.texts("9", "refused", "after the refusal")
	w.waitUntil(5*time.Second, "the message after a refused one", w.backlogEmpty)
	w.texts("8", "in flight")
	w.waitUntil(5*time.Second, "a message queued while its chat was in flight", w.backlogEmpty)
	if s := w.sender.Stats(); s.Sent != 23 || s.Failed != 1 {
		t.Errorf("stats = %+v, want 23 sent and 1 failed", s)
	}
}

func TestSenderHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	const retryAfter = 700 * time.Millisecond
	w := newSenderWorld(t, fast(bot.SenderOptions{}), func(o bot.Outgoing, try int) error {
		if o.Text == "X1" && try == 0 {
			return &bot.DeliveryError{RetryAfter: retryAfter, Description: "sendMessage: Too Many Requests: retry after 1"}
		}
		return nil
	})
	w.texts("X", "X1", "X2")
	w.texts("Y", "Y1")
	w.start()
	w.waitUntil(5*time.Second, "every message", w.backlogEmpty)

	refused := w.fake.attempts("X1")[0]
	if refused.Err == nil {
		t.Fatal("the first attempt was not refused")
	}
	x := w.fake.delivered("X")
	if got := texts(x); !slices.Equal(got, []string{"X1", "X2"}) {
		t.Fatalf("chat X got %v, want X1 X2 in order", got)
	}
	if early := x[0].Start.Sub(refused.End); early < retryAfter {
		t.Errorf("X1 was retried %v after the 429, before retry_after (%v)", early, retryAfter)
	}
	if y := w.fake.delivered("Y"); len(y) != 1 || !y[0].Start.Before(x[0].Start) {
		t.Errorf("chat Y waited for chat X's penalty")
	}
	if s := w.sender.Stats(); s.Deferred != 1 || s.Sent != 3 {
		t.Errorf("stats = %+v, want 1 deferred and 3 sent", s)
	}
	if _, attempts := w.status("X1"); attempts != 0 {
		t.Errorf("flood control counted %d attempts, want 0", attempts)
	}
}

func TestSenderRecordsPermanentFailures(t *testing.T) {
	t.Parallel()
	w := newSenderWorld(t, fast(bot.SenderOptions{}), func(o bot.Outgoing, try int) error {
		switch o.Text {
		case "bad":
			return &bot.DeliveryError{Permanent: true, Description: "sendMessage: Bad Request: can't parse entities"}
		case "blocked":
			return &bot.DeliveryError{Unreachable: true, Description: "sendMessage: Forbidden: bot was blocked by the user"}
		}
		return nil
	})
	citizen, err := w.store.TouchCitizen(t.Context(), "telegram", "55", "55", "Người dân", "vi")
	if err != nil {
		t.Fatal(err)
	}
	w.texts("P", "bad", "after bad")
	w.texts("55", "blocked")
	w.start()
	w.waitUntil(5*time.Second, "every message", w.backlogEmpty)

	for text, want := range map[string]string{"bad": "failed", "after bad": "sent", "blocked": "failed"} {
		if got, _ := w.status(text); got != want {
			t.Errorf("%q is %s, want %s", text, got, want)
		}
	}
	if n := len(w.fake.attempts("bad")); n != 1 {
		t.Errorf("a refused message was tried %d times", n)
	}
	c, err := w.store.CitizenByID(t.Context(), citizen.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.UnreachableAt.Valid {
		t.Error("the citizen who blocked the bot is not marked unreachable")
	}
	if s := w.sender.Stats(); s.Failed != 2 || s.Sent != 1 {
		t.Errorf("stats = %+v, want 2 failed and 1 sent", s)
	}
}

func TestSenderRetriesTemporaryFailures(t *testing.T) {
	t.Parallel()
	w := newSenderWorld(t, fast(bot.SenderOptions{RetryBase: 100 * time.Millisecond}), func(o bot.Outgoing, try int) error {
		if o.Text == "T1" && try < 2 {
			return errors.New("sendMessage: HTTP 502")
		}
		return nil
	})
	w.texts("T", "T1", "T2")
	w.start()
	w.waitUntil(5*time.Second, "every message", w.backlogEmpty)

	tries := w.fake.attempts("T1")
	if len(tries) != 3 || tries[2].Err != nil {
		t.Fatalf("T1 was tried %d times", len(tries))
	}
	// Backoff with jitter: at least half of 100ms, then of 200ms.
	if gap := tries[1].Start.Sub(tries[0].End); gap < 50*time.Millisecond {
		t.Errorf("first retry after %v, want a backoff", gap)
	}
	if gap := tries[2].Start.Sub(tries[1].End); gap < 100*time.Millisecond {
		t.Errorf("second retry after %v, want a longer backoff", gap)
	}
	if got := texts(w.fake.delivered("T")); !slices.Equal(got, []string{"T1", "T2"}) {
		t.Errorf("chat T got %v, want T1 T2 in order", got)
	}
	if _, attempts := w.status("T1"); attempts != 2 {
		t.Errorf("attempts = %d, want 2 failed attempts recorded", attempts)
	}
	if s := w.sender.Stats(); s.Retried != 2 || s.Sent != 2 {
		t.Errorf("stats = %+v, want 2 retried and 2 sent", s)
	}
}

// A chat that is slow to answer, or that has spent its rate limit, must not
// hold up the others.
func TestSenderSlowChatsDoNotHoldUpOthers(t *testing.T) {
	t.Parallel()
	opts := fast(bot.SenderOptions{Concurrency: 2, ChatRate: 1, ChatBurst: 3})
	w := newSenderWorld(t, opts, func(o bot.Outgoing, try int) error {
		if o.ChatID == "slow" {
			time.Sleep(1500 * time.Millisecond)
		}
		return nil
	})
	w.texts("slow", "slow-1", "slow-2")
	w.texts("busy", "busy-1", "busy-2", "busy-3", "busy-4", "busy-5", "busy-6")
	w.texts("quick", "quick-1", "quick-2", "quick-3")
	begin := time.Now()
	w.start()
	w.waitUntil(time.Second, "the quick chat", func() bool { return len(w.fake.delivered("quick")) == 3 })
	if took := time.Since(begin); took > 700*time.Millisecond {
		t.Errorf("the quick chat took %v", took)
	}
	if n := len(w.fake.delivered("busy")); n != 3 {
		t.Errorf("the busy chat got %d messages at once, want its burst of 3", n)
	}
	if n := len(w.fake.delivered("slow")); n != 0 {
		t.Errorf("the slow chat already got %d messages", n)
	}
}

// The per-chat bucket (1/s, burst 3) shapes the deliveries to one chat.
func TestSenderKeepsAChatWithinItsRate(t *testing.T) {
	t.Parallel()
	w := newSenderWorld(t, fast(bot.SenderOptions{ChatRate: 4, ChatBurst: 3}), nil)
	names := make([]string, 9)
	for i := range names {
		names[i] = fmt.Sprint("R", i)
	}
	w.texts("R", names...)
	w.start()
	w.waitUntil(5*time.Second, "every message", w.backlogEmpty)
	checkBucket(t, w.fake.delivered("R"), 4, 3)
}

// Groups have their own, slower bucket.
func TestSenderKeepsAGroupWithinItsRate(t *testing.T) {
	t.Parallel()
	w := newSenderWorld(t, fast(bot.SenderOptions{GroupRate: 5, GroupBurst: 1}), nil)
	for i := range 4 {
		w.enqueue(bot.Outgoing{ChatID: "-100", Group: true, Text: fmt.Sprint("G", i)})
	}
	w.start()
	w.waitUntil(5*time.Second, "every message", w.backlogEmpty)
	checkBucket(t, w.fake.delivered("-100"), 5, 1)
}

// checkBucket replays deliveries through a token bucket like the
// messenger's and fails if one found it empty.
func checkBucket(t *testing.T, ds []delivery, perSecond float64, burst int) {
	t.Helper()
	tokens, last := float64(burst), ds[0].Start
	for i, d := range ds {
		tokens = min(float64(burst), tokens+d.Start.Sub(last).Seconds()*perSecond)
		last = d.Start
		if tokens < 1 {
			t.Errorf("delivery %d came %.0f%% of a token too early", i, (1-tokens)*100)
		}
		tokens--
	}
	span := ds[len(ds)-1].Start.Sub(ds[0].Start)
	if fastest := time.Duration(float64(len(ds)-burst) / perSecond * float64(time.Second)); span > fastest+time.Second {
		t.Errorf("%d deliveries took %v; the bucket allows %v", len(ds), span, fastest)
	}
}

func TestSenderAnswersSkipTheChatsBucket(t *testing.T) {
	t.Parallel()
	w := newSenderWorld(t, fast(bot.SenderOptions{ChatRate: rate.Every(10 * time.Second), ChatBurst: 1}), nil)
	w.texts("A", "A1", "A2")
	w.enqueue(bot.Outgoing{Kind: bot.KindAnswer, ChatID: "A", QueryID: "q1", Text: "answer"})
	w.start()
	w.waitUntil(2*time.Second, "A1 and the answer", func() bool { return len(w.fake.delivered("A")) == 2 })
	time.Sleep(200 * time.Millisecond) // A2 must wait 10 s for the bucket
	got := texts(w.fake.delivered("A"))
	slices.Sort(got)
	if !slices.Equal(got, []string{"A1", "answer"}) {
		t.Errorf("chat A got %v, want A1 and the answer while A2 waits", got)
	}
}

func TestSenderFinishesDeliveriesInFlightWhenStopped(t *testing.T) {
	t.Parallel()
	w := newSenderWorld(t, fast(bot.SenderOptions{}), func(o bot.Outgoing, try int) error {
		time.Sleep(300 * time.Millisecond)
		return nil
	})
	w.fake.started = make(chan string, 10)
	w.texts("S", "S1")
	w.start()
	<-w.fake.started
	begin := time.Now()
	w.stop()
	if took := time.Since(begin); took < 200*time.Millisecond {
		t.Errorf("Run returned after %v, before the delivery finished", took)
	}
	if status, _ := w.status("S1"); status != "sent" {
		t.Errorf("status = %s, want sent", status)
	}
}

func TestOnlyOneSenderDeliversAndAStandbyTakesOver(t *testing.T) {
	first := newSenderWorld(t, fast(bot.SenderOptions{StandbyPoll: 50 * time.Millisecond}), nil)
	second := &senderWorld{t: t, store: first.store,
		fake: &fakeMessenger{tries: map[string]int{}, inFlight: map[string]int{}}}
	second.sender = bot.NewSender(second.store, second.fake, slog.New(slog.DiscardHandler),
		fast(bot.SenderOptions{StandbyPoll: 50 * time.Millisecond}))
	first.start()
	first.waitUntil(5*time.Second, "the first sender to lead", first.sender.Leading)
	second.start()

	first.texts("1", "a", "b", "c")
	first.waitUntil(5*time.Second, "delivery", first.backlogEmpty)
	if got := len(second.fake.delivered("1")); got != 0 || second.sender.Leading() {
		t.Fatalf("the standby delivered %d messages (leading %v)", got, second.sender.Leading())
	}

	first.stop()
	second.waitUntil(5*time.Second, "the standby to take over", second.sender.Leading)
	first.texts("1", "d")
	second.waitUntil(5*time.Second, "delivery by the standby", first.backlogEmpty)
	if got := texts(second.fake.delivered("1")); !slices.Equal(got, []string{"d"}) {
		t.Fatalf("the standby delivered %v, want [d]", got)
	}
}

func TestSenderSendsARefusedAlertAsAMessage(t *testing.T) {
	t.Parallel()
	tooOld := &bot.DeliveryError{Permanent: true, Description: "answerCallbackQuery: Bad Request: query is too old and response timeout expired or query ID is invalid"}
	w := newSenderWorld(t, fast(bot.SenderOptions{}), func(o bot.Outgoing, try int) error {
		if o.Kind == bot.KindAnswer {
			return tooOld
		}
		return nil
	})
	w.enqueue(bot.Outgoing{Kind: bot.KindAnswer, ChatID: "A", QueryID: "q1", Text: "Phản ánh <này> đã được đóng", Alert: true})
	w.enqueue(bot.Outgoing{Kind: bot.KindAnswer, ChatID: "A", QueryID: "q2", Text: "Đã cập nhật"})
	w.enqueue(bot.Outgoing{Kind: bot.KindAnswer, ChatID: "A", QueryID: "q3"})
	w.start()
	w.waitUntil(5*time.Second, "the answers and the message", func() bool {
		return w.backlogEmpty() && len(w.fake.delivered("A")) == 1
	})

	got := w.fake.delivered("A")[0].Out
	if got.Kind != bot.KindText || got.Text != "Phản ánh &lt;này&gt; đã được đóng" {
		t.Errorf("delivered %s %q, want the refused alert's text as an escaped message", got.Kind, got.Text)
	}
	var failed int
	err := w.store.DB().QueryRowContext(t.Context(),
		`SELECT count(*) FROM outbox WHERE kind = 'answer' AND status = 'failed'`).Scan(&failed)
	if err != nil {
		t.Fatal(err)
	}
	if failed != 3 {
		t.Errorf("%d answers recorded failed, want 3", failed)
	}
	if s := w.sender.Stats(); s.Failed != 3 || s.Sent != 1 {
		t.Errorf("stats = %+v, want 3 failed and 1 sent", s)
	}
}
