package handlers

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// Co-signing (law.md §3: when many people raise the same matter, they act
// through a representative). The sender of an open petition gets an
// invitation from /status ("k:share:<ticket id>") to pass on; it carries
// a token, never the code, which is sequential and would let anyone join
// or probe any petition. An invited person opens it (/start k_<token>),
// sees what the petition is about without its sender's words, and joins
// ("k:join:<token>"); they are then told its outcome.
const (
	prefixCosign        = "k"
	cosignPayloadPrefix = "k_"
)

// cosignable: an open petition the units handle whose sender did not ask
// for confidentiality (co-signers would draw attention to it). What a
// citizen raised at a reception is the record of their own meeting with
// the unit's leaders, not a petition others join, even once reclassified.
func cosignable(tk storage.Ticket) bool {
	return isOpen(tk.Status) && !tk.Confidential && !tk.WasDenunciation && !isGuidanceKind(tk.Kind) &&
		!tk.FromReception()
}

// cosignableNow: cosignable, and, for a comment on a draft, while the
// consultation still takes comments: co-signing is taking part.
func (s *Service) cosignableNow(t *turn, tk storage.Ticket) (bool, error) {
	if !cosignable(tk) || !tk.ConsultationID.Valid {
		return cosignable(tk), nil
	}
	c, err := t.tx.ConsultationByID(t.ctx, tk.ConsultationID.Int64)
	return err == nil && c.OpenAt(s.now()), err
}

func (s *Service) cosignButton(t *turn, args []string) error {
	if len(args) == 2 && args[0] == "share" {
		return s.shareTicket(t, args[1])
	}
	if len(args) == 2 && args[0] == "join" {
		return s.cosign(t, args[1], true)
	}
	return t.answer(t.text("button.stale"), false)
}

// shareTicket gives the sender the invitation to forward.
func (s *Service) shareTicket(t *turn, idArg string) error {
	if t.ev.Chat.Group { // the invitation is the sender's to pass on
		return t.answer(t.text("group.button_private"), true)
	}
	id, err := strconv.ParseInt(idArg, 10, 64)
	if err != nil {
		return t.answer(t.text("button.stale"), false)
	}
	tk, err := t.tx.TicketByID(t.ctx, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && tk.CitizenID != t.citizen.ID) {
		return t.answer(t.text("button.stale"), false)
	}
	if err != nil {
		return err
	}
	ok, err := s.cosignableNow(t, tk)
	if err != nil {
		return err
	}
	if !ok {
		return t.answer(t.text("cosign.not_shareable"), true)
	}
	token, err := t.tx.ShareToken(t.ctx, tk.ID, newShareToken())
	if err != nil {
		return err
	}
	if err := t.answer("", false); err != nil {
		return err
	}
	if err := t.reply("cosign.forward_this"); err != nil {
		return err
	}
	about, err := s.cosignSubject(t, tk)
	if err != nil {
		return err
	}
	// The command also works where the link does not (the sandbox).
	payload := cosignPayloadPrefix + token
	how := t.text("cosign.open_command", payload)
	if s.cfg.BotUsername != "" {
		how = t.text("cosign.open_link", fmt.Sprintf("https://t.me/%s?start=%s", s.cfg.BotUsername, payload), payload)
	}
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: t.text("cosign.invitation", about, how)})
}

// newShareToken is 50 random bits in 10 letters and digits.
func newShareToken() string {
	b := make([]byte, 10)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))[:10]
}

// cosignSubject says what a petition is about without its sender's words,
// name or address: kind, field, area and date.
func (s *Service) cosignSubject(t *turn, tk storage.Ticket) (string, error) {
	about := t.text("kind."+tk.Kind) + " " + tk.Code
	if tk.CategoryID.Valid {
		cat, err := t.tx.CategoryByID(t.ctx, tk.CategoryID.Int64)
		if err != nil {
			return "", err
		}
		about += " · " + bot.Escape(categoryName(t.lang, cat))
	}
	place, err := s.placeText(t, tk.AreaID.Int64, "", false)
	if err != nil {
		return "", err
	}
	return about + " · " + place + " · " + formatDate(tk.CreatedAt), nil
}

// cosign shows an invitation (from /start k_<token>) or, with join, takes
// it. An invitation that is not valid, or no longer, reads the same.
func (s *Service) cosign(t *turn, token string, join bool) error {
	refuse := func(key string) error {
		if t.ev.Button != nil {
			return t.answer(t.text(key), true)
		}
		return t.reply(key)
	}
	if t.ev.Chat.Group {
		return refuse("cosign.private_only")
	}
	tk, err := t.tx.TicketByShareToken(t.ctx, token)
	if err == nil && join {
		// Locked, so that an answer given meanwhile is seen here rather
		// than sent before this person joins and never told them.
		tk, err = t.tx.LockTicket(t.ctx, tk.ID)
	}
	if errors.Is(err, storage.ErrNotFound) {
		return refuse("cosign.unavailable")
	}
	if err != nil {
		return err
	}
	ok, err := s.cosignableNow(t, tk)
	if err != nil {
		return err
	}
	if !ok {
		return refuse("cosign.unavailable")
	}
	if tk.CitizenID == t.citizen.ID {
		return refuse("cosign.own")
	}
	if !join {
		about, err := s.cosignSubject(t, tk)
		if err != nil {
			return err
		}
		text := t.text("cosign.screen", about, tk.Cosigners) + "\n\n" + t.text("cosign.consent", t.text("btn.cosign"))
		return t.send(bot.Outgoing{Kind: bot.KindText, Text: text,
			Buttons: [][]bot.InlineButton{{{Text: t.text("btn.cosign"), Data: data(prefixCosign, "join", token)}}}})
	}
	total, added, err := t.tx.AddCosigner(t.ctx, tk.ID, t.citizen.ID, s.now())
	if err != nil {
		return err
	}
	if !added {
		return refuse("cosign.already")
	}
	if err := t.recordConsent(storage.ConsentHandling, tk.ID, "cosign.consent", t.text("btn.cosign")); err != nil {
		return err
	}
	// The card's copies are not edited for the new count (refreshCopies):
	// a popular petition gathers co-signatures by the hundred, each edit
	// of each copy would take a turn in chats Telegram allows a message a
	// second (groups twenty a minute), ahead of the cards staff act on,
	// and the count changes nothing they may do. The next step that edits
	// the copies, /ticket and new cards show it as it is.
	if err := t.answer("", false); err != nil {
		return err
	}
	if err := t.reply("cosign.joined", tk.Code); err != nil {
		return err
	}
	return s.tellCitizen(t, tk, "cosign.sender_told", tk.Code, total)
}

// sealedFromCosigners: since people co-signed the ticket, it has become
// confidential (it was found to be a denunciation, law.md §5) or its
// sender's own matter (found to be a complaint, about the complainant's
// own rights, law.md §2; co-signing in a chat makes no one a complainant,
// who signs, §3), so what the unit tells its sender is not for them.
func sealedFromCosigners(tk storage.Ticket) bool {
	return tk.Confidential || tk.WasDenunciation || isGuidanceKind(tk.Kind)
}

// tellCosigners sends those who joined a ticket its outcome in their
// language, with the unit's photo if the answer has one. A ticket sealed
// from them since (sealedFromCosigners) tells them only that its handling
// has ended: its outcome is its sender's alone.
func (s *Service) tellCosigners(t *turn, tk storage.Ticket, evidence *media, key string, args ...any) error {
	if tk.Cosigners == 0 {
		return nil
	}
	cs, err := t.tx.Cosigners(t.ctx, tk.ID)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if sealedFromCosigners(tk) {
			if err := t.send(bot.Outgoing{Kind: bot.KindText, ChatID: c.ChatID, Text: s.texts.text(c.Language, "cosign.ended", tk.Code)}); err != nil {
				return err
			}
			continue
		}
		if evidence != nil {
			if err := t.send(evidence.message(c.ChatID, tk.Code)); err != nil {
				return err
			}
		}
		if err := t.send(bot.Outgoing{Kind: bot.KindText, ChatID: c.ChatID, Text: s.texts.text(c.Language, key, args...)}); err != nil {
			return err
		}
	}
	return nil
}
