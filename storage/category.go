package storage

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// Category is a field (lĩnh vực) a petition belongs to.
type Category struct {
	ID       int64  `db:"id"`
	Code     string `db:"code"`
	Name     string `db:"name"`
	NameEN   string `db:"name_en"`
	Position int    `db:"position"`
	Active   bool   `db:"active"`
}

const categoryColumns = `id, code, name, name_en, position, active`

// ActiveCategories lists the categories citizens can choose, in display order.
func (s *Store) ActiveCategories(ctx context.Context) ([]Category, error) {
	var cs []Category
	err := sqlx.SelectContext(ctx, s.x, &cs, `
		SELECT `+categoryColumns+` FROM categories WHERE active ORDER BY position, name`)
	return cs, wrap("list categories", err)
}

// CategoryByID loads one category, active or not.
func (s *Store) CategoryByID(ctx context.Context, id int64) (Category, error) {
	var c Category
	err := sqlx.GetContext(ctx, s.x, &c, `SELECT `+categoryColumns+` FROM categories WHERE id = $1`, id)
	return c, wrap("get category", err)
}
