package storage

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
)

// Area is an administrative area (province, commune, ward, village...).
type Area struct {
	ID        int64           `db:"id"`
	Code      string          `db:"code"`
	Name      string          `db:"name"`
	Level     string          `db:"level"`
	ParentID  sql.NullInt64   `db:"parent_id"`
	Latitude  sql.NullFloat64 `db:"latitude"`
	Longitude sql.NullFloat64 `db:"longitude"`
	Remote    bool            `db:"remote"`
	Active    bool            `db:"active"`
	Children  int             `db:"children"`
}

const areaColumns = `id, code, name, level, parent_id, latitude, longitude, remote, active,
	(SELECT count(*) FROM areas c WHERE c.parent_id = a.id AND c.active) AS children`

// AreaChildren lists the active areas directly under parent (parent 0: the
// top of the tree), by name.
func (s *Store) AreaChildren(ctx context.Context, parent int64) ([]Area, error) {
	var as []Area
	err := sqlx.SelectContext(ctx, s.x, &as, `
		SELECT `+areaColumns+` FROM areas a
		WHERE active AND coalesce(parent_id, 0) = $1
		ORDER BY name COLLATE "vi-x-icu"`, parent)
	return as, wrap("list areas", err)
}

// AreaByID loads one area, active or not.
func (s *Store) AreaByID(ctx context.Context, id int64) (Area, error) {
	var a Area
	err := sqlx.GetContext(ctx, s.x, &a, `SELECT `+areaColumns+` FROM areas a WHERE id = $1`, id)
	return a, wrap("get area", err)
}

// AreaByCode loads an active area by its code (deep links use codes).
func (s *Store) AreaByCode(ctx context.Context, code string) (Area, error) {
	var a Area
	err := sqlx.GetContext(ctx, s.x, &a, `SELECT `+areaColumns+` FROM areas a WHERE code = $1 AND active`, code)
	return a, wrap("get area by code", err)
}

// NearestArea finds the active area with coordinates closest to a point
// among the areas with no active children (the finest level), within
// maxKm. ErrNotFound if none is that close.
func (s *Store) NearestArea(ctx context.Context, lat, lon, maxKm float64) (Area, error) {
	var a Area
	// Equirectangular distance is accurate enough at commune scale.
	err := sqlx.GetContext(ctx, s.x, &a, `
		SELECT id, code, name, level, parent_id, latitude, longitude, remote, active, children FROM (
			SELECT `+areaColumns+`,
			       6371 * sqrt(power(radians(latitude - $1), 2) +
			                   power(radians(longitude - $2) * cos(radians($1)), 2)) AS km
			FROM areas a WHERE active AND latitude IS NOT NULL AND longitude IS NOT NULL
		) n
		WHERE children = 0 AND km <= $3
		ORDER BY km LIMIT 1`, lat, lon, maxKm)
	return a, wrap("nearest area", err)
}

// ActiveAreas lists every active area, for matching typed names.
func (s *Store) ActiveAreas(ctx context.Context) ([]Area, error) {
	var as []Area
	err := sqlx.SelectContext(ctx, s.x, &as, `
		SELECT `+areaColumns+` FROM areas a WHERE active ORDER BY name COLLATE "vi-x-icu"`)
	return as, wrap("list all areas", err)
}
