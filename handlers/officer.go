package handlers

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// flowOfficer is a staff member's pending action that waits for their text
// (an answer, a question to the citizen, a reason...).
const flowOfficer = "officer"

type officerTask struct {
	TicketID   int64  `json:"ticket_id"`
	Action     string `json:"action"`
	UnitID     int64  `json:"unit_id,omitempty"`     // transfer target
	Kind       string `json:"kind,omitempty"`        // reclassification: the new kind
	CategoryID int64  `json:"category_id,omitempty"` // and category, 0 keeping it
	BookingID  int64  `json:"booking_id,omitempty"`  // a reception booking's refusal, instead of a ticket
}

// loadTicketFor finds a ticket for a staff action and checks the person's
// scope. Outside it, the answer is the same as for an unknown code.
func (s *Service) loadTicketFor(t *turn, tk storage.Ticket, err error) (storage.Ticket, storage.Officer, bool, error) {
	if errors.Is(err, storage.ErrNotFound) {
		return tk, storage.Officer{}, false, t.refuse()
	}
	if err != nil {
		return tk, storage.Officer{}, false, err
	}
	role, ok, err := t.actingRole(tk)
	if err != nil || !ok {
		return tk, role, false, errors.Join(err, t.refuse())
	}
	return tk, role, true, nil
}

// lockOpenTicket locks a ticket for a button that would change it, checks
// the person's scope and that the ticket is still open. When ok is false,
// the press has been answered.
func (s *Service) lockOpenTicket(t *turn, id int64) (storage.Ticket, bool, error) {
	tk, err := t.tx.LockTicket(t.ctx, id)
	tk, _, ok, err := s.loadTicketFor(t, tk, err)
	if !ok || err != nil {
		return tk, false, err
	}
	if !isOpen(tk.Status) {
		return tk, false, t.answer(t.text("ticket.closed"), true)
	}
	return tk, true, nil
}

// refuse tells the person they cannot do this, as a toast for a button.
func (t *turn) refuse() error {
	if t.ev.Button != nil {
		return t.answer(t.text("access.denied"), true)
	}
	return t.reply("access.denied")
}

// officerButton handles the buttons of a ticket card, "o:to:<ticket
// id>:<unit id>" choosing where to transfer it, and the choices of a
// reclassification (reclassify.go).
func (s *Service) officerButton(t *turn, args []string) error {
	switch {
	case len(args) == 3 && args[0] == actTransferTo:
		return s.transferToButton(t, args[1], args[2])
	case len(args) == 3 && args[0] == actReclassifyKind, len(args) == 4 && args[0] == actReclassifyCategory:
		return s.reclassifyButton(t, args)
	}
	if len(args) != 2 {
		return t.answer(t.text("button.stale"), false)
	}
	id, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil {
		return t.answer(t.text("button.stale"), false)
	}
	tk, err := t.tx.LockTicket(t.ctx, id)
	tk, role, ok, err := s.loadTicketFor(t, tk, err)
	if !ok || err != nil {
		return err
	}
	switch args[0] {
	case actAccept:
		return s.accept(t, tk, role)
	case actAsk, actAnswer, actReject, actNote:
		if args[0] != actNote && !isOpen(tk.Status) {
			return t.answer(t.text("ticket.closed"), true)
		}
		return s.startTask(t, officerTask{TicketID: tk.ID, Action: args[0]}, tk)
	case actTransfer:
		if !isOpen(tk.Status) {
			return t.answer(t.text("ticket.closed"), true)
		}
		if err := s.startTask(t, officerTask{TicketID: tk.ID, Action: actTransfer}, tk); err != nil {
			return err
		}
		return s.transferChoices(t, tk)
	case actReclassify:
		if !isOpen(tk.Status) {
			return t.answer(t.text("ticket.closed"), true)
		}
		return s.reclassifyKinds(t, tk)
	}
	return t.answer(t.text("button.stale"), false)
}

// startTask asks the staff member for the text of an action on tk. An
// answer or a reason why the unit is not competent also goes to the
// ticket's co-signers (tellCosigners): the prompt says so, since what is
// written for the sender may name them or quote their petition.
func (s *Service) startTask(t *turn, task officerTask, tk storage.Ticket) error {
	if err := s.saveStep(t, flowOfficer, task.Action, task); err != nil {
		return err
	}
	if err := t.answer("", false); err != nil {
		return err
	}
	text := t.text("task."+task.Action, tk.Code)
	if tk.Cosigners > 0 && (task.Action == actAnswer || task.Action == actReject) && !sealedFromCosigners(tk) {
		text += "\n\n" + t.text("task.cosigners_told", tk.Cosigners)
	}
	return t.promptText(text)
}

// officerInput receives the text (or photo) a pending action waits for.
func (s *Service) officerInput(t *turn, conv *storage.Conversation) error {
	var task officerTask
	if err := json.Unmarshal(conv.Data, &task); err != nil {
		return fail("decode task", err)
	}
	if done, err := s.cancelTyped(t); done || err != nil {
		return err
	}
	ev := t.ev
	text := normalize(ev.Text)
	answerMedia := mediaOf(ev, true)
	// Only an answer carries a photo or a file: taking the caption alone
	// would send a question or a reason that speaks of a picture nobody
	// gets.
	if answerMedia != nil && task.Action != actAnswer {
		return t.prompt("task.text_only")
	}
	if text == "" && answerMedia == nil {
		return t.prompt("task.need_text")
	}
	if over, err := t.tooLong(text); over || err != nil {
		return err
	}
	// The task ends here whatever happens next: a ticket that has left
	// the person's scope meanwhile (transferred, say) must not hold every
	// later message of theirs.
	if err := t.tx.EndConversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID); err != nil {
		return err
	}
	if task.Action == actRefuseBooking {
		return s.refuseBooking(t, task, text)
	}
	tk, err := t.tx.LockTicket(t.ctx, task.TicketID)
	tk, role, ok, err := s.loadTicketFor(t, tk, err)
	if !ok || err != nil {
		return err
	}
	if task.Action != actNote && !isOpen(tk.Status) {
		return t.reply("ticket.closed")
	}
	switch task.Action {
	case actAsk:
		return s.askInfo(t, tk, role, text)
	case actAnswer:
		return s.answerTicket(t, tk, role, text, answerMedia)
	case actReject:
		return s.reject(t, tk, role, text)
	case actNote:
		return s.note(t, tk, role, text)
	case actReclassify:
		return s.reclassify(t, tk, role, task, text)
	case actTransfer:
		if task.UnitID == 0 {
			return s.transferTarget(t, tk, role, text)
		}
		return s.transfer(t, tk, role, task.UnitID, text)
	}
	return t.reply("task.cancelled")
}

// change applies a workflow step as the acting staff member.
func (s *Service) change(t *turn, tk storage.Ticket, role storage.Officer, kind, status, body string, internal bool) (storage.Ticket, error) {
	return t.tx.ApplyChange(t.ctx, storage.Change{
		TicketID: tk.ID, At: s.now(), ActorKind: storage.ActorOfficer, ActorID: role.ID,
		Kind: kind, ToStatus: status, Body: body, Internal: internal,
	})
}

func (s *Service) accept(t *turn, tk storage.Ticket, role storage.Officer) error {
	if !acceptable(tk.Status) {
		// Pressed on a copy not yet edited: say who has it in hand.
		by, err := acceptedBy(t, tk)
		if err != nil || by == "" {
			return errors.Join(err, t.answer(t.text("ticket.already", t.text("status."+tk.Status)), true))
		}
		return t.answer(t.text("ticket.already_by", t.text("status."+tk.Status), by), true)
	}
	tk, err := s.change(t, tk, role, storage.EventAccepted, storage.StatusInProgress, "", false)
	if err != nil {
		return err
	}
	voice, err := s.voiceOf(t, tk, role)
	if err != nil {
		return err
	}
	if err := s.tellCitizen(t, tk, "citizen.accepted", tk.Code, voice); err != nil {
		return err
	}
	if err := s.refreshCard(t, tk, "ticket.accepted_by", bot.Escape(officerName(role))); err != nil {
		return err
	}
	return s.refreshCopies(t, tk)
}

func (s *Service) askInfo(t *turn, tk storage.Ticket, role storage.Officer, question string) error {
	tk, err := s.change(t, tk, role, storage.EventInfoRequest, storage.StatusAwaitingInfo, question, false)
	if err != nil {
		return err
	}
	if err := s.pauseClock(t, tk); err != nil {
		return err
	}
	voice, err := s.voiceOf(t, tk, role)
	if err != nil {
		return err
	}
	if err := s.tellCitizen(t, tk, "citizen.info_requested", voice, tk.Code, bot.Escape(question)); err != nil {
		return err
	}
	// Their next message answers the question: a comment or addition on
	// another ticket they were invited to make gives way to it.
	c, err := t.tx.CitizenByID(t.ctx, tk.CitizenID)
	if err != nil {
		return err
	}
	if err := t.tx.EndFlows(t.ctx, c.Channel, c.ChatID, c.UserID, flowSupplement, flowComment); err != nil {
		return err
	}
	if err := s.refreshCopies(t, tk); err != nil {
		return err
	}
	return t.reply("task.done_ask", tk.Code)
}

func (s *Service) answerTicket(t *turn, tk storage.Ticket, role storage.Officer, answer string, evidence *media) error {
	if evidence != nil {
		if err := t.tx.AddAttachment(t.ctx, evidence.attachment(t, tk.ID, storage.ActorOfficer), s.now()); err != nil {
			return err
		}
	}
	tk, err := s.change(t, tk, role, storage.EventAnswered, storage.StatusAnswered, answer, false)
	if err != nil {
		return err
	}
	c, err := t.tx.CitizenByID(t.ctx, tk.CitizenID)
	if err != nil {
		return err
	}
	if evidence != nil {
		if err := t.send(evidence.message(c.ChatID, tk.Code)); err != nil {
			return err
		}
	}
	rate, err := s.ratingButtons(t, c.Language, tk.ID)
	if err != nil {
		return err
	}
	voice, err := s.voiceOf(t, tk, role)
	if err != nil {
		return err
	}
	text := s.texts.text(c.Language, "citizen.answered", voice, tk.Code, bot.Escape(answer))
	if err := t.send(bot.Outgoing{Kind: bot.KindText, ChatID: c.ChatID, Text: text, Buttons: rate}); err != nil {
		return err
	}
	if err := s.tellCosigners(t, tk, evidence, "cosign.answered", voice, tk.Code, bot.Escape(answer)); err != nil {
		return err
	}
	if err := s.refreshCopies(t, tk); err != nil {
		return err
	}
	if tk.Cosigners > 0 && !sealedFromCosigners(tk) { // /resolve gives no prompt to warn before
		return t.reply("task.done_answer_cosigners", tk.Code, tk.Cosigners)
	}
	return t.reply("task.done_answer", tk.Code)
}

func (s *Service) reject(t *turn, tk storage.Ticket, role storage.Officer, reason string) error {
	tk, err := s.change(t, tk, role, storage.EventRejected, storage.StatusRejected, reason, false)
	if err != nil {
		return err
	}
	voice, err := s.voiceOf(t, tk, role)
	if err != nil {
		return err
	}
	if err := s.tellCitizen(t, tk, "citizen.rejected", voice, tk.Code, bot.Escape(reason)); err != nil {
		return err
	}
	if err := s.tellCosigners(t, tk, nil, "cosign.rejected", voice, tk.Code, bot.Escape(reason)); err != nil {
		return err
	}
	if err := s.refreshCopies(t, tk); err != nil {
		return err
	}
	return t.reply("task.done_reject", tk.Code)
}

func (s *Service) note(t *turn, tk storage.Ticket, role storage.Officer, text string) error {
	if _, err := s.change(t, tk, role, storage.EventNote, "", text, true); err != nil {
		return err
	}
	return t.reply("task.done_note", tk.Code)
}

// transferChoices offers the units a ticket is most often handed to: the
// unit's parent, its siblings and children, and the triage unit (of a
// ticket no unit has, the units at the top); any other unit can be typed
// by its code.
func (s *Service) transferChoices(t *turn, tk storage.Ticket) error {
	var unit storage.Unit
	if tk.UnitID.Valid {
		var err error
		if unit, err = t.tx.UnitByID(t.ctx, tk.UnitID.Int64); err != nil {
			return err
		}
	}
	var candidates []storage.Unit
	if unit.ParentID.Valid {
		parent, err := t.tx.UnitByID(t.ctx, unit.ParentID.Int64)
		if err != nil {
			return err
		}
		siblings, err := t.tx.UnitChildren(t.ctx, parent.ID)
		if err != nil {
			return err
		}
		candidates = append(append(candidates, parent), siblings...)
	}
	children, err := t.tx.UnitChildren(t.ctx, unit.ID)
	if err != nil {
		return err
	}
	candidates = append(candidates, children...)
	if triage, err := t.tx.TriageUnit(t.ctx); err == nil {
		candidates = append(candidates, triage)
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	seen := map[int64]bool{unit.ID: true}
	var buttons []bot.InlineButton
	for _, u := range candidates {
		if seen[u.ID] || !u.Active || len(buttons) == maxTransferChoices {
			continue
		}
		seen[u.ID] = true
		buttons = append(buttons, bot.InlineButton{Text: u.Name, Data: data(prefixOfficer, actTransferTo, fmt.Sprint(tk.ID), fmt.Sprint(u.ID))})
	}
	if len(buttons) == 0 {
		return nil
	}
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: t.text("transfer.choose"), Buttons: grid(buttons, 1)})
}

// How many units the transfer choice offers as buttons.
const maxTransferChoices = 12

// actTransferTo picks the unit of a transfer by button.
const actTransferTo = "to"

func (s *Service) transferToButton(t *turn, ticketArg, unitArg string) error {
	id, err1 := strconv.ParseInt(ticketArg, 10, 64)
	unitID, err2 := strconv.ParseInt(unitArg, 10, 64)
	if err1 != nil || err2 != nil {
		return t.answer(t.text("button.stale"), false)
	}
	tk, ok, err := s.lockOpenTicket(t, id)
	if !ok || err != nil {
		return err
	}
	unit, err := t.tx.UnitByID(t.ctx, unitID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && (!unit.Active || unit.ID == tk.UnitID.Int64)) {
		return t.answer(t.text("button.stale"), false)
	}
	if err != nil {
		return err
	}
	return s.askTransferReason(t, tk, unit)
}

// transferTarget reads the unit code of a transfer, then asks for the reason.
func (s *Service) transferTarget(t *turn, tk storage.Ticket, role storage.Officer, code string) error {
	unit, err := t.tx.UnitByCode(t.ctx, strings.ToLower(strings.TrimSpace(code)))
	unknown := errors.Is(err, storage.ErrNotFound) || (err == nil && !unit.Active)
	if err != nil && !unknown {
		return err
	}
	// Asked again: the next code typed is still this task's.
	again := func(key string, args ...any) error {
		if err := t.reply(key, args...); err != nil {
			return err
		}
		return s.startTask(t, officerTask{TicketID: tk.ID, Action: actTransfer}, tk)
	}
	if unknown {
		return again("unit.unknown", bot.Escape(excerpt(code, 40)))
	}
	if tk.UnitID.Valid && unit.ID == tk.UnitID.Int64 {
		return again("transfer.same_unit")
	}
	return s.askTransferReason(t, tk, unit)
}

// askTransferReason waits for the reason of a transfer to unit.
func (s *Service) askTransferReason(t *turn, tk storage.Ticket, unit storage.Unit) error {
	if err := s.saveStep(t, flowOfficer, actTransfer, officerTask{TicketID: tk.ID, Action: actTransfer, UnitID: unit.ID}); err != nil {
		return err
	}
	return t.prompt("task.transfer_reason", bot.Escape(unit.Name))
}

func (s *Service) transfer(t *turn, tk storage.Ticket, role storage.Officer, unitID int64, reason string) error {
	unit, err := t.tx.UnitByID(t.ctx, unitID)
	if err != nil {
		return err
	}
	if !unit.Active { // removed by an import since it was chosen
		return t.reply("transfer.unit_gone", bot.Escape(unit.Name))
	}
	if tk.UnitID.Int64 == unit.ID { // someone moved it there since it was chosen
		return t.reply("transfer.same_unit")
	}
	dueBefore := tk.DueAt
	tk, err = t.tx.ApplyChange(t.ctx, storage.Change{
		TicketID: tk.ID, At: s.now(), ActorKind: storage.ActorOfficer, ActorID: role.ID,
		Kind: storage.EventTransferred, ToStatus: storage.StatusTransferred, ToUnit: unit.ID, Body: reason,
	})
	if err != nil {
		return err
	}
	if tk, err = s.restartClock(t, tk, true); err != nil {
		return err
	}
	if err := s.tellCitizenOfMove(t, tk, dueBefore, "citizen.transferred", tk.Code, unitVoice{name: unit.Name, nameEN: unit.NameEN}, bot.Escape(reason)); err != nil {
		return err
	}
	if err := s.refreshCopies(t, tk); err != nil {
		return err
	}
	if err := s.sendCard(t, tk, "card.transferred", reason); err != nil {
		return err
	}
	if err := s.tellLeadersUrgent(t, tk); err != nil {
		return err
	}
	return t.reply("task.done_transfer", tk.Code, bot.Escape(unit.Name))
}

// refreshCard shows the card again after a change, in place when the
// change came from its button: in a group, in the language the group's
// cards are in (staffRecipients), since all its members share it; with
// the reason the ticket came to its unit, as the card that brought it
// gave it.
func (s *Service) refreshCard(t *turn, tk storage.Ticket, noteKey string, args ...any) error {
	lang := t.lang
	if t.ev.Chat.Group {
		lang = languages[0]
	}
	card, err := s.card(t, tk, lang)
	if err != nil {
		return err
	}
	card.Text = s.texts.text(lang, noteKey, args...) + "\n" + card.Text
	events, err := t.tx.Events(t.ctx, tk.ID)
	if err != nil {
		return err
	}
	for _, e := range slices.Backward(events) {
		if e.Kind == storage.EventTransferred && e.ToUnit == tk.UnitID.Int64 {
			card.Text += "\n\n" + s.texts.text(lang, "card.transferred_detail", bot.Escape(e.Body))
			break
		}
	}
	if err := t.answer(t.text("ticket.updated"), false); err != nil {
		return err
	}
	return t.show(card)
}

// tellCitizen sends the ticket's owner a message in their language. It
// always speaks for the unit, never for an officer in person.
// unitVoice is a unit's name as a message says it: in English where the
// unit has an English name and the reader chose English.
type unitVoice struct{ name, nameEN string }

func (u unitVoice) in(lang string) string { return bot.Escape(localName(lang, u.name, u.nameEN)) }

// voiceOf is the unit a ticket's sender hears from: the unit handling it,
// whether its own staff acted (role, most often) or a leader or
// administrator above it (README: every step is told as coming from the
// unit).
func (s *Service) voiceOf(t *turn, tk storage.Ticket, role storage.Officer) (unitVoice, error) {
	if !tk.UnitID.Valid || role.UnitID == tk.UnitID.Int64 { // none handles it: who acted speaks
		return unitVoice{name: role.UnitName, nameEN: role.UnitNameEN}, nil
	}
	u, err := t.tx.UnitByID(t.ctx, tk.UnitID.Int64)
	return unitVoice{name: u.Name, nameEN: u.NameEN}, err
}

func (s *Service) tellCitizen(t *turn, tk storage.Ticket, key string, args ...any) error {
	return s.tellCitizenOfMove(t, tk, tk.DueAt, key, args...)
}

// tellCitizenOfMove is tellCitizen after a step that may have given the
// ticket a new deadline (a transfer, a reopening): when it moved from
// dueBefore, the message also gives the new expected date.
func (s *Service) tellCitizenOfMove(t *turn, tk storage.Ticket, dueBefore sql.NullTime, key string, args ...any) error {
	c, err := t.tx.CitizenByID(t.ctx, tk.CitizenID)
	if err != nil {
		return err
	}
	text := s.texts.text(c.Language, key, args...)
	if tk.DueAt.Valid != dueBefore.Valid || !tk.DueAt.Time.Equal(dueBefore.Time) {
		expected, err := s.deadlineText(t, tk)
		if err != nil {
			return err
		}
		if expected != "" {
			text += "\n\n" + s.texts.text(c.Language, "citizen.expected_due", expected)
		}
	}
	return t.send(bot.Outgoing{Kind: bot.KindText, ChatID: c.ChatID, Text: text})
}
