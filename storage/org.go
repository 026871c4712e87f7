package storage

// The organisation: units and the reads handlers need, plus the writes
// behind `danvan admin import` (package org). The import upserts by code,
// reports exactly what it changed and deactivates what the file no longer
// lists. Nothing is deleted, so tickets, officers and the timeline keep
// pointing at the rows they used.

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/danvan-vn/danvan/workcal"
)

// Unit is a body that receives tickets: a people's committee, one of its
// departments, the Fatherland Front, a mass organisation... Units form a
// tree of any depth; Level is free text ("thành phố", "phường"), never
// interpreted by code.
type Unit struct {
	ID       int64         `db:"id"`
	Code     string        `db:"code"`
	Name     string        `db:"name"`
	NameEN   string        `db:"name_en"`
	Level    string        `db:"level"`
	ParentID sql.NullInt64 `db:"parent_id"`
	IsTriage bool          `db:"is_triage"`
	Active   bool          `db:"active"`
}

const unitColumns = `id, code, name, name_en, level, parent_id, is_triage, active`

// UnitByID loads one unit, active or not (old tickets point at old units).
func (s *Store) UnitByID(ctx context.Context, id int64) (Unit, error) {
	var u Unit
	err := sqlx.GetContext(ctx, s.x, &u, `SELECT `+unitColumns+` FROM units WHERE id = $1`, id)
	return u, wrap("get unit", err)
}

// UnitByCode loads an active unit by its code.
func (s *Store) UnitByCode(ctx context.Context, code string) (Unit, error) {
	var u Unit
	err := sqlx.GetContext(ctx, s.x, &u, `SELECT `+unitColumns+` FROM units WHERE code = $1 AND active`, code)
	return u, wrap("get unit by code", err)
}

// AnyUnitByCode loads a unit by its code, active or not: the tickets and
// reports of a unit the organisation file no longer lists are still
// looked up by its code.
func (s *Store) AnyUnitByCode(ctx context.Context, code string) (Unit, error) {
	var u Unit
	err := sqlx.GetContext(ctx, s.x, &u, `SELECT `+unitColumns+` FROM units WHERE code = $1`, code)
	return u, wrap("get any unit by code", err)
}

// ActiveUnits lists every active unit by name.
func (s *Store) ActiveUnits(ctx context.Context) ([]Unit, error) {
	var us []Unit
	err := sqlx.SelectContext(ctx, s.x, &us, `
		SELECT `+unitColumns+` FROM units WHERE active ORDER BY name COLLATE "vi-x-icu", code`)
	return us, wrap("list units", err)
}

// UnitChildren lists the active units directly under parent (parent 0: the
// top of the tree), by name.
func (s *Store) UnitChildren(ctx context.Context, parent int64) ([]Unit, error) {
	var us []Unit
	err := sqlx.SelectContext(ctx, s.x, &us, `
		SELECT `+unitColumns+` FROM units
		WHERE active AND coalesce(parent_id, 0) = $1
		ORDER BY name COLLATE "vi-x-icu", code`, parent)
	return us, wrap("list unit children", err)
}

// UnitSubtree returns the unit and all its descendants, the unit first: a
// leader sees the tickets of the whole subtree. Inactive descendants are
// included because their old tickets still need an owner. ErrNotFound if
// the unit does not exist.
func (s *Store) UnitSubtree(ctx context.Context, unitID int64) ([]int64, error) {
	var ids []int64
	// UNION (not UNION ALL) stops on a cycle, which the import refuses but
	// a hand-edited database could still contain.
	err := sqlx.SelectContext(ctx, s.x, &ids, `
		WITH RECURSIVE subtree (id) AS (
			SELECT id FROM units WHERE id = $1
			UNION
			SELECT u.id FROM units u JOIN subtree t ON u.parent_id = t.id
		)
		SELECT id FROM subtree ORDER BY id = $1 DESC, id`, unitID)
	if err == nil && len(ids) == 0 {
		err = sql.ErrNoRows
	}
	return ids, wrap("unit subtree", err)
}

// ActiveUnitAreas maps each active unit to the areas it serves, by ID in
// ascending order.
func (s *Store) ActiveUnitAreas(ctx context.Context) (map[int64][]int64, error) {
	var rows []struct {
		UnitID int64 `db:"unit_id"`
		AreaID int64 `db:"area_id"`
	}
	err := sqlx.SelectContext(ctx, s.x, &rows, `
		SELECT ua.unit_id, ua.area_id FROM unit_areas ua JOIN units u ON u.id = ua.unit_id
		WHERE u.active ORDER BY ua.unit_id, ua.area_id`)
	if err != nil {
		return nil, wrap("list unit areas", err)
	}
	m := make(map[int64][]int64)
	for _, r := range rows {
		m[r.UnitID] = append(m[r.UnitID], r.AreaID)
	}
	return m, nil
}

// LockOrganisation serialises organisation imports: call it first inside
// InTx. It makes the read-compare-write upserts below safe without row
// locks, and keeps two imports from fighting over the one triage unit.
func (s *Store) LockOrganisation(ctx context.Context) error {
	_, err := s.x.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('organisation', 0))`)
	return wrap("lock organisation", err)
}

// Outcome says what an upsert did to a row.
type Outcome int

const (
	OutcomeUnchanged   Outcome = iota // the row already matched; not written
	OutcomeCreated                    // a new row
	OutcomeUpdated                    // an active row changed
	OutcomeReactivated                // an inactive row is active again (and maybe changed)
)

// Upserted is the result of an upsert by code.
type Upserted struct {
	ID      int64
	Outcome Outcome
	Fields  []string // what differed, for OutcomeUpdated and OutcomeReactivated
}

// fieldDiff collects the names of the fields an upsert is about to change.
type fieldDiff []string

func (d *fieldDiff) note(field string, differs bool) {
	if differs {
		*d = append(*d, field)
	}
}

// result classifies the comparison with an existing row. An unchanged
// active row is not written at all, so its updated_at keeps telling when it
// last really changed.
func (d fieldDiff) result(id int64, active bool) Upserted {
	switch {
	case !active:
		return Upserted{ID: id, Outcome: OutcomeReactivated, Fields: d}
	case len(d) > 0:
		return Upserted{ID: id, Outcome: OutcomeUpdated, Fields: d}
	}
	return Upserted{ID: id, Outcome: OutcomeUnchanged}
}

// AreaInput is an area as the organisation file describes it.
type AreaInput struct {
	Code      string
	Name      string
	Level     string
	ParentID  sql.NullInt64
	Latitude  sql.NullFloat64
	Longitude sql.NullFloat64
	Remote    bool
}

// UpsertArea creates the area with in.Code or brings it in line with in,
// reactivating it if needed.
func (s *Store) UpsertArea(ctx context.Context, in AreaInput) (Upserted, error) {
	var cur Area
	err := sqlx.GetContext(ctx, s.x, &cur, `SELECT `+areaColumns+` FROM areas a WHERE code = $1`, in.Code)
	if errors.Is(err, sql.ErrNoRows) {
		var id int64
		err := sqlx.GetContext(ctx, s.x, &id, `
			INSERT INTO areas (code, name, level, parent_id, latitude, longitude, remote)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			in.Code, in.Name, in.Level, in.ParentID, in.Latitude, in.Longitude, in.Remote)
		return Upserted{ID: id, Outcome: OutcomeCreated}, wrap("create area", err)
	}
	if err != nil {
		return Upserted{}, wrap("get area", err)
	}
	var d fieldDiff
	d.note("name", cur.Name != in.Name)
	d.note("level", cur.Level != in.Level)
	d.note("parent", cur.ParentID != in.ParentID)
	d.note("latitude", cur.Latitude != in.Latitude)
	d.note("longitude", cur.Longitude != in.Longitude)
	d.note("remote", cur.Remote != in.Remote)
	res := d.result(cur.ID, cur.Active)
	if res.Outcome == OutcomeUnchanged {
		return res, nil
	}
	_, err = s.x.ExecContext(ctx, `
		UPDATE areas SET name = $2, level = $3, parent_id = $4, latitude = $5, longitude = $6,
		       remote = $7, active = true, updated_at = now()
		WHERE id = $1`,
		cur.ID, in.Name, in.Level, in.ParentID, in.Latitude, in.Longitude, in.Remote)
	return res, wrap("update area", err)
}

// CategoryInput is a category as the organisation file describes it.
type CategoryInput struct {
	Code     string
	Name     string
	NameEN   string
	Position int
}

// UpsertCategory creates the category with in.Code or brings it in line
// with in, reactivating it if needed.
func (s *Store) UpsertCategory(ctx context.Context, in CategoryInput) (Upserted, error) {
	var cur Category
	err := sqlx.GetContext(ctx, s.x, &cur, `SELECT `+categoryColumns+` FROM categories WHERE code = $1`, in.Code)
	if errors.Is(err, sql.ErrNoRows) {
		var id int64
		err := sqlx.GetContext(ctx, s.x, &id, `
			INSERT INTO categories (code, name, name_en, position) VALUES ($1, $2, $3, $4) RETURNING id`,
			in.Code, in.Name, in.NameEN, in.Position)
		return Upserted{ID: id, Outcome: OutcomeCreated}, wrap("create category", err)
	}
	if err != nil {
		return Upserted{}, wrap("get category", err)
	}
	var d fieldDiff
	d.note("name", cur.Name != in.Name)
	d.note("name_en", cur.NameEN != in.NameEN)
	d.note("position", cur.Position != in.Position)
	res := d.result(cur.ID, cur.Active)
	if res.Outcome == OutcomeUnchanged {
		return res, nil
	}
	_, err = s.x.ExecContext(ctx, `
		UPDATE categories SET name = $2, name_en = $3, position = $4, active = true, updated_at = now()
		WHERE id = $1`, cur.ID, in.Name, in.NameEN, in.Position)
	return res, wrap("update category", err)
}

// UnitInput is a unit as the organisation file describes it.
type UnitInput struct {
	Code     string
	Name     string
	NameEN   string
	Level    string
	ParentID sql.NullInt64
	IsTriage bool
	AreaIDs  []int64 // the areas it serves, in any order
}

// UpsertUnit creates the unit with in.Code or brings it and the areas it
// serves in line with in, reactivating it if needed. Making it the triage
// unit fails with ErrDuplicate while another active unit is: call
// ClearTriageExcept first.
func (s *Store) UpsertUnit(ctx context.Context, in UnitInput) (Upserted, error) {
	areas := slices.Compact(slices.Sorted(slices.Values(in.AreaIDs)))
	var cur Unit
	err := sqlx.GetContext(ctx, s.x, &cur, `SELECT `+unitColumns+` FROM units WHERE code = $1`, in.Code)
	if errors.Is(err, sql.ErrNoRows) {
		var id int64
		err := sqlx.GetContext(ctx, s.x, &id, `
			INSERT INTO units (code, name, name_en, level, parent_id, is_triage)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			in.Code, in.Name, in.NameEN, in.Level, in.ParentID, in.IsTriage)
		if err != nil {
			return Upserted{}, wrap("create unit", err)
		}
		return Upserted{ID: id, Outcome: OutcomeCreated}, s.setUnitAreas(ctx, id, areas)
	}
	if err != nil {
		return Upserted{}, wrap("get unit", err)
	}
	var curAreas []int64
	err = sqlx.SelectContext(ctx, s.x, &curAreas, `
		SELECT area_id FROM unit_areas WHERE unit_id = $1 ORDER BY area_id`, cur.ID)
	if err != nil {
		return Upserted{}, wrap("get unit areas", err)
	}
	var d fieldDiff
	d.note("name", cur.Name != in.Name)
	d.note("name_en", cur.NameEN != in.NameEN)
	d.note("level", cur.Level != in.Level)
	d.note("parent", cur.ParentID != in.ParentID)
	d.note("triage", cur.IsTriage != in.IsTriage)
	areasDiffer := !slices.Equal(curAreas, areas)
	d.note("areas", areasDiffer)
	res := d.result(cur.ID, cur.Active)
	if res.Outcome == OutcomeUnchanged {
		return res, nil
	}
	_, err = s.x.ExecContext(ctx, `
		UPDATE units SET name = $2, name_en = $3, level = $4, parent_id = $5, is_triage = $6,
		       active = true, updated_at = now()
		WHERE id = $1`, cur.ID, in.Name, in.NameEN, in.Level, in.ParentID, in.IsTriage)
	if err != nil {
		return Upserted{}, wrap("update unit", err)
	}
	if areasDiffer {
		return res, s.setUnitAreas(ctx, cur.ID, areas)
	}
	return res, nil
}

// setUnitAreas replaces the areas a unit serves. unit_areas has no
// history of its own: the unit's updated_at records the change.
func (s *Store) setUnitAreas(ctx context.Context, unitID int64, areaIDs []int64) error {
	if _, err := s.x.ExecContext(ctx, `DELETE FROM unit_areas WHERE unit_id = $1`, unitID); err != nil {
		return wrap("clear unit areas", err)
	}
	_, err := s.x.ExecContext(ctx, `
		INSERT INTO unit_areas (unit_id, area_id) SELECT $1, unnest($2::bigint[])`,
		unitID, pq.Array(areaIDs))
	return wrap("set unit areas", err)
}

// ClearTriageExcept takes the triage flag off every active unit except the
// one with code, so that unit can take it over (at most one active unit
// may hold it). It returns the codes of the units it changed.
func (s *Store) ClearTriageExcept(ctx context.Context, code string) ([]string, error) {
	var codes []string
	err := sqlx.SelectContext(ctx, s.x, &codes, `
		UPDATE units SET is_triage = false, updated_at = now()
		WHERE is_triage AND active AND code <> $1
		RETURNING code`, code)
	slices.Sort(codes)
	return codes, wrap("clear triage", err)
}

// RoutingRuleInput is a routing rule as the organisation file describes
// it. A null category or area means "any".
type RoutingRuleInput struct {
	CategoryID sql.NullInt64
	AreaID     sql.NullInt64
	UnitID     int64
}

// UpsertRoutingRule creates the rule for (category, area) or points it at
// in.UnitID, reactivating it if needed: there is one rule per pair.
func (s *Store) UpsertRoutingRule(ctx context.Context, in RoutingRuleInput) (Upserted, error) {
	var cur struct {
		ID     int64 `db:"id"`
		UnitID int64 `db:"unit_id"`
		Active bool  `db:"active"`
	}
	err := sqlx.GetContext(ctx, s.x, &cur, `
		SELECT id, unit_id, active FROM routing_rules
		WHERE category_id IS NOT DISTINCT FROM $1 AND area_id IS NOT DISTINCT FROM $2`,
		in.CategoryID, in.AreaID)
	if errors.Is(err, sql.ErrNoRows) {
		var id int64
		err := sqlx.GetContext(ctx, s.x, &id, `
			INSERT INTO routing_rules (category_id, area_id, unit_id) VALUES ($1, $2, $3) RETURNING id`,
			in.CategoryID, in.AreaID, in.UnitID)
		return Upserted{ID: id, Outcome: OutcomeCreated}, wrap("create routing rule", err)
	}
	if err != nil {
		return Upserted{}, wrap("get routing rule", err)
	}
	var d fieldDiff
	d.note("unit", cur.UnitID != in.UnitID)
	res := d.result(cur.ID, cur.Active)
	if res.Outcome == OutcomeUnchanged {
		return res, nil
	}
	_, err = s.x.ExecContext(ctx, `
		UPDATE routing_rules SET unit_id = $2, active = true, updated_at = now() WHERE id = $1`,
		cur.ID, in.UnitID)
	return res, wrap("update routing rule", err)
}

// DeactivateAreasExcept deactivates every active area whose code is not in
// keep and returns their codes.
func (s *Store) DeactivateAreasExcept(ctx context.Context, keep []string) ([]string, error) {
	return s.deactivateExcept(ctx, `
		UPDATE areas SET active = false, updated_at = now()
		WHERE active AND code <> ALL($1) RETURNING code`, keep, "deactivate areas")
}

// DeactivateCategoriesExcept deactivates every active category whose code
// is not in keep and returns their codes.
func (s *Store) DeactivateCategoriesExcept(ctx context.Context, keep []string) ([]string, error) {
	return s.deactivateExcept(ctx, `
		UPDATE categories SET active = false, updated_at = now()
		WHERE active AND code <> ALL($1) RETURNING code`, keep, "deactivate categories")
}

// DeactivateUnitsExcept deactivates every active unit whose code is not in
// keep and returns their codes. Their officers, groups and tickets stay.
func (s *Store) DeactivateUnitsExcept(ctx context.Context, keep []string) ([]string, error) {
	return s.deactivateExcept(ctx, `
		UPDATE units SET active = false, updated_at = now()
		WHERE active AND code <> ALL($1) RETURNING code`, keep, "deactivate units")
}

// OpenTicketsOfUnits counts the open tickets of each of the units with
// the given codes that has any.
func (s *Store) OpenTicketsOfUnits(ctx context.Context, codes []string) (map[string]int, error) {
	return s.countByUnit(ctx, `
		SELECT u.code, count(*) AS count FROM tickets t JOIN units u ON u.id = t.unit_id
		WHERE u.code = ANY($1) AND t.status = ANY($2) GROUP BY u.code`, codes, "open tickets of units", pq.Array(openStatuses))
}

// BookingsToComeOfUnits counts the reception bookings still to come (from
// day on) of each of the units with the given codes that has any.
func (s *Store) BookingsToComeOfUnits(ctx context.Context, codes []string, day workcal.Date) (map[string]int, error) {
	return s.countByUnit(ctx, `
		SELECT u.code, count(*) AS count FROM reception_bookings b JOIN units u ON u.id = b.unit_id
		WHERE u.code = ANY($1) AND b.status = 'booked' AND b.day >= $2
		GROUP BY u.code`, codes, "bookings to come of units", day.String())
}

// countByUnit runs a query of (code, count) rows into a map.
func (s *Store) countByUnit(ctx context.Context, query string, codes []string, op string, args ...any) (map[string]int, error) {
	var rows []struct {
		Code  string `db:"code"`
		Count int    `db:"count"`
	}
	err := sqlx.SelectContext(ctx, s.x, &rows, query, append([]any{pq.Array(codes)}, args...)...)
	counts := make(map[string]int, len(rows))
	for _, r := range rows {
		counts[r.Code] = r.Count
	}
	return counts, wrap(op, err)
}

func (s *Store) deactivateExcept(ctx context.Context, query string, keep []string, op string) ([]string, error) {
	if keep == nil {
		keep = []string{} // a nil slice would be NULL, and "<> ALL(NULL)" matches nothing
	}
	var codes []string
	err := sqlx.SelectContext(ctx, s.x, &codes, query, pq.Array(keep))
	slices.Sort(codes)
	return codes, wrap(op, err)
}

// DeactivateRoutingRulesExcept deactivates every active routing rule whose
// ID is not in keep and returns them.
func (s *Store) DeactivateRoutingRulesExcept(ctx context.Context, keep []int64) ([]RoutingRule, error) {
	if keep == nil {
		keep = []int64{} // a nil slice would be NULL, and "<> ALL(NULL)" matches nothing
	}
	var rs []RoutingRule
	err := sqlx.SelectContext(ctx, s.x, &rs, `
		WITH r AS (
			UPDATE routing_rules SET active = false, updated_at = now()
			WHERE active AND id <> ALL($1)
			RETURNING id, category_id, area_id, unit_id, active
		)
		SELECT `+routingRuleColumns+` FROM r `+routingRuleJoins+`
		ORDER BY r.id`, pq.Array(keep))
	return rs, wrap("deactivate routing rules", err)
}
