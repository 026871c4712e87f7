package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Announcements are notices a unit publishes to the residents of the areas
// it serves (unit_areas): those who follow one of those areas, an area
// below one (a residential group of the ward) or an area above one (the
// whole city, and so all of it).

// Announcement is a published notice.
type Announcement struct {
	ID          int64     `db:"id"`
	UnitID      int64     `db:"unit_id"`
	UnitName    string    `db:"unit_name"`
	UnitNameEN  string    `db:"unit_name_en"`
	OfficerID   int64     `db:"officer_id"`
	Text        string    `db:"text"`
	PublishedAt time.Time `db:"published_at"`
	Recipients  int       `db:"recipients"`
}

const announcementColumns = `n.id, n.unit_id, u.name AS unit_name, u.name_en AS unit_name_en,
	n.officer_id, n.text, n.published_at, n.recipients`

// servedAreas is two CTEs: served, the areas unit $1 serves and those
// below them, and containing, the areas above them.
const servedAreas = `served(id) AS (
	SELECT area_id FROM unit_areas WHERE unit_id = $1
	UNION
	SELECT a.id FROM areas a JOIN served s ON a.parent_id = s.id
), containing(id) AS (
	SELECT a.parent_id FROM areas a JOIN unit_areas ua ON ua.area_id = a.id
	WHERE ua.unit_id = $1 AND a.parent_id IS NOT NULL
	UNION
	SELECT a.parent_id FROM areas a JOIN containing c ON a.id = c.id WHERE a.parent_id IS NOT NULL)`

// followersOfServed selects the people who follow an area of served or
// containing, once each, who can be reached (they have not blocked the
// bot). Erasure stops a person's following; one who follows again after
// it wants the notices.
const followersOfServed = `
	SELECT DISTINCT c.id, c.channel, c.chat_id, c.language
	FROM area_followers f JOIN citizens c ON c.id = f.citizen_id
	WHERE (f.area_id IN (SELECT id FROM served) OR f.area_id IN (SELECT id FROM containing))
	  AND c.unreachable_at IS NULL`

// FollowArea has a person follow an area's announcements; following it
// again changes nothing.
func (s *Store) FollowArea(ctx context.Context, citizenID, areaID int64, at time.Time) error {
	_, err := s.x.ExecContext(ctx, `
		INSERT INTO area_followers (citizen_id, area_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, citizenID, areaID, at)
	return wrap("follow area", err)
}

// UnfollowArea stops a person following an area; ErrNotFound if they did
// not. Someone who follows no area any more is sent none of the notices
// still scheduled for followers.
func (s *Store) UnfollowArea(ctx context.Context, citizenID, areaID int64) error {
	res, err := s.x.ExecContext(ctx, `DELETE FROM area_followers WHERE citizen_id = $1 AND area_id = $2`, citizenID, areaID)
	if err != nil {
		return wrap("unfollow area", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("storage: unfollow area: %w", ErrNotFound)
	}
	_, err = s.x.ExecContext(ctx, `
		DELETE FROM outbox_scheduled o USING citizens c
		WHERE c.id = $1 AND o.channel = c.channel AND o.chat_id = c.chat_id AND NOT o.is_group
		  AND NOT EXISTS (SELECT FROM area_followers f WHERE f.citizen_id = $1)`, citizenID)
	return wrap("unfollow area", err)
}

// FollowedArea is an area a person follows, and since when.
type FollowedArea struct {
	Area
	Since time.Time `db:"since"`
}

// FollowedAreas lists the areas a person follows, by name.
func (s *Store) FollowedAreas(ctx context.Context, citizenID int64) ([]FollowedArea, error) {
	var as []FollowedArea
	err := sqlx.SelectContext(ctx, s.x, &as, `
		SELECT `+areaColumns+`, f.created_at AS since
		FROM area_followers f JOIN areas a ON a.id = f.area_id
		WHERE f.citizen_id = $1
		ORDER BY a.name COLLATE "vi-x-icu"`, citizenID)
	return as, wrap("list followed areas", err)
}

// UnitAudience returns the areas a unit serves, by name, and how many
// people an announcement of it would reach now.
func (s *Store) UnitAudience(ctx context.Context, unitID int64) (areas []Area, followers int, err error) {
	err = sqlx.SelectContext(ctx, s.x, &areas, `
		SELECT `+areaColumns+` FROM areas a JOIN unit_areas ua ON ua.area_id = a.id
		WHERE ua.unit_id = $1
		ORDER BY a.name COLLATE "vi-x-icu"`, unitID)
	if err != nil {
		return nil, 0, wrap("list unit areas", err)
	}
	err = sqlx.GetContext(ctx, s.x, &followers, `
		WITH RECURSIVE `+servedAreas+`
		SELECT count(*) FROM (`+followersOfServed+`) people`, unitID)
	return areas, followers, wrap("count unit followers", err)
}

// NoticeOffer reports whether to offer a person notices about an area:
// a unit serves it or an area above it, and they follow neither.
func (s *Store) NoticeOffer(ctx context.Context, citizenID, areaID int64) (bool, error) {
	var offer bool
	err := sqlx.GetContext(ctx, s.x, &offer, `
		WITH RECURSIVE above(id) AS (
			SELECT $2::bigint
			UNION
			SELECT a.parent_id FROM areas a JOIN above ON a.id = above.id WHERE a.parent_id IS NOT NULL
		)
		SELECT EXISTS (SELECT FROM unit_areas WHERE area_id IN (SELECT id FROM above))
		   AND NOT EXISTS (SELECT FROM area_followers WHERE citizen_id = $1 AND area_id IN (SELECT id FROM above))`,
		citizenID, areaID)
	return offer, wrap("notice offer", err)
}

// NewAnnouncement is a notice to publish.
type NewAnnouncement struct {
	UnitID    int64
	OfficerID int64
	Text      string
	At        time.Time
}

// FollowerMessages is a message for every follower of a unit's areas.
type FollowerMessages struct {
	UnitID int64
	// Messages maps each language to the outgoing message its followers
	// get (a JSON object with a "chat_id" field to fill); people whose
	// language has none get Fallback's.
	Messages map[string]json.RawMessage
	Fallback string
	// KeyPrefix followed by the person's id is each message's dedupe key.
	KeyPrefix string
	// After and PerSecond pace the messages: the i-th (from 0) is due
	// i/PerSecond seconds after After from now, by the database's clock,
	// which the sender's release goes by.
	After     time.Duration
	PerSecond float64
}

// ScheduleForFollowers schedules a message, in one statement, for every
// follower of the unit's areas who can be reached, once each
// (outbox_schedule.go). It returns how many it scheduled.
func (s *Store) ScheduleForFollowers(ctx context.Context, m FollowerMessages) (int, error) {
	var langs, messages []string
	for lang, msg := range m.Messages {
		langs, messages = append(langs, lang), append(messages, string(msg))
	}
	res, err := s.x.ExecContext(ctx, `
		WITH RECURSIVE `+servedAreas+`,
		people AS (`+followersOfServed+`),
		message AS (
			SELECT * FROM unnest($2::text[], $3::jsonb[]) AS m(language, payload)
		)
		INSERT INTO outbox_scheduled (channel, chat_id, kind, payload, dedupe_key, due_at)
		SELECT p.channel, p.chat_id, m.payload->>'kind',
		       jsonb_set(m.payload, '{chat_id}', to_jsonb(p.chat_id)),
		       $5::text || p.id,
		       now() + make_interval(secs => $6::float8 + (row_number() OVER (ORDER BY p.id) - 1) / $7::float8)
		FROM people p
		JOIN message m ON m.language = CASE WHEN p.language = ANY($2) THEN p.language ELSE $4 END
		ON CONFLICT (dedupe_key) DO NOTHING`,
		m.UnitID, pq.Array(langs), pq.Array(messages), m.Fallback, m.KeyPrefix, m.After.Seconds(), m.PerSecond)
	if err != nil {
		return 0, wrap("schedule messages for followers", err)
	}
	n, err := res.RowsAffected()
	return int(n), wrap("schedule messages for followers", err)
}

// PublishAnnouncement records a notice and schedules it, as m, for every
// follower of the unit's areas (m's unit and key prefix are the
// notice's). It returns the notice's id and how many people it was
// scheduled for.
func (s *Store) PublishAnnouncement(ctx context.Context, a NewAnnouncement, m FollowerMessages) (id int64, recipients int, err error) {
	err = s.InTx(ctx, func(tx *Store) error {
		err := sqlx.GetContext(ctx, tx.x, &id, `
			INSERT INTO announcements (unit_id, officer_id, text, published_at, recipients)
			VALUES ($1, $2, $3, $4, 0) RETURNING id`, a.UnitID, a.OfficerID, a.Text, a.At)
		if err != nil {
			return wrap("publish announcement", err)
		}
		m.UnitID, m.KeyPrefix = a.UnitID, fmt.Sprintf("announcement:%d:", id)
		if recipients, err = tx.ScheduleForFollowers(ctx, m); err != nil {
			return err
		}
		_, err = tx.x.ExecContext(ctx, `UPDATE announcements SET recipients = $2 WHERE id = $1`, id, recipients)
		return wrap("publish announcement", err)
	})
	return id, recipients, err
}

// AnnouncementsFor lists the latest notices published since since that
// reach a person's followed areas: those of units serving one of them, an
// area above one or an area below one. Newest first.
func (s *Store) AnnouncementsFor(ctx context.Context, citizenID int64, since time.Time, limit int) ([]Announcement, error) {
	var ns []Announcement
	err := sqlx.SelectContext(ctx, s.x, &ns, `
		WITH RECURSIVE above(id) AS (
			SELECT area_id FROM area_followers WHERE citizen_id = $1
			UNION
			SELECT a.parent_id FROM areas a JOIN above ON a.id = above.id WHERE a.parent_id IS NOT NULL
		), below(id) AS (
			SELECT area_id FROM area_followers WHERE citizen_id = $1
			UNION
			SELECT a.id FROM areas a JOIN below ON a.parent_id = below.id
		)
		SELECT `+announcementColumns+`
		FROM announcements n JOIN units u ON u.id = n.unit_id
		WHERE n.published_at >= $2
		  AND n.unit_id IN (SELECT unit_id FROM unit_areas
		                    WHERE area_id IN (SELECT id FROM above) OR area_id IN (SELECT id FROM below))
		ORDER BY n.published_at DESC, n.id DESC
		LIMIT $3`, citizenID, since, limit)
	return ns, wrap("list announcements for a person", err)
}

// UnitAnnouncements lists a unit's latest notices, newest first.
func (s *Store) UnitAnnouncements(ctx context.Context, unitID int64, limit int) ([]Announcement, error) {
	var ns []Announcement
	err := sqlx.SelectContext(ctx, s.x, &ns, `
		SELECT `+announcementColumns+`
		FROM announcements n JOIN units u ON u.id = n.unit_id
		WHERE n.unit_id = $1
		ORDER BY n.published_at DESC, n.id DESC
		LIMIT $2`, unitID, limit)
	return ns, wrap("list unit announcements", err)
}

// AnnouncementsBy lists the notices a person published, in any of their
// roles, newest first.
func (s *Store) AnnouncementsBy(ctx context.Context, citizenID int64, limit int) ([]Announcement, error) {
	var ns []Announcement
	err := sqlx.SelectContext(ctx, s.x, &ns, `
		SELECT `+announcementColumns+`
		FROM announcements n JOIN units u ON u.id = n.unit_id JOIN officers o ON o.id = n.officer_id
		WHERE o.citizen_id = $1
		ORDER BY n.published_at DESC, n.id DESC
		LIMIT $2`, citizenID, limit)
	return ns, wrap("list a person's announcements", err)
}

// AnnouncementByID loads a notice.
func (s *Store) AnnouncementByID(ctx context.Context, id int64) (Announcement, error) {
	var n Announcement
	err := sqlx.GetContext(ctx, s.x, &n, `
		SELECT `+announcementColumns+` FROM announcements n JOIN units u ON u.id = n.unit_id WHERE n.id = $1`, id)
	return n, wrap("get announcement", err)
}
