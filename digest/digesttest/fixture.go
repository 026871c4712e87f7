// Package digesttest seeds databases for the digest's tests and
// benchmarks with plain SQL, independently of the code under test.
package digesttest

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Fixture is an organisation and its tickets.
type Fixture struct {
	Areas   []Area
	Units   []Unit
	Leaders []Leader
	Tickets []Ticket
}

// Area is an administrative area.
type Area struct{ Code, Name string }

// Unit is a unit of the tree; Parent is a code ("" for a root).
type Unit struct {
	Code, Name, Parent string
	Inactive           bool
}

// Leader is an account with the leader role in a unit. Revoked roles
// exist in the table but are inactive.
type Leader struct {
	Unit, ChatID, Language string
	Role                   string // "" means leader
	Revoked                bool
}

// Ticket is one petition. Zero times and ratings are stored as NULL;
// Category is a category code (the migration seeds "dat-dai",
// "moi-truong"...), Unit and Area are codes of the fixture.
type Ticket struct {
	Code                   string
	Unit, Category, Area   string
	Status                 string
	Created, Answered, Due time.Time
	Closed                 time.Time
	Rating                 int
	Urgent                 bool
	Events                 []Event
}

// Event is a row of the ticket's timeline.
type Event struct {
	At             time.Time
	Kind, ToStatus string
}

// IDs maps the fixture's codes to database ids.
type IDs struct {
	Units, Areas, Categories, Tickets map[string]int64
	Leaders                           []int64 // their citizen ids, in the order of Fixture.Leaders
}

// Insert writes the fixture in one transaction.
func Insert(ctx context.Context, db *sql.DB, f Fixture) (IDs, error) {
	ids := IDs{Units: map[string]int64{}, Areas: map[string]int64{}, Categories: map[string]int64{}, Tickets: map[string]int64{}}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return ids, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT code, id FROM categories`)
	if err != nil {
		return ids, err
	}
	for rows.Next() {
		var code string
		var id int64
		if err := rows.Scan(&code, &id); err != nil {
			return ids, err
		}
		ids.Categories[code] = id
	}
	if err := rows.Err(); err != nil {
		return ids, err
	}
	for _, a := range f.Areas {
		var aid int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO areas (code, name) VALUES ($1, $2) RETURNING id`,
			a.Code, a.Name).Scan(&aid); err != nil {
			return ids, fmt.Errorf("area %s: %w", a.Code, err)
		}
		ids.Areas[a.Code] = aid
	}
	for _, u := range f.Units {
		var uid int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO units (code, name, parent_id, active) VALUES ($1, $2, $3, $4) RETURNING id`,
			u.Code, u.Name, id(ids.Units, u.Parent), !u.Inactive).Scan(&uid); err != nil {
			return ids, fmt.Errorf("unit %s: %w", u.Code, err)
		}
		ids.Units[u.Code] = uid
	}
	citizen, err := addCitizen(ctx, tx, "0", "vi")
	if err != nil {
		return ids, err
	}
	for _, l := range f.Leaders {
		c, err := addCitizen(ctx, tx, l.ChatID, l.Language)
		if err != nil {
			return ids, err
		}
		role := l.Role
		if role == "" {
			role = "leader"
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO officers (citizen_id, unit_id, role, active) VALUES ($1, $2, $3, $4)`,
			c, ids.Units[l.Unit], role, !l.Revoked); err != nil {
			return ids, fmt.Errorf("leader %s: %w", l.ChatID, err)
		}
		ids.Leaders = append(ids.Leaders, c)
	}
	for _, t := range f.Tickets {
		var tid int64
		err := tx.QueryRowContext(ctx, `
			INSERT INTO tickets (code, kind, status, citizen_id, unit_id, category_id, area_id, description,
				created_at, updated_at, answered_at, due_at, closed_at, rating, urgent)
			VALUES ($1, 'phan_anh', $2, $3, $4, $5, $6, 'test', $7, $7, $8, $9, $10, $11, $12) RETURNING id`,
			t.Code, t.Status, citizen, id(ids.Units, t.Unit), id(ids.Categories, t.Category), id(ids.Areas, t.Area),
			t.Created, nullTime(t.Answered), nullTime(t.Due), nullTime(t.Closed), sql.NullInt16{Int16: int16(t.Rating), Valid: t.Rating > 0},
			t.Urgent,
		).Scan(&tid)
		if err != nil {
			return ids, fmt.Errorf("ticket %s: %w", t.Code, err)
		}
		ids.Tickets[t.Code] = tid
		for _, e := range t.Events {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO ticket_events (ticket_id, at, actor_kind, kind, to_status) VALUES ($1, $2, 'citizen', $3, nullif($4, ''))`,
				tid, e.At, e.Kind, e.ToStatus); err != nil {
				return ids, fmt.Errorf("ticket %s event: %w", t.Code, err)
			}
		}
	}
	return ids, tx.Commit()
}

func addCitizen(ctx context.Context, tx *sql.Tx, chatID, lang string) (int64, error) {
	if lang == "" {
		lang = "vi"
	}
	var id int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO citizens (channel, user_id, chat_id, language) VALUES ('telegram', $1, $1, $2) RETURNING id`,
		chatID, lang).Scan(&id)
	return id, err
}

func id(m map[string]int64, code string) sql.NullInt64 {
	v, ok := m[code]
	return sql.NullInt64{Int64: v, Valid: ok && code != ""}
}

func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: !t.IsZero()} }
