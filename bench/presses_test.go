package bench

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// scriptedBot plays the bot against the fake through the Bot API, as the
// real bot does, so that a test decides what each press produces.
type scriptedBot struct {
	t      *testing.T
	api    *tg.Server
	client *http.Client
}

// botUpdate is the part of an update a scripted bot reads.
type botUpdate struct {
	UpdateID int `json:"update_id"`
	Message  *struct {
		Chat struct{ ID int64 } `json:"chat"`
		Text string             `json:"text"`
	} `json:"message"`
	CallbackQuery *struct {
		ID      string `json:"id"`
		Data    string `json:"data"`
		Message struct {
			ID   int                `json:"message_id"`
			Chat struct{ ID int64 } `json:"chat"`
		} `json:"message"`
	} `json:"callback_query"`
}

// testStage is a fake Bot API whose activity goes through the bench's
// router, with a scripted bot and a trace of the replies the meter
// counted latencies to.
type testStage struct {
	m   *meter
	r   *router
	api *tg.Server
	bot *scriptedBot

	mu      sync.Mutex
	counted map[string][]tg.Activity // step's name -> replies timed
}

func newTestStage(t *testing.T) *testStage {
	t.Helper()
	s := &testStage{m: &meter{}, counted: map[string][]tg.Activity{}}
	s.r = &router{m: s.m}
	api, err := tg.Listen("127.0.0.1:0", tg.Config{OnBotActivity: s.r.hook})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	s.api, s.bot = api, &scriptedBot{t: t, api: api, client: &http.Client{Transport: &http.Transport{}}}
	s.m.trace = func(_ tg.Pushed, a tg.Activity) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.counted[s.stepOf(a)] = append(s.counted[s.stepOf(a)], a)
	}
	return s
}

// stepOf names a counted reply for the checks: its kind and first line.
func (s *testStage) stepOf(a tg.Activity) string {
	line, _, _ := strings.Cut(a.Message.Text, "\n")
	return a.Kind + " " + line
}

func (s *testStage) timedTo() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.counted {
		out[k] = len(v)
	}
	return out
}

func (b *scriptedBot) call(ctx context.Context, method string, params url.Values) json.RawMessage {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.api.URL+"/bot"+b.api.Token()+"/"+method, strings.NewReader(params.Encode()))
	if err != nil {
		b.t.Error(err)
		return nil
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			b.t.Errorf("%s: %v", method, err)
		}
		return nil
	}
	defer resp.Body.Close()
	var answer struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		Description string          `json:"description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || !answer.OK {
		b.t.Errorf("%s: %v %s", method, err, answer.Description)
	}
	return answer.Result
}

// send sends text to chat with a button for each label (its data the
// label) and returns the message's id.
func (b *scriptedBot) send(chat int64, text string, buttons ...string) int {
	params := url.Values{"chat_id": {strconv.FormatInt(chat, 10)}, "text": {text}}
	if len(buttons) > 0 {
		var row []map[string]string
		for _, label := range buttons {
			row = append(row, map[string]string{"text": label, "callback_data": label})
		}
		markup, _ := json.Marshal(map[string]any{"inline_keyboard": [][]map[string]string{row}})
		params.Set("reply_markup", string(markup))
	}
	var m struct {
		ID int `json:"message_id"`
	}
	json.Unmarshal(b.call(context.Background(), "sendMessage", params), &m)
	return m.ID
}

func (b *scriptedBot) edit(chat int64, id int, text string) {
	b.call(context.Background(), "editMessageText", url.Values{"chat_id": {strconv.FormatInt(chat, 10)},
		"message_id": {strconv.Itoa(id)}, "text": {text}})
}

func (b *scriptedBot) answer(queryID string) {
	b.call(context.Background(), "answerCallbackQuery", url.Values{"callback_query_id": {queryID}})
}

// serve hands every update to respond, one at a time, until the test ends.
func (b *scriptedBot) serve(respond func(botUpdate)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	b.t.Cleanup(func() {
		cancel()
		<-done
		// A poll cancelled while it dialled leaves its new connection
		// idle here, which the fake's Close would wait 5 s for.
		b.client.CloseIdleConnections()
	})
	go func() {
		defer close(done)
		offset := 0
		for ctx.Err() == nil {
			var updates []botUpdate
			raw := b.call(ctx, "getUpdates", url.Values{"offset": {strconv.Itoa(offset)}, "timeout": {"1"}})
			if raw == nil || json.Unmarshal(raw, &updates) != nil {
				continue
			}
			for _, u := range updates {
				offset = u.UpdateID + 1
				respond(u)
			}
		}
	}()
}

const (
	testCode    = "PA-2026-000001"
	testCitizen = citizenBaseID + 1
	testOfficer = officerBaseID
)

// officerAccepts plays an officer on one card: the scripted bot answers the
// accept's press with accept (which may send nothing but the callback
// answer) and the /resolve with resolve.
func (s *testStage) officerAccepts(t *testing.T, accept func(s *testStage, queryID string, card int), resolve func(s *testStage, card int)) {
	t.Helper()
	var card int // the accept's, set before the /resolve comes
	s.bot.serve(func(u botUpdate) {
		switch {
		case u.CallbackQuery != nil:
			card = u.CallbackQuery.Message.ID
			accept(s, u.CallbackQuery.ID, card)
		case u.Message != nil && strings.HasPrefix(u.Message.Text, "/resolve "+testCode):
			resolve(s, card)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o := newOfficer(newPerson(s.api, s.r, s.m, testOfficer, "Cán bộ 0", 10*time.Second), "ubnd-hoa-cuong", 0, 1,
		func(err error) { t.Error(err) })
	running, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { o.run(running); close(done) }()
	s.bot.send(testOfficer, "📥 Phản ánh mới\n"+testCode+" · Môi trường", "✅ Tiếp nhận")
	if _, err := s.api.WaitFor(ctx, testOfficer, func(m tg.Message) bool { return strings.Contains(m.Text, "Đã gửi trả lời") }); err != nil {
		t.Fatal(err)
	}
	stop()
	<-done
}

// confirmResolve is the bot's reply to the officer's /resolve.
func confirmResolve(s *testStage, _ int) {
	s.bot.send(testOfficer, "Đã gửi trả lời phản ánh "+testCode+" cho người dân.")
}

// editCard is the accept's edit of the card.
func editCard(s *testStage, card int) {
	s.bot.edit(testOfficer, card, "✅ Đã tiếp nhận bởi Cán bộ 0.")
}

// acceptFully is the accept as the bot makes it: the button answered, the
// card edited and the citizen told.
func acceptFully(s *testStage, queryID string, card int) {
	s.bot.answer(queryID)
	editCard(s, card)
	s.bot.send(testCitizen, "Phản ánh "+testCode+" đã được UBND phường Hòa Cường tiếp nhận và đang xử lý.")
}

// citizenRates plays a citizen rating the unit's answer; the scripted bot
// answers the press with reply.
func (s *testStage) citizenRates(t *testing.T, reply func(s *testStage, queryID string)) {
	t.Helper()
	s.bot.serve(func(u botUpdate) {
		if u.CallbackQuery != nil {
			reply(s, u.CallbackQuery.ID)
		}
	})
	p := newPerson(s.api, s.r, s.m, testCitizen, "Dân 1", 10*time.Second)
	id := s.bot.send(testCitizen, "UBND phường Hòa Cường trả lời phản ánh "+testCode+": đã khơi thông cống.", "⭐⭐⭐⭐⭐ Rất hài lòng")
	answer, ok := s.api.Message(testCitizen, id)
	if !ok {
		t.Fatal("the answer is not in the chat")
	}
	if err := p.rates(answer, testCode); err != nil {
		t.Fatal(err)
	}
}

func thank(s *testStage) {
	s.bot.send(testCitizen, "Cảm ơn Ông/Bà đã đánh giá phản ánh "+testCode+": Rất hài lòng.")
}

func offerComment(s *testStage) {
	s.bot.send(testCitizen, "Ông/Bà có muốn góp ý thêm về cách giải quyết phản ánh "+testCode+" không?")
}

// A press counted done on its callback answer hid a step the bot never
// took: an officer goes on after the accept's answer, so a card never
// edited and a citizen never told went unnoticed, and a citizen's rating
// waits only for the offer to comment, so a thanks never sent did too.
// Every press now awaits each message it must produce, and one still
// missing after the drain fails the run.
func TestAPressWhoseReplyNeverCameFailsTheRun(t *testing.T) {
	for _, c := range []struct {
		name  string
		play  func(*testing.T, *testStage)
		steps map[string]int64 // presses without reply, by step
	}{
		{"accept answered only", func(t *testing.T, s *testStage) {
			s.officerAccepts(t, func(s *testStage, id string, _ int) { s.bot.answer(id) }, confirmResolve)
		}, map[string]int64{"officer press accept": 1}},
		{"accept, the citizen not told", func(t *testing.T, s *testStage) {
			s.officerAccepts(t, func(s *testStage, id string, card int) { s.bot.answer(id); editCard(s, card) }, confirmResolve)
		}, map[string]int64{"officer press accept": 1}},
		{"accept in full", func(t *testing.T, s *testStage) { s.officerAccepts(t, acceptFully, confirmResolve) }, nil},
		{"rating not thanked", func(t *testing.T, s *testStage) {
			s.citizenRates(t, func(s *testStage, id string) { s.bot.answer(id); offerComment(s) })
		}, map[string]int64{"press rating": 1}},
		{"rating thanked", func(t *testing.T, s *testStage) {
			s.citizenRates(t, func(s *testStage, id string) { s.bot.answer(id); thank(s); offerComment(s) })
		}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newTestStage(t)
			c.play(t, s)
			n, steps := s.m.presses.missing()
			var want int64
			for _, k := range c.steps {
				want += k
			}
			if n != want || len(steps) != len(c.steps) {
				t.Fatalf("presses without reply %d %v; want %v", n, steps, c.steps)
			}
			for step, k := range c.steps {
				if steps[step] != k {
					t.Fatalf("presses without reply %v; want %v", steps, c.steps)
				}
			}
			// No person waited in vain: only the ledger sees it.
			if lost := s.m.lost.Load(); lost != 0 {
				t.Fatalf("lost replies %d", lost)
			}
			why := Result{PressesWithoutReply: n}.Failure()
			if (n > 0) != strings.Contains(why, "presses_without_reply") {
				t.Fatalf("Failure() = %q with %d presses without reply", why, n)
			}
		})
	}
}

// A press's latency ends at the first message the bot sends or edits in
// reply, which is what a person waits for, not at the empty callback
// answer that comes first; the answers are timed apart, also one that
// comes after the press's last message. The officer's
// accept is timed to its card's edit even when the edit comes after the
// officer went on to /resolve, and that edit is not the /resolve's reply.
func TestAPressIsTimedToItsFirstMessage(t *testing.T) {
	s := newTestStage(t)
	s.citizenRates(t, func(s *testStage, id string) { s.bot.answer(id); thank(s); offerComment(s) })
	if got, want := s.timedTo(), map[string]int{"send Cảm ơn Ông/Bà đã đánh giá phản ánh " + testCode + ": Rất hài lòng.": 1}; !equalCounts(got, want) {
		t.Fatalf("the rating timed to %v; want %v", got, want)
	}
	if a := s.m.callbackAnswers(); a.N != 1 {
		t.Fatalf("callback answers timed: %+v", a)
	}

	// An answer that comes after the press's last message, when the
	// citizen no longer looks, is timed all the same.
	s = newTestStage(t)
	s.citizenRates(t, func(s *testStage, id string) { thank(s); offerComment(s); s.bot.answer(id) })
	for deadline := time.Now().Add(10 * time.Second); s.m.callbackAnswers().N != 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the late callback answer was not timed: %+v", s.m.callbackAnswers())
		}
	}

	s = newTestStage(t)
	// The accept answered at once; its card edited only after the
	// officer's /resolve came, just before the /resolve's own reply.
	s.officerAccepts(t, func(s *testStage, id string, _ int) { s.bot.answer(id) }, func(s *testStage, card int) {
		editCard(s, card)
		confirmResolve(s, card)
	})
	want := map[string]int{"edit ✅ Đã tiếp nhận bởi Cán bộ 0.": 1, "send Đã gửi trả lời phản ánh " + testCode + " cho người dân.": 1}
	if got := s.timedTo(); !equalCounts(got, want) {
		t.Fatalf("timed to %v; want %v", got, want)
	}
	if steps := s.m.steps(); steps["officer press accept"].N != 1 || steps["officer /resolve"].N != 1 {
		t.Fatalf("steps %v", steps)
	}
	if a := s.m.callbackAnswers(); a.N != 1 {
		t.Fatalf("callback answers timed: %+v", a)
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
