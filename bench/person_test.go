package bench

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// An open-loop arrival that the bench pushes late (its goroutine waited
// for the CPU) counts its latency from the scheduled arrival: the wait is
// part of what a citizen arriving then would see.
func TestOpenLoopLatencyCountsFromTheScheduledArrival(t *testing.T) {
	m := &meter{}
	r := &router{m: m}
	api, err := tg.Listen("127.0.0.1:0", tg.Config{OnBotActivity: r.hook})
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	p := newPerson(api, r, m, citizenBaseID+1, "Dân 1", 5*time.Second)
	const late = 80 * time.Millisecond
	p.arrival = time.Now().Add(-late)

	// The bot: answers the chat 10 ms after the update.
	botSaysSoon := func(text string) {
		go func() {
			time.Sleep(10 * time.Millisecond)
			resp, err := http.PostForm(api.URL+"/bot"+api.Token()+"/sendMessage",
				url.Values{"chat_id": {strconv.FormatInt(p.user.ID, 10)}, "text": {text}})
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	botSaysSoon("Ông/Bà cần hỗ trợ việc gì?")
	if _, err := p.says("/start", "cần hỗ trợ việc gì"); err != nil {
		t.Fatal(err)
	}
	if got := m.percentiles(1)[0]; got < late {
		t.Errorf("latency %v, want at least the %v the push came after its scheduled arrival", got, late)
	}
	if lagP99, _ := m.arrivalLag(); lagP99 < late {
		t.Errorf("arrival lag %v, want at least %v", lagP99, late)
	}
	// The next step is the person's own, due when it was pushed.
	botSaysSoon("lĩnh vực")
	if _, err := p.says("Phản ánh", "lĩnh vực"); err != nil {
		t.Fatal(err)
	}
	if got := m.steps()["text Phản ánh"]; got.N != 1 || got.P99Ms >= float64(late.Milliseconds()) {
		t.Errorf("second step %+v: counted from an arrival already used", got)
	}
}

// A step the fake refuses ends the flow without a lost reply; it must
// fail the run all the same.
func TestAStepTheFakeRefusesFailsTheRun(t *testing.T) {
	m := &meter{}
	r := &router{m: m}
	api, err := tg.Listen("127.0.0.1:0", tg.Config{OnBotActivity: r.hook})
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	p := newPerson(api, r, m, citizenBaseID+2, "Dân 2", time.Second)
	// A button on a message the chat does not have.
	if _, err := p.pressOn("press menu", tg.Message{ChatID: p.user.ID, ID: 999}, "Gửi phản ánh", textHas("x")); err == nil {
		t.Fatal("the fake took a press on no message")
	}
	// It was never pushed: no reply of its is awaited.
	if n, steps := m.presses.missing(); n != 0 {
		t.Fatalf("a press the fake refused awaits its reply: %v", steps)
	}
	res := Result{StepsFailed: m.failed.Load(), verdict: verdict{TicketsExpected: 0}}
	if why := res.Failure(); !strings.Contains(why, "steps_failed 1") {
		t.Fatalf("Failure() = %q, lost %d", why, m.lost.Load())
	}
}

// Each update's latency must end at a reply that update caused, not at
// one still on its way from the step before: the officer's /resolve was
// timed to the accept's button answer or card edit, and a citizen's press
// to the location offer that follows the question where. The test runs
// the real bench code (officers and closed-loop citizens) against the real
// bot and finds, for every reply the bench counted, the update whose
// transaction queued it: the outbox row that made the reply (by message
// id, query id, or the edits of a message in order) was queued at its
// transaction's start, and the update that transaction handled is the
// first of the chat marked processed since.
func TestLatencyIsCountedToTheUpdatesOwnReply(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := startLiveStage(t, ctx, 1)
	type countedReply struct {
		pushed tg.Pushed
		reply  tg.Activity
	}
	var (
		mu      sync.Mutex
		counted []countedReply
	)
	s.m.mu.Lock()
	s.m.trace = func(p tg.Pushed, a tg.Activity) {
		mu.Lock()
		counted = append(counted, countedReply{p, a})
		mu.Unlock()
	}
	s.m.mu.Unlock()
	s.load(ctx, 3, 5*time.Second)

	mu.Lock()
	defer mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	wrong := map[string]int{}
	for _, c := range counted {
		queued, err := s.queuedAt(ctx, c.reply)
		if err != nil {
			t.Fatalf("the outbox row of %s %s in chat %d: %v", c.reply.Kind, c.reply.Method, c.reply.ChatID, err)
		}
		var cause int
		if err := s.db.db.QueryRowContext(ctx, `
			SELECT update_id FROM inbox WHERE chat_key = (SELECT chat_key FROM inbox WHERE update_id = $1)
			AND processed_at >= $2 ORDER BY processed_at LIMIT 1`, c.pushed.UpdateID, queued).Scan(&cause); err != nil {
			t.Fatal(err)
		}
		if cause != c.pushed.UpdateID {
			what := c.reply.Kind + " " + firstLine(c.reply.Message.Text)
			if wrong[what]++; wrong[what] == 1 {
				t.Errorf("update %d (chat %d) was timed to %q, queued by update %d", c.pushed.UpdateID, c.reply.ChatID, what, cause)
			}
		}
	}
	t.Logf("%d replies checked; per step: %v", len(counted), s.m.steps())
	// At least two whole flows (15 replies each), however slow the machine:
	// a loaded one finished 6 in the 5 s.
	if len(counted) < 30 || len(wrong) > 0 {
		t.Fatalf("%d replies checked; taken from another update's reply: %v", len(counted), wrong)
	}
}

// queuedAt is when the outbox row that made activity a was queued: the
// start of the transaction that queued it. s.mu must be held.
func (s *liveStage) queuedAt(ctx context.Context, a tg.Activity) (time.Time, error) {
	var at time.Time
	chat := strconv.FormatInt(a.ChatID, 10)
	switch a.Kind {
	case tg.ActivityAnswer:
		return at, s.db.db.QueryRowContext(ctx, `SELECT created_at FROM outbox WHERE kind = 'answer' AND payload->>'query_id' = $1`,
			a.Answer.QueryID).Scan(&at)
	case tg.ActivitySend:
		return at, s.db.db.QueryRowContext(ctx, `SELECT created_at FROM outbox WHERE chat_id = $1 AND sent_message_id = $2 AND kind NOT IN ('edit', 'delete')`,
			chat, strconv.Itoa(a.Message.ID)).Scan(&at)
	}
	// A message's edits and deletion go out in the order queued: the nth
	// of them seen is the nth row.
	n := 0
	for _, b := range s.all {
		if b.At.Equal(a.At) && b.Kind == a.Kind && b.ChatID == a.ChatID {
			break
		}
		if b.ChatID == a.ChatID && b.Message.ID == a.Message.ID && (b.Kind == tg.ActivityEdit || b.Kind == tg.ActivityDelete) {
			n++
		}
	}
	return at, s.db.db.QueryRowContext(ctx, `
		SELECT created_at FROM outbox WHERE chat_id = $1 AND kind IN ('edit', 'delete') AND payload->>'message_id' = $2
		ORDER BY id OFFSET $3 LIMIT 1`, chat, strconv.Itoa(a.Message.ID), n).Scan(&at)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s[:min(len(s), 40)]
}
