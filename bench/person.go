package bench

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// router hands each bot activity the fake reports to the mailbox of its
// chat, without waking anyone else.
type router struct {
	boxes sync.Map // chat id -> *mailbox
	m     *meter

	mu       sync.Mutex
	lastSent map[int64]string // chat id -> text of the bot's last new message
}

func (r *router) hook(a tg.Activity) {
	r.m.outbound.Add(1)
	if a.Kind == tg.ActivitySend || a.Kind == tg.ActivityEdit {
		r.m.messages.Add(1)
	}
	if a.Kind == tg.ActivitySend {
		r.checkRepeat(a)
	}
	r.m.presses.observe(a)
	if a.Kind == tg.ActivityAnswer {
		r.m.callbackAnswered(a)
	}
	if b, ok := r.boxes.Load(a.ChatID); ok {
		b.(*mailbox).put(a)
	}
}

// checkRepeat counts a new message identical to the one before it in the
// chat: the scripted flows never cause that, a resend after a delivery
// whose outcome the bot did not learn does. The flooding account of
// -fault flood is left out: the same text flooded gets the same reply.
func (r *router) checkRepeat(a tg.Activity) {
	text := a.Message.Text + a.Message.Caption
	if text == "" || a.ChatID == flooderID {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lastSent == nil {
		r.lastSent = map[int64]string{}
	}
	if r.lastSent[a.ChatID] == text {
		r.m.repeated.Add(1)
	}
	r.lastSent[a.ChatID] = text
}

func (r *router) register(chatID int64) *mailbox {
	b := &mailbox{signal: make(chan struct{}, 1)}
	r.boxes.Store(chatID, b)
	return b
}

func (r *router) unregister(chatID int64) { r.boxes.Delete(chatID) }

// mailbox is an unbounded queue: the hook never blocks the fake.
type mailbox struct {
	mu     sync.Mutex
	q      []tg.Activity
	signal chan struct{}
}

func (b *mailbox) put(a tg.Activity) {
	b.mu.Lock()
	b.q = append(b.q, a)
	b.mu.Unlock()
	select {
	case b.signal <- struct{}{}:
	default:
	}
}

// next returns the oldest activity, waiting until the deadline.
func (b *mailbox) next(deadline time.Time) (tg.Activity, bool) {
	for {
		b.mu.Lock()
		if len(b.q) > 0 {
			a := b.q[0]
			b.q[0] = tg.Activity{}
			b.q = b.q[1:]
			b.mu.Unlock()
			return a, true
		}
		b.mu.Unlock()
		wait := time.Until(deadline)
		if wait <= 0 {
			return tg.Activity{}, false
		}
		t := time.NewTimer(wait)
		select {
		case <-b.signal:
		case <-t.C:
		}
		t.Stop()
	}
}

var errTimeout = errors.New("no reply in time")

// person is one scripted Telegram user talking to the bot in its private
// chat, one step at a time, as a person does: it sends, then waits for the
// bot's answer before the next step.
type person struct {
	api     *tg.Server
	user    tg.User
	box     *mailbox
	m       *meter
	timeout time.Duration

	seen []tg.Activity      // activity of the current flow, in order
	msgs map[int]tg.Message // latest version of each bot message

	// arrival is when the open loop scheduled this person's next update
	// (the first of a flow); zero otherwise. Its latency is counted from
	// then, not from when the bench got round to pushing it: a bench
	// late on its schedule, for the CPU the bot and the database took,
	// must not hide that wait (coordinated omission).
	arrival time.Time
}

func newPerson(api *tg.Server, r *router, m *meter, id int64, name string, timeout time.Duration) *person {
	return &person{api: api, user: tg.User{ID: id, FirstName: name, LanguageCode: "vi"},
		box: r.register(id), m: m, timeout: timeout, msgs: map[int]tg.Message{}}
}

// newFlow forgets the previous flow's messages.
func (p *person) newFlow() {
	p.absorb()
	p.seen = p.seen[:0]
	clear(p.msgs)
}

// take records an activity of the chat.
func (p *person) take(a tg.Activity) {
	p.seen = append(p.seen, a)
	if a.Kind != tg.ActivityAnswer {
		p.msgs[a.Message.ID] = a.Message
	}
}

// absorb takes what already arrived without waiting.
func (p *person) absorb() {
	for {
		a, ok := p.box.next(time.Time{})
		if !ok {
			return
		}
		p.take(a)
	}
}

// await waits for an activity at or after index from that satisfies want.
func (p *person) await(from int, want func(tg.Activity) bool) (tg.Activity, error) {
	deadline := time.Now().Add(p.timeout)
	for i := from; ; i++ {
		for i >= len(p.seen) {
			a, ok := p.box.next(deadline)
			if !ok {
				return tg.Activity{}, errTimeout
			}
			p.take(a)
		}
		if want(p.seen[i]) {
			return p.seen[i], nil
		}
	}
}

// step pushes one update and waits for the reply that satisfies want,
// which must match the last message the update causes: a chat's messages
// are delivered one at a time in the order queued, so once it has come
// no earlier part of this step's reply is still on its way to be taken
// for the next step's. Its latency is from the push (or the scheduled
// arrival, if earlier) to the update's first message (timing).
func (p *person) step(label string, push func() (tg.Pushed, error), want func(tg.Activity) bool) (tg.Activity, error) {
	p.absorb()
	from := len(p.seen)
	pushed, err := push()
	arrival := p.arrival
	p.arrival = time.Time{}
	if err != nil {
		p.m.failed.Add(1)
		return tg.Activity{}, err
	}
	p.m.updates.Add(1)
	origin := pushed.At
	if !arrival.IsZero() {
		p.m.lag(pushed.At.Sub(arrival))
		if arrival.Before(origin) {
			origin = arrival
		}
	}
	t := &timing{step: label, pushed: pushed, origin: origin}
	got, err := p.await(from, func(a tg.Activity) bool {
		t.take(p.m, a)
		return want(a)
	})
	if err != nil {
		p.m.lost.Add(1)
	}
	return got, err
}

// says sends a text (or command) and waits for a message containing all of want.
func (p *person) says(text string, want ...string) (tg.Activity, error) {
	label := "text"
	if strings.HasPrefix(text, "/") {
		label, _, _ = strings.Cut(text, " ")
	} else if len(text) < 20 {
		label = "text " + text
	}
	return p.step(label, func() (tg.Pushed, error) {
		return p.api.PushMessage(tg.Incoming{From: p.user, Text: text})
	}, textHas(want...))
}

// sendsPhoto sends a photo and waits for a message with the button.
func (p *person) sendsPhoto(photo []byte, button string) (tg.Activity, error) {
	return p.step("photo", func() (tg.Pushed, error) {
		return p.api.PushMessage(tg.Incoming{From: p.user, Photo: photo})
	}, hasButton(button))
}

// presses taps the button with this label on the latest bot message that
// has one and waits for a message containing all of want.
func (p *person) presses(label string, want ...string) (tg.Activity, error) {
	return p.pressesAs("press "+label, label, want...)
}

// pressesAs is presses with the step's name for the latency breakdown.
func (p *person) pressesAs(step, label string, want ...string) (tg.Activity, error) {
	p.absorb()
	m, text, ok := p.findButton(label)
	if !ok {
		p.m.lost.Add(1)
		return tg.Activity{}, fmt.Errorf("no button %q in the chat", label)
	}
	return p.pressOn(step, m, text, textHas(want...))
}

// pressOn presses a button of a message and waits for the last of
// replies, the messages the press must produce (any of them that never
// comes counts in presses_without_reply: pressLedger).
func (p *person) pressOn(step string, m tg.Message, button string, replies ...func(tg.Activity) bool) (tg.Activity, error) {
	wants := make([]awaited, len(replies))
	for i, r := range replies {
		wants[i] = inChat(p.user.ID, r)
	}
	return p.step(step, func() (tg.Pushed, error) {
		return p.pushPress(step, m, button, wants)
	}, replies[len(replies)-1])
}

// pushPress presses a button of m, noting first wants, the messages the
// press must produce, and then the press, to time its callback answer.
func (p *person) pushPress(step string, m tg.Message, button string, wants []awaited) (tg.Pushed, error) {
	pr := p.m.presses.expect(step, wants)
	pushed, err := p.api.PushCallback(p.user, m.ChatID, m.ID, callbackData(m, button))
	if err != nil {
		p.m.presses.forget(pr)
		return pushed, err
	}
	p.m.pressed(pushed.CallbackQueryID, pushed.At)
	return pushed, nil
}

func (p *person) findButton(label string) (tg.Message, string, bool) {
	for i := len(p.seen) - 1; i >= 0; i-- {
		a := p.seen[i]
		if a.Kind == tg.ActivityAnswer {
			continue
		}
		m := p.msgs[a.Message.ID]
		if m.Deleted {
			continue
		}
		for _, b := range m.Buttons() {
			if b.CallbackData != "" && strings.Contains(b.Text, label) {
				return m, b.Text, true
			}
		}
	}
	return tg.Message{}, "", false
}

func callbackData(m tg.Message, text string) string {
	b, _ := m.Button(text)
	return b.CallbackData
}

// textHas matches a sent or edited message whose text or caption has every string.
func textHas(want ...string) func(tg.Activity) bool {
	return func(a tg.Activity) bool {
		if a.Kind != tg.ActivitySend && a.Kind != tg.ActivityEdit {
			return false
		}
		text := a.Message.Text + a.Message.Caption
		for _, w := range want {
			if !strings.Contains(text, w) {
				return false
			}
		}
		return true
	}
}

func hasButton(label string) func(tg.Activity) bool {
	return func(a tg.Activity) bool {
		if a.Kind != tg.ActivitySend && a.Kind != tg.ActivityEdit {
			return false
		}
		for _, b := range a.Message.Buttons() {
			if strings.Contains(b.Text, label) {
				return true
			}
		}
		return false
	}
}
