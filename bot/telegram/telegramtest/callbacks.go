package telegramtest

import (
	"time"
)

const (
	maxCallbackAnswerLen = 200
	errQueryTooOld       = "query is too old and response timeout expired or query ID is invalid"
)

// pendingCallback is a callback query pushed by a test.
type pendingCallback struct {
	id        string
	from      User
	chatID    int64
	messageID int
	data      string
	created   time.Time
	answered  bool
}

func (s *Server) answerCallbackQuery(c *call) (any, *apiError) {
	text := c.p.str("text")
	if utf16Len(text) > maxCallbackAnswerLen {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	cacheTime, _ := c.p.int("cache_time")

	s.mu.Lock()
	defer s.mu.Unlock()
	cb := s.st.callbacks[c.p.str("callback_query_id")]
	// Telegram gives the same answer for unknown, expired and
	// already-answered queries.
	if cb == nil || cb.answered || time.Since(cb.created) > s.cfg.CallbackExpiry {
		return nil, badRequest(errQueryTooOld)
	}
	cb.answered = true
	a := CallbackAnswer{
		QueryID: cb.id, Text: text, ShowAlert: c.p.bool("show_alert"), URL: c.p.str("url"),
		CacheTime: int(cacheTime), At: time.Now(),
		From: cb.from, ChatID: cb.chatID, MessageID: cb.messageID, Data: cb.data,
	}
	s.st.answers = append(s.st.answers, a)
	s.observeLocked(Activity{ChatID: cb.chatID, Kind: ActivityAnswer, Method: c.method, Answer: &a, At: a.At})
	s.notifyLocked()
	return true, nil
}
