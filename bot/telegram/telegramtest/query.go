package telegramtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// This file is the test-side query API: what did the bot do?

// ErrClosed is returned by the Wait* methods when the server is closed.
var ErrClosed = errors.New("telegramtest: server closed")

// Sent returns the messages the bot sent to a chat that are not deleted,
// in the order they were sent, each in its current state (after edits).
func (s *Server) Sent(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.botMessagesLocked(chatID, 0)
}

func (s *Server) botMessagesLocked(chatID int64, after Cursor) []Message {
	var out []Message
	if cs := s.st.chats[chatID]; cs != nil {
		for _, m := range cs.msgs {
			if m.FromBot && !m.Deleted && m.seq > uint64(after) {
				out = append(out, m.clone())
			}
		}
	}
	return out
}

// LastSent returns the most recent bot message in a chat that is not
// deleted.
func (s *Server) LastSent(chatID int64) (Message, bool) {
	sent := s.Sent(chatID)
	if len(sent) == 0 {
		return Message{}, false
	}
	return sent[len(sent)-1], true
}

// History returns every message of a chat, the user's and the bot's,
// including deleted ones (Deleted is set), in order.
func (s *Server) History(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	if cs := s.st.chats[chatID]; cs != nil {
		for _, m := range cs.msgs {
			out = append(out, m.clone())
		}
	}
	return out
}

// Message returns one message of a chat (deleted messages included).
func (s *Server) Message(chatID int64, messageID int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs := s.st.chats[chatID]; cs != nil {
		if m := cs.byID[messageID]; m != nil {
			return m.clone(), true
		}
	}
	return Message{}, false
}

// Cursor returns the current bot-activity cursor, for WaitAfter.
func (s *Server) Cursor() Cursor {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Cursor(s.st.seq)
}

// WaitFor blocks until a bot message in chatID (sent or edited, not
// deleted, including messages already present) satisfies match, and
// returns it. match nil accepts any message. The error on timeout lists
// the bot's messages in the chat.
func (s *Server) WaitFor(ctx context.Context, chatID int64, match func(Message) bool) (Message, error) {
	return s.WaitAfter(ctx, 0, chatID, match)
}

// WaitAfter is WaitFor restricted to messages sent or edited after the
// cursor.
func (s *Server) WaitAfter(ctx context.Context, after Cursor, chatID int64, match func(Message) bool) (Message, error) {
	for {
		s.mu.Lock()
		candidates := s.botMessagesLocked(chatID, after)
		changed := s.changed
		s.mu.Unlock()
		// match runs without the lock so it may call back into the server.
		for _, m := range candidates {
			if match == nil || match(m) {
				return m, nil
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Message{}, fmt.Errorf("telegramtest: no matching bot message in chat %d: %w; bot messages: %s",
				chatID, ctx.Err(), describe(s.Sent(chatID)))
		case <-s.done:
			return Message{}, ErrClosed
		}
	}
}

// WaitChange blocks until the bot changed something in chatID after the
// cursor: sent or edited a message, or deleted one (its own or, in a
// private chat, the user's), which WaitAfter does not report. It returns
// the cursor to wait after next.
func (s *Server) WaitChange(ctx context.Context, after Cursor, chatID int64) (Cursor, error) {
	for {
		s.mu.Lock()
		changed, now := s.changed, Cursor(s.st.seq)
		found := false
		if cs := s.st.chats[chatID]; cs != nil {
			for _, m := range cs.msgs {
				found = found || m.seq > uint64(after)
			}
		}
		s.mu.Unlock()
		if found {
			return now, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return after, ctx.Err()
		case <-s.done:
			return after, ErrClosed
		}
	}
}

// WaitReply waits for a bot message in the chat of a push, sent or edited
// after the push.
func (s *Server) WaitReply(ctx context.Context, p Pushed, match func(Message) bool) (Message, error) {
	return s.WaitAfter(ctx, p.Cursor, p.ChatID, match)
}

func describe(msgs []Message) string {
	if len(msgs) == 0 {
		return "none"
	}
	if len(msgs) > 10 {
		msgs = msgs[len(msgs)-10:]
	}
	var b strings.Builder
	for _, m := range msgs {
		text := m.Text
		if text == "" {
			text = m.Caption
		}
		if r := []rune(text); len(r) > 80 {
			text = string(r[:80]) + "..."
		}
		fmt.Fprintf(&b, "\n  #%d %s %q edits=%d buttons=%s", m.ID, m.Method, text, m.EditCount, buttonTexts(m))
	}
	return b.String()
}

// TextContains matches messages whose text or caption contains sub.
func TextContains(sub string) func(Message) bool {
	return func(m Message) bool { return strings.Contains(m.Text, sub) || strings.Contains(m.Caption, sub) }
}

// HasButton matches messages with an inline button labelled text.
func HasButton(text string) func(Message) bool {
	return func(m Message) bool { _, ok := m.Button(text); return ok }
}

// All matches messages that satisfy every predicate.
func All(preds ...func(Message) bool) func(Message) bool {
	return func(m Message) bool {
		for _, p := range preds {
			if !p(m) {
				return false
			}
		}
		return true
	}
}

// CallCount returns how many requests a method received (whatever their
// outcome, including calls still in progress). The name is
// case-insensitive; file downloads count as "file".
func (s *Server) CallCount(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.calls[s.canonicalMethod(method)]
}

// Requests returns the request log (completed requests, oldest first).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	reqs := s.st.requests
	if n := len(reqs); n > s.cfg.MaxRequestLog {
		reqs = reqs[n-s.cfg.MaxRequestLog:]
	}
	return slices.Clone(reqs)
}

// CallbackAnswers returns every successful answerCallbackQuery, in order.
func (s *Server) CallbackAnswers() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.answers)
}

// WaitCallbackAnswer blocks until the callback query is answered.
func (s *Server) WaitCallbackAnswer(ctx context.Context, queryID string) (CallbackAnswer, error) {
	for {
		s.mu.Lock()
		for _, a := range s.st.answers {
			if a.QueryID == queryID {
				s.mu.Unlock()
				return a, nil
			}
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return CallbackAnswer{}, fmt.Errorf("telegramtest: callback query %s not answered: %w", queryID, ctx.Err())
		case <-s.done:
			return CallbackAnswer{}, ErrClosed
		}
	}
}

// ChatActions returns the sendChatAction calls for a chat, in order.
func (s *Server) ChatActions(chatID int64) []ChatAction {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs := s.st.chats[chatID]; cs != nil {
		return slices.Clone(cs.actions)
	}
	return nil
}

// ReplyKeyboard returns the reply keyboard the user of a chat currently
// sees (set by the last message with a keyboard, cleared by
// remove_keyboard), or nil.
func (s *Server) ReplyKeyboard(chatID int64) *ReplyKeyboard {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs := s.st.chats[chatID]; cs != nil {
		return cs.keyboard.clone()
	}
	return nil
}

// ForceReplyFor returns the bot message whose reply box a Telegram app of
// user u opens in a chat, as the apps do for force_reply: the bot's latest
// message there with a reply markup (other than an inline keyboard) that
// applies to u, when that markup is force_reply and u has not sent a
// message in the chat since. A selective markup applies only to the users
// its text mentions (@username, or a tg://user?id= link) and to the sender
// of the message it replies to. Tests and the sandbox use it to send what
// a person types next as a reply, as a real client does.
func (s *Server) ForceReplyFor(chatID int64, u User) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.st.chats[chatID]
	if cs == nil {
		return Message{}, false
	}
	for i := len(cs.msgs) - 1; i >= 0; i-- {
		m := cs.msgs[i]
		if m.Deleted {
			continue
		}
		if !m.FromBot {
			if m.From.ID == u.ID {
				return Message{}, false // the reply box was used (or closed)
			}
			continue
		}
		var selective bool
		switch {
		case m.ForceReply:
			selective = m.ForceReplySelective
		case m.ReplyKeyboard != nil:
			selective = m.ReplyKeyboard.Selective
		case m.RemoveKeyboard:
		default:
			continue
		}
		if selective && !addressesLocked(cs, m, u) {
			continue
		}
		if !m.ForceReply {
			return Message{}, false
		}
		return m.clone(), true
	}
	return Message{}, false
}

// addressesLocked reports whether a bot message is meant for u in the
// sense of selective reply markup: its text mentions u, or it replies to a
// message of u.
func addressesLocked(cs *chatState, m *Message, u User) bool {
	if r := cs.byID[m.ReplyToMessageID]; r != nil && !r.FromBot && r.From.ID == u.ID {
		return true
	}
	text, ents := m.Text, m.Entities
	if text == "" {
		text, ents = m.Caption, m.CaptionEntities
	}
	for _, e := range ents {
		switch e.Type {
		case "mention":
			if u.Username != "" && strings.EqualFold(entityText(text, e), "@"+u.Username) {
				return true
			}
		case "text_link":
			if id, ok := strings.CutPrefix(strings.ToLower(e.URL), "tg://user?id="); ok && id == strconv.FormatInt(u.ID, 10) {
				return true
			}
		}
	}
	return false
}
