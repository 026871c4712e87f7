package handlers

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// How many tickets /inbox and /mine list.
const inboxLimit = 20

// staffOnly wraps a staff command: anyone else is refused and nothing changes.
func (s *Service) staffOnly(run commandFunc) commandFunc {
	return func(t *turn) error {
		ok, err := t.isStaff()
		if err != nil {
			return err
		}
		if !ok {
			return t.reply("access.staff_only")
		}
		return run(t)
	}
}

func (s *Service) cmdInbox(t *turn) error {
	units, all, err := t.scopeUnits()
	if err != nil {
		return err
	}
	var tickets []storage.Ticket
	if all {
		tickets, err = t.tx.OpenTickets(t.ctx, inboxLimit)
	} else {
		tickets, err = t.tx.UnitInbox(t.ctx, units, inboxLimit)
	}
	if err != nil {
		return err
	}
	return s.ticketList(t, "inbox.title", "inbox.empty", tickets)
}

func (s *Service) cmdMine(t *turn) error {
	roles, err := t.roles()
	if err != nil {
		return err
	}
	ids := make([]int64, len(roles))
	for i, r := range roles {
		ids[i] = r.ID
	}
	handled, err := t.tx.TicketsHandledBy(t.ctx, ids, inboxLimit)
	if err != nil {
		return err
	}
	// Not those transferred out of the person's scope since (or, in a
	// group, of another unit than the group's).
	var tickets []storage.Ticket
	for _, tk := range handled {
		_, ok, err := t.actingRole(tk)
		if err != nil {
			return err
		}
		if ok {
			tickets = append(tickets, tk)
		}
	}
	return s.ticketList(t, "mine.title", "mine.empty", tickets)
}

// ticketListExcerpt is how much of a ticket's text /inbox and /mine
// quote.
const ticketListExcerpt = 80

func (s *Service) ticketList(t *turn, titleKey, emptyKey string, tickets []storage.Ticket) error {
	if len(tickets) == 0 {
		return t.reply(emptyKey)
	}
	var b strings.Builder
	b.WriteString(t.text(titleKey) + "\n")
	var rows [][]bot.InlineButton
	for _, tk := range tickets {
		mark, err := s.deadlineMark(t, tk)
		if err != nil {
			return err
		}
		due := ""
		if tk.DueAt.Valid && isOpen(tk.Status) {
			due = " · " + t.text("field.deadline") + " " + formatDate(tk.DueAt.Time)
		}
		if mark != "" {
			due += " · " + t.text(mark)
		}
		fmt.Fprintf(&b, "\n<b>%s</b> · %s · %s%s%s\n%s", tk.Code, t.text("kind."+tk.Kind), t.text("status."+tk.Status),
			s.urgentMark(t.lang, tk), due, bot.Escape(excerpt(tk.Description, ticketListExcerpt)))
		rows = append(rows, []bot.InlineButton{{Text: tk.Code, Data: data(prefixCard, fmt.Sprint(tk.ID))}})
	}
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: b.String(), Buttons: rows})
}

// Buttons "c:<ticket id>" open a ticket's card.
const prefixCard = "c"

func (s *Service) cardButton(t *turn, args []string) error {
	if len(args) != 1 {
		return t.answer(t.text("button.stale"), false)
	}
	var id int64
	if _, err := fmt.Sscan(args[0], &id); err != nil {
		return t.answer(t.text("button.stale"), false)
	}
	tk, err := t.tx.TicketByID(t.ctx, id)
	return s.showCard(t, tk, err)
}

func (s *Service) cmdTicket(t *turn) error {
	tk, given, err := s.ticketFromArgs(t, "ticket.usage")
	if !given {
		return err
	}
	return s.showCard(t, tk, err)
}

func (s *Service) showCard(t *turn, tk storage.Ticket, err error) error {
	tk, _, ok, err := s.loadTicketFor(t, tk, err)
	if !ok || err != nil {
		return err
	}
	card, err := s.card(t, tk, t.lang)
	if err != nil {
		return err
	}
	if err := t.send(card); err != nil {
		return err
	}
	return s.sendTimeline(t, tk)
}

// sendTimeline shows staff the history, internal notes included, in one
// message (so that it can be sealed as one, reclassify.go): the latest
// events when all do not fit.
func (s *Service) sendTimeline(t *turn, tk storage.Ticket) error {
	events, err := t.tx.Events(t.ctx, tk.ID)
	if err != nil {
		return err
	}
	lines := make([]string, len(events))
	for i, e := range events {
		line := fmt.Sprintf("\n• %s — %s", formatTime(e.At), t.text("event."+e.Kind))
		if e.Internal {
			line += " 🔒"
		}
		if body := shownBody(e); body != "" {
			line += ": " + bot.Escape(excerpt(body, 300))
		}
		lines[i] = line
	}
	text := t.text("staff.timeline", tk.Code) + strings.Join(lines, "")
	for left := lines; bot.TextLen(text) > bot.MaxTextLen && len(left) > 1; {
		left = left[1:]
		text = t.text("staff.timeline", tk.Code) + "\n" + t.text("staff.timeline_earlier", len(lines)-len(left)) +
			strings.Join(left, "")
	}
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: text})
}

// shownBody is what a timeline shows after an event's label. An automatic
// close recorded before its label said why carries the English words "no
// rating", which the label now says in the reader's language. The reason
// for a look at a confidential sender may hint at who they are: it stays
// in the log (danvan admin identity-reads), off the unit's timeline.
func shownBody(e storage.TicketEvent) string {
	if (e.Kind == storage.EventClosed && e.ActorKind == storage.ActorSystem) || e.Kind == storage.EventIdentityRead {
		return ""
	}
	return e.Body
}

// ticketFromArgs reads and locks the ticket whose code starts a command's
// arguments. Without a code there, given is false and the person is told
// the command's syntax (usageKey): a word that is no code is a mistake in
// the command, not a ticket they may not see.
func (s *Service) ticketFromArgs(t *turn, usageKey string) (tk storage.Ticket, given bool, err error) {
	code, ok := storage.ParseCode(commandWord(t.ev.Args))
	if !ok {
		return storage.Ticket{}, false, t.reply(usageKey)
	}
	tk, err = t.tx.LockTicketByCode(t.ctx, code)
	return tk, true, err
}

// commandText is what follows the first skip words: "/reply CODE text"
// → "text". Words are separated by any white space: people put the text
// on the next line too.
func commandText(args string, skip int) string {
	rest := strings.TrimSpace(args)
	for range skip {
		i := strings.IndexFunc(rest, unicode.IsSpace)
		if i < 0 {
			return ""
		}
		rest = strings.TrimLeftFunc(rest[i:], unicode.IsSpace)
	}
	return normalize(rest)
}

// commandWord is the first word of a command's arguments.
func commandWord(args string) string {
	if fields := strings.Fields(args); len(fields) > 0 {
		return fields[0]
	}
	return ""
}

// staffTextCommand runs "/<cmd> CODE text" with the same checks as the
// card's buttons.
func (s *Service) staffTextCommand(usageKey string, run func(t *turn, tk storage.Ticket, role storage.Officer, text string) error, needOpen bool) commandFunc {
	return func(t *turn) error {
		text := commandText(t.ev.Args, 1)
		if text == "" {
			return t.reply(usageKey)
		}
		if over, err := t.tooLong(text); over || err != nil {
			return err
		}
		tk, given, err := s.ticketFromArgs(t, usageKey)
		if !given {
			return err
		}
		tk, role, ok, err := s.loadTicketFor(t, tk, err)
		if !ok || err != nil {
			return err
		}
		if needOpen && !isOpen(tk.Status) {
			return t.reply("ticket.closed")
		}
		return run(t, tk, role, text)
	}
}

// progress sends the citizen an update without closing the ticket.
func (s *Service) progress(t *turn, tk storage.Ticket, role storage.Officer, text string) error {
	status := ""
	if tk.Status != storage.StatusAwaitingInfo {
		status = storage.StatusInProgress
	}
	tk, err := s.change(t, tk, role, storage.EventProgress, status, text, false)
	if err != nil {
		return err
	}
	voice, err := s.voiceOf(t, tk, role)
	if err != nil {
		return err
	}
	if err := s.tellCitizen(t, tk, "citizen.progress", voice, tk.Code, bot.Escape(text)); err != nil {
		return err
	}
	if err := s.refreshCopies(t, tk); err != nil {
		return err
	}
	return t.reply("task.done_reply", tk.Code)
}

func (s *Service) resolve(t *turn, tk storage.Ticket, role storage.Officer, text string) error {
	return s.answerTicket(t, tk, role, text, nil)
}

// ticketCommand is "/<cmd> CODE WORD reason" (a transfer's unit, an
// extension's length) read and checked: the ticket is open and in the
// person's scope, the reason not too long.
type ticketCommand struct {
	tk     storage.Ticket
	role   storage.Officer
	word   string
	reason string
}

// readTicketCommand reads a ticketCommand; ok is false when the person
// has been answered (with usageKey when a part is missing).
func (s *Service) readTicketCommand(t *turn, usageKey string) (ticketCommand, bool, error) {
	fields := strings.Fields(t.ev.Args)
	reason := commandText(t.ev.Args, 2)
	if len(fields) < 3 || reason == "" {
		return ticketCommand{}, false, t.reply(usageKey)
	}
	if over, err := t.tooLong(reason); over || err != nil {
		return ticketCommand{}, false, err
	}
	tk, given, err := s.ticketFromArgs(t, usageKey)
	if !given {
		return ticketCommand{}, false, err
	}
	tk, role, ok, err := s.loadTicketFor(t, tk, err)
	if !ok || err != nil {
		return ticketCommand{}, false, err
	}
	if !isOpen(tk.Status) {
		return ticketCommand{}, false, t.reply("ticket.closed")
	}
	return ticketCommand{tk: tk, role: role, word: fields[1], reason: reason}, true, nil
}

func (s *Service) cmdTransfer(t *turn) error {
	cmd, ok, err := s.readTicketCommand(t, "transfer.usage")
	if !ok || err != nil {
		return err
	}
	unit, err := t.tx.UnitByCode(t.ctx, strings.ToLower(cmd.word))
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !unit.Active) {
		return t.reply("unit.unknown", bot.Escape(excerpt(cmd.word, 40)))
	}
	if err != nil {
		return err
	}
	if cmd.tk.UnitID.Valid && unit.ID == cmd.tk.UnitID.Int64 {
		return t.reply("transfer.same_unit")
	}
	return s.transfer(t, cmd.tk, cmd.role, unit.ID, cmd.reason)
}
