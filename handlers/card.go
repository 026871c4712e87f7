package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// Officer actions on a ticket card: "o:<action>:<ticket id>".
const prefixOfficer = "o"

const (
	actAccept   = "accept"
	actAsk      = "ask"
	actAnswer   = "answer"
	actTransfer = "transfer"
	actReject   = "reject"
	actNote     = "note"
)

// card renders a ticket for staff in lang. A confidential ticket never
// shows who sent it.
func (s *Service) card(t *turn, tk storage.Ticket, lang string) (bot.Outgoing, error) {
	tr := func(key string, args ...any) string { return s.texts.text(lang, key, args...) }
	var b strings.Builder
	line := func(key, value string) { fmt.Fprintf(&b, "%s: %s\n", tr(key), value) }
	fmt.Fprintf(&b, "<b>%s</b> · %s · %s%s\n", tk.Code, tr("kind."+tk.Kind), tr("status."+tk.Status), s.urgentMark(lang, tk))
	if tk.CategoryID.Valid {
		cat, err := t.tx.CategoryByID(t.ctx, tk.CategoryID.Int64)
		if err != nil {
			return bot.Outgoing{}, err
		}
		line("field.category", bot.Escape(categoryName(lang, cat)))
	}
	// A comment on a consultation is about the draft, not a place.
	if tk.AreaID.Valid || tk.Address != "" {
		place, err := s.placeText(t, tk.AreaID.Int64, tk.Address, false)
		if err != nil {
			return bot.Outgoing{}, err
		}
		line("field.area", place)
	}
	if tk.ConsultationID.Valid {
		c, err := t.tx.ConsultationByID(t.ctx, tk.ConsultationID.Int64)
		if err != nil {
			return bot.Outgoing{}, err
		}
		line("field.consultation", bot.Escape(c.Title))
	}
	if tk.Latitude.Valid {
		line("field.location", fmt.Sprintf(`<a href="https://www.openstreetmap.org/?mlat=%.6f&amp;mlon=%.6f#map=18/%.6f/%.6f">%.5f, %.5f</a>`,
			tk.Latitude.Float64, tk.Longitude.Float64, tk.Latitude.Float64, tk.Longitude.Float64, tk.Latitude.Float64, tk.Longitude.Float64))
	}
	if tk.UnitID.Valid {
		u, err := t.tx.UnitByID(t.ctx, tk.UnitID.Int64)
		if err != nil {
			return bot.Outgoing{}, err
		}
		line("field.unit", bot.Escape(u.Name))
	}
	if by, err := acceptedBy(t, tk); err != nil {
		return bot.Outgoing{}, err
	} else if by != "" {
		line("field.accepted_by", bot.Escape(by))
	}
	line("field.submitted", formatTime(tk.CreatedAt))
	deadline := tr("value.none")
	if tk.DueAt.Valid {
		deadline = formatTime(tk.DueAt.Time)
		mark, err := s.deadlineMark(t, tk)
		if err != nil {
			return bot.Outgoing{}, err
		}
		if mark != "" {
			deadline += " · " + tr(mark)
		}
		if paused, err := pausedAt(t, tk); err != nil {
			return bot.Outgoing{}, err
		} else if paused.Valid {
			deadline += " " + tr("value.paused")
		}
	}
	line("field.deadline", deadline)
	atts, err := t.tx.Attachments(t.ctx, tk.ID)
	if err != nil {
		return bot.Outgoing{}, err
	}
	line("field.photos", fmt.Sprint(len(atts)))
	if tk.Cosigners > 0 {
		line("field.cosigners", tr("value.people", tk.Cosigners))
	}
	if tk.Confidential {
		line("field.sender", tr("value.confidential"))
	} else {
		c, err := t.tx.CitizenByID(t.ctx, tk.CitizenID)
		if err != nil {
			return bot.Outgoing{}, err
		}
		who := bot.Escape(c.DisplayName)
		if who == "" { // erased with /mydata: messengers always give a name
			who = tr("value.name_erased")
		}
		if tk.Phone.Valid {
			who += " · " + bot.Escape(tk.Phone.String)
		}
		line("field.sender", who)
	}
	fmt.Fprintf(&b, "\n%s", bot.Escape(tk.Description))
	// The buttons are what the ticket still allows: all while it waits
	// to be taken in hand, all but Accept once taken, a note once closed.
	actions := []string{actAccept, actAsk, actAnswer, actTransfer, actReject, actNote, actReclassify}
	switch {
	case !isOpen(tk.Status):
		actions = []string{actNote}
	case !acceptable(tk.Status):
		actions = actions[1:]
	}
	buttons := make([]bot.InlineButton, len(actions))
	for i, action := range actions {
		buttons[i] = bot.InlineButton{Text: tr("act." + action), Data: data(prefixOfficer, action, fmt.Sprint(tk.ID))}
	}
	return bot.Outgoing{Kind: bot.KindText, Text: b.String(), Buttons: grid(buttons, 2)}, nil
}

func isOpen(status string) bool {
	switch status {
	case storage.StatusAnswered, storage.StatusCompleted, storage.StatusRejected, storage.StatusMerged:
		return false
	}
	return true
}

// acceptable reports whether a ticket may still be accepted: open and not
// yet in hand. One waiting for the citizen's information stays so until
// they give it: accepting it would resume its clock behind the citizen's
// back and leave their reply unrecognised.
func acceptable(status string) bool {
	return isOpen(status) && status != storage.StatusInProgress && status != storage.StatusAwaitingInfo
}

// acceptedBy names who accepted a ticket since it last came to its unit
// (routed, transferred or reopened): the officer, or their unit once
// their name was erased, as the card they accepted it on says. "" when no
// one has.
func acceptedBy(t *turn, tk storage.Ticket) (string, error) {
	events, err := t.tx.Events(t.ctx, tk.ID)
	if err != nil {
		return "", err
	}
	for _, e := range slices.Backward(events) {
		switch {
		case e.ToUnit != 0 || e.ToStatus == storage.StatusReopened:
			return "", nil
		case e.Kind == storage.EventAccepted && e.ActorKind == storage.ActorOfficer:
			o, err := t.tx.OfficerByID(t.ctx, e.ActorID)
			return officerName(o), err
		}
	}
	return "", nil
}

// officerName is how cards name staff who acted: by name, or by their
// unit's once the name was erased (messengers always give one).
func officerName(o storage.Officer) string {
	if o.DisplayName == "" {
		return o.UnitName
	}
	return o.DisplayName
}

// staffRecipients lists where a unit's cards go: its officers' private
// chats and its linked groups; with neither, its leaders.
func (s *Service) staffRecipients(t *turn, unitID int64) ([]recipient, error) {
	var out []recipient
	officers, err := t.tx.UnitStaff(t.ctx, unitID, storage.RoleOfficer)
	if err != nil {
		return nil, err
	}
	groups, err := t.tx.UnitGroups(t.ctx, unitID)
	if err != nil {
		return nil, err
	}
	if len(officers) == 0 && len(groups) == 0 {
		if officers, err = t.tx.UnitStaff(t.ctx, unitID, storage.RoleLeader); err != nil {
			return nil, err
		}
	}
	for _, o := range officers {
		c, err := t.tx.CitizenByID(t.ctx, o.CitizenID)
		if err != nil {
			return nil, err
		}
		out = append(out, recipient{chatID: o.ChatID, lang: c.Language})
	}
	for _, g := range groups {
		out = append(out, recipient{chatID: g, group: true, lang: languages[0]})
	}
	return out, nil
}

type recipient struct {
	chatID string
	group  bool
	lang   string
}

// sendCard delivers a ticket's card, and its photos, to a unit's staff,
// headed by what happened and followed, when given, by its detail (what
// the citizen added, why the ticket was transferred) under the header's
// "_detail" text.
func (s *Service) sendCard(t *turn, tk storage.Ticket, headerKey, detail string) error {
	if !tk.UnitID.Valid {
		return nil
	}
	return s.sendCardTo(t, tk, tk.UnitID.Int64, headerKey, detail)
}

// sendCardTo is sendCard to another unit's chats than the ticket's.
func (s *Service) sendCardTo(t *turn, tk storage.Ticket, unitID int64, headerKey, detail string) error {
	recipients, err := s.staffRecipients(t, unitID)
	if err != nil {
		return err
	}
	atts, err := t.tx.Attachments(t.ctx, tk.ID)
	if err != nil {
		return err
	}
	for _, r := range recipients {
		card, err := s.card(t, tk, r.lang)
		if err != nil {
			return err
		}
		card.ChatID, card.Group = r.chatID, r.group
		card.Text = s.texts.text(r.lang, headerKey) + "\n" + card.Text
		if detail != "" {
			card.Text += "\n\n" + s.texts.text(r.lang, headerKey+"_detail", bot.Escape(detail))
		}
		if err := t.send(card); err != nil {
			return err
		}
		if photosSealed(tk) {
			continue
		}
		for _, a := range atts {
			o := attachmentMessage(a, tk.Code)
			o.ChatID, o.Group = r.chatID, r.group
			if err := t.send(o); err != nil {
				return err
			}
		}
	}
	return nil
}

// photosSealed reports whether a ticket's photos stay off its cards: a
// denunciation's may show the denouncer's handwriting (law.md §5). They
// stay with the intake, who sees them with the sender's identity
// (/identity), also once the ticket has been reclassified as another kind.
func photosSealed(tk storage.Ticket) bool { return tk.Kind == "to_cao" || tk.WasDenunciation }

// attachmentMessage is a ticket's photo, or image sent as a file, captioned
// with its code.
func attachmentMessage(a storage.Attachment, code string) bot.Outgoing {
	kind := bot.KindPhoto
	if a.Kind == "document" { // an image sent as a file, uncompressed
		kind = bot.KindDocument
	}
	return bot.Outgoing{Kind: kind, FileID: a.FileID, Text: code}
}

// refreshCopies edits every copy of a ticket's card, in every chat, after
// a step that changed what it shows or allows (README: every copy follows
// its ticket), with the buttons its chat may still use. A copy still
// queued is replaced where it waits. One that would not change is left
// alone: Telegram refuses such an edit, and each counts against the
// chat's limits. A sealed card is no card any more (seal.go edits it into
// a notice and blanks what is kept of it), so it stays sealed.
func (s *Service) refreshCopies(t *turn, tk storage.Ticket) error {
	// What this transaction has queued so far (other updates of its batch
	// among them) must be seen too.
	if err := t.tx.WriteQueued(t.ctx); err != nil {
		return err
	}
	msgs, err := t.tx.CardCopies(t.ctx, t.ev.Channel, tk.ID)
	if err != nil {
		return err
	}
	copies, err := latestVersions(msgs)
	if err != nil {
		return err
	}
	copies = withoutPressedInFlight(copies, msgs, t.ev, tk.ID)
	acting, err := s.chatsActing(t, copies, tk)
	if err != nil {
		return err
	}
	if copies, err = shownNow(t, copies, acting); err != nil {
		return err
	}
	cards := map[string]bot.Outgoing{} // by language, made once each
	for _, c := range copies {
		now, err := s.copyNow(t, tk, c.o, acting[c.m.ChatID], cards)
		if err != nil {
			return err
		}
		if now.Text == c.o.Text && slices.EqualFunc(now.Buttons, c.o.Buttons, slices.Equal) {
			continue
		}
		m := c.m
		if m.Pending {
			// Should a sender be delivering it now, the delivery is put
			// right (bot.Sender); a copy kept apart (erasure) stays so.
			deliveredAs, err := t.tx.ReplaceQueued(t.ctx, m.OutboxID, storage.OutboxEntry{ChatID: m.ChatID, Group: m.Group,
				Kind: string(now.Kind), Payload: mustJSON(now)}, m.KeptCopy)
			if err != nil {
				return err
			}
			if deliveredAs == "" {
				continue
			}
			m.MessageID = deliveredAs // delivered since it was listed: edited
		}
		// A copy its officer deleted stays deleted (and, its edit dropped,
		// is no longer listed: storage.CardCopies).
		err = t.send(bot.Outgoing{Kind: bot.KindEdit, ChatID: m.ChatID, Group: m.Group, MessageID: m.MessageID,
			Text: now.Text, Buttons: now.Buttons, InPlaceOnly: true})
		if err != nil {
			return err
		}
	}
	return nil
}

// copyNow is copy o of ticket tk's card as it should read now (copyAsNow),
// acting saying whether o's chat may act on the ticket. cards holds the
// card made in each language so far.
//
// A denunciation is not shown to a chat that can no longer act on it: a
// unit it was moved away from may be the one it accuses (law.md §5). Such
// a copy keeps its text, sealed if it was sent before the ticket first
// became one (seal.go), and loses only its buttons, which would be
// refused.
func (s *Service) copyNow(t *turn, tk storage.Ticket, o bot.Outgoing, acting bool, cards map[string]bot.Outgoing) (bot.Outgoing, error) {
	if tk.Kind == "to_cao" && !acting {
		o.Buttons = nil
		return o, nil
	}
	lang := s.cardLang(o)
	card, made := cards[lang]
	if !made {
		var err error
		if card, err = s.card(t, tk, lang); err != nil {
			return bot.Outgoing{}, err
		}
		cards[lang] = card
	}
	return copyAsNow(tk, o, card, acting), nil
}

// shownNow replaces each delivered copy in a chat that can no longer act
// on the ticket with the edit that took its buttons off, if there was one
// (storage.LaterEdit): the copy as its chat shows it, so that a step
// changing nothing on it does not edit it again, an edit Telegram refuses
// and counts against the chat's limits (a group's twenty a minute). A copy
// whose edit was dropped (deleted from its chat) is left out. Only such
// chats have edits CardCopies does not list, so the others cost nothing.
func shownNow(t *turn, copies []cardCopy, acting map[string]bool) ([]cardCopy, error) {
	shown := copies[:0]
	for _, c := range copies {
		if acting[c.m.ChatID] || c.m.Pending || c.m.MessageID == "" {
			shown = append(shown, c)
			continue
		}
		e, gone, found, err := t.tx.LaterEdit(t.ctx, t.ev.Channel, c.m.ChatID, c.m.MessageID, c.m.OutboxID)
		switch {
		case err != nil:
			return nil, err
		case gone:
			continue
		case found:
			var o bot.Outgoing
			if err := json.Unmarshal(e.Payload, &o); err != nil {
				return nil, fail("decode outbox message", err)
			}
			if !e.Pending {
				e.MessageID = c.m.MessageID
			}
			c = cardCopy{e, o}
		}
		shown = append(shown, c)
	}
	return shown, nil
}

// cardCopy is the latest version of a message that is a ticket's card.
type cardCopy struct {
	m storage.MessageAbout
	o bot.Outgoing // m's payload
}

// latestVersions keeps the latest version of each message: an edit still
// queued is the latest of the message it edits (the card an officer just
// pressed, edited in place), a message still queued one of its own.
func latestVersions(msgs []storage.MessageAbout) ([]cardCopy, error) {
	type key struct{ chat, message string }
	latest := map[key]int{}
	var copies []cardCopy
	for _, m := range msgs {
		var o bot.Outgoing
		if err := json.Unmarshal(m.Payload, &o); err != nil {
			return nil, fail("decode outbox message", err)
		}
		k := key{m.ChatID, m.MessageID}
		if m.Pending {
			k.message = "queued " + strconv.FormatInt(m.OutboxID, 10)
			if o.Kind == bot.KindEdit {
				k.message = o.MessageID
			}
		}
		i, seen := latest[k]
		switch {
		case !seen:
			latest[k] = len(copies)
			copies = append(copies, cardCopy{m, o})
		case m.OutboxID > copies[i].m.OutboxID:
			copies[i] = cardCopy{m, o}
		}
	}
	return copies, nil
}

// withoutPressedInFlight leaves out of a card's copies the one pressed
// before its delivery was recorded: a sender has put it in the chat and
// not yet its messenger id in the outbox, so the press, on a button of
// this ticket's card, names a message no copy has, and the copy is the one
// of the chat's a sender is delivering. The turn edits the pressed message
// itself; replacing that copy too would have the sender edit it again once
// its delivery is recorded, over the turn's edit (bot.Sender puts a
// replaced delivery right).
func withoutPressedInFlight(copies []cardCopy, msgs []storage.MessageAbout, ev bot.Event, ticketID int64) []cardCopy {
	if ev.Button == nil || ev.Button.MessageID == "" {
		return copies
	}
	prefix, args := splitData(ev.Button.Data)
	if prefix != prefixOfficer || len(args) != 2 || args[1] != strconv.FormatInt(ticketID, 10) {
		return copies
	}
	pressed := func(m storage.MessageAbout) bool {
		return m.ChatID == ev.Chat.ID && !m.Pending && m.MessageID == ev.Button.MessageID
	}
	inFlight := func(c cardCopy) bool { return c.m.ChatID == ev.Chat.ID && c.m.Leased && c.o.Kind != bot.KindEdit }
	if slices.ContainsFunc(msgs, pressed) {
		return copies
	}
	n := 0
	for _, c := range copies {
		if inFlight(c) {
			n++
		}
	}
	if n != 1 { // which of several was pressed is not known: all are refreshed
		return copies
	}
	return slices.DeleteFunc(copies, inFlight)
}

// chatsActing reports, of each chat with a copy of a ticket's card,
// whether it may still act on the ticket: a group linked to its unit, or
// a person whose roles reach it (roleAmong).
func (s *Service) chatsActing(t *turn, copies []cardCopy, tk storage.Ticket) (map[string]bool, error) {
	acting := map[string]bool{}
	var private []string
	for _, c := range copies {
		switch _, done := acting[c.m.ChatID]; {
		case done:
		case c.m.Group:
			unit, err := t.tx.GroupUnit(t.ctx, t.ev.Channel, c.m.ChatID)
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				return nil, err
			}
			acting[c.m.ChatID] = tk.UnitID.Valid && unit == tk.UnitID.Int64
		default:
			acting[c.m.ChatID] = false
			private = append(private, c.m.ChatID)
		}
	}
	roles, err := t.tx.RolesInChats(t.ctx, t.ev.Channel, private)
	if err != nil {
		return nil, err
	}
	for _, chat := range private {
		mine := slices.DeleteFunc(slices.Clone(roles), func(r storage.Officer) bool { return r.ChatID != chat })
		if _, acting[chat], err = t.roleAmong(mine, tk, anyRole); err != nil {
			return nil, err
		}
	}
	return acting, nil
}

// copyAsNow is copy o of a ticket's card as card (the card now, in o's
// language) shows it, with its buttons when o's chat may act: o's card,
// from its code line to its text, is replaced, and what comes before and
// after it (a heading, why it was transferred) kept. A copy that does not
// hold the card whole (the last part of one split in two), or would grow
// too long for an edit, keeps its text and gets the buttons alone.
func copyAsNow(tk storage.Ticket, o, card bot.Outgoing, acting bool) bot.Outgoing {
	now := o
	now.Buttons = nil
	if acting {
		now.Buttons = card.Buttons
	}
	start := strings.Index(o.Text, "<b>"+tk.Code+"</b> · ")
	end := "\n\n" + bot.Escape(tk.Description)
	if start < 0 || tk.Description == "" {
		return now
	}
	if n := strings.Index(o.Text[start:], end); n >= 0 {
		text := o.Text[:start] + card.Text + o.Text[start+n+len(end):]
		if bot.TextLen(text) <= bot.MaxTextLen {
			now.Text = text
		}
	}
	return now
}

// cardLang is the language a card is in, as its buttons' labels say, or,
// of a copy without buttons, its "sent at" line.
func (s *Service) cardLang(o bot.Outgoing) string {
	for _, lang := range languages {
		if slices.ContainsFunc(o.Buttons, func(row []bot.InlineButton) bool {
			return slices.ContainsFunc(row, func(b bot.InlineButton) bool {
				prefix, args := splitData(b.Data)
				return prefix == prefixOfficer && len(args) == 2 && b.Text == s.texts.text(lang, "act."+args[0])
			})
		}) {
			return lang
		}
	}
	if len(o.Buttons) == 0 {
		for _, lang := range languages {
			if strings.Contains(o.Text, "\n"+s.texts.text(lang, "field.submitted")+": ") {
				return lang
			}
		}
	}
	return languages[0]
}
