package handlers

import (
	"errors"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// cmdIdentity, "/identity CODE reason", shows who sent a confidential
// ticket to the intake, and to no one else: law.md §5 lets only a
// designated intake read a denouncer's identity, and has every read
// logged. The intake is the staff of the triage unit, where denunciations
// go (route). Cards never name the sender, nor show a denunciation's
// photos; this is the one way to see them, in a private chat, with a
// reason that goes in the log (identity_reads, listed by `danvan admin
// identity-reads`); the ticket's internal timeline shows the read.
func (s *Service) cmdIdentity(t *turn) error {
	if t.ev.Chat.Group {
		return t.reply("identity.private_only")
	}
	reason := commandText(t.ev.Args, 1)
	if reason == "" {
		return t.reply("identity.usage")
	}
	if over, err := t.tooLong(reason); over || err != nil {
		return err
	}
	intake, err := t.intakeRole()
	if err != nil || intake.ID == 0 {
		return errors.Join(err, t.reply("identity.intake_only"))
	}
	tk, given, err := s.ticketFromArgs(t, "identity.usage")
	if !given {
		return err
	}
	if errors.Is(err, storage.ErrNotFound) {
		return t.reply("identity.unknown")
	}
	if err != nil {
		return err
	}
	if !tk.Confidential {
		return t.reply("identity.not_confidential", tk.Code)
	}
	c, err := t.tx.CitizenByID(t.ctx, tk.CitizenID)
	if err != nil {
		return err
	}
	if err := t.tx.RecordIdentityRead(t.ctx, tk.ID, intake.ID, reason, s.now()); err != nil {
		return err
	}
	t.logInfo("identity read", "ticket", tk.Code, "officer", intake.ID)
	name := bot.Escape(c.DisplayName)
	if name == "" {
		name = t.text("value.name_erased")
	}
	phone := t.text("value.not_shared")
	if tk.Phone.Valid {
		phone = bot.Escape(tk.Phone.String)
	}
	if err := t.reply("identity.shown", tk.Code, name, phone); err != nil {
		return err
	}
	if !photosSealed(tk) { // they are on its cards
		return nil
	}
	atts, err := t.tx.Attachments(t.ctx, tk.ID)
	if err != nil {
		return err
	}
	for _, a := range atts {
		if err := t.send(attachmentMessage(a, tk.Code)); err != nil {
			return err
		}
	}
	return nil
}

// intakeRole is the person's role in the triage unit, if they have one
// (ID 0 if not).
func (t *turn) intakeRole() (storage.Officer, error) {
	triage, err := t.tx.TriageUnit(t.ctx)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Officer{}, nil
	}
	if err != nil {
		return storage.Officer{}, err
	}
	roles, err := t.roles()
	for _, r := range roles {
		if r.UnitID == triage.ID && (r.Role == storage.RoleOfficer || r.Role == storage.RoleLeader) {
			return r, err
		}
	}
	return storage.Officer{}, err
}
