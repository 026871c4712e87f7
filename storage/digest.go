package storage

// Figures for the leaders' weekly digest.
//
// Every figure of a scope (a set of units, usually a leader's subtree) is
// a sum over its units, or, for the median, a merge of per-unit lists. So
// DigestStats reads every unit's aggregates at once, with one query per
// kind of fact over a time range (served by the indexes of migration
// 00004), and the digests of all leaders are then rolled up in Go from the
// same reads. One query per leader over the whole ticket table would not
// scale to thousands of leaders.
//
// Tickets count towards the unit they belong to now (tickets.unit_id);
// tickets not routed to a unit are in no scope.

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"golang.org/x/sync/errgroup"
)

const (
	// digestDetailPeriods get every figure: the reported period and the
	// one it is compared with. Older periods only feed the trend chart
	// (new, answered, on time, overdue) and the hot-spot baseline.
	digestDetailPeriods = 2
	// digestHotSpotPeriods: the reported period and the 4 before it.
	digestHotSpotPeriods = 5
	// DigestOldestOverdue is how many overdue tickets a digest lists.
	DigestOldestOverdue = 10
	// DigestTop is how many categories and areas a digest ranks.
	DigestTop = 3
	// Hot spots: at least hotSpotMin new tickets in the period and at
	// least hotSpotFactor times the average of the 4 periods before.
	hotSpotMin    = 3
	hotSpotFactor = 2
	// digestConnections bounds the reads DigestStats runs at once: enough
	// to overlap the database's work with ours, without taking the pool.
	digestConnections = 4
)

// PeriodFigures are a scope's figures for one period [from, to).
type PeriodFigures struct {
	New    int // tickets created in the period
	Urgent int // of New: urgent now (migration 00030)
	// Answered: tickets whose answered_at is in the period (answered
	// again after a reopening: the period of the last answer).
	Answered int
	OnTime   int // of Answered: answered by the deadline (answeredOnTime)
	// Overdue at the period's end: not answered, completed or rejected (a
	// merged duplicate has no deadline), created before the end and due before it (dueBefore: a clock paused
	// for the citizen is due only if its deadline had passed before the
	// pause). The state is today's, so for a past period this counts the
	// tickets that were overdue then and are still unanswered now.
	Overdue  int
	Reopened int // tickets with an event to_status 'reopened' in the period
	// MedianAnswer is the median of answered_at - created_at over
	// Answered (the mean of the two middle values for an even count); 0
	// when nothing was answered.
	MedianAnswer time.Duration
	// Rated counts the tickets whose latest 'rated' event (ever) is in
	// the period; RatingSum and Satisfied (rating >= SatisfiedRating, 3,
	// as in reports) use their current rating, which that event gave.
	Rated     int
	RatingSum int
	Satisfied int
}

// OnTimeRate is OnTime/Answered; false when nothing was answered.
func (f PeriodFigures) OnTimeRate() (float64, bool) { return ratio(f.OnTime, f.Answered) }

// AverageRating is the mean rating (1–5); false when nothing was rated.
func (f PeriodFigures) AverageRating() (float64, bool) { return ratio(f.RatingSum, f.Rated) }

// SatisfactionRate is the share of ratings of SatisfiedRating or more
// (chấp nhận được, hài lòng, rất hài lòng); false when nothing was rated.
func (f PeriodFigures) SatisfactionRate() (float64, bool) { return ratio(f.Satisfied, f.Rated) }

// ratio is a/b, or false when b is zero (a rate of nothing is not 0%).
func ratio(a, b int) (float64, bool) {
	if b == 0 {
		return 0, false
	}
	return float64(a) / float64(b), true
}

func (f *PeriodFigures) add(o PeriodFigures) {
	f.New += o.New
	f.Urgent += o.Urgent
	f.Answered += o.Answered
	f.OnTime += o.OnTime
	f.Overdue += o.Overdue
	f.Reopened += o.Reopened
	f.Rated += o.Rated
	f.RatingSum += o.RatingSum
	f.Satisfied += o.Satisfied
}

// DigestFigures are a scope's figures for the period [From, To) compared
// with the period of the same length just before it.
type DigestFigures struct {
	From, To      time.Time
	Current       PeriodFigures
	Previous      PeriodFigures
	TopCategories []RankedCount   // the DigestTop most frequent among Current.New
	TopAreas      []RankedCount   // likewise
	HotSpots      []HotSpot       // by Count, descending
	OldestOverdue []OverdueTicket // the DigestOldestOverdue earliest due of Current.Overdue
}

// RankedCount is a category's or an area's new tickets in the period and
// in the period before. Ties rank by ID.
type RankedCount struct {
	ID       int64
	Name     string
	Count    int
	Previous int
}

// HotSpot is an (area, category) pair with at least 3 new tickets in the
// period and at least twice its average over the 4 periods before.
type HotSpot struct {
	AreaID       int64
	AreaName     string
	CategoryID   int64
	CategoryName string
	Count        int
	Baseline     int // new tickets of the pair in the 4 periods before, together
}

// BaselineAverage is the pair's average per period before.
func (h HotSpot) BaselineAverage() float64 {
	return float64(h.Baseline) / (digestHotSpotPeriods - 1)
}

// OverdueTicket is one of the oldest overdue tickets of a scope.
type OverdueTicket struct {
	ID       int64
	Code     string
	UnitID   int64
	UnitName string
	DueAt    time.Time
}

// DaysOverdue counts the whole days from the deadline to at, at least 1.
func (t OverdueTicket) DaysOverdue(at time.Time) int {
	return max(1, int(at.Sub(t.DueAt)/(24*time.Hour)))
}

// PeriodCounts is one point of a digest's trend.
type PeriodCounts struct {
	From     time.Time
	New      int
	Answered int
	Overdue  int // at the period's end, as in PeriodFigures
}

// DigestStats holds per-unit aggregates for consecutive periods of equal
// length ending at To, from which any scope's figures are rolled up.
// Period 0 is [To-Length, To), period 1 the one before, and so on.
type DigestStats struct {
	To      time.Time
	Length  time.Duration
	Periods int

	units      map[int64]Unit
	children   map[int64][]int64
	stats      map[int64]*unitStats
	categories map[int64]string
	areas      map[int64]string
}

// unitStats are one unit's aggregates.
type unitStats struct {
	periods   []PeriodFigures              // by period; MedianAnswer unused
	pairs     []pairCount                  // new tickets, periods < digestHotSpotPeriods
	durations [digestDetailPeriods][]int64 // answer times in microseconds
	oldest    []OverdueTicket              // the unit's oldest overdue at To
}

// pairCount is new tickets by area and category (0: none) in a period.
type pairCount struct {
	area, category int64
	period, n      int
}

// DigestStats reads the aggregates of the given units (nil: all units)
// for periods periods of length length ending at to; periods is raised to
// the 5 the hot spots need.
func (s *Store) DigestStats(ctx context.Context, unitIDs []int64, to time.Time, length time.Duration, periods int) (*DigestStats, error) {
	if length <= 0 {
		return nil, fmt.Errorf("storage: digest stats: period length %v", length)
	}
	d := &DigestStats{
		To: to, Length: length, Periods: max(periods, digestHotSpotPeriods),
		units: map[int64]Unit{}, children: map[int64][]int64{}, stats: map[int64]*unitStats{},
		categories: map[int64]string{}, areas: map[int64]string{},
	}
	// A nil slice is a NULL array: no filter.
	q := digestQuery{d: d, scope: pq.Array(unitIDs)}
	var (
		news     []newRow
		answered []answeredRow
		times    []answerTime
		overdue  []overdueRow
		oldest   []OverdueTicket
		reopened []periodCount
		rated    []ratedRow
		units    []Unit
		names    []digestName
	)
	err := s.readConcurrently(ctx,
		digestRead(&news, q.news), digestRead(&answered, q.answered), digestRead(&times, q.answerTimes),
		digestRead(&overdue, q.overdue), digestRead(&oldest, q.oldest), digestRead(&reopened, q.reopened),
		digestRead(&rated, q.rated), digestRead(&units, q.units), digestRead(&names, q.names))
	if err != nil {
		return nil, wrap("digest stats", err)
	}
	for _, u := range units {
		d.units[u.ID] = u
		if u.ParentID.Valid {
			d.children[u.ParentID.Int64] = append(d.children[u.ParentID.Int64], u.ID)
		}
	}
	for _, n := range names {
		if n.Category {
			d.categories[n.ID] = n.Name
		} else {
			d.areas[n.ID] = n.Name
		}
	}
	for _, r := range news {
		u := d.unit(r.unit)
		u.periods[r.period].New += r.n
		u.periods[r.period].Urgent += r.urgent
		if r.period < digestHotSpotPeriods {
			u.pairs = append(u.pairs, r.pairCount)
		}
	}
	for _, r := range answered {
		u := d.unit(r.unit)
		u.periods[r.period].Answered += r.n
		u.periods[r.period].OnTime += r.onTime
	}
	for _, r := range times {
		u := d.unit(r.unit)
		u.durations[r.period] = append(u.durations[r.period], r.us)
	}
	for _, r := range overdue {
		u := d.unit(r.unit)
		for p := range min(r.periods, d.Periods) {
			u.periods[p].Overdue += r.n
		}
	}
	for _, r := range oldest {
		u := d.unit(r.UnitID)
		u.oldest = append(u.oldest, r)
	}
	for _, r := range reopened {
		d.unit(r.unit).periods[r.period].Reopened += r.n
	}
	for _, r := range rated {
		p := &d.unit(r.unit).periods[r.period]
		p.Rated += r.n
		p.RatingSum += r.sum
		p.Satisfied += r.satisfied
	}
	return d, nil
}

func (d *DigestStats) unit(id int64) *unitStats {
	u := d.stats[id]
	if u == nil {
		u = &unitStats{periods: make([]PeriodFigures, d.Periods)}
		d.stats[id] = u
	}
	return u
}

// digestRead adapts a read to readConcurrently, storing its rows in dst.
func digestRead[T any](dst *[]T, read func(context.Context, sqlx.QueryerContext) ([]T, error)) func(context.Context, sqlx.QueryerContext) error {
	return func(ctx context.Context, x sqlx.QueryerContext) (err error) {
		*dst, err = read(ctx, x)
		return err
	}
}

// readConcurrently runs the reads on separate connections of the pool,
// or one after the other inside a transaction (a transaction is one
// connection). Separate connections see separate snapshots: a ticket
// changing during the read may be counted by one figure and not yet by
// another, which a weekly digest can live with.
func (s *Store) readConcurrently(ctx context.Context, fns ...func(context.Context, sqlx.QueryerContext) error) error {
	if s.tx != nil {
		for _, fn := range fns {
			if err := fn(ctx, s.x); err != nil {
				return err
			}
		}
		return nil
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(digestConnections)
	for _, fn := range fns {
		g.Go(func() error { return fn(ctx, s.x) })
	}
	return g.Wait()
}

// Unit returns a unit of the tree, active or not.
func (d *DigestStats) Unit(id int64) (Unit, bool) {
	u, ok := d.units[id]
	return u, ok
}

// Subtree returns the unit and all units below it, the unit first, like
// UnitSubtree (a cycle in a hand-edited tree is cut).
func (d *DigestStats) Subtree(id int64) []int64 {
	if _, ok := d.units[id]; !ok {
		return nil
	}
	seen := map[int64]bool{id: true}
	out := []int64{id}
	for i := 0; i < len(out); i++ {
		for _, c := range d.children[out[i]] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// Figures rolls up the figures of period 0 for a scope (nil: every unit).
// A unit must appear in the scope once.
func (d *DigestStats) Figures(scope []int64) DigestFigures {
	if scope == nil {
		scope = slices.Collect(maps.Keys(d.stats))
	}
	f := DigestFigures{From: d.To.Add(-d.Length), To: d.To}
	// Sized first: the root's scope holds every unit's rows.
	var durations [digestDetailPeriods][]int64
	nPairs := 0
	for _, id := range scope {
		if u := d.stats[id]; u != nil {
			for p := range durations {
				durations[p] = slices.Grow(durations[p], len(u.durations[p]))
			}
			nPairs += len(u.pairs)
		}
	}
	pairIndex := make(map[[2]int64]int, nPairs)
	pairs := make([][digestHotSpotPeriods]int, 0, nPairs)
	var oldest []OverdueTicket
	for _, id := range scope {
		u := d.stats[id]
		if u == nil {
			continue
		}
		f.Current.add(u.periods[0])
		f.Previous.add(u.periods[1])
		for p := range durations {
			durations[p] = append(durations[p], u.durations[p]...)
		}
		for _, pc := range u.pairs {
			key := [2]int64{pc.area, pc.category}
			i, ok := pairIndex[key]
			if !ok {
				i = len(pairs)
				pairIndex[key] = i
				pairs = append(pairs, [digestHotSpotPeriods]int{})
			}
			pairs[i][pc.period] += pc.n
		}
		oldest = keepOldest(oldest, u.oldest)
	}
	f.Current.MedianAnswer = medianAnswer(durations[0])
	f.Previous.MedianAnswer = medianAnswer(durations[1])

	byCategory := map[int64]*RankedCount{}
	byArea := map[int64]*RankedCount{}
	for key, i := range pairIndex {
		area, category, c := key[0], key[1], pairs[i]
		addRanked(byCategory, category, d.categories, c)
		addRanked(byArea, area, d.areas, c)
		if area == 0 || category == 0 || c[0] < hotSpotMin {
			continue
		}
		baseline := 0
		for _, n := range c[1:] {
			baseline += n
		}
		// c[0] >= factor × baseline/4, in integers.
		if c[0]*(digestHotSpotPeriods-1) >= hotSpotFactor*baseline {
			f.HotSpots = append(f.HotSpots, HotSpot{
				AreaID: area, AreaName: d.areas[area], CategoryID: category, CategoryName: d.categories[category],
				Count: c[0], Baseline: baseline,
			})
		}
	}
	slices.SortFunc(f.HotSpots, func(a, b HotSpot) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.AreaID, b.AreaID), cmp.Compare(a.CategoryID, b.CategoryID))
	})
	f.TopCategories = topRanked(byCategory)
	f.TopAreas = topRanked(byArea)

	f.OldestOverdue = oldest
	for i := range f.OldestOverdue {
		f.OldestOverdue[i].UnitName = d.units[f.OldestOverdue[i].UnitID].Name
	}
	return f
}

// keepOldest merges a unit's oldest overdue tickets into the scope's
// (sorted, at most DigestOldestOverdue) and returns the result.
func keepOldest(kept, more []OverdueTicket) []OverdueTicket {
	for _, t := range more {
		i, _ := slices.BinarySearchFunc(kept, t, compareOverdue)
		if i >= DigestOldestOverdue {
			continue
		}
		kept = slices.Insert(kept, i, t)
		kept = kept[:min(len(kept), DigestOldestOverdue)]
	}
	return kept
}

func compareOverdue(a, b OverdueTicket) int {
	return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.ID, b.ID))
}

// addRanked adds a pair's new tickets of periods 0 and 1 to its category's or
// area's ranking entry (id 0, none, is not ranked).
func addRanked(m map[int64]*RankedCount, id int64, names map[int64]string, c [digestHotSpotPeriods]int) {
	if id == 0 || c[0]+c[1] == 0 {
		return
	}
	r := m[id]
	if r == nil {
		r = &RankedCount{ID: id, Name: names[id]}
		m[id] = r
	}
	r.Count += c[0]
	r.Previous += c[1]
}

// topRanked ranks by count in the period, then by id; only entries with new
// tickets in the period are ranked.
func topRanked(m map[int64]*RankedCount) []RankedCount {
	var out []RankedCount
	for _, r := range m {
		if r.Count > 0 {
			out = append(out, *r)
		}
	}
	slices.SortFunc(out, func(a, b RankedCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.ID, b.ID))
	})
	return out[:min(len(out), DigestTop)]
}

// medianAnswer is exact: the scope's answer times are all at hand.
func medianAnswer(us []int64) time.Duration {
	if len(us) == 0 {
		return 0
	}
	slices.Sort(us)
	m := len(us) / 2
	v := us[m]
	if len(us)%2 == 0 {
		v = us[m-1] + (us[m]-us[m-1])/2
	}
	return time.Duration(v) * time.Microsecond
}

// Trend returns the scope's counts for every period, oldest first.
func (d *DigestStats) Trend(scope []int64) []PeriodCounts {
	if scope == nil {
		scope = slices.Collect(maps.Keys(d.stats))
	}
	out := make([]PeriodCounts, d.Periods)
	for i := range out {
		p := d.Periods - 1 - i
		out[i].From = d.To.Add(-time.Duration(p+1) * d.Length)
		for _, id := range scope {
			if u := d.stats[id]; u != nil {
				out[i].New += u.periods[p].New
				out[i].Answered += u.periods[p].Answered
				out[i].Overdue += u.periods[p].Overdue
			}
		}
	}
	return out
}

// DigestFigures computes a scope's figures for [from, to) (unitIDs nil:
// all units); see DigestStats to compute many scopes at once.
func (s *Store) DigestFigures(ctx context.Context, unitIDs []int64, from, to time.Time) (DigestFigures, error) {
	d, err := s.DigestStats(ctx, unitIDs, to, to.Sub(from), digestHotSpotPeriods)
	if err != nil {
		return DigestFigures{}, err
	}
	return d.Figures(unitIDs), nil
}

// WeeklyCounts returns a scope's new, answered and overdue tickets for
// each of the weeks weeks before to, oldest first.
func (s *Store) WeeklyCounts(ctx context.Context, unitIDs []int64, weeks int, to time.Time) ([]PeriodCounts, error) {
	if weeks <= 0 {
		return nil, nil
	}
	d, err := s.DigestStats(ctx, unitIDs, to, 7*24*time.Hour, weeks)
	if err != nil {
		return nil, err
	}
	trend := d.Trend(unitIDs)
	return trend[len(trend)-weeks:], nil
}

// LeaderUnits lists the active units with at least one active leader: the
// units whose digest is sent.
func (s *Store) LeaderUnits(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := sqlx.SelectContext(ctx, s.x, &ids, `
		SELECT DISTINCT u.id FROM units u JOIN officers o ON o.unit_id = u.id
		WHERE u.active AND o.active AND o.role = $1 ORDER BY u.id`, RoleLeader)
	return ids, wrap("leader units", err)
}

// RecordDigestSent records that a leader (citizenID) is sent a unit's
// digest of the week starting on weekStart, and reports whether that is
// new: false if they were sent it before, however long ago.
func (s *Store) RecordDigestSent(ctx context.Context, unitID int64, weekStart time.Time, citizenID int64) (bool, error) {
	res, err := s.x.ExecContext(ctx, `
		INSERT INTO digests_sent (unit_id, week_start, citizen_id) VALUES ($1, $2::date, $3)
		ON CONFLICT DO NOTHING`, unitID, weekStart.Format(time.DateOnly), citizenID)
	if err != nil {
		return false, wrap("record digest sent", err)
	}
	n, err := res.RowsAffected()
	return n == 1, wrap("record digest sent", err)
}

// The reads behind DigestStats. Each returns rows keyed by unit and
// period; width_bucket against the ascending period boundaries finds a
// timestamp's period exactly.

type digestQuery struct {
	d     *DigestStats
	scope any // bigint[] of the units to read, or NULL for all
}

// units reads the whole tree: scopes are subtrees.
func (q digestQuery) units(ctx context.Context, x sqlx.QueryerContext) ([]Unit, error) {
	var us []Unit
	err := sqlx.SelectContext(ctx, x, &us, `SELECT `+unitColumns+` FROM units`)
	return us, err
}

type digestName struct {
	ID       int64  `db:"id"`
	Name     string `db:"name"`
	Category bool   `db:"category"`
}

// names reads the names of categories and areas.
func (q digestQuery) names(ctx context.Context, x sqlx.QueryerContext) ([]digestName, error) {
	var ns []digestName
	err := sqlx.SelectContext(ctx, x, &ns, `
		SELECT id, name, true AS category FROM categories
		UNION ALL SELECT id, name, false FROM areas`)
	return ns, err
}

// starts returns the start instants of the n most recent periods, oldest
// first, as a timestamptz[] parameter.
func (q digestQuery) starts(n int) any {
	ts := make([]string, n)
	for i := range ts {
		ts[i] = q.d.To.Add(-time.Duration(n-i) * q.d.Length).Format(time.RFC3339Nano)
	}
	return pq.Array(ts)
}

// since is the start of the n most recent periods together.
func (q digestQuery) since(n int) time.Time { return q.d.To.Add(-time.Duration(n) * q.d.Length) }

// ends returns the end instants of the n most recent periods, oldest
// first, as a timestamptz[] parameter.
func (q digestQuery) ends(n int) any {
	ts := make([]string, n)
	for i := range ts {
		ts[i] = q.d.To.Add(-time.Duration(n-1-i) * q.d.Length).Format(time.RFC3339Nano)
	}
	return pq.Array(ts)
}

// Area and category are kept for the hot-spot periods only; older periods
// collapse to one row per unit.
const digestNewSQL = `
	SELECT unit_id, $2::int - width_bucket(created_at, $1::timestamptz[]) AS period,
	       CASE WHEN created_at >= $3 THEN coalesce(area_id, 0) ELSE 0 END AS area,
	       CASE WHEN created_at >= $3 THEN coalesce(category_id, 0) ELSE 0 END AS category,
	       count(*), count(*) FILTER (WHERE urgent)
	FROM tickets
	WHERE created_at >= $4 AND created_at < $5
	  AND unit_id IS NOT NULL AND ($6::bigint[] IS NULL OR unit_id = ANY ($6))
	GROUP BY 1, 2, 3, 4`

type newRow struct {
	unit int64
	pairCount
	urgent int
}

func (q digestQuery) news(ctx context.Context, x sqlx.QueryerContext) ([]newRow, error) {
	n := q.d.Periods
	rows, err := x.QueryContext(ctx, digestNewSQL,
		q.starts(n), n, q.since(digestHotSpotPeriods), q.since(n), q.d.To, q.scope)
	return digestScan(rows, err, func(rows *sql.Rows, r *newRow) error {
		return rows.Scan(&r.unit, &r.period, &r.area, &r.category, &r.n, &r.urgent)
	})
}

const digestAnsweredSQL = `
	SELECT unit_id, $2::int - width_bucket(answered_at, $1::timestamptz[]) AS period,
	       count(*), count(*) FILTER (WHERE ` + answeredOnTime + `)
	FROM tickets
	WHERE answered_at >= $3 AND answered_at < $4
	  AND unit_id IS NOT NULL AND ($5::bigint[] IS NULL OR unit_id = ANY ($5))
	GROUP BY 1, 2`

type answeredRow struct {
	unit              int64
	period, n, onTime int
}

func (q digestQuery) answered(ctx context.Context, x sqlx.QueryerContext) ([]answeredRow, error) {
	n := q.d.Periods
	rows, err := x.QueryContext(ctx, digestAnsweredSQL, q.starts(n), n, q.since(n), q.d.To, q.scope)
	return digestScan(rows, err, func(rows *sql.Rows, r *answeredRow) error {
		return rows.Scan(&r.unit, &r.period, &r.n, &r.onTime)
	})
}

// Every answer time of the detail periods, in microseconds, so that the
// median of any scope is exact.
const digestAnswerTimesSQL = `
	SELECT unit_id, $2::int - width_bucket(answered_at, $1::timestamptz[]) AS period,
	       (extract(epoch FROM answered_at - created_at) * 1000000)::bigint
	FROM tickets
	WHERE answered_at >= $3 AND answered_at < $4
	  AND unit_id IS NOT NULL AND ($5::bigint[] IS NULL OR unit_id = ANY ($5))`

type answerTime struct {
	unit   int64
	period int
	us     int64
}

func (q digestQuery) answerTimes(ctx context.Context, x sqlx.QueryerContext) ([]answerTime, error) {
	n := digestDetailPeriods
	rows, err := x.QueryContext(ctx, digestAnswerTimesSQL, q.starts(n), n, q.since(n), q.d.To, q.scope)
	return digestScan(rows, err, func(rows *sql.Rows, r *answerTime) error {
		return rows.Scan(&r.unit, &r.period, &r.us)
	})
}

// digestOverdueWhere selects the tickets overdue at $1 (see
// PeriodFigures.Overdue); it matches the index tickets_unanswered_unit_due.
var digestOverdueWhere = dueBefore("$1") + ` AND created_at < $1
	AND unit_id IS NOT NULL AND ($2::bigint[] IS NULL OR unit_id = ANY ($2))`

// A ticket is overdue at a period's end when both its deadline and its
// creation are before that end (dueBefore's condition on a pause does not
// depend on the end): "periods" counts the period ends after
// greatest(due_at, created_at), i.e. the most recent periods it was
// overdue at the end of.
var digestOverdueSQL = `
	SELECT unit_id, $4::int - width_bucket(greatest(due_at, created_at), $3::timestamptz[]) AS periods, count(*)
	FROM tickets WHERE ` + digestOverdueWhere + `
	GROUP BY 1, 2`

type overdueRow struct {
	unit       int64
	periods, n int
}

func (q digestQuery) overdue(ctx context.Context, x sqlx.QueryerContext) ([]overdueRow, error) {
	n := q.d.Periods
	rows, err := x.QueryContext(ctx, digestOverdueSQL, q.d.To, q.scope, q.ends(n), n)
	return digestScan(rows, err, func(rows *sql.Rows, r *overdueRow) error {
		return rows.Scan(&r.unit, &r.periods, &r.n)
	})
}

// Each unit's oldest overdue tickets (a scope's oldest are among its
// units' oldest), read per unit from the index tickets_unanswered_unit_due
// instead of sorting all overdue tickets.
var digestOldestSQL = `
	SELECT o.id, o.code, o.unit_id, o.due_at
	FROM units u CROSS JOIN LATERAL (
		SELECT id, code, unit_id, due_at FROM tickets
		WHERE unit_id = u.id AND ` + digestOverdueWhere + `
		ORDER BY due_at, id LIMIT $3
	) o
	WHERE ($2::bigint[] IS NULL OR u.id = ANY ($2))`

func (q digestQuery) oldest(ctx context.Context, x sqlx.QueryerContext) ([]OverdueTicket, error) {
	rows, err := x.QueryContext(ctx, digestOldestSQL, q.d.To, q.scope, DigestOldestOverdue)
	return digestScan(rows, err, func(rows *sql.Rows, r *OverdueTicket) error {
		return rows.Scan(&r.ID, &r.Code, &r.UnitID, &r.DueAt)
	})
}

// A ticket reopened twice in a period counts once. OFFSET 0: see
// digestRatedSQL.
const digestReopenedSQL = `
	SELECT t.unit_id, $2::int - width_bucket(e.at, $1::timestamptz[]) AS period, count(DISTINCT e.ticket_id)
	FROM ticket_events e
	CROSS JOIN LATERAL (SELECT unit_id FROM tickets WHERE id = e.ticket_id OFFSET 0) t
	WHERE e.to_status = 'reopened' AND e.at >= $3 AND e.at < $4
	  AND t.unit_id IS NOT NULL AND ($5::bigint[] IS NULL OR t.unit_id = ANY ($5))
	GROUP BY 1, 2`

type periodCount struct {
	unit      int64
	period, n int
}

func (q digestQuery) reopened(ctx context.Context, x sqlx.QueryerContext) ([]periodCount, error) {
	n := digestDetailPeriods
	rows, err := x.QueryContext(ctx, digestReopenedSQL, q.starts(n), n, q.since(n), q.d.To, q.scope)
	return digestScan(rows, err, func(rows *sql.Rows, r *periodCount) error {
		return rows.Scan(&r.unit, &r.period, &r.n)
	})
}

// A ticket's latest rating counts in the period it was given; a ticket
// rated again after the window (at >= $4) belongs to a later period.
// OFFSET 0 keeps the ticket lookup a lateral index probe: the planner
// underestimates the rated tickets and would scan the whole table.
const digestRatedSQL = `
	SELECT t.unit_id, $2::int - width_bucket(r.at, $1::timestamptz[]) AS period,
	       count(*), sum(t.rating), count(*) FILTER (WHERE t.rating >= $6)
	FROM (SELECT ticket_id, max(at) AS at FROM ticket_events
	      WHERE kind = 'rated' AND at >= $3 GROUP BY ticket_id) r
	CROSS JOIN LATERAL (SELECT unit_id, rating FROM tickets WHERE id = r.ticket_id OFFSET 0) t
	WHERE r.at < $4 AND t.rating IS NOT NULL
	  AND t.unit_id IS NOT NULL AND ($5::bigint[] IS NULL OR t.unit_id = ANY ($5))
	GROUP BY 1, 2`

type ratedRow struct {
	unit                      int64
	period, n, sum, satisfied int
}

func (q digestQuery) rated(ctx context.Context, x sqlx.QueryerContext) ([]ratedRow, error) {
	n := digestDetailPeriods
	rows, err := x.QueryContext(ctx, digestRatedSQL, q.starts(n), n, q.since(n), q.d.To, q.scope, SatisfiedRating)
	return digestScan(rows, err, func(rows *sql.Rows, r *ratedRow) error {
		return rows.Scan(&r.unit, &r.period, &r.n, &r.sum, &r.satisfied)
	})
}

// digestScan reads every row with scan.
func digestScan[T any](rows *sql.Rows, err error, scan func(*sql.Rows, *T) error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var r T
		if err := scan(rows, &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
