package handlers

import (
	"cmp"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// urgencyKey names an urgency as people read it.
func urgencyKey(urgent bool) string {
	if urgent {
		return "value.urgent"
	}
	return "value.not_urgent"
}

// urgentMark is what follows an urgent ticket's status on its card and in
// lists, in lang.
func (s *Service) urgentMark(lang string, tk storage.Ticket) string {
	if !tk.Urgent {
		return ""
	}
	return s.texts.text(lang, "mark.urgent")
}

// setUrgency runs "/khan CODE reason" (urgent) and "/thuong CODE reason"
// (not): the unit handling a ticket judges whether it is urgent, whatever
// its sender said (a danger that needs handling at once; law.md §9). The
// clock moves to the rule of the new urgency, counted from its start as a
// reclassification's does, the sender is told in the unit's name with the
// reason and the new deadline, the unit's chats are told, and the
// timeline keeps the change.
func (s *Service) setUrgency(urgent bool) func(t *turn, tk storage.Ticket, role storage.Officer, reason string) error {
	return func(t *turn, tk storage.Ticket, role storage.Officer, reason string) error {
		switch {
		case tk.ConsultationID.Valid:
			return t.reply("urgency.not_for_comment")
		case isGuidanceKind(tk.Kind):
			return t.reply("urgency.not_for_kind", t.text("kind."+tk.Kind))
		case tk.Urgent == urgent:
			return t.reply("urgency.already", tk.Code, t.text(urgencyKey(urgent)))
		}
		c, err := t.tx.CitizenByID(t.ctx, tk.CitizenID)
		if err != nil {
			return err
		}
		// The timeline entry is the sender's to read (/status, /mydata), in
		// their language.
		tr := func(key string, args ...any) string { return s.texts.text(c.Language, key, args...) }
		body := tr(urgencyKey(tk.Urgent)) + " → " + tr(urgencyKey(urgent)) + tr("reclassify.reason", reason)
		if err := t.tx.SetTicketUrgent(t.ctx, tk.ID, urgent); err != nil {
			return err
		}
		if tk, err = s.change(t, tk, role, storage.EventUrgency, "", body, false); err != nil {
			return err
		}
		if err := s.reclassifyClock(t, tk); err != nil {
			return err
		}
		// The ticket as the clock left it, for its copies.
		if tk, err = t.tx.TicketByID(t.ctx, tk.ID); err != nil {
			return err
		}
		due, err := s.deadlineText(t, tk)
		if err != nil {
			return err
		}
		voice, err := s.voiceOf(t, tk, role)
		if err != nil {
			return err
		}
		text := tr("citizen.urgency", voice, tk.Code, tr(urgencyKey(urgent)), bot.Escape(reason))
		if due != "" {
			text += "\n\n" + tr("citizen.expected_due", due)
		}
		if err := t.send(bot.Outgoing{Kind: bot.KindText, ChatID: c.ChatID, Text: text}); err != nil {
			return err
		}
		if due == "" {
			due = t.text("value.none")
		}
		if err := s.tellUnits(t, []int64{tk.UnitID.Int64}, func(lang string) string {
			return s.texts.text(lang, "staff.urgency", s.staffActor(lang, role), tk.Code,
				s.texts.text(lang, urgencyKey(urgent)), due, bot.Escape(reason))
		}); err != nil {
			return err
		}
		if err := s.tellLeadersUrgent(t, tk); err != nil {
			return err
		}
		// The mark on the first line and the deadline, on every copy.
		if err := s.refreshCopies(t, tk); err != nil {
			return err
		}
		return t.reply("task.done_urgency", tk.Code, t.text(urgencyKey(urgent)), due)
	}
}

// deadlineText is a ticket's deadline as its clock has it now, as people
// are told it (dueText), or "" when it has none.
func (s *Service) deadlineText(t *turn, tk storage.Ticket) (string, error) {
	clock, err := t.tx.TicketClock(t.ctx, tk.ID)
	if err != nil || clock.RuleID == 0 || !clock.DueAt.Valid {
		return "", err
	}
	r, err := t.tx.DeadlineRuleByID(t.ctx, clock.RuleID)
	if err != nil {
		return "", err
	}
	return dueText(r, clock.DueAt.Time), nil
}

// tellLeadersUrgent tells the leaders of an urgent ticket's unit at once,
// beside its card to the officers (a danger needs their eye before any
// deadline passes): its code, field, unit and deadline, none of the
// sender's words or name, so that sealing has nothing to change in it.
// Leaders who got the card (a unit without officers or groups) and the
// person acting are not told again.
func (s *Service) tellLeadersUrgent(t *turn, tk storage.Ticket) error {
	if !tk.Urgent || !tk.UnitID.Valid {
		return nil
	}
	leaders, err := t.tx.UnitStaff(t.ctx, tk.UnitID.Int64, storage.RoleLeader)
	if err != nil {
		return err
	}
	carded, err := s.staffRecipients(t, tk.UnitID.Int64)
	if err != nil {
		return err
	}
	told := map[string]bool{t.ev.Chat.ID: true}
	for _, r := range carded {
		told[r.chatID] = true
	}
	u, err := t.tx.UnitByID(t.ctx, tk.UnitID.Int64)
	if err != nil {
		return err
	}
	due, err := s.deadlineText(t, tk)
	if err != nil {
		return err
	}
	var cat *storage.Category
	if tk.CategoryID.Valid {
		c, err := t.tx.CategoryByID(t.ctx, tk.CategoryID.Int64)
		if err != nil {
			return err
		}
		cat = &c
	}
	for _, l := range leaders {
		if told[l.ChatID] || l.CitizenID == t.citizen.ID { // the person acting, in a group too
			continue
		}
		told[l.ChatID] = true
		c, err := t.tx.CitizenByID(t.ctx, l.CitizenID)
		if err != nil {
			return err
		}
		field, when := s.texts.text(c.Language, "value.none"), cmp.Or(due, s.texts.text(c.Language, "value.none"))
		if cat != nil {
			field = bot.Escape(categoryName(c.Language, *cat))
		}
		text := s.texts.text(c.Language, "staff.urgent_leaders", tk.Code, s.texts.text(c.Language, "kind."+tk.Kind), field,
			bot.Escape(localName(c.Language, u.Name, u.NameEN)), when)
		if err := t.send(bot.Outgoing{Kind: bot.KindText, ChatID: l.ChatID, Text: text}); err != nil {
			return err
		}
	}
	return nil
}
