package handlers

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// sealCards takes a ticket that has become a denunciation off the chats
// other than its sender's and its co-signers': the unit that had it may be
// the one accused, and the denouncer's name, words and handwriting are to
// be kept secret (law.md §5); the unit that handles it from now on gets a
// new card without the name. Each card of it and each timeline (/ticket) becomes a notice that
// it was sealed, its sender's photos are deleted (or covered with a blank
// picture once 48 hours old, when Telegram no longer lets a bot delete
// them), a list that quotes it (/inbox, /mine) loses the
// quote, and what is still queued of these is sealed where it waits. The
// copies kept of the messages sealed are blanked. A copy an erasure
// replaced with its sealed form (presealCopies) is sealed further for this
// ticket, or sent as kept.
func (s *Service) sealCards(t *turn, tk storage.Ticket, sender storage.Citizen) error {
	sl, msgs, err := s.sealingOf(t, tk, sender)
	if err != nil {
		return err
	}
	var chats, sealedIDs []string // delivered messages sealed, whose kept copies go
	for _, m := range msgs {
		var o bot.Outgoing
		if err := json.Unmarshal(m.Payload, &o); err != nil {
			return fail("decode outbox message", err)
		}
		sealed, ok := sl.seal(m, o, m.Pending)
		if !ok && m.Presealed {
			// What an erasure kept is sent as kept, to the message as
			// delivered (it may have been queued at the erasure).
			sealed, ok = o, true
			sealed.MessageID = m.MessageID
		}
		if !ok {
			continue
		}
		if m.Pending {
			// Sealed where it waits: should a sender be delivering it now,
			// a retry after a failure sends the sealed one, and a delivery
			// that succeeds is put right (bot.Sender).
			deliveredAs, err := t.tx.ReplaceQueued(t.ctx, m.OutboxID, storage.OutboxEntry{ChatID: m.ChatID, Group: m.Group,
				Kind: string(sealed.Kind), Payload: mustJSON(sealed)}, sl.sealKept(m))
			if err != nil {
				return err
			}
			if deliveredAs == "" {
				continue
			}
			// Delivered since it was listed: sealed as delivered.
			m.MessageID = deliveredAs
			sealed, _ = sl.seal(m, o, false)
		}
		if err := t.send(sealed); err != nil {
			return err
		}
		chats, sealedIDs = append(chats, m.ChatID), append(sealedIDs, m.MessageID)
	}
	return t.tx.BlankCopies(t.ctx, t.ev.Channel, chats, sealedIDs)
}

// sealer turns a ticket's messages into their sealed form.
type sealer struct {
	tk          storage.Ticket
	isTimeline  func(bot.Outgoing) bool
	sent        map[string]bool // the sender's photos, by file id
	notice      string
	quote       *regexp.Regexp // how lists quote the ticket (phoneForgotten)
	codeLine    string         // how a card's first part begins
	words       *regexp.Regexp // the petition's opening words, as cards show them
	senderLines []string       // the sender's line on a card, in each language
	listSealed  string         // what replaces the quote in a list
}

// sealingOf lists the messages about a ticket that sealing may change (in
// the chats other than its sender's) with a sealer for them. Co-signers'
// chats are among them: what they were told as co-signers (never the
// sender's words, name or photos) is nothing sealing changes, and a
// co-signer who is or was staff may hold the unit's cards too.
func (s *Service) sealingOf(t *turn, tk storage.Ticket, sender storage.Citizen) (*sealer, []storage.MessageAbout, error) {
	keep := []string{sender.ChatID}
	// What this transaction has queued so far (other updates of its batch
	// among them) must be seen too.
	if err := t.tx.WriteQueued(t.ctx); err != nil {
		return nil, nil, err
	}
	msgs, err := t.tx.MessagesAbout(t.ctx, t.ev.Channel, tk.ID, keep)
	if err != nil {
		return nil, nil, err
	}
	sl, err := s.newSealer(t, tk, sender)
	return sl, msgs, err
}

// newSealer is a ticket's sealer; sender is its sender.
func (s *Service) newSealer(t *turn, tk storage.Ticket, sender storage.Citizen) (*sealer, error) {
	atts, err := t.tx.Attachments(t.ctx, tk.ID)
	if err != nil {
		return nil, err
	}
	sl := &sealer{
		tk:         tk,
		isTimeline: func(o bot.Outgoing) bool { return s.isTimelineOf(o, tk.Code) },
		sent:       map[string]bool{},
		notice:     s.texts.text(languages[0], "card.sealed", tk.Code),
		quote:      phoneForgotten(bot.Escape(excerpt(tk.Description, ticketListExcerpt))),
		// What marks the first part of a card split in two, which has no
		// buttons: the card's code line, and the petition's opening words
		// or the sender's line.
		codeLine:   "<b>" + tk.Code + "</b> · ",
		words:      phoneForgotten(bot.Escape(string([]rune(tk.Description)[:min(utf8.RuneCountInString(tk.Description), sealedWords)]))),
		listSealed: s.texts.text(languages[0], "list.sealed"),
	}
	for _, a := range atts {
		sl.sent[a.FileID] = a.AddedBy == storage.ActorCitizen
	}
	if sender.DisplayName != "" {
		for _, lang := range languages {
			sl.senderLines = append(sl.senderLines, s.texts.text(lang, "field.sender")+": "+bot.Escape(sender.DisplayName))
		}
	}
	return sl, nil
}

// seal returns message m (o decoded) as sealing sends it: for a message
// delivered, an edit of it or its deletion; for one still queued, what
// replaces it. ok is false for a message left as it is: a reply, or a
// list that only names the code.
func (sl *sealer) seal(m storage.MessageAbout, o bot.Outgoing, pending bool) (sealed bot.Outgoing, ok bool) {
	// Lists (/inbox, /mine, reminders, digests) have buttons to open
	// cards; of this ticket they may quote the petition.
	list := anyButton(o, func(prefix string, _ []string) bool { return prefix == prefixCard })
	photo := (o.Kind == bot.KindPhoto || o.Kind == bot.KindDocument) && sl.sent[o.FileID]
	card := isCardOf(o, sl.tk.ID) || sl.isTimeline(o) ||
		len(o.Buttons) == 0 && strings.Contains(o.Text, sl.codeLine) &&
			(matches(sl.words, o.Text) || slices.ContainsFunc(sl.senderLines, func(l string) bool { return strings.Contains(o.Text, l) }))
	switch {
	case photo && pending:
		sealed = bot.Outgoing{Kind: bot.KindText, Text: sl.notice}
	case photo:
		sealed = bot.Outgoing{Kind: bot.KindDelete, Text: sl.notice} // the cover of one too old to delete
	case list && matches(sl.quote, o.Text):
		sealed = o
		sealed.Text = sl.quote.ReplaceAllLiteralString(o.Text, sl.listSealed)
	case card && !list:
		sealed = bot.Outgoing{Kind: bot.KindEdit, MessageID: o.MessageID, Text: sl.notice}
		if pending && o.Kind != bot.KindEdit {
			sealed.Kind = bot.KindText
		}
	default:
		return sealed, false
	}
	sealed.ChatID, sealed.Group = m.ChatID, m.Group
	if !pending {
		if sealed.Kind != bot.KindDelete {
			sealed.Kind = bot.KindEdit
		}
		sealed.MessageID = m.MessageID
	}
	return sealed, true
}

// sealKept is what to keep of queued message m once delivered, when an
// erasure chose a copy other than the message (storage.MessageAbout's
// KeptCopy): that copy, sealed for this ticket too. nil otherwise.
func (sl *sealer) sealKept(m storage.MessageAbout) []byte {
	var kept bot.Outgoing
	if m.KeptCopy == nil || json.Unmarshal(m.KeptCopy, &kept) != nil || kept.Kind == "" { // none, or blank
		return m.KeptCopy
	}
	if sealed, ok := sl.seal(m, kept, false); ok {
		return mustJSON(sealed)
	}
	return m.KeptCopy
}

// sealMerged seals, with a ticket that has become a denunciation, the
// duplicates merged into it (merge.go): they raised the same matter, and
// their senders are denouncers too (law.md §5).
func (s *Service) sealMerged(t *turn, tk storage.Ticket) error {
	dups, err := t.tx.SealMerged(t.ctx, tk.ID)
	if err != nil {
		return err
	}
	for _, d := range dups {
		sender, err := t.tx.CitizenByID(t.ctx, d.CitizenID)
		if err != nil {
			return err
		}
		if err := s.sealCards(t, d, sender); err != nil {
			return err
		}
	}
	return nil
}

// mustJSON encodes an outgoing message; it has only plain fields.
func mustJSON(o bot.Outgoing) []byte {
	b, err := json.Marshal(o)
	if err != nil {
		panic(err)
	}
	return b
}

// sealedWords is how much of a ticket's text, with its code, marks a
// message as its card (or a part of one) when sealing it.
const sealedWords = 40

// isTimelineOf reports whether a message is a ticket's timeline as staff
// see it (sendTimeline), in any language.
func (s *Service) isTimelineOf(o bot.Outgoing, code string) bool {
	return slices.ContainsFunc(languages, func(lang string) bool {
		return strings.HasPrefix(o.Text, s.texts.text(lang, "staff.timeline", code))
	})
}

// matches reports whether text has a match of pattern, nil matching none.
func matches(pattern *regexp.Regexp, text string) bool {
	return pattern != nil && pattern.MatchString(text)
}

// anyButton reports whether one of a message's buttons has data that
// satisfies f.
func anyButton(o bot.Outgoing, f func(prefix string, args []string) bool) bool {
	for _, row := range o.Buttons {
		for _, b := range row {
			if f(splitData(b.Data)) {
				return true
			}
		}
	}
	return false
}

// isCardOf reports whether a message is a ticket's card: it has the
// ticket's buttons ("o:<action>:<id>").
func isCardOf(o bot.Outgoing, ticketID int64) bool {
	id := fmt.Sprint(ticketID)
	return anyButton(o, func(prefix string, args []string) bool {
		return prefix == prefixOfficer && len(args) == 2 && args[1] == id
	})
}
