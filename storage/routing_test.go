package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/danvan-vn/danvan/storage"
)

func TestRouteTicketPrecedence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	cat := categoryIDs(t, s)

	// Areas: city > ward1 > group1 (a residential group), city > ward2.
	area := map[string]int64{}
	for _, a := range []struct{ code, parent string }{
		{"city", ""}, {"ward1", "city"}, {"group1", "ward1"}, {"ward2", "city"},
	} {
		in := storage.AreaInput{Code: a.code, Name: a.code}
		if a.parent != "" {
			in.ParentID = valid(area[a.parent])
		}
		area[a.code] = mustUpsertArea(t, s, in)
	}
	unit := map[string]int64{}
	for _, code := range []string{"triage", "ubnd-ward1", "police-ward1", "police-city", "so-gd", "so-y-te", "old-unit", "old-rule"} {
		unit[code] = mustUpsertUnit(t, s, storage.UnitInput{Code: code, Name: code, IsTriage: code == "triage"})
	}

	// "" is any category or any area.
	rules := []struct{ category, area, unit string }{
		{"", "ward1", "ubnd-ward1"},
		{"an-ninh", "ward1", "police-ward1"},
		{"an-ninh", "city", "police-city"},
		{"giao-duc", "city", "so-gd"},
		{"y-te", "", "so-y-te"},
		{"moi-truong", "ward2", "old-unit"}, // its unit is deactivated below
		{"dat-dai", "ward2", "old-rule"},    // the rule is deactivated below
	}
	var keep []int64
	for _, r := range rules {
		in := storage.RoutingRuleInput{UnitID: unit[r.unit]}
		if r.category != "" {
			in.CategoryID = valid(cat[r.category])
		}
		if r.area != "" {
			in.AreaID = valid(area[r.area])
		}
		res, err := s.UpsertRoutingRule(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if r.unit != "old-rule" {
			keep = append(keep, res.ID)
		}
	}
	if _, err := s.DeactivateRoutingRulesExcept(ctx, keep); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeactivateUnitsExcept(ctx, []string{"triage", "ubnd-ward1", "police-ward1", "police-city", "so-gd", "so-y-te", "old-rule"}); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, category, area, want string
	}{
		{"exact category and area", "an-ninh", "ward1", "police-ward1"},
		{"exact area beats a category rule on an ancestor", "giao-duc", "ward1", "ubnd-ward1"},
		{"exact area beats a category rule for any area", "y-te", "ward1", "ubnd-ward1"},
		{"nearer ancestor beats farther ancestor", "an-ninh", "group1", "police-ward1"},
		{"nearer ancestor, any category, beats farther ancestor with category", "giao-duc", "group1", "ubnd-ward1"},
		{"ancestor rule", "an-ninh", "ward2", "police-city"},
		{"the area's own rule", "an-ninh", "city", "police-city"},
		{"ancestor beats any area", "giao-duc", "ward2", "so-gd"},
		{"category for any area", "y-te", "ward2", "so-y-te"},
		{"category for any area, no area given", "y-te", "", "so-y-te"},
		{"no category given", "", "group1", "ubnd-ward1"},
		{"nothing matches: triage", "khac", "ward2", "triage"},
		{"nothing given: triage", "", "", "triage"},
		{"inactive rule ignored", "dat-dai", "ward2", "triage"},
		{"rule to an inactive unit ignored", "moi-truong", "ward2", "triage"},
	}
	name := map[int64]string{}
	for code, id := range unit {
		name[id] = code
	}
	for _, c := range cases {
		got, err := s.RouteTicket(ctx, cat[c.category], area[c.area])
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if name[got] != c.want {
			t.Errorf("%s: RouteTicket(%q, %q) = %s, want %s", c.name, c.category, c.area, name[got], c.want)
		}
	}

	// A catch-all rule leaves nothing to triage.
	if _, err := s.UpsertRoutingRule(ctx, storage.RoutingRuleInput{UnitID: unit["so-gd"]}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.RouteTicket(ctx, cat["khac"], area["ward2"]); err != nil || got != unit["so-gd"] {
		t.Errorf("with a catch-all rule: %s, %v; want so-gd", name[got], err)
	}
	if got, err := s.RouteTicket(ctx, cat["giao-duc"], area["ward1"]); err != nil || got != unit["ubnd-ward1"] {
		t.Errorf("with a catch-all rule, area rule: %s, %v; want ubnd-ward1", name[got], err)
	}
}

func TestRouteTicketWithoutTriageUnit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	if _, err := s.TriageUnit(ctx); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("TriageUnit on an empty organisation: %v, want ErrNotFound", err)
	}
	if _, err := s.RouteTicket(ctx, 0, 0); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("RouteTicket on an empty organisation: %v, want ErrNotFound", err)
	}

	// An inactive triage unit does not count.
	mustUpsertUnit(t, s, storage.UnitInput{Code: "triage", Name: "T", IsTriage: true})
	if _, err := s.DeactivateUnitsExcept(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RouteTicket(ctx, 0, 0); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("RouteTicket with an inactive triage unit: %v, want ErrNotFound", err)
	}
}

func TestRouteTicketSurvivesAreaCycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	a := mustUpsertArea(t, s, storage.AreaInput{Code: "a", Name: "A"})
	b := mustUpsertArea(t, s, storage.AreaInput{Code: "b", Name: "B", ParentID: valid(a)})
	// Only a hand edit can do this; the import refuses cycles.
	if _, err := s.DB().Exec(`UPDATE areas SET parent_id = $1 WHERE id = $2`, b, a); err != nil {
		t.Fatal(err)
	}
	triage := mustUpsertUnit(t, s, storage.UnitInput{Code: "triage", Name: "T", IsTriage: true})
	if got, err := s.RouteTicket(ctx, 0, b); err != nil || got != triage {
		t.Errorf("RouteTicket in a cycle = %d, %v; want triage %d", got, err, triage)
	}
}
