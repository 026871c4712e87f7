package telegramtest

import "time"

// This file is the push side of the query API: instead of polling Sent or
// waiting with WaitFor (which wakes every waiter on each change), a load
// generator with thousands of chats sets Config.OnBotActivity and routes
// each activity to the chat's own consumer.

// Kinds of bot activity reported to Config.OnBotActivity.
const (
	ActivitySend   = "send"   // a new bot message (sendMessage, sendPhoto, copyMessage, ...)
	ActivityEdit   = "edit"   // an edit of a bot message's text, caption or keyboard
	ActivityDelete = "delete" // a bot message was deleted
	ActivityAnswer = "answer" // answerCallbackQuery succeeded
)

// Activity is one thing the bot did in a chat.
type Activity struct {
	ChatID int64
	Kind   string // one of the Activity* constants
	Method string // the Bot API method
	// Message is the message after the change (sends, edits, deletions).
	Message Message
	// Answer is set for ActivityAnswer; ChatID is then the chat of the
	// message whose button was pressed.
	Answer *CallbackAnswer
	At     time.Time
}

// observeLocked queues an activity for the hook; it is delivered by
// flushActivity once the server's mutex is released.
func (s *Server) observeLocked(a Activity) {
	if s.cfg.OnBotActivity == nil {
		return
	}
	if a.At.IsZero() {
		a.At = time.Now()
	}
	s.observed = append(s.observed, a)
}

// observeMessageLocked reports a bot message that was sent or changed.
func (s *Server) observeMessageLocked(kind, method string, m *Message) {
	if s.cfg.OnBotActivity == nil || !m.FromBot {
		return
	}
	s.observeLocked(Activity{ChatID: m.ChatID, Kind: kind, Method: method, Message: m.clone(), At: m.UpdatedAt})
}

// flushActivity calls the hook for the queued activities, outside the
// server's mutex. flushMu keeps the calls in the order the changes were
// made, one at a time, so the hook sees a chat's activity in order.
func (s *Server) flushActivity() {
	hook := s.cfg.OnBotActivity
	if hook == nil {
		return
	}
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	s.mu.Lock()
	batch := s.observed
	s.observed = nil
	s.mu.Unlock()
	for _, a := range batch {
		hook(a)
	}
}
