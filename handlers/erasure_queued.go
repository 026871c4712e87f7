package handlers

import (
	"encoding/json"
	"strings"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// unnameQueued takes the person's name off the cards of their petitions
// still queued to the units' chats when they erase their data: the units
// get the petition they handle, but the name is erased from then on, as
// the cards sent after show it (card.go). A card being delivered at that
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
	// phone after the name.
	var pairs []string
	for _, lang := range languages {
		label := s.texts.text(lang, "field.sender") + ": "
		for _, end := range []string{"\n", " · "} {
			pairs = append(pairs, label+bot.Escape(c.DisplayName)+end, label+s.texts.text(lang, "value.name_erased")+end)
		}
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
