package handlers

import (
	"strconv"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// cmdExtend runs "/giahan CODE N reason": a leader of the ticket's unit or
// above, or an admin, extends its deadline by N of its rule's units, as
// far as the rule allows (law.md §11: an extension needs a reason and a
// decision that is notified). It must be decided before the deadline
// passes and while the clock runs: a clock paused for the citizen already
// gives the unit the time they take. The sender is told the new date and
// the reason, the unit's chats the same, and the timeline keeps the reason.
func (s *Service) cmdExtend(t *turn) error {
	cmd, ok, err := s.readTicketCommand(t, "extend.usage")
	if !ok || err != nil {
		return err
	}
	tk, reason := cmd.tk, cmd.reason
	n, err := strconv.Atoi(cmd.word)
	if err != nil || n <= 0 {
		return t.reply("extend.usage")
	}
	// Any of the person's roles that decides: a leader above the unit may
	// be one of its officers too.
	role, ok := cmd.role, true
	if !decides(role) {
		if role, ok, err = t.roleOver(tk, decides); err != nil {
			return err
		}
	}
	if !ok {
		return t.reply("extend.leaders_only")
	}
	clock, err := t.tx.TicketClock(t.ctx, tk.ID)
	if err != nil {
		return err
	}
	switch due := clock.DueAt.Time; {
	case clock.RuleID == 0 || !clock.DueAt.Valid:
		return t.reply("extend.no_deadline", tk.Code)
	case clock.PausedAt.Valid && clock.PausedAt.Time.Before(due):
		return t.reply("extend.paused", tk.Code)
	case s.now().After(due) || clock.PausedAt.Valid:
		// Paused once it had run out, it is overdue still (dueBefore).
		return t.reply("extend.overdue", tk.Code, formatTime(due))
	}
	r, err := t.tx.DeadlineRuleByID(t.ctx, clock.RuleID)
	if err != nil {
		return err
	}
	switch {
	case r.MaxExtensions == 0:
		return t.reply("extend.not_allowed", tk.Code)
	case clock.Extensions >= r.MaxExtensions:
		return t.reply("extend.used_up", tk.Code, clock.Extensions)
	case n > r.ExtensionLimit:
		return t.reply("extend.too_long", t.text("limit."+r.LimitUnit, r.ExtensionLimit))
	}
	cal, err := t.calendar()
	if err != nil {
		return err
	}
	due, days := lengthenDeadline(cal, r, clock.StartedAt, clock.DueAt.Time, clock.Days, n)
	if err := t.tx.ExtendTicketClock(t.ctx, tk.ID, due, days, n); err != nil {
		return err
	}
	if tk, err = s.change(t, tk, role, storage.EventExtended, "", reason, false); err != nil {
		return err
	}
	when := dueText(r, due)
	if err := s.tellExtension(t, tk, r, role, n, when, reason); err != nil {
		return err
	}
	// The new deadline, on every copy (tk is read after the clock moved).
	if err := s.refreshCopies(t, tk); err != nil {
		return err
	}
	return t.reply("task.done_extend", tk.Code, when)
}

// decides: leaders and admins decide extensions.
func decides(r storage.Officer) bool {
	return r.Role == storage.RoleLeader || r.Role == storage.RoleAdmin
}

// dueText is a deadline under rule r as people are told it: its day, or
// under a rule in working hours its hour and day.
func dueText(r storage.DeadlineRule, due time.Time) string {
	if r.LimitUnit == "working_hours" {
		return formatTime(due)
	}
	return formatDate(due)
}

// tellExtension tells a ticket's sender, and its unit's chats but the one
// the command came from, that its deadline was extended by n to when.
func (s *Service) tellExtension(t *turn, tk storage.Ticket, r storage.DeadlineRule, role storage.Officer, n int, when, reason string) error {
	c, err := t.tx.CitizenByID(t.ctx, tk.CitizenID)
	if err != nil {
		return err
	}
	voice, err := s.voiceOf(t, tk, role)
	if err != nil {
		return err
	}
	text := s.texts.text(c.Language, "citizen.extended", voice, tk.Code,
		s.texts.text(c.Language, "limit."+r.LimitUnit, n), when, bot.Escape(reason))
	if err := t.send(bot.Outgoing{Kind: bot.KindText, ChatID: c.ChatID, Text: text}); err != nil {
		return err
	}
	return s.tellUnits(t, []int64{tk.UnitID.Int64}, func(lang string) string {
		return s.texts.text(lang, "staff.extended", s.staffActor(lang, role), tk.Code, when, bot.Escape(reason))
	})
}
