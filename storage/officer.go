package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Roles an account can hold in a unit.
const (
	RoleOfficer = "officer" // handles the unit's tickets
	RoleLeader  = "leader"  // sees the unit's whole subtree, gets escalations and digests
	RoleAdmin   = "admin"   // sees and does everything
)

// Invite errors.
var (
	ErrInviteExpired  = errors.New("storage: invitation expired")
	ErrInviteUsed     = errors.New("storage: invitation already used")
	ErrInviteUnitGone = errors.New("storage: invitation's unit no longer active")
)

// Officer is an account's role in a unit.
type Officer struct {
	ID          int64     `db:"id"`
	CitizenID   int64     `db:"citizen_id"`
	UnitID      int64     `db:"unit_id"`
	UnitCode    string    `db:"unit_code"`
	UnitName    string    `db:"unit_name"`
	UnitNameEN  string    `db:"unit_name_en"`
	Role        string    `db:"role"`
	Channel     string    `db:"channel"`
	ChatID      string    `db:"chat_id"`
	DisplayName string    `db:"display_name"`
	CreatedAt   time.Time `db:"created_at"`
}

const officerSelect = `
	SELECT o.id, o.citizen_id, o.unit_id, u.code AS unit_code, u.name AS unit_name, u.name_en AS unit_name_en, o.role,
	       c.channel, c.chat_id, c.display_name, o.created_at
	FROM officers o JOIN units u ON u.id = o.unit_id JOIN citizens c ON c.id = o.citizen_id`

// CreateInvite stores a one-time invitation (only the code's hash).
func (s *Store) CreateInvite(ctx context.Context, unitID int64, role, codeHash string, expiresAt time.Time) error {
	_, err := s.x.ExecContext(ctx, `
		INSERT INTO invites (code_hash, unit_id, role, expires_at) VALUES ($1, $2, $3, $4)`,
		codeHash, unitID, role, expiresAt)
	return wrap("create invite", err)
}

// RedeemInvite binds an account to the invitation's unit and role, once.
func (s *Store) RedeemInvite(ctx context.Context, codeHash string, citizenID int64, now time.Time) (Officer, error) {
	var o Officer
	err := s.InTx(ctx, func(tx *Store) error {
		var inv struct {
			ID        int64        `db:"id"`
			UnitID    int64        `db:"unit_id"`
			Role      string       `db:"role"`
			ExpiresAt time.Time    `db:"expires_at"`
			UsedAt    sql.NullTime `db:"used_at"`
			Active    bool         `db:"active"`
		}
		err := sqlx.GetContext(ctx, tx.x, &inv, `
			SELECT i.id, i.unit_id, i.role, i.expires_at, i.used_at, u.active
			FROM invites i JOIN units u ON u.id = i.unit_id
			WHERE i.code_hash = $1 FOR UPDATE OF i`, codeHash)
		if err != nil {
			return wrap("find invite", err)
		}
		switch {
		case inv.UsedAt.Valid:
			return ErrInviteUsed
		case now.After(inv.ExpiresAt):
			return ErrInviteExpired
		case !inv.Active: // removed from the organisation file since
			return ErrInviteUnitGone
		}
		// A new role in the same unit replaces the old one.
		if _, err := tx.x.ExecContext(ctx, `
			UPDATE officers SET active = false, revoked_at = $3
			WHERE citizen_id = $1 AND unit_id = $2 AND active`, citizenID, inv.UnitID, now); err != nil {
			return wrap("replace role", err)
		}
		var id int64
		if err := sqlx.GetContext(ctx, tx.x, &id, `
			INSERT INTO officers (citizen_id, unit_id, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			citizenID, inv.UnitID, inv.Role, now); err != nil {
			return wrap("create officer", err)
		}
		if _, err := tx.x.ExecContext(ctx, `UPDATE invites SET used_at = $2, used_by = $3 WHERE id = $1`,
			inv.ID, now, id); err != nil {
			return wrap("use invite", err)
		}
		return sqlx.GetContext(ctx, tx.x, &o, officerSelect+` WHERE o.id = $1`, id)
	})
	return o, err
}

// RolesOf lists an account's active roles.
func (s *Store) RolesOf(ctx context.Context, citizenID int64) ([]Officer, error) {
	var os []Officer
	err := sqlx.SelectContext(ctx, s.x, &os, officerSelect+` WHERE o.citizen_id = $1 AND o.active ORDER BY o.id`, citizenID)
	return os, wrap("roles of account", err)
}

// RolesInChats lists the active roles of the accounts whose private
// chats these are (ChatID says whose): what each may do with a card sent
// there.
func (s *Store) RolesInChats(ctx context.Context, channel string, chatIDs []string) ([]Officer, error) {
	var os []Officer
	err := sqlx.SelectContext(ctx, s.x, &os, officerSelect+`
		WHERE o.active AND c.channel = $1 AND c.chat_id = ANY($2) ORDER BY o.id`, channel, pq.Array(chatIDs))
	return os, wrap("roles in chats", err)
}

// OfficerByID returns a role, revoked or not: a timeline names who acted
// in it then.
func (s *Store) OfficerByID(ctx context.Context, id int64) (Officer, error) {
	var o Officer
	err := sqlx.GetContext(ctx, s.x, &o, officerSelect+` WHERE o.id = $1`, id)
	return o, wrap("officer by id", err)
}

// Officers lists all active roles, by unit.
func (s *Store) Officers(ctx context.Context) ([]Officer, error) {
	var os []Officer
	err := sqlx.SelectContext(ctx, s.x, &os, officerSelect+` WHERE o.active ORDER BY u.code, o.role, o.id`)
	return os, wrap("list officers", err)
}

// UnitStaff lists the active officers (and, with leaders, leaders) of a unit.
func (s *Store) UnitStaff(ctx context.Context, unitID int64, roles ...string) ([]Officer, error) {
	var os []Officer
	err := sqlx.SelectContext(ctx, s.x, &os, officerSelect+`
		WHERE o.unit_id = $1 AND o.active AND o.role = ANY($2) ORDER BY o.id`, unitID, pq.Array(roles))
	return os, wrap("unit staff", err)
}

// RevokeOfficer removes a role; history keeps it.
func (s *Store) RevokeOfficer(ctx context.Context, id int64, now time.Time) error {
	res, err := s.x.ExecContext(ctx, `
		UPDATE officers SET active = false, revoked_at = $2 WHERE id = $1 AND active`, id, now)
	if err != nil {
		return wrap("revoke officer", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return wrap("revoke officer", ErrNotFound)
	}
	return nil
}

// LinkGroup makes a group chat receive a unit's tickets.
func (s *Store) LinkGroup(ctx context.Context, unitID int64, channel, chatID string, by int64) error {
	_, err := s.x.ExecContext(ctx, `
		INSERT INTO unit_groups (unit_id, channel, chat_id, linked_by) VALUES ($1, $2, $3, nullif($4, 0))
		ON CONFLICT (channel, chat_id) DO UPDATE SET unit_id = EXCLUDED.unit_id, active = true,
			linked_by = EXCLUDED.linked_by`, unitID, channel, chatID, by)
	return wrap("link group", err)
}

// UnlinkGroup stops a group from receiving its unit's cards; ErrNotFound
// if it is not linked. The row stays, as history of who linked it.
func (s *Store) UnlinkGroup(ctx context.Context, channel, chatID string) error {
	res, err := s.x.ExecContext(ctx, `
		UPDATE unit_groups SET active = false WHERE channel = $1 AND chat_id = $2 AND active`, channel, chatID)
	if err != nil {
		return wrap("unlink group", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return wrap("unlink group", ErrNotFound)
	}
	return nil
}

// MoveGroup follows a group chat to its new id (a group that became a
// supergroup), keeping its link to a unit; a link the new id already has
// stands. The new messages still queued for the group go to the new id
// too: the sender would deliver them there anyway (bot/telegram), but
// with two queues the one chat would be paced twice as fast as a group
// may be sent to, its flood control would hold only one of them, and the
// older messages of one could follow the newer of the other. Edits and
// deletions stay: their messages are the old group's.
func (s *Store) MoveGroup(ctx context.Context, channel, fromChatID, toChatID string) error {
	_, err := s.x.ExecContext(ctx, `
		WITH moved AS (
			DELETE FROM unit_groups WHERE channel = $1 AND chat_id = $2
			RETURNING unit_id, active, linked_by, created_at
		)
		INSERT INTO unit_groups (unit_id, channel, chat_id, active, linked_by, created_at)
		SELECT unit_id, $1, $3, active, linked_by, created_at FROM moved
		ON CONFLICT (channel, chat_id) DO NOTHING`, channel, fromChatID, toChatID)
	if err != nil {
		return wrap("move group", err)
	}
	_, err = s.x.ExecContext(ctx, `
		UPDATE outbox SET chat_id = $3,
			payload = jsonb_set(payload, '{chat_id}', to_jsonb($3::text)),
			kept_copy = CASE WHEN kept_copy ? 'chat_id' THEN jsonb_set(kept_copy, '{chat_id}', to_jsonb($3::text)) ELSE kept_copy END
		WHERE channel = $1 AND chat_id = $2 AND status = 'pending' AND kind IN ('text', 'photo', 'document')`,
		channel, fromChatID, toChatID)
	return wrap("move a group's queued messages", err)
}

// GroupUnit returns the unit a group chat is linked to, or ErrNotFound.
func (s *Store) GroupUnit(ctx context.Context, channel, chatID string) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, s.x, &id, `
		SELECT unit_id FROM unit_groups WHERE channel = $1 AND chat_id = $2 AND active`, channel, chatID)
	return id, wrap("group unit", err)
}

// UnitGroups lists the group chats linked to a unit.
func (s *Store) UnitGroups(ctx context.Context, unitID int64) ([]string, error) {
	var ids []string
	err := sqlx.SelectContext(ctx, s.x, &ids, `
		SELECT chat_id FROM unit_groups WHERE unit_id = $1 AND active ORDER BY id`, unitID)
	return ids, wrap("unit groups", err)
}
