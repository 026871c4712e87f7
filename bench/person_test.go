package bench

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
	res := Result{StepsFailed: m.failed.Load(), verdict: verdict{TicketsExpected: 0}}
	if why := res.Failure(); !strings.Contains(why, "steps_failed 1") {
		t.Fatalf("Failure() = %q, lost %d", why, m.lost.Load())
	}
}
