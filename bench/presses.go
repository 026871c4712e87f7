package bench

import (
	"slices"
	"sync"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// awaited is a message a press must make the bot send or edit.
type awaited struct {
	where awaitedWhere
	match func(tg.Activity) bool
}

// awaitedWhere is where an awaited message comes: in a chat, or, when the
// presser does not know the chat (an officer's accept tells the citizen),
// in any chat, naming a ticket code first.
type awaitedWhere struct {
	chat int64
	code string
}

func inChat(chat int64, match func(tg.Activity) bool) awaited {
	return awaited{awaitedWhere{chat: chat}, match}
}

func naming(code string, match func(tg.Activity) bool) awaited {
	return awaited{awaitedWhere{code: code}, match}
}

// press is one button press whose messages are awaited.
type press struct {
	step  string
	waits []*pressWait
}

type pressWait struct {
	awaited
	press *press
}

// pressLedger holds the messages each press must produce until they come.
// The callback answer alone tells nothing: a press answered whose step
// the bot never took leaves no outbox row, and a person who goes on after
// the answer (an officer) never times out waiting for the rest.
type pressLedger struct {
	mu      sync.Mutex
	waiting map[awaitedWhere][]*pressWait
}

func (l *pressLedger) reset() {
	l.mu.Lock()
	l.waiting = nil
	l.mu.Unlock()
}

// expect records what a press about to be pushed must produce; before the
// push, so that no reply can come first.
func (l *pressLedger) expect(step string, wants []awaited) *press {
	p := &press{step: step}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.waiting == nil {
		l.waiting = map[awaitedWhere][]*pressWait{}
	}
	for _, a := range wants {
		w := &pressWait{awaited: a, press: p}
		p.waits = append(p.waits, w)
		l.waiting[a.where] = append(l.waiting[a.where], w)
	}
	return p
}

// forget drops a press the fake refused: it was never pushed.
func (l *pressLedger) forget(p *press) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, w := range p.waits {
		l.remove(w)
	}
}

// remove takes w off its list; l.mu must be held.
func (l *pressLedger) remove(w *pressWait) {
	ws := slices.DeleteFunc(l.waiting[w.where], func(x *pressWait) bool { return x == w })
	if len(ws) == 0 {
		delete(l.waiting, w.where)
	} else {
		l.waiting[w.where] = ws
	}
}

// observe ticks off the awaited messages a bot message is.
func (l *pressLedger) observe(a tg.Activity) {
	if a.Kind != tg.ActivitySend && a.Kind != tg.ActivityEdit {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var met []*pressWait
	for _, where := range []awaitedWhere{{chat: a.ChatID}, {code: codeIn(a.Message.Text + a.Message.Caption)}} {
		for _, w := range l.waiting[where] {
			if w.match(a) {
				met = append(met, w)
			}
		}
	}
	for _, w := range met {
		l.remove(w)
	}
}

// missing counts the presses with a message still awaited, in all and by
// step.
func (l *pressLedger) missing() (int64, map[string]int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	seen := map[*press]bool{}
	for _, ws := range l.waiting {
		for _, w := range ws {
			seen[w.press] = true
		}
	}
	var steps map[string]int64
	for p := range seen {
		if steps == nil {
			steps = map[string]int64{}
		}
		steps[p.step]++
	}
	return int64(len(seen)), steps
}
