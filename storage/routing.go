package storage

// Routing: which unit is responsible for a new ticket.

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"
)

// RoutingRule maps (category, area) to the responsible unit. A null
// category or area means "any"; there is at most one rule per pair.
type RoutingRule struct {
	ID           int64         `db:"id"`
	CategoryID   sql.NullInt64 `db:"category_id"`
	AreaID       sql.NullInt64 `db:"area_id"`
	UnitID       int64         `db:"unit_id"`
	Active       bool          `db:"active"`
	CategoryCode string        `db:"category_code"` // "" for any category
	AreaCode     string        `db:"area_code"`     // "" for any area
	UnitCode     string        `db:"unit_code"`
}

// routingRuleColumns and routingRuleJoins read rules aliased "r" together
// with the codes they refer to.
const (
	routingRuleColumns = `r.id, r.category_id, r.area_id, r.unit_id, r.active,
		coalesce(c.code, '') AS category_code, coalesce(a.code, '') AS area_code, u.code AS unit_code`
	routingRuleJoins = `
		LEFT JOIN categories c ON c.id = r.category_id
		LEFT JOIN areas a ON a.id = r.area_id
		JOIN units u ON u.id = r.unit_id`
)

// ActiveRoutingRules lists the active rules, the most general first: any
// area before specific areas, any category before specific categories.
func (s *Store) ActiveRoutingRules(ctx context.Context) ([]RoutingRule, error) {
	var rs []RoutingRule
	err := sqlx.SelectContext(ctx, s.x, &rs, `
		SELECT `+routingRuleColumns+` FROM routing_rules r `+routingRuleJoins+`
		WHERE r.active
		ORDER BY a.code NULLS FIRST, c.position NULLS FIRST, c.code`)
	return rs, wrap("list routing rules", err)
}

// MaxAreaDepth bounds the walk up the area tree, so a cycle introduced by
// hand in the database cannot loop forever; the organisation file refuses
// a deeper tree (org). Real trees have 2–4 levels.
const MaxAreaDepth = 32

// RouteTicket picks the unit responsible for a ticket in category and
// area (0: the citizen gave none). Among the active rules whose category
// is the ticket's or any, whose area is the ticket's area, one of its
// ancestors or any, and whose unit is active, the most specific wins:
//
//  1. The area decides first: a rule on the ticket's own area beats a rule
//     on its parent, which beats one on the grandparent, and so on; a rule
//     for any area comes last. So "anything in phường X → UBND phường X"
//     beats "health, anywhere → Sở Y tế": the grassroots level handles
//     what happens on its ground and transfers what it cannot.
//  2. At the same area, a rule for the ticket's category beats a rule for
//     any category.
//
// There is one rule per (category, area) pair, so this order has no ties.
// With no matching rule the ticket goes to the active triage unit, never
// nowhere; ErrNotFound only if there is no triage unit at all.
func (s *Store) RouteTicket(ctx context.Context, categoryID, areaID int64) (unitID int64, err error) {
	// distance is 0 for the ticket's area, 1 for its parent...; NULL for
	// rules on any area, which ORDER BY puts last.
	err = sqlx.GetContext(ctx, s.x, &unitID, `
		WITH RECURSIVE chain (id, parent_id, distance) AS (
			SELECT id, parent_id, 0 FROM areas WHERE id = $2
			UNION ALL
			SELECT a.id, a.parent_id, ch.distance + 1
			FROM areas a JOIN chain ch ON a.id = ch.parent_id
			WHERE ch.distance < $3
		)
		SELECT r.unit_id
		FROM routing_rules r
		JOIN units u ON u.id = r.unit_id AND u.active
		LEFT JOIN chain ch ON ch.id = r.area_id
		WHERE r.active
		  AND (r.category_id IS NULL OR r.category_id = $1)
		  AND (r.area_id IS NULL OR ch.id IS NOT NULL)
		ORDER BY ch.distance NULLS LAST, r.category_id IS NULL
		LIMIT 1`, categoryID, areaID, MaxAreaDepth)
	if errors.Is(err, sql.ErrNoRows) {
		u, err := s.TriageUnit(ctx)
		return u.ID, err
	}
	return unitID, wrap("route ticket", err)
}

// TriageUnit returns the active unit that receives what no rule matches.
// ErrNotFound if there is none.
func (s *Store) TriageUnit(ctx context.Context) (Unit, error) {
	var u Unit
	err := sqlx.GetContext(ctx, s.x, &u, `SELECT `+unitColumns+` FROM units WHERE is_triage AND active`)
	return u, wrap("get triage unit", err)
}
