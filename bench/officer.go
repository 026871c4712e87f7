package bench

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// officer is a scripted officer: for every card of a new ticket it is
// responsible for, it accepts the ticket with the card's button and
// answers it with /resolve. It works on many tickets at once (both steps
// are stateless), each waiting for the bot's reply like a person.
type officer struct {
	*person
	unit        string
	rank, peers int // this officer handles the unit's tickets whose hash % peers == rank

	mu     sync.Mutex
	cards  map[int]string              // card message id -> ticket code
	active map[string]chan tg.Activity // ticket code -> its handler's activity
	wg     sync.WaitGroup
	failed func(error)
}

func newOfficer(p *person, unit string, rank, peers int, failed func(error)) *officer {
	return &officer{person: p, unit: unit, rank: rank, peers: peers,
		cards: map[int]string{}, active: map[string]chan tg.Activity{}, failed: failed}
}

// join redeems an invitation, as a new officer does.
func (o *officer) join(code string) error {
	_, err := o.says("/join "+code, "cán bộ")
	return err
}

func (o *officer) mine(code string) bool {
	h := fnv.New32a()
	h.Write([]byte(code))
	return int(h.Sum32()%uint32(o.peers)) == o.rank
}

// run dispatches the chat's activity to the tickets' handlers until ctx
// ends and no handler is left.
func (o *officer) run(ctx context.Context) {
	for ctx.Err() == nil || o.busy() {
		a, ok := o.box.next(time.Now().Add(100 * time.Millisecond))
		if ok {
			o.dispatch(a)
		}
	}
	o.wg.Wait()
}

func (o *officer) busy() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.active) > 0
}

func (o *officer) dispatch(a tg.Activity) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var code string
	switch {
	case a.Kind == tg.ActivityAnswer:
		code = o.cards[a.Answer.MessageID]
	case a.Kind == tg.ActivitySend && strings.Contains(a.Message.Text, "Phản ánh mới"):
		code = codeIn(a.Message.Text)
		if code == "" || !o.mine(code) || o.active[code] != nil {
			return
		}
		o.cards[a.Message.ID] = code
		ch := make(chan tg.Activity, 64)
		o.active[code] = ch
		o.wg.Go(func() {
			if err := o.handle(a.Message, code, ch); err != nil {
				o.failed(err)
			}
			o.mu.Lock()
			delete(o.active, code)
			delete(o.cards, a.Message.ID)
			o.mu.Unlock()
		})
		return
	default:
		if code = o.cards[a.Message.ID]; code == "" {
			code = codeIn(a.Message.Text)
		}
	}
	if ch := o.active[code]; ch != nil {
		select {
		case ch <- a:
		default:
		}
	}
}

// handle accepts and answers one ticket.
func (o *officer) handle(card tg.Message, code string, ch chan tg.Activity) error {
	// The accept edits the card and tells the citizen, whose chat the
	// officer does not know: a message naming the code.
	accepted := func(a tg.Activity) bool {
		return a.Kind == tg.ActivityEdit && a.Message.ID == card.ID && strings.Contains(a.Message.Text, "Đã tiếp nhận")
	}
	pushed, err := o.pushPress("officer press accept", card, buttonLabel(card, "Tiếp nhận"),
		[]awaited{inChat(o.user.ID, accepted), naming(code, textHas("tiếp nhận và đang xử lý", code))})
	if err != nil {
		o.m.failed.Add(1)
		return err
	}
	o.m.updates.Add(1)
	// Timed to the card's edit, the message the officer waits for. But
	// the officer goes on once the button is answered or the card says
	// so, as one who sees either does: waiting for the edit made the
	// officers' chats a queue of the bench's own making. The other may
	// still be on its way when /resolve goes out: accept takes it first
	// below, so that it is not taken for the /resolve's reply.
	accept := &timing{step: "officer press accept", pushed: pushed, origin: pushed.At, mine: accepted}
	if err := o.wait(ch, func(tg.Activity) bool { return accept.answered || accept.replied }, accept); err != nil {
		return fmt.Errorf("officer %d: accepting %s: %w", o.user.ID, code, err)
	}
	pushed, err = o.api.PushMessage(tg.Incoming{From: o.user, Text: "/resolve " + code + " Đã khơi thông cống, nước đã rút. Cảm ơn Ông/Bà đã phản ánh."})
	if err != nil {
		o.m.failed.Add(1)
		return err
	}
	o.m.updates.Add(1)
	// Timed to its confirmation: the ticket's other messages in this chat
	// (an edit of one of its card's copies, queued by the accept) are not
	// its reply.
	answered := textHas("Đã gửi trả lời phản ánh", code)
	resolve := &timing{step: "officer /resolve", pushed: pushed, origin: pushed.At, mine: answered}
	if err := o.wait(ch, answered, accept, resolve); err != nil {
		return fmt.Errorf("officer %d: answering %s: %w", o.user.ID, code, err)
	}
	return nil
}

// wait is person.step's wait for a ticket's own stream of activity, until
// done: each activity goes to the first of timings that takes it, so an
// earlier step's late reply is not taken for a later step's.
func (o *officer) wait(ch chan tg.Activity, done func(tg.Activity) bool, timings ...*timing) error {
	timer := time.NewTimer(o.timeout)
	defer timer.Stop()
	for {
		select {
		case a := <-ch:
			for _, t := range timings {
				if t.take(o.m, a) {
					break
				}
			}
			if done(a) {
				return nil
			}
		case <-timer.C:
			o.m.lost.Add(1)
			return errTimeout
		}
	}
}
