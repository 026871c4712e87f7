package handlers

import (
	"fmt"
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
	btn := func(action string) bot.InlineButton {
		return bot.InlineButton{Text: tr("act." + action), Data: data(prefixOfficer, action, fmt.Sprint(tk.ID))}
	}
	var rows [][]bot.InlineButton
	if isOpen(tk.Status) {
		rows = [][]bot.InlineButton{
			{btn(actAccept), btn(actAsk)},
			{btn(actAnswer), btn(actTransfer)},
			{btn(actReject), btn(actNote)},
			{btn(actReclassify)},
		}
	} else {
		rows = [][]bot.InlineButton{{btn(actNote)}}
	}
	return bot.Outgoing{Kind: bot.KindText, Text: b.String(), Buttons: rows}, nil
}

func isOpen(status string) bool {
	switch status {
	case storage.StatusAnswered, storage.StatusCompleted, storage.StatusRejected, storage.StatusMerged:
		return false
	}
	return true
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
