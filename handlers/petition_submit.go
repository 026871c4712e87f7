package handlers

import (
	"errors"
	"slices"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// petitionSubmit turns the draft into a ticket and gives the citizen its code.
func (s *Service) petitionSubmit(t *turn, d draft) error {
	// The form may have been changed by an administrator meanwhile.
	if !slices.Contains(s.citizenKinds(), d.Kind) {
		d.Kind, d.LegalSeen = "", false
		if err := t.reply("petition.kind_gone"); err != nil {
			return err
		}
		return s.advance(t, d)
	}
	if cat, err := t.tx.CategoryByID(t.ctx, d.CategoryID); err != nil || !cat.Active {
		d.CategoryID = 0
		if err := t.reply("petition.category_gone"); err != nil {
			return err
		}
		return s.advance(t, d)
	}
	if d.AreaID != 0 {
		area, err := t.tx.AreaByID(t.ctx, d.AreaID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		if err != nil || !area.Active {
			// Removed by a reorganisation: the ticket would be routed by
			// the area's old place in the tree.
			d.AreaID, d.AreaParent = 0, 0
			if err := t.reply("petition.area_gone"); err != nil {
				return err
			}
			return s.saveAndShow(t, d, stepArea)
		}
	}
	unitID, err := s.route(t, d)
	if err != nil {
		return err
	}
	now := s.now()
	nt := storage.NewTicket{UnitID: unitID,
		Kind: d.Kind, CitizenID: t.citizen.ID, CategoryID: d.CategoryID, AreaID: d.AreaID,
		Description: d.Description, Address: d.Address, Latitude: d.Latitude, Longitude: d.Longitude,
		Phone: d.Phone, Confidential: d.Confidential, Urgent: d.Urgent && mayBeUrgent(d.Kind), Source: d.Source,
	}
	for _, p := range d.Photos {
		kind := "photo"
		if p.Document {
			kind = "document"
		}
		nt.Attachments = append(nt.Attachments, storage.Attachment{
			Channel: t.ev.Channel, Kind: kind, FileID: p.ID, FileUniqueID: p.UniqueID,
		})
	}
	ticket, err := t.tx.CreateTicket(t.ctx, nt, now)
	if err != nil {
		return err
	}
	if err := t.recordConsent(storage.ConsentHandling, ticket.ID, consentToHandleKey, t.text("btn.send")); err != nil {
		return err
	}
	if d.Phone != "" {
		if err := t.tx.SetCitizenPhone(t.ctx, t.citizen.ID, d.Phone, now); err != nil {
			return err
		}
		if err := t.recordConsent(storage.ConsentPhone, ticket.ID, "petition.phone"); err != nil {
			return err
		}
	}
	ev := t.ev
	if err := t.tx.EndConversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID); err != nil {
		return err
	}
	t.logInfo("ticket created", "ticket", ticket.Code, "kind", ticket.Kind, "unit", unitID)
	key := "petition.received"
	if isGuidanceKind(d.Kind) {
		key = "petition.received_" + d.Kind
	}
	return s.acknowledge(t, ticket, t.text(key, ticket.Code))
}

// acknowledge starts a new ticket's clock, sends its card to the unit and
// gives the citizen the receipt: text, then the expected date.
func (s *Service) acknowledge(t *turn, ticket storage.Ticket, text string) error {
	// A comment on a consultation gets no clock (startClock): the
	// synthesis published when the consultation closes answers it.
	rule, due, err := s.startClock(t, ticket)
	if err != nil {
		return err
	}
	ticket.DueAt.Time, ticket.DueAt.Valid = due, !due.IsZero()
	if err := s.sendCard(t, ticket, "card.new", ""); err != nil {
		return err
	}
	if err := s.tellLeadersUrgent(t, ticket); err != nil {
		return err
	}
	if !due.IsZero() {
		text += "\n\n" + s.expectedText(t.lang, rule, due)
	}
	rows := [][]bot.InlineButton{{{Text: t.text("btn.view_status"), Data: data(prefixStatus, ticket.Code)}}}
	offer, err := s.noticeOffer(t, ticket)
	if err != nil {
		return err
	}
	return t.show(bot.Outgoing{Text: text, Buttons: append(rows, offer...)})
}

// route picks the unit a new ticket goes to (0: none). A denunciation goes
// to the triage unit, not to the area's: it may accuse that very unit or
// its officers, and must never be routed to them (law.md §5); the intake
// forwards it to a competent unit it does not name.
func (s *Service) route(t *turn, d draft) (int64, error) {
	if d.Kind == "to_cao" {
		triage, err := t.tx.TriageUnit(t.ctx)
		if err == nil {
			return triage.ID, nil
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return 0, err
		}
	}
	unitID, err := t.tx.RouteTicket(t.ctx, d.CategoryID, d.AreaID)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, nil
	}
	return unitID, err
}
