package digest_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/danvan-vn/danvan/digest"
	"github.com/danvan-vn/danvan/digest/digesttest"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
	"github.com/danvan-vn/danvan/workcal"
)

// weekStart is the reported week: Monday 2 March 2026 to Sunday 8 March.
var weekStart = time.Date(2026, 3, 2, 0, 0, 0, 0, workcal.Location())

func openStore(t *testing.T) *storage.Store {
	t.Helper()
	s, err := storage.Open(context.Background(), storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// seeded returns a store with the random fixture for the week.
func seeded(t *testing.T) (*storage.Store, digesttest.Fixture, digesttest.IDs) {
	t.Helper()
	s := openStore(t)
	f := digesttest.Random(11, weekStart.AddDate(0, 0, 7))
	ids, err := digesttest.Insert(t.Context(), s.DB(), f)
	if err != nil {
		t.Fatal(err)
	}
	return s, f, ids
}

// ComputeAll covers the units with an active leader, each with its
// subtree's figures, the same as Compute gives one by one and as the seed
// data says.
func TestComputeAllMatchesComputeAndTheSeedData(t *testing.T) {
	t.Parallel()
	s, f, ids := seeded(t)
	ctx := t.Context()
	// Any instant of the week selects it.
	all, err := digest.ComputeAll(ctx, s, weekStart.Add(4*24*time.Hour+13*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var units []string
	for _, d := range all {
		units = append(units, d.Unit.Code)
		if !d.WeekStart.Equal(weekStart) {
			t.Errorf("%s: week starts %v", d.Unit.Code, d.WeekStart)
		}
		one, err := digest.Compute(ctx, s, d.Unit.ID, weekStart)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(one, d, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: Compute and ComputeAll differ (-Compute +ComputeAll):\n%s", d.Unit.Code, diff)
		}
		codes := f.Subtree(d.Unit.Code)
		to := weekStart.AddDate(0, 0, 7)
		if diff := cmp.Diff(f.Expect(ids, codes, to), d.Figures, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: figures (-want +got):\n%s", d.Unit.Code, diff)
		}
		if diff := cmp.Diff(f.ExpectTrend(ids, codes, to, digest.TrendWeeks), d.Trend); diff != "" {
			t.Errorf("%s: trend (-want +got):\n%s", d.Unit.Code, diff)
		}
	}
	if diff := cmp.Diff([]string{"tinh", "so-tnmt", "khac"}, units); diff != "" {
		t.Errorf("units with a digest (-want +got):\n%s", diff)
	}
}

func TestWeeks(t *testing.T) {
	vn := workcal.Location()
	cases := []struct {
		at, start time.Time
	}{
		{time.Date(2026, 3, 2, 0, 0, 0, 0, vn), weekStart},
		{time.Date(2026, 3, 8, 23, 59, 59, 0, vn), weekStart},
		{time.Date(2026, 3, 1, 23, 59, 59, 0, vn), weekStart.AddDate(0, 0, -7)},
		// Sunday 20:00 UTC is already Monday 03:00 in Vietnam.
		{time.Date(2026, 3, 8, 20, 0, 0, 0, time.UTC), weekStart.AddDate(0, 0, 7)},
		// New year and month boundaries.
		{time.Date(2026, 1, 1, 9, 0, 0, 0, vn), time.Date(2025, 12, 29, 0, 0, 0, 0, vn)},
	}
	for _, c := range cases {
		if got := digest.WeekStart(c.at); !got.Equal(c.start) {
			t.Errorf("WeekStart(%v) = %v, want %v", c.at, got, c.start)
		}
	}
	// Monday 07:30, when the job runs, reports the week that just ended.
	if got := digest.LastCompleteWeek(time.Date(2026, 3, 9, 7, 30, 0, 0, vn)); !got.Equal(weekStart) {
		t.Errorf("LastCompleteWeek = %v, want %v", got, weekStart)
	}
}

// A week has ended at the next Monday 00:00 in Vietnam, wherever the
// server runs; only then may its digest be queued.
func TestEnded(t *testing.T) {
	vn := workcal.Location()
	end := weekStart.AddDate(0, 0, 7)
	cases := []struct {
		now  time.Time
		want bool
	}{
		{end.Add(-time.Nanosecond), false},
		{end, true},
		{time.Date(2026, 3, 8, 16, 59, 0, 0, time.UTC), false}, // Sunday 23:59 in Vietnam
		{time.Date(2026, 3, 8, 17, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 3, 9, 7, 30, 0, 0, vn), true},
		{time.Date(2026, 3, 4, 10, 0, 0, 0, vn), false}, // the week itself
	}
	for _, c := range cases {
		// Any instant of the week names it.
		if got := digest.Ended(weekStart.Add(50*time.Hour), c.now); got != c.want {
			t.Errorf("Ended(week of %v, %v) = %t, want %t", weekStart, c.now, got, c.want)
		}
	}
}
