package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// Consultations (lấy ý kiến, law.md §7): a unit puts a draft or plan out
// for comments for at least 20 days, then publishes a synthesis. /gopy
// (or the menu) lists those open now; choosing one ("g:<id>") shows its
// summary or link and waits for the comment, which becomes a góp ý
// ticket of the consultation's unit. The synthesis is queued by
// ScheduleConsultationNotice tells the followers of the unit's areas
// (announcement.go) that a consultation takes comments, when it opens:
// the Grassroots Democracy Law has residents told through the channels
// they use (Art. 26). Their messages are paced at perSecond; it returns
// how many people will be told.
func ScheduleConsultationNotice(ctx context.Context, tx *storage.Store, c storage.Consultation, now time.Time, perSecond float64) (int, error) {
	texts, err := catalogOnce()
	if err != nil {
		return 0, err
	}
	messages := make(map[string]json.RawMessage, len(languages))
	for _, lang := range languages {
		messages[lang] = mustJSON(bot.Outgoing{Kind: bot.KindText, Text: texts.text(lang, "consultation.opened",
			consultingUnit(c), bot.Escape(c.Title), lastDay(c))})
	}
	return tx.ScheduleForFollowers(ctx, storage.FollowerMessages{UnitID: c.UnitID, Messages: messages, Fallback: languages[0],
		KeyPrefix: consultationNoticeKey(c), After: max(0, c.OpensAt.Sub(now)), PerSecond: perSecond})
}

// DropConsultationNotice takes back what is still scheduled of the notice
// of consultation c's opening: it closed before, or its last day changed.
func DropConsultationNotice(ctx context.Context, tx *storage.Store, c storage.Consultation) error {
	return tx.DropScheduled(ctx, consultationNoticeKey(c))
}

// consultationNoticeKey starts the dedupe keys of c's notice.
func consultationNoticeKey(c storage.Consultation) string {
	return fmt.Sprintf("consultation:%d:", c.ID)
}

// QueueSynthesis when an administrator closes it.
const (
	prefixConsultation = "g"
	flowConsultation   = "consultation"
	// How many open consultations /gopy lists (a button each).
	consultationsListed = 10
)

type consultationRef struct {
	ConsultationID int64 `json:"consultation_id"`
}

func (s *Service) cmdConsultations(t *turn) error {
	if t.ev.Chat.Group {
		return t.reply("consultation.private_only")
	}
	cs, err := t.tx.OpenConsultations(t.ctx, s.now(), consultationsListed)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return t.show(bot.Outgoing{Text: t.text("consultation.none")})
	}
	var b strings.Builder
	b.WriteString(t.text("consultation.list_title") + "\n")
	var rows [][]bot.InlineButton
	for i, c := range cs {
		fmt.Fprintf(&b, "\n%d. %s\n", i+1, consultationHeading(t, c))
		rows = append(rows, []bot.InlineButton{{Text: fmt.Sprintf("%d. %s", i+1, excerpt(c.Title, 40)),
			Data: data(prefixConsultation, fmt.Sprint(c.ID))}})
	}
	return t.show(bot.Outgoing{Text: b.String(), Buttons: rows})
}

// stopFlow ends the person's flow from its cancel button, if that flow is
// still the current one.
func (s *Service) stopFlow(t *turn, flow string) error {
	conv, err := s.currentConversation(t)
	if err != nil {
		return err
	}
	if conv == nil || conv.Flow != flow {
		return t.answer(t.text("button.stale"), false)
	}
	ev := t.ev
	if err := t.tx.EndConversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID); err != nil {
		return err
	}
	return t.show(bot.Outgoing{Text: t.text("task.cancelled")})
}

// consultationHeading is a consultation's title, unit and last day.
func consultationHeading(t *turn, c storage.Consultation) string {
	return t.text("consultation.item", bot.Escape(c.Title), consultingUnit(c), lastDay(c))
}

// lastDay is the last day comments are taken, closes_at being exclusive.
func lastDay(c storage.Consultation) string { return formatDate(c.ClosesAt.Add(-time.Second)) }

// consultationButton: "g:<id>" chooses a consultation to comment on;
// "g:x" stops waiting for the comment.
func (s *Service) consultationButton(t *turn, args []string) error {
	if len(args) != 1 {
		return t.answer(t.text("button.stale"), false)
	}
	if t.ev.Chat.Group {
		return t.answer(t.text("consultation.private_only"), true)
	}
	if args[0] == "x" {
		return s.stopFlow(t, flowConsultation)
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil {
		return t.answer(t.text("consultation.closed"), true)
	}
	c, err := t.tx.ConsultationByID(t.ctx, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !c.OpenAt(s.now())) {
		return t.answer(t.text("consultation.closed"), true)
	}
	if err != nil {
		return err
	}
	if busy, err := s.draftFirst(t, "consultation.draft_first"); busy || err != nil {
		return err
	}
	if err := s.saveStep(t, flowConsultation, flowConsultation, consultationRef{ConsultationID: c.ID}); err != nil {
		return err
	}
	text := "<b>" + t.text("consultation.screen_title") + "</b>\n" + consultationHeading(t, c)
	if c.Summary != "" {
		text += "\n\n" + bot.Escape(c.Summary)
	}
	if c.Link != "" {
		text += "\n\n" + t.text("consultation.link", bot.Escape(c.Link))
	}
	text += "\n\n" + t.text("consultation.prompt") + "\n\n" + t.text("consultation.consent", consultingUnit(c))
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: text,
		Buttons: [][]bot.InlineButton{{{Text: t.text("btn.cancel"), Data: data(prefixConsultation, "x")}}}})
}

// consultationInput takes the comment and files it as a góp ý ticket of
// the consultation's unit, if the consultation still takes comments.
func (s *Service) consultationInput(t *turn, conv *storage.Conversation) error {
	var ref consultationRef
	if err := json.Unmarshal(conv.Data, &ref); err != nil {
		return fail("decode consultation ref", err)
	}
	if done, err := s.cancelTyped(t); done || err != nil {
		return err
	}
	ev := t.ev
	text := normalize(ev.Text)
	if text == "" || ev.Photo != nil || ev.Document != nil {
		return t.reply("consultation.need_text")
	}
	if msg := descriptionProblem(t, text); msg != "" {
		return t.send(bot.Outgoing{Kind: bot.KindText, Text: msg})
	}
	// Locked so that an administrator's closing waits for this comment,
	// whose author must then get the synthesis.
	c, err := t.tx.LockConsultationForComment(t.ctx, ref.ConsultationID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if err := t.tx.EndConversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID); err != nil {
		return err
	}
	if err != nil || !c.OpenAt(s.now()) {
		return t.reply("consultation.closed")
	}
	tk, err := t.tx.CreateTicket(t.ctx, storage.NewTicket{Kind: storage.CommentKind, CitizenID: t.citizen.ID, UnitID: c.UnitID,
		Description: text, Source: fmt.Sprintf("consultation:%d", c.ID), ConsultationID: c.ID}, s.now())
	if err != nil {
		return err
	}
	if err := t.recordConsent(storage.ConsentHandling, tk.ID, "consultation.consent", consultingUnit(c)); err != nil {
		return err
	}
	t.logInfo("consultation comment", "ticket", tk.Code, "consultation", c.ID, "unit", c.UnitID)
	return s.acknowledge(t, tk, t.text("consultation.received", bot.Escape(c.Title), tk.Code, consultingUnit(c)))
}

// awaitsSynthesis reports whether a ticket is a comment that its
// consultation's synthesis, not yet published, will answer: it has no
// clock of its own (startClock), whatever its field or unit. A comment
// found to be another kind (a phản ánh, a tố cáo now with the intake) is
// handled as one, and the synthesis no longer answers it (OpenComments).
func awaitsSynthesis(t *turn, tk storage.Ticket) (bool, error) {
	if !tk.ConsultationID.Valid || tk.Kind != storage.CommentKind {
		return false, nil
	}
	c, err := t.tx.ConsultationByID(t.ctx, tk.ConsultationID.Int64)
	return err == nil && !c.PublishedAt.Valid, err
}

// QueueSynthesis queues a closed consultation's synthesis, in the outbox
// within tx, to everyone who took part (storage.Commenters: commented,
// or co-signed a comment), in their language, and returns how many they
// are. The synthesis is the unit's answer to the comments it has not
// answered one by one (law.md §7), those still góp ý (OpenComments): they
// are answered with it at at, and their senders may rate it as any answer.
func QueueSynthesis(ctx context.Context, tx *storage.Store, c storage.Consultation, at time.Time) (int, error) {
	texts, err := catalogOnce()
	if err != nil {
		return 0, err
	}
	open, err := tx.OpenComments(ctx, c.ID)
	if err != nil {
		return 0, err
	}
	// Each sender rates the synthesis as the answer to their comment (the
	// latest, should they have made several; the others are reminded).
	answered := map[int64]storage.TicketEvent{}
	for _, id := range open {
		tk, err := tx.ApplyChange(ctx, storage.Change{TicketID: id, At: at, ActorKind: storage.ActorSystem,
			Kind: storage.EventAnswered, ToStatus: storage.StatusAnswered, Body: c.Synthesis.String})
		if err != nil {
			return 0, err
		}
		events, err := tx.Events(ctx, id)
		if err != nil {
			return 0, err
		}
		answered[tk.CitizenID] = events[len(events)-1]
	}
	people, err := tx.Commenters(ctx, c.ID)
	if err != nil {
		return 0, err
	}
	for _, p := range people {
		text := texts.text(p.Language, "consultation.synthesis", consultingUnit(c), bot.Escape(c.Title),
			bot.Escape(c.Synthesis.String))
		o := bot.Outgoing{Kind: bot.KindText, ChatID: p.ChatID, Text: text}
		if answer, ok := answered[p.ID]; ok {
			o.Buttons = ratingRows(texts, p.Language, answer.TicketID, answer.ID)
		}
		if err := enqueue(ctx, tx, p.Channel, o, fmt.Sprintf("synthesis:%d:%d", c.ID, p.ID)); err != nil {
			return 0, err
		}
	}
	return len(people), nil
}

// consultingUnit is the name of the unit that holds consultation c, in
// each reader's language.
func consultingUnit(c storage.Consultation) unitVoice {
	return unitVoice{name: c.UnitName, nameEN: c.UnitNameEN}
}
