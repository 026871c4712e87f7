package storage

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/danvan-vn/danvan/workcal"
)

// ReceptionKind is the kind of the ticket a reception files: what the
// citizen brought up, answered under Citizen Reception Law Art. 28.
const ReceptionKind = "tiep_dan"

// receptionSource prefixes the source of a ticket a reception filed.
const receptionSource = "reception:"

// ReceptionSource is the source of the ticket filed by booking id's
// reception.
func ReceptionSource(bookingID int64) string {
	return receptionSource + strconv.FormatInt(bookingID, 10)
}

// FromReception reports whether a reception filed the ticket, whatever
// kind it was given since.
func (t Ticket) FromReception() bool { return strings.HasPrefix(t.Source, receptionSource) }

// Booking statuses. Only a booked one holds a place or can change.
const (
	BookingBooked    = "booked"
	BookingCancelled = "cancelled"  // by the citizen
	BookingCalledOff = "called_off" // the unit called the day off
	BookingRefused   = "refused"    // Art. 9, with a reason
	BookingReceived  = "received"   // met; the follow-up ticket is filed
	BookingAbsent    = "absent"     // the citizen did not come
)

// ReceptionHours is one weekly reception of a unit (law.md §8). Starts and
// Ends are "15:04" in Vietnam's time.
type ReceptionHours struct {
	UnitID     int64        `db:"unit_id"`
	UnitCode   string       `db:"unit_code"`
	UnitName   string       `db:"unit_name"`
	UnitNameEN string       `db:"unit_name_en"`
	Weekday    time.Weekday `db:"weekday"`
	Starts     string       `db:"starts"`
	Ends       string       `db:"ends"`
	Place      string       `db:"place"`
	Capacity   int          `db:"capacity"`
}

const receptionHoursSelect = `SELECT h.unit_id, u.code AS unit_code, u.name AS unit_name, u.name_en AS unit_name_en,
	h.weekday, to_char(h.starts, 'HH24:MI') AS starts, to_char(h.ends, 'HH24:MI') AS ends, h.place, h.capacity
	FROM reception_hours h JOIN units u ON u.id = h.unit_id`

// SetReceptionHours records a unit's reception on a weekday, replacing
// what that weekday had. Bookings already made keep what they were told.
func (s *Store) SetReceptionHours(ctx context.Context, h ReceptionHours, now time.Time) error {
	_, err := s.x.ExecContext(ctx, `
		INSERT INTO reception_hours (unit_id, weekday, starts, ends, place, capacity, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (unit_id, weekday) DO UPDATE SET starts = EXCLUDED.starts, ends = EXCLUDED.ends,
			place = EXCLUDED.place, capacity = EXCLUDED.capacity, updated_at = EXCLUDED.updated_at`,
		h.UnitID, int(h.Weekday), h.Starts, h.Ends, h.Place, h.Capacity, now)
	return wrap("set reception hours", err)
}

// DeleteReceptionHours stops a unit's reception on a weekday; ErrNotFound
// when it has none that day.
func (s *Store) DeleteReceptionHours(ctx context.Context, unitID int64, weekday time.Weekday) error {
	res, err := s.x.ExecContext(ctx, `DELETE FROM reception_hours WHERE unit_id = $1 AND weekday = $2`,
		unitID, int(weekday))
	if err != nil {
		return wrap("delete reception hours", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return wrap("delete reception hours", ErrNotFound)
	}
	return nil
}

// AllReceptionHours lists the receptions of active units, by unit name
// and weekday.
func (s *Store) AllReceptionHours(ctx context.Context) ([]ReceptionHours, error) {
	var hs []ReceptionHours
	err := sqlx.SelectContext(ctx, s.x, &hs, receptionHoursSelect+` WHERE u.active ORDER BY u.name, u.id, h.weekday`)
	return hs, wrap("list reception hours", err)
}

// UnitReceptionHours lists one unit's receptions by weekday.
func (s *Store) UnitReceptionHours(ctx context.Context, unitID int64) ([]ReceptionHours, error) {
	var hs []ReceptionHours
	err := sqlx.SelectContext(ctx, s.x, &hs, receptionHoursSelect+` WHERE h.unit_id = $1 AND u.active ORDER BY h.weekday`, unitID)
	return hs, wrap("list unit reception hours", err)
}

// ReceptionDate is a reception on one date (reception_days): a monthly
// or ad hoc one. On its date it takes the place of the weekly hours.
type ReceptionDate struct {
	ReceptionHours
	Day time.Time `db:"day"` // a date; see Date
}

// Date is the reception's date.
func (r ReceptionDate) Date() workcal.Date { return dateOf(r.Day) }

const receptionDateSelect = `SELECT r.unit_id, u.code AS unit_code, u.name AS unit_name, u.name_en AS unit_name_en,
	r.day, to_char(r.starts, 'HH24:MI') AS starts, to_char(r.ends, 'HH24:MI') AS ends, r.place, r.capacity
	FROM reception_days r JOIN units u ON u.id = r.unit_id`

// SetReceptionDate records a unit's reception on a date, replacing what
// that date had.
func (s *Store) SetReceptionDate(ctx context.Context, r ReceptionDate, now time.Time) error {
	_, err := s.x.ExecContext(ctx, `
		INSERT INTO reception_days (unit_id, day, starts, ends, place, capacity, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (unit_id, day) DO UPDATE SET starts = EXCLUDED.starts, ends = EXCLUDED.ends,
			place = EXCLUDED.place, capacity = EXCLUDED.capacity, updated_at = EXCLUDED.updated_at`,
		r.UnitID, r.Date().String(), r.Starts, r.Ends, r.Place, r.Capacity, now)
	return wrap("set reception date", err)
}

// DeleteReceptionDate removes a unit's reception on a date; ErrNotFound
// when it has none.
func (s *Store) DeleteReceptionDate(ctx context.Context, unitID int64, day workcal.Date) error {
	res, err := s.x.ExecContext(ctx, `DELETE FROM reception_days WHERE unit_id = $1 AND day = $2`, unitID, day.String())
	if err != nil {
		return wrap("delete reception date", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return wrap("delete reception date", ErrNotFound)
	}
	return nil
}

// ReceptionDates lists the receptions on dates from..to (inclusive) of
// active units, of one unit unless unitID is 0, by date.
func (s *Store) ReceptionDates(ctx context.Context, unitID int64, from, to workcal.Date) ([]ReceptionDate, error) {
	var rs []ReceptionDate
	err := sqlx.SelectContext(ctx, s.x, &rs, receptionDateSelect+`
		WHERE ($1 = 0 OR r.unit_id = $1) AND r.day BETWEEN $2 AND $3 AND u.active ORDER BY r.day, u.name, u.id`,
		unitID, from.String(), to.String())
	return rs, wrap("list reception dates", err)
}

// ReceptionUnit is a unit that holds receptions.
type ReceptionUnit struct {
	ID     int64  `db:"id"`
	Code   string `db:"code"`
	Name   string `db:"name"`
	NameEN string `db:"name_en"`
}

// ReceptionUnits lists the active units with weekly reception hours or a
// reception on a date from..to, by name.
func (s *Store) ReceptionUnits(ctx context.Context, from, to workcal.Date) ([]ReceptionUnit, error) {
	var us []ReceptionUnit
	err := sqlx.SelectContext(ctx, s.x, &us, `
		SELECT u.id, u.code, u.name, u.name_en FROM units u
		WHERE u.active AND (EXISTS (SELECT FROM reception_hours h WHERE h.unit_id = u.id)
			OR EXISTS (SELECT FROM reception_days r WHERE r.unit_id = u.id AND r.day BETWEEN $1 AND $2))
		ORDER BY u.name, u.id`, from.String(), to.String())
	return us, wrap("list reception units", err)
}

// UnitsBookedOn lists the units with bookings still standing on day.
func (s *Store) UnitsBookedOn(ctx context.Context, day workcal.Date) ([]int64, error) {
	var ids []int64
	err := sqlx.SelectContext(ctx, s.x, &ids, `
		SELECT DISTINCT unit_id FROM reception_bookings WHERE day = $1 AND status = 'booked' ORDER BY unit_id`, day.String())
	return ids, wrap("units booked on a day", err)
}

// LockReceptionUnit holds a unit's receptions until the transaction
// ends, so that bookings count places one at a time and a day called off
// cannot cross a booking for it. It reports whether the unit is active:
// a unit the organisation file dropped takes no bookings, but those it
// has may still be called off. The row lock leaves rows that merely
// reference the unit free.
func (s *Store) LockReceptionUnit(ctx context.Context, unitID int64) (active bool, err error) {
	err = sqlx.GetContext(ctx, s.x, &active, `SELECT active FROM units WHERE id = $1 FOR NO KEY UPDATE`, unitID)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return active, wrap("lock reception unit", err)
}

// ReceptionDay is a day's standing for a unit's reception: called off,
// and how many places are taken.
type ReceptionDay struct {
	ClosedReason string // "" unless called off
	Taken        int
}

// ReceptionDays reports, for the days from..to (inclusive) that are
// called off or have bookings, their standing; other days are free.
func (s *Store) ReceptionDays(ctx context.Context, unitID int64, from, to workcal.Date) (map[workcal.Date]ReceptionDay, error) {
	var rows []struct {
		Day    time.Time `db:"day"`
		Reason string    `db:"reason"`
		Taken  int       `db:"taken"`
	}
	err := sqlx.SelectContext(ctx, s.x, &rows, `
		SELECT day, max(reason) AS reason, sum(taken)::integer AS taken FROM (
			SELECT day, reason, 0 AS taken FROM reception_closures
			WHERE unit_id = $1 AND day BETWEEN $2 AND $3
			UNION ALL
			SELECT day, '', count(*) FROM reception_bookings
			WHERE unit_id = $1 AND day BETWEEN $2 AND $3 AND status IN ('booked', 'received', 'absent')
			GROUP BY day
		) d GROUP BY day`, unitID, from.String(), to.String())
	if err != nil {
		return nil, wrap("get reception days", err)
	}
	days := make(map[workcal.Date]ReceptionDay, len(rows))
	for _, r := range rows {
		days[dateOf(r.Day)] = ReceptionDay{ClosedReason: r.Reason, Taken: r.Taken}
	}
	return days, nil
}

// dateOf is the civil date PostgreSQL returns for a date column.
func dateOf(t time.Time) workcal.Date { return workcal.NewDate(t.Year(), t.Month(), t.Day()) }

// Booking is a citizen's place at a unit's reception.
type Booking struct {
	ID         int64         `db:"id"`
	UnitID     int64         `db:"unit_id"`
	UnitName   string        `db:"unit_name"`
	UnitNameEN string        `db:"unit_name_en"`
	CitizenID  int64         `db:"citizen_id"`
	Day        time.Time     `db:"day"` // a date; see Date
	Starts     string        `db:"starts"`
	Ends       string        `db:"ends"`
	Place      string        `db:"place"`
	Subject    string        `db:"subject"`
	Status     string        `db:"status"`
	Reason     string        `db:"reason"`
	TicketID   sql.NullInt64 `db:"ticket_id"`
	CreatedAt  time.Time     `db:"created_at"`
	Addressee                // the citizen, to tell them
}

// Date is the day of the reception.
func (b Booking) Date() workcal.Date { return dateOf(b.Day) }

// Starting is when the reception's hours start.
func (b Booking) Starting() time.Time {
	at, err := time.ParseInLocation("2006-01-02 15:04", b.Date().String()+" "+b.Starts, workcal.Location())
	if err != nil { // cannot happen: PostgreSQL wrote both
		return b.Date().Start()
	}
	return at
}

// Ending is when the reception's hours end.
func (b Booking) Ending() time.Time {
	at, err := time.ParseInLocation("2006-01-02 15:04", b.Date().String()+" "+b.Ends, workcal.Location())
	if err != nil { // cannot happen: PostgreSQL wrote both
		return b.Date().End()
	}
	return at
}

const bookingSelect = `SELECT b.id, b.unit_id, u.name AS unit_name, u.name_en AS unit_name_en, b.citizen_id, b.day,
	to_char(b.starts, 'HH24:MI') AS starts, to_char(b.ends, 'HH24:MI') AS ends, b.place, b.subject, b.status,
	b.reason, b.ticket_id, b.created_at, c.channel, c.chat_id, c.language
	FROM reception_bookings b JOIN units u ON u.id = b.unit_id JOIN citizens c ON c.id = b.citizen_id`

// NewBooking is what a citizen books.
type NewBooking struct {
	Hours     ReceptionHours
	CitizenID int64
	Day       workcal.Date
	Subject   string
}

// ErrBookingRefused: the unit refused to receive the citizen that day
// (Law on Citizen Reception, Art. 9), which a new booking cannot undo.
var ErrBookingRefused = errors.New("storage: reception refused that day")

// CreateBooking records a booking with the hours and place of nb.Hours.
// ErrDuplicate: the citizen already has one with the unit that day; the
// transaction goes on (the conflict is not an error to PostgreSQL).
// ErrBookingRefused: the unit refused them that day.
func (s *Store) CreateBooking(ctx context.Context, nb NewBooking, now time.Time) (Booking, error) {
	var refused bool
	err := sqlx.GetContext(ctx, s.x, &refused, `
		SELECT EXISTS (SELECT FROM reception_bookings WHERE citizen_id = $1 AND unit_id = $2 AND day = $3 AND status = 'refused')`,
		nb.CitizenID, nb.Hours.UnitID, nb.Day.String())
	if err != nil {
		return Booking{}, wrap("create booking", err)
	}
	if refused {
		return Booking{}, ErrBookingRefused
	}
	var id int64
	err = sqlx.GetContext(ctx, s.x, &id, `
		INSERT INTO reception_bookings (unit_id, citizen_id, day, starts, ends, place, subject, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
		ON CONFLICT (citizen_id, unit_id, day) WHERE status = 'booked' DO NOTHING
		RETURNING id`,
		nb.Hours.UnitID, nb.CitizenID, nb.Day.String(), nb.Hours.Starts, nb.Hours.Ends, nb.Hours.Place, nb.Subject, now)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrDuplicate
	}
	if err != nil {
		return Booking{}, wrap("create booking", err)
	}
	return s.booking(ctx, "get booking", ``, id)
}

// ReceptionOf loads the booking whose reception filed a ticket (its
// source names it, from the ticket's creation on); ErrNotFound for a
// ticket no reception filed.
func (s *Store) ReceptionOf(ctx context.Context, tk Ticket) (Booking, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(tk.Source, receptionSource), 10, 64)
	if !tk.FromReception() || err != nil {
		return Booking{}, wrap("reception of ticket", ErrNotFound)
	}
	return s.booking(ctx, "reception of ticket", "", id)
}

// LockBooking loads a booking and holds it until the transaction ends.
func (s *Store) LockBooking(ctx context.Context, id int64) (Booking, error) {
	return s.booking(ctx, "lock booking", ` FOR UPDATE OF b`, id)
}

func (s *Store) booking(ctx context.Context, op, lock string, id int64) (Booking, error) {
	var b Booking
	err := sqlx.GetContext(ctx, s.x, &b, bookingSelect+` WHERE b.id = $1`+lock, id)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return b, wrap(op, err)
}

// CitizenBookings lists a citizen's bookings still to come (from the
// day on), soonest first.
func (s *Store) CitizenBookings(ctx context.Context, citizenID int64, from workcal.Date) ([]Booking, error) {
	var bs []Booking
	err := sqlx.SelectContext(ctx, s.x, &bs, bookingSelect+`
		WHERE b.citizen_id = $1 AND b.status = 'booked' AND b.day >= $2 ORDER BY b.day, b.starts, b.id`,
		citizenID, from.String())
	return bs, wrap("list citizen bookings", err)
}

// BookingsOf lists a citizen's bookings, whatever became of them, the
// latest first, at most limit.
func (s *Store) BookingsOf(ctx context.Context, citizenID int64, limit int) ([]Booking, error) {
	var bs []Booking
	err := sqlx.SelectContext(ctx, s.x, &bs, bookingSelect+` WHERE b.citizen_id = $1 ORDER BY b.id DESC LIMIT $2`,
		citizenID, limit)
	return bs, wrap("list bookings of citizen", err)
}

// UnitBookings lists the bookings of the units on the days up to the
// given one, soonest first, at most limit: those still to be met, and
// those of past days no one recorded.
func (s *Store) UnitBookings(ctx context.Context, unitIDs []int64, all bool, to workcal.Date, limit int) ([]Booking, error) {
	var bs []Booking
	err := sqlx.SelectContext(ctx, s.x, &bs, bookingSelect+`
		WHERE ($1 OR b.unit_id = ANY($2)) AND b.status = 'booked' AND b.day <= $3
		ORDER BY b.day, b.unit_id, b.starts, b.id LIMIT $4`,
		all, pq.Array(unitIDs), to.String(), limit)
	return bs, wrap("list unit bookings", err)
}

// SetBookingOutcome ends a booked booking: ticketID is the follow-up
// ticket of a received one (0 otherwise), reason the refusal's or the
// calling off's.
func (s *Store) SetBookingOutcome(ctx context.Context, id int64, status, reason string, ticketID int64, now time.Time) error {
	res, err := s.x.ExecContext(ctx, `
		UPDATE reception_bookings SET status = $2, reason = $3, ticket_id = nullif($4, 0), updated_at = $5
		WHERE id = $1 AND status = 'booked'`, id, status, reason, ticketID, now)
	if err != nil {
		return wrap("set booking outcome", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return wrap("set booking outcome", ErrNotFound)
	}
	return nil
}

// CloseReceptionDay calls a unit's reception day off: no one can book it
// any more, and the bookings made for it are called off with the reason.
// It returns those bookings, for their citizens to be told.
// ErrDuplicate: the day is already called off.
func (s *Store) CloseReceptionDay(ctx context.Context, unitID int64, day workcal.Date, reason string, now time.Time) ([]Booking, error) {
	_, err := s.x.ExecContext(ctx, `
		INSERT INTO reception_closures (unit_id, day, reason, created_at) VALUES ($1, $2, $3, $4)`,
		unitID, day.String(), reason, now)
	if err != nil {
		return nil, wrap("close reception day", err)
	}
	return s.CallOffBookings(ctx, unitID, day, reason, now)
}

// CallOffBookings calls off the bookings made for a unit's reception day
// with the reason, and returns them, for their citizens to be told.
func (s *Store) CallOffBookings(ctx context.Context, unitID int64, day workcal.Date, reason string, now time.Time) ([]Booking, error) {
	var ids []int64
	err := sqlx.SelectContext(ctx, s.x, &ids, `
		UPDATE reception_bookings SET status = 'called_off', reason = $3, updated_at = $4
		WHERE unit_id = $1 AND day = $2 AND status = 'booked' RETURNING id`,
		unitID, day.String(), reason, now)
	if err != nil {
		return nil, wrap("call bookings off", err)
	}
	var bs []Booking
	err = sqlx.SelectContext(ctx, s.x, &bs, bookingSelect+` WHERE b.id = ANY($1) ORDER BY b.id`, pq.Array(ids))
	return bs, wrap("list called-off bookings", err)
}

// BookingsOn lists the bookings of a day still awaited, by unit and hour.
func (s *Store) BookingsOn(ctx context.Context, day workcal.Date) ([]Booking, error) {
	var bs []Booking
	err := sqlx.SelectContext(ctx, s.x, &bs, bookingSelect+`
		WHERE b.day = $1 AND b.status = 'booked' ORDER BY b.unit_id, b.starts, b.id`, day.String())
	return bs, wrap("list bookings of day", err)
}

// BookingsToRemind lists the bookings for the day, made before the given
// time, whose citizens have not been reminded, locking them so two runs
// cannot both remind.
func (s *Store) BookingsToRemind(ctx context.Context, day workcal.Date, madeBefore time.Time) ([]Booking, error) {
	var bs []Booking
	err := sqlx.SelectContext(ctx, s.x, &bs, bookingSelect+`
		WHERE b.day = $1 AND b.status = 'booked' AND b.reminded_at IS NULL AND b.created_at < $2
		ORDER BY b.id FOR UPDATE OF b SKIP LOCKED`,
		day.String(), madeBefore)
	return bs, wrap("list bookings to remind", err)
}

// MarkReminded records that a booking's citizen was reminded.
func (s *Store) MarkReminded(ctx context.Context, id int64, now time.Time) error {
	_, err := s.x.ExecContext(ctx, `UPDATE reception_bookings SET reminded_at = $2 WHERE id = $1`, id, now)
	return wrap("mark booking reminded", err)
}
