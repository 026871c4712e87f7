package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Consultation is a draft or plan a unit puts out for residents' comments
// (lấy ý kiến, law.md §7). Comments are góp ý tickets that name it
// (Ticket.ConsultationID); the synthesis, once published, is told to
// everyone who commented.
type Consultation struct {
	ID       int64  `db:"id"`
	UnitID   int64  `db:"unit_id"`
	UnitCode string `db:"unit_code"`
	UnitName string `db:"unit_name"`
	// UnitNameEN is the unit's English name, "" when it has none.
	UnitNameEN string    `db:"unit_name_en"`
	Title      string    `db:"title"`
	Summary    string    `db:"summary"`
	Link       string    `db:"link"`
	OpensAt    time.Time `db:"opens_at"`
	// ClosesAt is the end of the period, exclusive: a comment must come
	// before it.
	ClosesAt    time.Time      `db:"closes_at"`
	Synthesis   sql.NullString `db:"synthesis"`
	PublishedAt sql.NullTime   `db:"published_at"`
	CreatedAt   time.Time      `db:"created_at"`
	Comments    int            `db:"comments"` // tickets commenting on it
}

// OpenAt reports whether the consultation takes comments at the time.
func (c Consultation) OpenAt(at time.Time) bool {
	return !c.PublishedAt.Valid && !at.Before(c.OpensAt) && at.Before(c.ClosesAt)
}

// NewConsultation is what an administrator puts out.
type NewConsultation struct {
	UnitID   int64
	Title    string
	Summary  string // the text, or a summary of it
	Link     string // where the document is
	OpensAt  time.Time
	ClosesAt time.Time
}

const consultationSelect = `SELECT c.id, c.unit_id, u.code AS unit_code, u.name AS unit_name, u.name_en AS unit_name_en, c.title, c.summary,
	c.link, c.opens_at, c.closes_at, c.synthesis, c.published_at, c.created_at,
	(SELECT count(*) FROM tickets t WHERE t.consultation_id = c.id) AS comments
	FROM consultations c JOIN units u ON u.id = c.unit_id`

// CreateConsultation records a consultation.
func (s *Store) CreateConsultation(ctx context.Context, nc NewConsultation, now time.Time) (Consultation, error) {
	var id int64
	err := sqlx.GetContext(ctx, s.x, &id, `
		INSERT INTO consultations (unit_id, title, summary, link, opens_at, closes_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		nc.UnitID, nc.Title, nc.Summary, nc.Link, nc.OpensAt, nc.ClosesAt, now)
	if err != nil {
		return Consultation{}, wrap("create consultation", err)
	}
	return s.ConsultationByID(ctx, id)
}

// ConsultationByID loads a consultation.
func (s *Store) ConsultationByID(ctx context.Context, id int64) (Consultation, error) {
	return s.consultation(ctx, "get consultation", ``, id)
}

// LockConsultationForComment loads a consultation and keeps it from being
// closed until the transaction ends, so that a comment and the synthesis
// it must receive cannot cross.
func (s *Store) LockConsultationForComment(ctx context.Context, id int64) (Consultation, error) {
	return s.consultation(ctx, "lock consultation for comment", ` FOR SHARE OF c`, id)
}

// LockConsultation loads a consultation and locks it until the transaction
// ends: closing it waits for the comments being written.
func (s *Store) LockConsultation(ctx context.Context, id int64) (Consultation, error) {
	return s.consultation(ctx, "lock consultation", ` FOR UPDATE OF c`, id)
}

func (s *Store) consultation(ctx context.Context, op, lock string, id int64) (Consultation, error) {
	var c Consultation
	err := sqlx.GetContext(ctx, s.x, &c, consultationSelect+` WHERE c.id = $1`+lock, id)
	return c, wrap(op, err)
}

// Consultations lists every consultation, newest first.
func (s *Store) Consultations(ctx context.Context) ([]Consultation, error) {
	var cs []Consultation
	err := sqlx.SelectContext(ctx, s.x, &cs, consultationSelect+` ORDER BY c.opens_at DESC, c.id DESC`)
	return cs, wrap("list consultations", err)
}

// OpenConsultations lists the consultations that take comments at the
// time, closing soonest first.
func (s *Store) OpenConsultations(ctx context.Context, at time.Time, limit int) ([]Consultation, error) {
	var cs []Consultation
	err := sqlx.SelectContext(ctx, s.x, &cs, consultationSelect+`
		WHERE c.published_at IS NULL AND c.opens_at <= $1 AND c.closes_at > $1
		ORDER BY c.closes_at, c.id LIMIT $2`, at, limit)
	return cs, wrap("list open consultations", err)
}

// PublishSynthesis records a consultation's synthesis, which closes it.
// Call it in a transaction after LockConsultation; a consultation already
// closed is ErrNotFound.
func (s *Store) PublishSynthesis(ctx context.Context, id int64, synthesis string, at time.Time) error {
	res, err := s.x.ExecContext(ctx, `
		UPDATE consultations SET synthesis = $2, published_at = $3 WHERE id = $1 AND published_at IS NULL`,
		id, synthesis, at)
	if err != nil {
		return wrap("publish synthesis", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("storage: publish synthesis: %w", ErrNotFound)
	}
	return nil
}

// ExtendConsultation moves the end of a consultation not yet closed to
// closesAt, later than its end; ErrNotFound otherwise.
func (s *Store) ExtendConsultation(ctx context.Context, id int64, closesAt time.Time) error {
	res, err := s.x.ExecContext(ctx, `
		UPDATE consultations SET closes_at = $2 WHERE id = $1 AND published_at IS NULL AND closes_at < $2`, id, closesAt)
	if err != nil {
		return wrap("extend consultation", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("storage: extend consultation: %w", ErrNotFound)
	}
	return nil
}

// Commenters lists the people who took part in a consultation, once each:
// those who commented, and those who co-signed a comment that has not
// since become confidential (law.md §5: a denunciation's co-signers learn
// nothing more of it).
func (s *Store) Commenters(ctx context.Context, consultationID int64) ([]Citizen, error) {
	return s.citizensIn(ctx, "list commenters", `
		SELECT citizen_id FROM tickets WHERE consultation_id = $1
		UNION
		SELECT k.citizen_id FROM ticket_cosigners k JOIN tickets t ON t.id = k.ticket_id
		WHERE t.consultation_id = $1 AND NOT (t.confidential OR t.was_denunciation OR t.kind = 'to_cao')`, consultationID)
}

// citizensIn lists the citizens whose ids a query returns, by id.
func (s *Store) citizensIn(ctx context.Context, op, ids string, args ...any) ([]Citizen, error) {
	var cs []Citizen
	err := sqlx.SelectContext(ctx, s.x, &cs, `SELECT `+citizenColumns+` FROM citizens WHERE id IN (`+ids+`) ORDER BY id`, args...)
	return cs, wrap(op, err)
}

// CommentKind is the kind of a comment on a consultation: a góp ý.
const CommentKind = "gop_y"

// OpenComments lists and locks the comments on a consultation that are
// still open, which its synthesis answers. A comment staff have found to
// be another kind (a phản ánh, a tố cáo gone to the intake) needs an
// answer of its own and is left out, and so is one answered or
// reclassified while the lock was awaited.
func (s *Store) OpenComments(ctx context.Context, consultationID int64) ([]int64, error) {
	var ids []int64
	err := sqlx.SelectContext(ctx, s.x, &ids, `
		SELECT id FROM tickets WHERE consultation_id = $1 AND kind = $3 AND status = ANY($2) ORDER BY id FOR UPDATE`,
		consultationID, pq.Array(openStatuses), CommentKind)
	return ids, wrap("open comments", err)
}
