package storage

// Reports (báo cáo) for interim and annual reviews (sơ kết, tổng kết): the
// tickets of a period and per-unit figures. Nothing here reads personal
// data: no citizen, name, phone, address or coordinates, and the
// description of a confidential ticket never leaves the database.
//
// Definitions, for a period [from, to) and a set of units (the ticket's
// current unit counts, so a transferred ticket counts for the unit that
// holds it now):
//
//   - received (tiếp nhận): tickets created in the period;
//   - answered (đã trả lời): tickets whose answered_at is in the period,
//     whenever they were created (a reopened ticket answered again counts
//     with its latest answer);
//   - on-time rate (tỷ lệ đúng hạn): the share of the answered tickets with
//     answered_at <= due_at; a ticket without a deadline counts as on time,
//     and so does one answered while its clock was paused for the citizen
//     since before its deadline (answeredOnTime);
//   - overdue (quá hạn): tickets created before to whose status is not
//     answered, completed or rejected and whose due_at is before to (a
//     merged duplicate has none),
//     unless their clock is paused for the citizen since before due_at
//     (dueBefore). The state is the current one, so for a period in the
//     past a ticket that was overdue at its end but has been answered since
//     is not counted;
//   - average satisfaction (mức hài lòng bình quân): the average rating
//     (1–5) of the tickets created in the period that have a rating;
//   - satisfaction rate (tỷ lệ hài lòng): the share of those ratings at or
//     above SatisfiedRating: "Chấp nhận được", "Hài lòng", "Rất hài lòng"
//     (2 and below reopen the ticket; the weekly digest counts the same).

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/danvan-vn/danvan/workcal"
)

// ConfidentialText stands in a report for the description of a
// confidential ticket.
const ConfidentialText = "(bảo mật)"

// answeredOnTime is the condition that an answered ticket was answered by
// its deadline: it had none, the answer came by it, or the answer came
// while the clock was paused for the citizen since before the deadline
// passed (the deadline would have moved on by the wait; see dueBefore).
// ApplyChange decides it when the answer is given (answeredOnTimeAt) and
// keeps it, as reopening moves the deadline; tickets written otherwise
// are judged by their current deadline. It is never NULL.
const answeredOnTime = `coalesce(answered_on_time, ` + answeredOnTimeAt + `)`

// answeredOnTimeAt is answeredOnTime for an answer given at answered_at.
const answeredOnTimeAt = `(due_at IS NULL OR answered_at <= due_at OR coalesce(paused_at <= due_at, false))`

// SatisfiedRating is the lowest rating that counts as satisfied; the
// ratings below it reopen the ticket (handlers/rating.go).
const SatisfiedRating = 3

// ReportRow is one ticket in a report, without personal data.
type ReportRow struct {
	Code         string        `db:"code"`
	Kind         string        `db:"kind"`
	Status       string        `db:"status"`
	Category     string        `db:"category"` // name; "" when none
	Area         string        `db:"area"`     // name; "" when none
	UnitCode     string        `db:"unit_code"`
	UnitName     string        `db:"unit_name"`
	Description  string        `db:"description"` // ConfidentialText when Confidential
	Confidential bool          `db:"confidential"`
	CreatedAt    time.Time     `db:"created_at"`
	DueAt        sql.NullTime  `db:"due_at"`
	AnsweredAt   sql.NullTime  `db:"answered_at"`
	ClosedAt     sql.NullTime  `db:"closed_at"`
	Rating       sql.NullInt16 `db:"rating"`
	// OnTime is set for answered tickets: answered by the deadline, or
	// there was none.
	OnTime sql.NullBool `db:"on_time"`
	// Overdue: not answered, completed, rejected or merged, and the deadline is
	// before the end of the period (see the definitions above).
	Overdue bool `db:"overdue"`
	// Extensions is how many times a leader extended the ticket's
	// deadline, under any of its clocks.
	Extensions int  `db:"extensions"`
	Urgent     bool `db:"urgent"`
}

// reportTickets is the condition on a ticket t that a report lists it:
// created in [$1, $2), of the units $3 (NULL: all, including tickets not
// routed to any unit). ReportTickets lists them, CountReportTickets counts
// them.
const reportTickets = `t.created_at >= $1 AND t.created_at < $2 AND ($3::bigint[] IS NULL OR t.unit_id = ANY($3))`

// CountReportTickets counts the tickets ReportTickets would list, so that
// a report too long for its format is refused before they are read.
func (s *Store) CountReportTickets(ctx context.Context, unitIDs []int64, from, to time.Time) (int, error) {
	var n int
	err := sqlx.GetContext(ctx, s.x, &n, `SELECT count(*) FROM tickets t WHERE `+reportTickets, from, to, pq.Array(unitIDs))
	return n, wrap("count report tickets", err)
}

// ReportTickets lists the tickets created in [from, to) of the given units
// (nil: all, including tickets not routed to any unit), oldest first.
func (s *Store) ReportTickets(ctx context.Context, unitIDs []int64, from, to time.Time) ([]ReportRow, error) {
	var rows []ReportRow
	err := sqlx.SelectContext(ctx, s.x, &rows, `
		SELECT t.code, t.kind, t.status,
		       coalesce(c.name, '') AS category, coalesce(a.name, '') AS area,
		       coalesce(u.code, '') AS unit_code, coalesce(u.name, '') AS unit_name,
		       CASE WHEN t.confidential THEN $4 ELSE t.description END AS description,
		       t.confidential, t.created_at, t.due_at, t.answered_at, t.closed_at, t.rating,
		       CASE WHEN t.answered_at IS NOT NULL THEN `+answeredOnTime+` END AS on_time,
		       coalesce(`+dueBefore("$2")+`, false) AS overdue,
		       (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = '`+EventExtended+`') AS extensions,
		       t.urgent
		FROM tickets t
		LEFT JOIN categories c ON c.id = t.category_id
		LEFT JOIN areas a ON a.id = t.area_id
		LEFT JOIN units u ON u.id = t.unit_id
		WHERE `+reportTickets+`
		ORDER BY t.created_at, t.id`,
		from, to, pq.Array(unitIDs), ConfidentialText)
	return rows, wrap("report tickets", err)
}

// UnitSummary holds a unit's figures for a period. The rates are derived
// from the counts, so totals (TotalSummary) stay exact.
type UnitSummary struct {
	UnitID   int64  `db:"unit_id"` // 0: tickets not routed to any unit
	UnitCode string `db:"unit_code"`
	UnitName string `db:"unit_name"`
	Depth    int    `db:"depth"` // 0 at the top of the organisation

	Received       int `db:"received"`
	Answered       int `db:"answered"`
	AnsweredOnTime int `db:"answered_on_time"`
	Overdue        int `db:"overdue"`
	Rated          int `db:"rated"`      // tickets received in the period with a rating
	RatingSum      int `db:"rating_sum"` // the sum of those ratings
	Satisfied      int `db:"satisfied"`  // those rated SatisfiedRating or better
}

// OnTimeRate is the share (0–1) of answered tickets answered on time;
// false when nothing was answered.
func (u UnitSummary) OnTimeRate() (float64, bool) { return ratio(u.AnsweredOnTime, u.Answered) }

// AverageRating is the average rating (1–5); false when nothing was rated.
func (u UnitSummary) AverageRating() (float64, bool) { return ratio(u.RatingSum, u.Rated) }

// SatisfactionRate is the share (0–1) of ratings that are satisfied; false
// when nothing was rated.
func (u UnitSummary) SatisfactionRate() (float64, bool) { return ratio(u.Satisfied, u.Rated) }

// TotalSummary adds the figures of several units up.
func TotalSummary(units []UnitSummary) UnitSummary {
	var t UnitSummary
	for _, u := range units {
		t.Received += u.Received
		t.Answered += u.Answered
		t.AnsweredOnTime += u.AnsweredOnTime
		t.Overdue += u.Overdue
		t.Rated += u.Rated
		t.RatingSum += u.RatingSum
		t.Satisfied += u.Satisfied
	}
	return t
}

// ReportSummary computes the figures of [from, to) per unit (definitions at
// the top of this file). It lists every active unit of the set (nil: all
// units), with zeros where nothing happened, and inactive units that still
// have figures, in the order of the organisation tree (siblings by name).
// With nil, tickets not routed to any unit get a last row with UnitID 0.
func (s *Store) ReportSummary(ctx context.Context, unitIDs []int64, from, to time.Time) ([]UnitSummary, error) {
	units, err := s.reportUnits(ctx, unitIDs)
	if err != nil {
		return nil, err
	}

	var figures []UnitSummary
	// answered_at in the period implies created_at < to, hence the filter.
	err = sqlx.SelectContext(ctx, s.x, &figures, `
		SELECT coalesce(unit_id, 0) AS unit_id, '' AS unit_code, '' AS unit_name, 0 AS depth,
		       count(*) FILTER (WHERE created_at >= $1) AS received,
		       count(*) FILTER (WHERE answered_at >= $1 AND answered_at < $2) AS answered,
		       count(*) FILTER (WHERE answered_at >= $1 AND answered_at < $2
		                          AND `+answeredOnTime+`) AS answered_on_time,
		       count(*) FILTER (WHERE `+dueBefore("$2")+`) AS overdue,
		       count(rating) FILTER (WHERE created_at >= $1) AS rated,
		       coalesce(sum(rating) FILTER (WHERE created_at >= $1), 0) AS rating_sum,
		       count(*) FILTER (WHERE created_at >= $1 AND rating >= $4) AS satisfied
		FROM tickets
		WHERE created_at < $2 AND ($3::bigint[] IS NULL OR unit_id = ANY($3))
		GROUP BY 1`,
		from, to, pq.Array(unitIDs), SatisfiedRating)
	if err != nil {
		return nil, wrap("report figures", err)
	}
	byUnit := make(map[int64]UnitSummary, len(figures))
	for _, f := range figures {
		byUnit[f.UnitID] = f
	}

	out := make([]UnitSummary, 0, len(units)+1)
	for _, u := range units {
		f := byUnit[u.ID]
		if !u.Active && f.Received == 0 && f.Answered == 0 && f.Overdue == 0 && f.Rated == 0 {
			// Old tickets alone (each unit dissolved in a
			// reorganisation has them) are no figures.
			continue
		}
		f.UnitID, f.UnitCode, f.UnitName, f.Depth = u.ID, u.Code, u.Name, u.Depth
		out = append(out, f)
	}
	if f, ok := byUnit[0]; ok && unitIDs == nil {
		out = append(out, f)
	}
	return out, nil
}

// reportUnit is a unit of a report's scope, where it stands in the tree.
type reportUnit struct {
	ID     int64  `db:"id"`
	Code   string `db:"code"`
	Name   string `db:"name"`
	Depth  int    `db:"depth"` // 0 at the top of the organisation
	Active bool   `db:"active"`
}

// reportUnits lists the units of the set (nil: all units), active or not,
// in the order of the organisation tree (siblings by name); units
// unreachable from a root (a hand-made cycle) sort last. The per-unit
// reports list them in this order.
func (s *Store) reportUnits(ctx context.Context, unitIDs []int64) ([]reportUnit, error) {
	var units []reportUnit
	err := sqlx.SelectContext(ctx, s.x, &units, `
		WITH RECURSIVE ranked AS (
			SELECT id, parent_id, row_number() OVER (ORDER BY name COLLATE "vi-x-icu", code) AS rank FROM units
		), tree (id, path) AS (
			SELECT id, ARRAY[rank] FROM ranked WHERE parent_id IS NULL
			UNION ALL
			SELECT r.id, t.path || r.rank FROM ranked r JOIN tree t ON r.parent_id = t.id
		)
		SELECT u.id, u.code, u.name, coalesce(cardinality(t.path) - 1, 0) AS depth, u.active
		FROM units u LEFT JOIN tree t ON t.id = u.id
		WHERE $1::bigint[] IS NULL OR u.id = ANY($1)
		ORDER BY t.path NULLS LAST, u.id`, pq.Array(unitIDs))
	return units, wrap("report units", err)
}

// UnitReceptions holds a unit's citizen reception figures (tiếp công dân,
// law.md §8) for a period: the bookings for its reception days in the
// period, by what became of them, and the follow-up tickets of those
// received. See ReportReceptions.
type UnitReceptions struct {
	UnitID   int64  `db:"unit_id"`
	UnitCode string `db:"unit_code"`
	UnitName string `db:"unit_name"`
	Depth    int    `db:"depth"` // 0 at the top of the organisation

	Booked    int `db:"booked"`     // all but those the citizen cancelled
	Received  int `db:"received"`   // BookingReceived
	Absent    int `db:"absent"`     // BookingAbsent
	Refused   int `db:"refused"`    // BookingRefused
	CalledOff int `db:"called_off"` // BookingCalledOff: the unit called the day off
	Awaited   int `db:"awaited"`    // BookingBooked: still to be met or recorded
	// Of the follow-up tickets of the received: answered before the end
	// of the period, and of those, answered on time (as in the summary).
	Answered       int `db:"answered"`
	AnsweredOnTime int `db:"answered_on_time"`
}

// TotalReceptions adds the reception figures of several units up.
func TotalReceptions(units []UnitReceptions) UnitReceptions {
	var t UnitReceptions
	for _, u := range units {
		t.Booked += u.Booked
		t.Received += u.Received
		t.Absent += u.Absent
		t.Refused += u.Refused
		t.CalledOff += u.CalledOff
		t.Awaited += u.Awaited
		t.Answered += u.Answered
		t.AnsweredOnTime += u.AnsweredOnTime
	}
	return t
}

// ReportReceptions computes the citizen reception figures of [from, to)
// per unit. A booking counts when its reception day is one of the days
// of the period in Vietnam: from the date of from to the date of the
// last instant before to (a period ending now takes in today). It counts
// for the unit it was booked with, whatever became of its follow-up
// ticket; that ticket is answered when its answered_at is before to, on
// time as the summary judges it (answeredOnTime). Booked = Received +
// Absent + Refused + CalledOff + Awaited.
//
// The units are those of ReportSummary, in its order: every active unit
// of the set (nil: all units), with zeros where no one booked, and
// inactive units that have bookings in the period.
func (s *Store) ReportReceptions(ctx context.Context, unitIDs []int64, from, to time.Time) ([]UnitReceptions, error) {
	units, err := s.reportUnits(ctx, unitIDs)
	if err != nil {
		return nil, err
	}
	first, last := workcal.DateOf(from), workcal.DateOf(to.Add(-time.Nanosecond))

	var figures []UnitReceptions
	// The ticket columns in answeredOnTime are unqualified: no column of
	// reception_bookings has their names.
	err = sqlx.SelectContext(ctx, s.x, &figures, `
		SELECT b.unit_id, '' AS unit_code, '' AS unit_name, 0 AS depth,
		       count(*) FILTER (WHERE b.status <> 'cancelled') AS booked,
		       count(*) FILTER (WHERE b.status = 'received') AS received,
		       count(*) FILTER (WHERE b.status = 'absent') AS absent,
		       count(*) FILTER (WHERE b.status = 'refused') AS refused,
		       count(*) FILTER (WHERE b.status = 'called_off') AS called_off,
		       count(*) FILTER (WHERE b.status = 'booked') AS awaited,
		       count(*) FILTER (WHERE b.status = 'received' AND t.answered_at < $3) AS answered,
		       count(*) FILTER (WHERE b.status = 'received' AND t.answered_at < $3
		                          AND `+answeredOnTime+`) AS answered_on_time
		FROM reception_bookings b
		LEFT JOIN tickets t ON t.id = b.ticket_id
		WHERE b.day BETWEEN $1 AND $2 AND ($4::bigint[] IS NULL OR b.unit_id = ANY($4))
		GROUP BY b.unit_id`,
		first.String(), last.String(), to, pq.Array(unitIDs))
	if err != nil {
		return nil, wrap("report receptions", err)
	}
	byUnit := make(map[int64]UnitReceptions, len(figures))
	for _, f := range figures {
		byUnit[f.UnitID] = f
	}

	out := make([]UnitReceptions, 0, len(units))
	for _, u := range units {
		f := byUnit[u.ID]
		if !u.Active && f.Booked == 0 {
			continue // as ReportSummary: a dissolved unit without figures
		}
		f.UnitID, f.UnitCode, f.UnitName, f.Depth = u.ID, u.Code, u.Name, u.Depth
		out = append(out, f)
	}
	return out, nil
}
