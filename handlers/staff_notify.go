package handlers

import (
	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// tellUnits sends every chat where the units' cards go, but the one the
// person acts in, a text made in its language.
func (s *Service) tellUnits(t *turn, unitIDs []int64, text func(lang string) string) error {
	told := map[string]bool{t.ev.Chat.ID: true}
	for _, id := range unitIDs {
		recipients, err := s.staffRecipients(t, id)
		if err != nil {
			return err
		}
		for _, to := range recipients {
			if told[to.chatID] {
				continue
			}
			told[to.chatID] = true
			if err := t.send(bot.Outgoing{Kind: bot.KindText, ChatID: to.chatID, Group: to.group, Text: text(to.lang)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// staffActor names for staff who acted in a role: "Đồng chí X (unit)",
// or the unit alone when the person's name was erased.
func (s *Service) staffActor(lang string, role storage.Officer) string {
	if role.DisplayName == "" {
		return bot.Escape(role.UnitName)
	}
	return s.texts.text(lang, "staff.actor", bot.Escape(role.DisplayName), bot.Escape(role.UnitName))
}
