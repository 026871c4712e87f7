package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// turn is the handling of one event: its transaction, the person, and the
// replies it queues in the outbox.
type turn struct {
	ctx      context.Context
	tx       *storage.Store
	ev       bot.Event
	s        *Service
	lang     string
	citizen  storage.Citizen
	answered bool
	// The person's staff roles, loaded on first use.
	staff       []storage.Officer
	staffLoaded bool
	// In a group chat, the unit it is linked to (0: none): what staff do
	// there is seen by everyone in it, so it is limited to that unit's
	// tickets.
	groupUnit int64
	cal       *workcal.Calendar // loaded on first use
}

func (t *turn) text(key string, args ...any) string { return t.s.texts.text(t.lang, key, args...) }

// tooLong tells the person a text of theirs is over the length limit, if
// it is, and reports whether it was.
func (t *turn) tooLong(text string) (bool, error) { return t.longerThan(text, maxDescription) }

// longerThan is tooLong for a text whose limit is limit characters.
func (t *turn) longerThan(text string, limit int) (bool, error) {
	n := len([]rune(text))
	if n <= limit {
		return false, nil
	}
	return true, t.reply("input.too_long", formatNumber(n), formatNumber(limit))
}

// logInfo logs a change once the turn's transaction commits.
func (t *turn) logInfo(msg string, args ...any) {
	t.tx.AfterCommit(func() { t.s.logger.Info(msg, args...) })
}

// send queues a message, to the event's chat unless o names another.
func (t *turn) send(o bot.Outgoing) error {
	if o.ChatID == "" {
		o.ChatID, o.Group = t.ev.Chat.ID, t.ev.Chat.Group
	}
	return enqueue(t.ctx, t.tx, t.ev.Channel, o, "")
}

// reply sends a catalogue text to the event's chat.
func (t *turn) reply(key string, args ...any) error {
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: t.text(key, args...)})
}

// prompt asks the person for the text an action waits for. In a group it
// mentions them and asks their client to reply: a bot in privacy mode (the
// default) sees only commands and replies to its own messages there.
func (t *turn) prompt(key string, args ...any) error { return t.promptText(t.text(key, args...)) }

// promptText is prompt with the text already made.
func (t *turn) promptText(text string) error {
	if !t.ev.Chat.Group {
		return t.send(bot.Outgoing{Kind: bot.KindText, Text: text})
	}
	text = bot.Mention(t.ev.From.ID, t.ev.From.Name) + "\n" + text
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: text, ForceReply: true})
}

// answer answers the pressed button with a short toast (or an alert).
func (t *turn) answer(text string, alert bool) error {
	if t.ev.Button == nil || t.answered {
		return nil
	}
	t.answered = true
	return t.send(bot.Outgoing{Kind: bot.KindAnswer, QueryID: t.ev.Button.QueryID, Text: text, Alert: alert})
}

// show presents a screen: after a button press it replaces the pressed
// message in place (one request instead of two); otherwise, when the
// screen changes the phone keyboard, or when it is too long for one
// message (an edit cannot be split), it sends a new message.
func (t *turn) show(o bot.Outgoing) error {
	o.Kind = bot.KindText
	if b := t.ev.Button; b != nil && b.MessageID != "" && o.Reply == nil && !o.RemoveReply && bot.TextLen(o.Text) <= bot.MaxTextLen {
		o.Kind, o.MessageID = bot.KindEdit, b.MessageID
	}
	return t.send(o)
}

// enqueue queues a message, split if too long, in the outbox within tx.
func enqueue(ctx context.Context, tx *storage.Store, channel string, o bot.Outgoing, dedupeKey string) error {
	if o.Kind == "" {
		return fail("enqueue", errors.New("message without a kind"))
	}
	parts := o.Parts()
	entries := make([]storage.OutboxEntry, len(parts))
	for i, part := range parts {
		payload, err := json.Marshal(part)
		if err != nil {
			return fail("encode message", err)
		}
		key := dedupeKey
		if key != "" && i > 0 {
			key = fmt.Sprintf("%s:%d", key, i)
		}
		entries[i] = storage.OutboxEntry{
			ChatID: part.ChatID, Group: part.Group, Kind: string(part.Kind), Payload: payload, DedupeKey: key,
		}
	}
	return tx.Enqueue(ctx, channel, entries...)
}

// Button data is "prefix:arg:arg..."; it must stay under 64 bytes.
const (
	prefixPetition = "p"
	prefixMenu     = "m"
	prefixLanguage = "l"
	prefixStatus   = "s"
)

func data(parts ...string) string { return strings.Join(parts, ":") }

func splitData(d string) (string, []string) {
	parts := strings.Split(d, ":")
	return parts[0], parts[1:]
}
