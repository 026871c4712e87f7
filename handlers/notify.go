package handlers

import (
	"context"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// QueueNotice queues, within tx, a notice an administrator sends to many
// people at once (danvan admin notify: e.g. that their personal data was
// exposed, law.md §6) to one person's private chat. text is plain text:
// it is escaped, so nothing in it is taken for HTML. A text over
// Telegram's limit goes as several messages, in order (bot.Outgoing.Parts).
// A second call with the same dedupeKey queues nothing.
func QueueNotice(ctx context.Context, tx *storage.Store, c storage.Citizen, text, dedupeKey string) error {
	return enqueue(ctx, tx, c.Channel, noticeMessage(c.ChatID, text), dedupeKey)
}

// NoticeMessages is how many messages QueueNotice sends text as.
func NoticeMessages(text string) int { return len(noticeMessage("", text).Parts()) }

func noticeMessage(chatID, text string) bot.Outgoing {
	return bot.Outgoing{Kind: bot.KindText, ChatID: chatID, Text: bot.Escape(text)}
}
