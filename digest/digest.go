// Package digest builds the leaders' weekly digest (bản tin tuần): the
// week's figures for a unit and every unit below it, compared with the
// week before, as a Telegram message with buttons for the oldest overdue
// tickets and a chart of the last weeks, queued in the outbox for each of
// the unit's leaders.
//
// A week runs from Monday 00:00 to the next Monday 00:00 in Vietnam
// (Asia/Ho_Chi_Minh). The figures are defined in storage.PeriodFigures
// and storage.DigestFigures.
package digest

import (
	"context"
	"fmt"
	"time"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// TrendWeeks is how many weeks the chart shows, the reported one last.
const TrendWeeks = 8

const week = 7 * 24 * time.Hour // Vietnam has no daylight saving time

// Digest is one unit's weekly digest.
type Digest struct {
	Unit      storage.Unit
	WeekStart time.Time // Monday 00:00 in Vietnam
	Figures   storage.DigestFigures
	Trend     []storage.PeriodCounts // TrendWeeks weeks, oldest first
}

// WeekEnd is the next Monday 00:00, the end of the reported week.
func (d Digest) WeekEnd() time.Time { return d.WeekStart.Add(week) }

// WeekStart returns Monday 00:00 (Vietnam) of the week t is in.
func WeekStart(t time.Time) time.Time {
	t = t.In(workcal.Location())
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	return time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, t.Location())
}

// LastCompleteWeek returns the start of the last week that ended by now.
func LastCompleteWeek(now time.Time) time.Time { return WeekStart(now).Add(-week) }

// Ended reports whether the week that starts on weekStart's Monday has
// ended by now. Only an ended week's digest may be queued: a leader gets a
// week's digest once, so one queued while the week goes on would stand for
// the whole week with part of its figures.
func Ended(weekStart, now time.Time) bool { return !WeekStart(weekStart).Add(week).After(now) }

// Compute builds the digest of a unit's subtree for the week that starts
// on weekStart's Monday.
func Compute(ctx context.Context, store *storage.Store, unitID int64, weekStart time.Time) (Digest, error) {
	weekStart = WeekStart(weekStart)
	scope, err := store.UnitSubtree(ctx, unitID)
	if err != nil {
		return Digest{}, fmt.Errorf("digest: %w", err)
	}
	stats, err := store.DigestStats(ctx, scope, weekStart.Add(week), week, TrendWeeks)
	if err != nil {
		return Digest{}, fmt.Errorf("digest: %w", err)
	}
	return build(stats, unitID, scope, weekStart)
}

// ComputeAll builds the digests of every active unit with an active
// leader for the week that starts on weekStart's Monday. It reads the
// per-unit figures once and rolls them up for each leader's subtree.
func ComputeAll(ctx context.Context, store *storage.Store, weekStart time.Time) ([]Digest, error) {
	weekStart = WeekStart(weekStart)
	units, err := store.LeaderUnits(ctx)
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	if len(units) == 0 {
		return nil, nil
	}
	stats, err := store.DigestStats(ctx, nil, weekStart.Add(week), week, TrendWeeks)
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	digests := make([]Digest, 0, len(units))
	for _, id := range units {
		d, err := build(stats, id, stats.Subtree(id), weekStart)
		if err != nil {
			return nil, err
		}
		digests = append(digests, d)
	}
	return digests, nil
}

func build(stats *storage.DigestStats, unitID int64, scope []int64, weekStart time.Time) (Digest, error) {
	unit, ok := stats.Unit(unitID)
	if !ok {
		return Digest{}, fmt.Errorf("digest: unit %d: %w", unitID, storage.ErrNotFound)
	}
	trend := stats.Trend(scope)
	return Digest{
		Unit: unit, WeekStart: weekStart,
		Figures: stats.Figures(scope),
		Trend:   trend[len(trend)-TrendWeeks:],
	}, nil
}
