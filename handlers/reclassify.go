package handlers

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// Reclassifying: staff correct a ticket's kind and category (law.md §3: a
// phản ánh may turn out to be a kiến nghị, or a khiếu nại). The card's
// button offers the kinds ("o:kind:<ticket>"); a kind offers the
// categories ("o:rk:<ticket>:<kind>"); a category ("o:rc:<ticket>:<kind>:
// <category>", 0 keeping the ticket's) asks for the reason, which the
// citizen is told with the new kind and deadline.
const (
	actReclassify         = "kind"
	actReclassifyKind     = "rk"
	actReclassifyCategory = "rc"
)

// reclassifyKinds offers the kinds, the ticket's own marked.
func (s *Service) reclassifyKinds(t *turn, tk storage.Ticket) error {
	if err := t.answer("", false); err != nil {
		return err
	}
	buttons := make([]bot.InlineButton, len(kinds))
	for i, k := range kinds {
		label := t.text("kind." + k)
		if k == tk.Kind {
			label = "• " + label
		}
		buttons[i] = bot.InlineButton{Text: label, Data: data(prefixOfficer, actReclassifyKind, fmt.Sprint(tk.ID), k)}
	}
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: t.text("reclassify.kind", tk.Code, t.text("kind."+tk.Kind)),
		Buttons: grid(buttons, 2)})
}

// reclassifyButton takes the chosen kind ("rk", ticket, kind) or category
// ("rc", ticket, kind, category).
func (s *Service) reclassifyButton(t *turn, args []string) error {
	id, err := strconv.ParseInt(args[1], 10, 64)
	kind, category := args[2], int64(0)
	if err == nil && args[0] == actReclassifyCategory {
		category, err = strconv.ParseInt(args[3], 10, 64)
	}
	if err != nil || category < 0 || !slices.Contains(kinds, kind) {
		return t.answer(t.text("button.stale"), false)
	}
	tk, ok, err := s.lockOpenTicket(t, id)
	if !ok || err != nil {
		return err
	}
	if args[0] == actReclassifyKind {
		return s.reclassifyCategories(t, tk, kind)
	}
	if category != 0 {
		cat, err := t.tx.CategoryByID(t.ctx, category)
		if err != nil {
			return t.answer(t.text("button.stale"), false)
		}
		if !cat.Active && cat.ID != tk.CategoryID.Int64 {
			return t.answer(t.text("button.stale"), false)
		}
	}
	task := officerTask{TicketID: tk.ID, Action: actReclassify, Kind: kind, CategoryID: category}
	if unchanged(tk, task) {
		return t.answer(t.text("reclassify.unchanged"), true)
	}
	return s.startTask(t, task, tk)
}

// reclassifyCategories offers to keep the ticket's category or to choose
// another.
func (s *Service) reclassifyCategories(t *turn, tk storage.Ticket, kind string) error {
	cats, err := t.tx.ActiveCategories(t.ctx)
	if err != nil {
		return err
	}
	button := func(label string, category int64) bot.InlineButton {
		return bot.InlineButton{Text: label, Data: data(prefixOfficer, actReclassifyCategory, fmt.Sprint(tk.ID), kind, fmt.Sprint(category))}
	}
	var rows [][]bot.InlineButton
	if tk.CategoryID.Valid {
		current, err := t.tx.CategoryByID(t.ctx, tk.CategoryID.Int64)
		if err != nil {
			return err
		}
		rows = append(rows, []bot.InlineButton{button(t.text("reclassify.keep_category", categoryName(t.lang, current)), 0)})
	}
	var others []bot.InlineButton
	for _, c := range cats {
		if c.ID != tk.CategoryID.Int64 {
			others = append(others, button(categoryName(t.lang, c), c.ID))
		}
	}
	rows = append(rows, grid(others, 2)...)
	if err := t.answer("", false); err != nil {
		return err
	}
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: t.text("reclassify.category", tk.Code, t.text("kind."+kind)), Buttons: rows})
}

// unchanged reports whether a reclassification would change nothing.
func unchanged(tk storage.Ticket, task officerTask) bool {
	return task.Kind == tk.Kind && (task.CategoryID == 0 || task.CategoryID == tk.CategoryID.Int64)
}

// reclassify applies the change with its reason, moves the clock to the
// new kind's rule and tells the citizen.
func (s *Service) reclassify(t *turn, tk storage.Ticket, role storage.Officer, task officerTask, reason string) error {
	if unchanged(tk, task) { // someone else made the same change meanwhile
		return t.reply("reclassify.unchanged")
	}
	if task.CategoryID == tk.CategoryID.Int64 {
		task.CategoryID = 0
	}
	// The timeline entry is the citizen's to read (/status, /mydata): it
	// is written in their language, as they are told.
	c, err := t.tx.CitizenByID(t.ctx, tk.CitizenID)
	if err != nil {
		return err
	}
	told, err := s.reclassificationText(t, c.Language, tk, task, reason)
	if err != nil {
		return err
	}
	voice, err := s.voiceOf(t, tk, role) // the unit that had it, should it now go to the intake
	if err != nil {
		return err
	}
	// Becoming a denunciation for the first time: its cards were shown
	// with the sender's name, words and photos.
	sealing := task.Kind == "to_cao" && tk.Kind != "to_cao" && !tk.WasDenunciation
	tk, err = t.tx.Reclassify(t.ctx, storage.Reclassification{TicketID: tk.ID, Kind: task.Kind, CategoryID: task.CategoryID,
		At: s.now(), ActorID: role.ID, Body: told})
	if err != nil {
		return err
	}
	// Urgency is a phản ánh's matter, not a complaint's or a
	// denunciation's: their clocks follow the law (setUrgency).
	if tk.Urgent && isGuidanceKind(tk.Kind) {
		if err := t.tx.SetTicketUrgent(t.ctx, tk.ID, false); err != nil {
			return err
		}
		tk.Urgent = false
	}
	if err := s.reclassifyClock(t, tk); err != nil {
		return err
	}
	// Sealed before any new card is sent: the chats of the unit that
	// keeps it had cards naming the sender too.
	if sealing {
		if err := s.sealCards(t, tk, c); err != nil {
			return err
		}
		if err := s.sealMerged(t, tk); err != nil {
			return err
		}
	}
	intake, err := s.toIntake(t, tk, role, c.Language)
	if err != nil {
		return err
	}
	if tk, err = t.tx.TicketByID(t.ctx, tk.ID); err != nil {
		return err
	}
	// Every copy shows the new kind, field, urgency and deadline; those of
	// a denunciation only in the chats that may still act on it.
	if err := s.refreshCopies(t, tk); err != nil {
		return err
	}
	if sealing {
		if err := s.moveMerged(t, tk, role); err != nil {
			return err
		}
	}
	if sealing && intake.name == "" {
		if err := s.sendCard(t, tk, "card.sealed_kept", ""); err != nil {
			return err
		}
	}
	text := s.texts.text(c.Language, "citizen.reclassified", tk.Code, voice, bot.Escape(told))
	if intake.name != "" {
		text += "\n\n" + s.texts.text(c.Language, "citizen.reclassified_intake", intake)
	}
	expected, err := s.deadlineText(t, tk)
	if err != nil {
		return err
	}
	if expected != "" {
		text += "\n\n" + s.texts.text(c.Language, "citizen.expected_due", expected)
	}
	if isGuidanceKind(tk.Kind) {
		text += "\n\n" + s.texts.text(c.Language, "legal."+tk.Kind)
	}
	if err := t.send(bot.Outgoing{Kind: bot.KindText, ChatID: c.ChatID, Text: text}); err != nil {
		return err
	}
	due := t.text("value.none")
	if tk.DueAt.Valid {
		due = formatTime(tk.DueAt.Time)
	}
	return t.reply("task.done_reclassify", tk.Code, t.text("kind."+tk.Kind), due)
}

// toIntake hands a ticket that has become a denunciation to the triage
// unit, where a new one goes (route): the unit that has it may be the one
// it accuses. It returns the triage unit, or no name if the ticket stays.
func (s *Service) toIntake(t *turn, tk storage.Ticket, role storage.Officer, lang string) (unitVoice, error) {
	if tk.Kind != "to_cao" {
		return unitVoice{}, nil
	}
	triage, err := t.tx.TriageUnit(t.ctx)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && tk.UnitID.Int64 == triage.ID) {
		return unitVoice{}, nil
	}
	if err != nil {
		return unitVoice{}, err
	}
	tk, err = t.tx.ApplyChange(t.ctx, storage.Change{TicketID: tk.ID, At: s.now(), ActorKind: storage.ActorOfficer,
		ActorID: role.ID, Kind: storage.EventTransferred, ToStatus: storage.StatusTransferred, ToUnit: triage.ID,
		Body: s.texts.text(lang, "reclassify.to_intake")})
	if err != nil {
		return unitVoice{}, err
	}
	if tk, err = s.restartClock(t, tk, true); err != nil {
		return unitVoice{}, err
	}
	return unitVoice{name: triage.Name, nameEN: triage.NameEN}, s.sendCard(t, tk, "card.transferred", s.texts.text(languages[0], "reclassify.to_intake"))
}

// moveMerged gives the duplicates merged into a ticket found to be a
// denunciation, sealed with it, to the unit that has it: the unit they
// were with, which it may accuse, should not read their senders' words
// either. The move is internal: their senders, co-signers of it now, are
// told only that its handling has ended.
func (s *Service) moveMerged(t *turn, tk storage.Ticket, role storage.Officer) error {
	dups, err := t.tx.MergedInto(t.ctx, tk.ID)
	if err != nil {
		return err
	}
	for _, d := range dups {
		if d.UnitID == tk.UnitID {
			continue
		}
		if _, err := t.tx.ApplyChange(t.ctx, storage.Change{TicketID: d.ID, At: s.now(), ActorKind: storage.ActorOfficer,
			ActorID: role.ID, Kind: storage.EventTransferred, ToUnit: tk.UnitID.Int64, Internal: true,
			Body: s.texts.text(languages[0], "reclassify.to_intake")}); err != nil {
			return err
		}
	}
	return nil
}

// reclassificationText says in lang what a reclassification changes and
// why: "Phản ánh → Kiến nghị; lĩnh vực: Môi trường → Giao thông. Lý do: …".
func (s *Service) reclassificationText(t *turn, lang string, tk storage.Ticket, task officerTask, reason string) (string, error) {
	tr := func(key string, args ...any) string { return s.texts.text(lang, key, args...) }
	var changes []string // what changed, only
	if task.Kind != tk.Kind {
		changes = append(changes, tr("kind."+tk.Kind)+" → "+tr("kind."+task.Kind))
	}
	if task.CategoryID != 0 {
		from := tr("value.none")
		if tk.CategoryID.Valid {
			cat, err := t.tx.CategoryByID(t.ctx, tk.CategoryID.Int64)
			if err != nil {
				return "", err
			}
			from = categoryName(lang, cat)
		}
		to, err := t.tx.CategoryByID(t.ctx, task.CategoryID)
		if err != nil {
			return "", err
		}
		changes = append(changes, tr("reclassify.category_change", from, categoryName(lang, to)))
	}
	if tk.Urgent && isGuidanceKind(task.Kind) { // reclassify takes it off
		changes = append(changes, tr("reclassify.urgency_change", tr(urgencyKey(true)), tr(urgencyKey(false))))
	}
	return strings.Join(changes, "; ") + tr("reclassify.reason", reason), nil
}
