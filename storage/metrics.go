package storage

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// UnitTicketCounts is how many tickets a unit holds that are open, and of
// those how many are overdue, at a moment.
type UnitTicketCounts struct {
	UnitCode string `db:"unit_code"`
	Open     int    `db:"open"`
	Overdue  int    `db:"overdue"`
}

// unitTicketCountsSQL counts, per unit, the tickets with an open status
// (openStatuses: still needing work from the unit or the citizen) and,
// among them, those overdue at $1 as reports and digests count them
// (digestOverdueWhere: open, and the deadline passed while the clock ran;
// $2 is the scope, NULL for all units). Every active unit is listed, with
// zeros when it holds nothing, so that a unit whose last ticket closes
// reads 0 rather than vanishing; an inactive unit is listed only while it
// still holds open tickets. The grouping reads the index
// tickets_unit_status.
var unitTicketCountsSQL = `
	SELECT u.code AS unit_code, coalesce(c.open, 0) AS open, coalesce(c.overdue, 0) AS overdue
	FROM units u LEFT JOIN (
		SELECT unit_id, count(*) AS open, count(*) FILTER (WHERE ` + digestOverdueWhere + `) AS overdue
		FROM tickets
		WHERE status = ANY ($3) AND unit_id IS NOT NULL
		GROUP BY unit_id
	) c ON c.unit_id = u.id
	WHERE u.active OR c.open > 0
	ORDER BY u.code`

// UnitTicketCounts returns every unit's open and overdue tickets at now,
// by unit code, for monitoring.
func (s *Store) UnitTicketCounts(ctx context.Context, now time.Time) ([]UnitTicketCounts, error) {
	var rows []UnitTicketCounts
	err := sqlx.SelectContext(ctx, s.x, &rows, unitTicketCountsSQL, now, nil, pq.Array(openStatuses))
	return rows, wrap("unit ticket counts", err)
}
