package telegramtest

import (
	"encoding/json"
	"slices"
	"time"
)

// Update types the fake produces.
const (
	UpdateMessage       = "message"
	UpdateEditedMessage = "edited_message"
	UpdateCallbackQuery = "callback_query"
	UpdateMyChatMember  = "my_chat_member"
)

// maxPollTimeout is the longest long poll Telegram holds (tdlib's
// telegram-bot-api caps timeout at 50 seconds).
const maxPollTimeout = 50 * time.Second

const (
	conflictOtherPoll = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
	conflictWebhook   = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
	conflictSetHook   = "Conflict: terminated by setWebhook request"
)

// notAllowedByDefault lists the update types Telegram only sends when they
// are requested explicitly in allowed_updates.
var notAllowedByDefault = []string{"chat_member", "message_reaction", "message_reaction_count"}

type queuedUpdate struct {
	id      int
	kind    string
	created time.Time
	payload json.RawMessage // the whole Update object

	// Webhook delivery state.
	chat        int64 // the chat it belongs to (0: none), once chatKnown
	chatKnown   bool
	inFlight    bool
	attempts    int
	nextAttempt time.Time
}

type updateQueue struct {
	nextID int
	items  []*queuedUpdate // ascending id
	// allowed is the sticky allowed_updates setting; nil means Telegram's
	// default (everything but notAllowedByDefault).
	allowed    []string
	poll       *pollSession
	deliveries map[int]int // update id -> times handed to the bot
}

// pollSession is one getUpdates call in progress. Telegram serves a single
// poller per token: a newer call terminates the older one with 409.
type pollSession struct {
	terminated chan struct{}
	reason     string
}

func (p *pollSession) terminate(reason string) {
	select {
	case <-p.terminated:
	default:
		p.reason = reason
		close(p.terminated)
	}
}

func (q *updateQueue) allows(kind string) bool {
	if q.allowed == nil || len(q.allowed) == 0 {
		return !slices.Contains(notAllowedByDefault, kind)
	}
	return slices.Contains(q.allowed, kind)
}

// enqueueLocked creates an update of the given kind. Like Telegram, it does
// not create updates that allowed_updates excludes; ok is false then.
func (s *Server) enqueueLocked(kind string, payload any) (id int, ok bool) {
	q := &s.st.updates
	if !q.allows(kind) {
		return 0, false
	}
	id = q.nextID
	q.nextID++
	raw, err := json.Marshal(map[string]any{"update_id": id, kind: payload})
	if err != nil {
		panic("telegramtest: cannot encode update: " + err.Error())
	}
	q.items = append(q.items, &queuedUpdate{id: id, kind: kind, created: time.Now(), payload: raw})
	s.notifyLocked()
	return id, true
}

// expireLocked drops updates older than the retention period.
func (s *Server) expireLocked(now time.Time) {
	q := &s.st.updates
	cut := 0
	for cut < len(q.items) && now.Sub(q.items[cut].created) > s.cfg.UpdateRetention && !q.items[cut].inFlight {
		cut++
	}
	if cut > 0 {
		q.items = slices.Delete(q.items, 0, cut)
	}
}

// confirmLocked applies getUpdates' offset: every update below a positive
// offset is confirmed and forgotten; a negative offset keeps only the last
// -offset updates.
func (q *updateQueue) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		i := 0
		for i < len(q.items) && int64(q.items[i].id) < offset {
			i++
		}
		q.items = slices.Delete(q.items, 0, i)
	case offset < 0:
		if keep := int(-offset); len(q.items) > keep {
			q.items = slices.Delete(q.items, 0, len(q.items)-keep)
		}
	}
}

func (s *Server) getUpdates(c *call) (any, *apiError) {
	offset, _ := c.p.int("offset")
	limit := int64(100)
	if l, ok := c.p.int("limit"); ok {
		limit = min(max(l, 1), 100)
	}
	timeout := time.Duration(0)
	if t, ok := c.p.int("timeout"); ok && t > 0 {
		timeout = min(time.Duration(t)*time.Second, maxPollTimeout)
	}
	var allowed []string
	hasAllowed, err := c.p.json("allowed_updates", &allowed)
	if err != nil {
		return nil, badRequest("can't parse allowed updates")
	}

	s.mu.Lock()
	q := &s.st.updates
	if s.st.webhook != nil {
		s.mu.Unlock()
		return nil, &apiError{Code: 409, Description: conflictWebhook}
	}
	if q.poll != nil {
		q.poll.terminate(conflictOtherPoll)
	}
	me := &pollSession{terminated: make(chan struct{})}
	q.poll = me
	if hasAllowed {
		q.allowed = allowed
	}
	q.confirmLocked(offset)
	s.mu.Unlock()

	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	expired := timeout == 0
	for {
		s.mu.Lock()
		q := &s.st.updates // Reset may have replaced the state
		select {
		case <-me.terminated:
			if q.poll == me {
				q.poll = nil
			}
			s.mu.Unlock()
			return nil, &apiError{Code: 409, Description: me.reason}
		default:
		}
		s.expireLocked(time.Now())
		n := min(len(q.items), int(limit))
		if n > 0 || expired {
			batch := make([]json.RawMessage, n)
			for i, u := range q.items[:n] {
				batch[i] = u.payload
				q.deliveries[u.id]++
			}
			if q.poll == me {
				q.poll = nil
			}
			s.mu.Unlock()
			return batch, nil
		}
		changed := s.changed
		s.mu.Unlock()

		select {
		case <-changed:
		case <-deadline.C:
			expired = true
		case <-me.terminated:
		case <-c.r.Context().Done():
			// The client went away: nothing is handed over, so nothing
			// counts as delivered.
			return s.endPoll(me), nil
		case <-s.done:
			return s.endPoll(me), nil
		}
	}
}

// endPoll unregisters a poll that ends without updates.
func (s *Server) endPoll(me *pollSession) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.updates.poll == me {
		s.st.updates.poll = nil
	}
	return []json.RawMessage{}
}

// PendingUpdates returns how many updates wait for confirmation.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked(time.Now())
	return len(s.st.updates.items)
}

// DeliveryCount returns how many times an update was handed to the bot
// (getUpdates answers and successful webhook deliveries). A value above 1
// means the update was redelivered.
func (s *Server) DeliveryCount(updateID int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.updates.deliveries[updateID]
}

// chatOf returns the id of the chat an update belongs to (a message's, an
// edit's, a pressed button's message's, a membership change's), or 0.
// It is read once, when a webhook first needs it.
func (u *queuedUpdate) chatOf() int64 {
	if u.chatKnown {
		return u.chat
	}
	u.chatKnown = true
	var update map[string]json.RawMessage
	if json.Unmarshal(u.payload, &update) != nil {
		return 0
	}
	var p struct {
		Chat    *struct{ ID int64 } `json:"chat"`
		Message *struct {
			Chat struct{ ID int64 } `json:"chat"`
		} `json:"message"`
	}
	if json.Unmarshal(update[u.kind], &p) != nil {
		return 0
	}
	switch {
	case p.Chat != nil:
		u.chat = p.Chat.ID
	case p.Message != nil:
		u.chat = p.Message.Chat.ID
	}
	return u.chat
}
