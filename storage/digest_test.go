package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/danvan-vn/danvan/digest/digesttest"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// digestWeekEnd is the end of the reported week: Monday 9 March 2026,
// 00:00 in Vietnam.
var digestWeekEnd = time.Date(2026, 3, 9, 0, 0, 0, 0, workcal.Location())

func seedDigest(t *testing.T, s *storage.Store, seed uint64) (digesttest.Fixture, digesttest.IDs) {
	t.Helper()
	f := digesttest.Random(seed, digestWeekEnd)
	ids, err := digesttest.Insert(t.Context(), s.DB(), f)
	if err != nil {
		t.Fatal(err)
	}
	return f, ids
}

func unitIDs(ids digesttest.IDs, codes []string) []int64 {
	out := make([]int64, len(codes))
	for i, c := range codes {
		out[i] = ids.Units[c]
	}
	return out
}

// The figures computed in SQL and rolled up per subtree match the ones
// computed ticket by ticket from the seed data, for every scope.
func TestDigestFiguresMatchTheSeedData(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	f, ids := seedDigest(t, s, 1)
	stats, err := s.DigestStats(ctx, nil, digestWeekEnd, 7*24*time.Hour, 8)
	if err != nil {
		t.Fatal(err)
	}
	for _, unit := range []string{"tinh", "so-tnmt", "xa-hc", "xa-tg", "so-gt", "xa-st", "khac"} {
		t.Run(unit, func(t *testing.T) {
			codes := f.Subtree(unit)
			scope := stats.Subtree(ids.Units[unit])
			if diff := cmp.Diff(unitIDs(ids, codes), scope, cmpopts.SortSlices(func(a, b int64) bool { return a < b })); diff != "" {
				t.Fatalf("subtree (-want +got):\n%s", diff)
			}
			want := f.Expect(ids, codes, digestWeekEnd)
			if diff := cmp.Diff(want, stats.Figures(scope), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("figures (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(f.ExpectTrend(ids, codes, digestWeekEnd, 8), stats.Trend(scope)); diff != "" {
				t.Errorf("trend (-want +got):\n%s", diff)
			}
		})
	}
	// The dataset exercises what it should.
	all := stats.Figures(unitIDs(ids, f.Subtree("tinh")))
	for name, n := range map[string]int{
		"new": all.Current.New, "answered": all.Current.Answered, "late": all.Current.Answered - all.Current.OnTime,
		"overdue": all.Current.Overdue, "reopened": all.Current.Reopened, "rated": all.Current.Rated,
		"unsatisfied": all.Current.Rated - all.Current.Satisfied, "hot spots": len(all.HotSpots),
		"previous reopened": all.Previous.Reopened, "previous rated": all.Previous.Rated,
	} {
		if n == 0 {
			t.Errorf("the seed data has no %s tickets in the week", name)
		}
	}
	if len(all.OldestOverdue) != storage.DigestOldestOverdue || len(all.TopCategories) != storage.DigestTop {
		t.Errorf("%d oldest, %d top categories", len(all.OldestOverdue), len(all.TopCategories))
	}
}

// The hot-spot rule at its boundary: 5 against 2 and 3 against 6 (exactly
// twice the average) are hot; 3 against 7 and 4 against 10 are not.
func TestDigestHotSpotRule(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	_, ids := seedDigest(t, s, 2)
	got, err := s.DigestFigures(t.Context(), []int64{ids.Units["xa-st"]}, digestWeekEnd.AddDate(0, 0, -7), digestWeekEnd)
	if err != nil {
		t.Fatal(err)
	}
	type spot struct {
		Area, Category string
		Count, Base    int
	}
	var spots []spot
	for _, h := range got.HotSpots {
		if h.AreaName == "Phường Sơn Trà" || h.AreaName == "Phường Hòa Cường" {
			spots = append(spots, spot{h.AreaName, h.CategoryName, h.Count, h.Baseline})
		}
	}
	want := []spot{
		{"Phường Sơn Trà", "Môi trường", 5, 2},
		{"Phường Sơn Trà", "Giao thông và hạ tầng", 3, 6},
	}
	// Random tickets may add to these pairs; compare only when they did not.
	if diff := cmp.Diff(want, spots, cmpopts.IgnoreFields(spot{}, "Count", "Base")); diff != "" {
		t.Errorf("hot spots (-want +got):\n%s", diff)
	}
}

// The convenience reads agree with DigestStats, and reading inside a
// transaction (one connection, queries in turn) gives the same result.
func TestDigestFiguresAndWeeklyCounts(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	f, ids := seedDigest(t, s, 3)
	codes := f.Subtree("tinh")
	scope := unitIDs(ids, codes)
	got, err := s.DigestFigures(ctx, scope, digestWeekEnd.AddDate(0, 0, -7), digestWeekEnd)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f.Expect(ids, codes, digestWeekEnd), got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("DigestFigures (-want +got):\n%s", diff)
	}
	err = s.InTx(ctx, func(tx *storage.Store) error {
		trend, err := tx.WeeklyCounts(ctx, scope, 8, digestWeekEnd)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(f.ExpectTrend(ids, codes, digestWeekEnd, 8), trend); diff != "" {
			t.Errorf("WeeklyCounts (-want +got):\n%s", diff)
		}
		trend, err = tx.WeeklyCounts(ctx, scope, 3, digestWeekEnd)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(f.ExpectTrend(ids, codes, digestWeekEnd, 3), trend); diff != "" {
			t.Errorf("WeeklyCounts of 3 weeks (-want +got):\n%s", diff)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLeaderUnits(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	_, ids := seedDigest(t, s, 4)
	got, err := s.LeaderUnits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// xa-hc's leader was revoked; xa-st has only an officer.
	want := unitIDs(ids, []string{"tinh", "so-tnmt", "khac"})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("leader units (-want +got):\n%s", diff)
	}
}
