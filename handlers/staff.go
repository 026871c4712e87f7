package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// Invitation payloads in deep links: t.me/<bot>?start=join_<code>.
const joinPayloadPrefix = "join_"

// HashInvite is how invitation codes are stored: a leaked database does not
// leak usable codes.
func HashInvite(code string) string {
	sum := sha256.Sum256([]byte(strings.ToUpper(strings.TrimSpace(code))))
	return hex.EncodeToString(sum[:])
}

// roles returns the person's active staff roles (none for a citizen).
func (t *turn) roles() ([]storage.Officer, error) {
	if t.staffLoaded {
		return t.staff, nil
	}
	roles, err := t.tx.RolesOf(t.ctx, t.citizen.ID)
	t.staff, t.staffLoaded = roles, err == nil
	return roles, err
}

func (t *turn) isStaff() (bool, error) {
	roles, err := t.roles()
	return len(roles) > 0, err
}

// actingRole returns the role that lets the person act on a ticket: an
// officer of its unit, a leader of a unit above it, or an administrator.
// ok is false when the ticket is outside every role's scope, or in a group
// chat, of another unit than the group's. With several, the first.
func (t *turn) actingRole(tk storage.Ticket) (storage.Officer, bool, error) {
	return t.roleOver(tk, anyRole)
}

func anyRole(storage.Officer) bool { return true }

// roleOver returns the first of the person's roles that lets them act on a
// ticket (actingRole) and that want accepts.
func (t *turn) roleOver(tk storage.Ticket, want func(storage.Officer) bool) (storage.Officer, bool, error) {
	if t.ev.Chat.Group && (!tk.UnitID.Valid || tk.UnitID.Int64 != t.groupUnit) {
		return storage.Officer{}, false, nil
	}
	roles, err := t.roles()
	if err != nil {
		return storage.Officer{}, false, err
	}
	return t.roleAmong(roles, tk, want)
}

// roleAmong returns the first of roles that want accepts and that lets
// its holder act on a ticket: an officer of its unit, a leader of a unit
// above it, or an administrator. They may be someone else's (the owner of
// a chat a card went to).
func (t *turn) roleAmong(roles []storage.Officer, tk storage.Ticket, want func(storage.Officer) bool) (storage.Officer, bool, error) {
	for _, r := range roles {
		if !want(r) {
			continue
		}
		switch r.Role {
		case storage.RoleAdmin:
			return r, true, nil
		case storage.RoleOfficer:
			if tk.UnitID.Valid && tk.UnitID.Int64 == r.UnitID {
				return r, true, nil
			}
		case storage.RoleLeader:
			subtree, err := t.tx.UnitSubtree(t.ctx, r.UnitID)
			if err != nil {
				return storage.Officer{}, false, err
			}
			if tk.UnitID.Valid && slices.Contains(subtree, tk.UnitID.Int64) {
				return r, true, nil
			}
		}
	}
	return storage.Officer{}, false, nil
}

// scopeUnits lists the units whose tickets the person may see (all: every
// unit's); in a group chat, at most the group's unit.
func (t *turn) scopeUnits() ([]int64, bool, error) {
	if t.ev.Chat.Group {
		units, all, err := t.personalScope()
		if err != nil || !(all || slices.Contains(units, t.groupUnit)) {
			return nil, false, err
		}
		return []int64{t.groupUnit}, false, nil
	}
	return t.personalScope()
}

// personalScope lists the units whose tickets the person's roles cover.
func (t *turn) personalScope() ([]int64, bool, error) {
	roles, err := t.roles()
	if err != nil {
		return nil, false, err
	}
	var units []int64
	for _, r := range roles {
		switch r.Role {
		case storage.RoleAdmin:
			return nil, true, nil
		case storage.RoleOfficer:
			units = append(units, r.UnitID)
		case storage.RoleLeader:
			subtree, err := t.tx.UnitSubtree(t.ctx, r.UnitID)
			if err != nil {
				return nil, false, err
			}
			units = append(units, subtree...)
		}
	}
	return units, false, nil
}

// cmdJoin binds this account to a unit with the invitation's role.
func (s *Service) cmdJoin(t *turn) error {
	return s.join(t, t.ev.Args)
}

func (s *Service) join(t *turn, code string) error {
	if t.ev.Chat.Group {
		return t.reply("join.private_only")
	}
	if strings.TrimSpace(code) == "" {
		return t.reply("join.usage")
	}
	o, err := t.tx.RedeemInvite(t.ctx, HashInvite(code), t.citizen.ID, s.now())
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return t.reply("join.invalid")
	case errors.Is(err, storage.ErrInviteExpired):
		return t.reply("join.expired")
	case errors.Is(err, storage.ErrInviteUsed):
		return t.reply("join.used")
	case errors.Is(err, storage.ErrInviteUnitGone):
		return t.reply("join.unit_gone")
	case err != nil:
		return err
	}
	t.logInfo("staff joined", "officer", o.ID, "unit", o.UnitCode, "role", o.Role)
	if err := t.send(commandMenu(t.ev.Chat.ID, t.lang, true)); err != nil {
		return err
	}
	return t.reply("join.done", t.text("role."+o.Role), bot.Escape(o.UnitName))
}

// cmdLinkGroup links the group it is sent in to a unit; only an
// administrator, or a leader of that unit, may do it.
func (s *Service) cmdLinkGroup(t *turn) error {
	if !t.ev.Chat.Group {
		return t.reply("linkgroup.group_only")
	}
	code := strings.ToLower(strings.TrimSpace(t.ev.Args))
	if code == "" {
		return t.reply("linkgroup.usage")
	}
	unit, err := t.tx.UnitByCode(t.ctx, code)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !unit.Active) {
		return t.reply("unit.unknown", bot.Escape(excerpt(code, 40)))
	}
	if err != nil {
		return err
	}
	by, err := t.groupLinker(unit.ID)
	if err != nil || by == 0 {
		return errors.Join(err, t.reply("access.denied"))
	}
	if t.groupUnit != 0 && t.groupUnit != unit.ID {
		// Linked to another unit: only who may unlink it from that unit
		// may take it away, or one unit's leader could have another's
		// cards sent to their group.
		if from, err := t.groupLinker(t.groupUnit); err != nil || from == 0 {
			return errors.Join(err, t.reply("access.denied"))
		}
	}
	if err := t.tx.LinkGroup(t.ctx, unit.ID, t.ev.Channel, t.ev.Chat.ID, by); err != nil {
		return err
	}
	return t.reply("linkgroup.done", bot.Escape(unit.Name))
}

// cmdUnlinkGroup stops the linked group it is sent in from receiving its
// unit's cards; the same people as may link it may do it.
func (s *Service) cmdUnlinkGroup(t *turn) error {
	if !t.ev.Chat.Group {
		return t.reply("unlinkgroup.group_only")
	}
	by, err := t.groupLinker(t.groupUnit)
	if err != nil || by == 0 {
		return errors.Join(err, t.reply("access.denied"))
	}
	unit, err := t.tx.UnitByID(t.ctx, t.groupUnit)
	if err != nil {
		return err
	}
	if err := t.tx.UnlinkGroup(t.ctx, t.ev.Channel, t.ev.Chat.ID); err != nil {
		return err
	}
	t.logInfo("group unlinked", "unit", unit.Code, "chat", t.ev.Chat.ID)
	return t.reply("linkgroup.unlinked", bot.Escape(unit.Name))
}

// groupLinker returns the role by which the person may link a group to
// the unit, or unlink it: an administrator, or a leader of that unit; 0
// if they may not.
func (t *turn) groupLinker(unitID int64) (int64, error) {
	roles, err := t.roles()
	if err != nil {
		return 0, err
	}
	for _, r := range roles {
		if r.Role == storage.RoleAdmin || (r.Role == storage.RoleLeader && r.UnitID == unitID) {
			return r.ID, nil
		}
	}
	return 0, nil
}
