package digesttest

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// BulkOptions size a synthetic province for benchmarks.
type BulkOptions struct {
	Tickets int       // spread over the year before To
	Units   int       // one root, Branches units under it, the rest under those
	Leaders int       // units with a leader: the root, the branches, then the first others
	To      time.Time // the end of the week to report on
}

// Branches is the number of units directly under the root.
const Branches = 40

// bulkAreas is the number of areas tickets are spread over.
const bulkAreas = 500

// Bulk seeds a fresh database with INSERT … SELECT over generate_series
// (deterministic: the random generator is seeded), in creation order as
// on a live system, then vacuums and analyses it as autovacuum would.
// About 10 % of tickets are still open, most of them overdue (a heavy
// backlog); 70 % of completed ones are rated, and the low ratings reopen
// them. Every ticket also has its "created" event, so the timeline has a
// realistic size. A failed load leaves the database without some indexes:
// use a throwaway one.
func Bulk(ctx context.Context, db *sql.DB, o BulkOptions) error {
	if o.Units <= Branches || o.Leaders > o.Units {
		return fmt.Errorf("digesttest: bulk: %d units, %d leaders", o.Units, o.Leaders)
	}
	conn, err := db.Conn(ctx) // the settings below are per session
	if err != nil {
		return err
	}
	defer conn.Close()
	// As a superuser, skip the foreign-key checks of the load (the rows
	// are consistent by construction); otherwise just pay for them.
	if _, err := conn.ExecContext(ctx, `SET session_replication_role = replica`); err == nil {
		defer conn.ExecContext(context.WithoutCancel(ctx), `RESET session_replication_role`)
	}
	// Building the secondary indexes after the load is several times
	// faster than maintaining them row by row.
	indexes, err := dropIndexes(ctx, conn, "tickets", "ticket_events")
	if err != nil {
		return err
	}
	steps := []step{
		{`SET maintenance_work_mem = '256MB'`, nil},
		{`SELECT setseed(0.42)`, nil},
		{`INSERT INTO areas (code, name) SELECT 'area-' || g, 'Khu vực ' || g FROM generate_series(1, $1) g`, []any{bulkAreas}},
		{`INSERT INTO units (code, name) VALUES ('root', 'UBND tỉnh')`, nil},
		{`INSERT INTO units (code, name, parent_id)
		  SELECT 'branch-' || g, 'Sở ' || g, (SELECT id FROM units WHERE code = 'root') FROM generate_series(1, $1) g`, []any{Branches}},
		{`INSERT INTO units (code, name, parent_id)
		  SELECT 'unit-' || g, 'UBND xã ' || g, b.id
		  FROM generate_series(1, $1) g JOIN units b ON b.code = 'branch-' || (g % $2 + 1)`, []any{o.Units - 1 - Branches, Branches}},
		{`INSERT INTO citizens (channel, user_id, chat_id) VALUES ('telegram', 'citizen', '1')`, nil},
		{`INSERT INTO citizens (channel, user_id, chat_id) SELECT 'telegram', 'leader-' || g, 1000 + g FROM generate_series(1, $1) g`, []any{o.Leaders}},
		{`INSERT INTO officers (citizen_id, unit_id, role)
		  SELECT c.id, u.id, 'leader'
		  FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM citizens WHERE user_id LIKE 'leader-%') c
		  JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM units) u USING (n)`, nil},
		{bulkTicketsSQL, []any{o.Tickets, o.To, o.Units, bulkAreas}},
		{`INSERT INTO ticket_events (ticket_id, at, actor_kind, kind, to_status)
		  SELECT id, created_at, 'citizen', 'created', 'received' FROM tickets`, nil},
		{`INSERT INTO ticket_events (ticket_id, at, actor_kind, kind, to_status)
		  SELECT id, answered_at + interval '1 day', 'citizen', 'rated',
		         CASE WHEN rating <= 2 THEN 'reopened' ELSE 'completed' END
		  FROM tickets WHERE rating IS NOT NULL AND answered_at + interval '1 day' < $1`, []any{o.To}},
	}
	for _, def := range indexes {
		steps = append(steps, step{def, nil})
	}
	steps = append(steps, step{`VACUUM (ANALYZE)`, nil})
	for _, s := range steps {
		if _, err := conn.ExecContext(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("digesttest: bulk: %w\n%s", err, s.sql)
		}
	}
	return nil
}

type step struct {
	sql  string
	args []any
}

// dropIndexes drops the tables' indexes that back no constraint and
// returns their definitions.
func dropIndexes(ctx context.Context, conn *sql.Conn, tables ...string) ([]string, error) {
	rows, err := conn.QueryContext(ctx, `
		SELECT i.indexname, i.indexdef FROM pg_indexes i
		WHERE i.schemaname = current_schema() AND i.tablename = ANY ($1)
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`, pq.Array(tables))
	if err != nil {
		return nil, err
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, name := range names {
		// Names come from the catalogue, not from input.
		if _, err := conn.ExecContext(ctx, `DROP INDEX `+pq.QuoteIdentifier(name)); err != nil {
			return nil, err
		}
	}
	return defs, nil
}

// bulkTicketsSQL draws each ticket's fate from a few random numbers:
// created in the year before $2, due 10–14 days later, answered 0–20
// days after creation if that is before $2 (88 %), rejected (2 %), or
// still open; 70 % of completed tickets are rated 1–5.
const bulkTicketsSQL = `
	INSERT INTO tickets (code, kind, status, citizen_id, unit_id, category_id, area_id, description,
		created_at, updated_at, due_at, answered_at, closed_at, rating)
	SELECT 'B-' || row_number() OVER (ORDER BY created), 'phan_anh', status, citizen, unit, category, area, 'bulk',
	       created, created, created + interval '10 days' + r3 * interval '4 days',
	       CASE WHEN status IN ('answered', 'completed') THEN answered END,
	       CASE WHEN status = 'completed' THEN answered WHEN status = 'rejected' THEN created END,
	       CASE WHEN status = 'completed' AND r4 < 0.7 THEN 1 + floor(r5 * 5)::int END
	FROM (
		SELECT *, CASE WHEN r1 < 0.88 AND answered < $2 THEN CASE WHEN r4 < 0.8 THEN 'completed' ELSE 'answered' END
		               WHEN r1 < 0.90 THEN 'rejected'
		               WHEN r1 < 0.97 THEN 'in_progress'
		               ELSE 'received' END AS status
		FROM (
			SELECT *, created + r2 * interval '20 days' AS answered
			FROM (
				SELECT g, r1, r2, r3, r4, r5,
				       (SELECT id FROM citizens WHERE user_id = 'citizen') AS citizen,
				       (SELECT min(id) FROM units) + (g::bigint * 7919) % $3 AS unit,
				       (SELECT min(id) FROM categories) + floor(r6 * 10)::int AS category,
				       (SELECT min(id) FROM areas) + ((g::bigint * 7919) % $3 + floor(r7 * 3)::int) % $4 AS area,
				       $2::timestamptz - r8 * interval '365 days' AS created
				FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
				             random() AS r6, random() AS r7, random() AS r8
				      FROM generate_series(1, $1) g) r
			) t
		) a
	) s
	ORDER BY created` // rows arrive in creation order on a live system
