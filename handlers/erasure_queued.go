package handlers

import (
	"encoding/json"
	"strings"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// unnameQueued takes the person's name off the cards of their petitions
// and reception bookings still queued to the units' chats when they erase
// their data, and off the intake's answers naming the sender of one
// (identity.go): the units get the petition or the booking they handle,
// but the name is erased from then on, as the messages sent after show
// it (card.go, reception_staff.go). A card being delivered at that
// moment is edited after (storage.ReplaceQueued). It runs before
// presealCopies, which reads these messages as they will go out.
func (s *Service) unnameQueued(t *turn, c storage.Citizen) error {
	if c.DisplayName == "" {
		return nil
	}
	if err := t.tx.WriteQueued(t.ctx); err != nil {
		return err
	}
	msgs, err := t.tx.QueuedAbout(t.ctx, t.ev.Channel, c.ID, c.ChatID)
	if err != nil {
		return err
	}
	// The sender's line, in each language, as it ends: the line, or the
	// phone after the name; the intake's answer to /identity
	// (identity.go), whose phone forgetSentPhone takes; and a booking's
	// card (reception_staff.go), which names the erased as unnamed.
	name := bot.Escape(c.DisplayName)
	var pairs []string
	for _, lang := range languages {
		erased := s.texts.text(lang, "value.name_erased")
		label := s.texts.text(lang, "field.sender") + ": "
		for _, end := range []string{"\n", " · "} {
			pairs = append(pairs, label+name+end, label+erased+end)
		}
		// A text with the name between two other arguments: the words
		// from one to the other tell it apart.
		between := func(key, instead string, args func(name string) []any) {
			if from, to := s.between(lang, key, args(name)...), s.between(lang, key, args(instead)...); from != "" && to != "" {
				pairs = append(pairs, from, to)
			}
		}
		between("identity.shown", erased, func(name string) []any { return []any{argBefore, name, argAfter} })
		between("reception.card", s.texts.text(lang, "reception.unnamed"), func(name string) []any {
			return []any{0, "", "", "", "", argBefore, name, argAfter, ""}
		})
	}
	unname := strings.NewReplacer(pairs...)
	for _, m := range msgs {
		var o bot.Outgoing
		if err := json.Unmarshal(m.Payload, &o); err != nil {
			return fail("decode outbox message", err)
		}
		text := unname.Replace(o.Text)
		if text == o.Text {
			continue
		}
		o.Text = text
		// Delivered since it was listed: the copy kept of it goes with
		// the rest.
		if _, err := t.tx.ReplaceQueued(t.ctx, m.OutboxID, storage.OutboxEntry{ChatID: m.ChatID, Group: m.Group,
			Kind: m.Kind, Payload: mustJSON(o)}, m.KeptCopy); err != nil {
			return err
		}
	}
	return nil
}

// Stand-ins for the arguments either side of a name in a text (between).
const argBefore, argAfter = "\x00", "\x01"

// between returns the catalogue text made with args from the end of
// argBefore to the start of argAfter, or "" if they are not in that order.
func (s *Service) between(lang, key string, args ...any) string {
	text := s.texts.text(lang, key, args...)
	from, to := strings.Index(text, argBefore), strings.Index(text, argAfter)
	if from < 0 || to < from {
		return ""
	}
	return text[from+len(argBefore) : to]
}
