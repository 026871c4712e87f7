package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/danvan-vn/danvan/storage"
)

func valid(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: true} }

func mustUpsertArea(t *testing.T, s *storage.Store, in storage.AreaInput) int64 {
	t.Helper()
	r, err := s.UpsertArea(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func mustUpsertUnit(t *testing.T, s *storage.Store, in storage.UnitInput) int64 {
	t.Helper()
	r, err := s.UpsertUnit(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func updatedAt(t *testing.T, s *storage.Store, table string, id int64) time.Time {
	t.Helper()
	var at time.Time
	// table is a constant from the test, never input.
	if err := s.DB().QueryRow(`SELECT updated_at FROM `+table+` WHERE id = $1`, id).Scan(&at); err != nil {
		t.Fatal(err)
	}
	return at
}

func TestUpsertAreaReportsWhatChanged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	city := mustUpsertArea(t, s, storage.AreaInput{Code: "city", Name: "Thành phố"})
	in := storage.AreaInput{
		Code: "ward", Name: "Phường Một", Level: "phường", ParentID: valid(city),
		Latitude: sql.NullFloat64{Float64: 16.05, Valid: true}, Longitude: sql.NullFloat64{Float64: 108.2, Valid: true},
	}

	steps := []struct {
		name   string
		edit   func(*storage.AreaInput)
		want   storage.Outcome
		fields []string
	}{
		{"new", func(*storage.AreaInput) {}, storage.OutcomeCreated, nil},
		{"same again", func(*storage.AreaInput) {}, storage.OutcomeUnchanged, nil},
		{"renamed and moved", func(a *storage.AreaInput) { a.Name, a.Latitude.Float64 = "Phường Hai", 16.06 },
			storage.OutcomeUpdated, []string{"name", "latitude"}},
		{"coordinates dropped", func(a *storage.AreaInput) { a.Latitude, a.Longitude = sql.NullFloat64{}, sql.NullFloat64{} },
			storage.OutcomeUpdated, []string{"latitude", "longitude"}},
		{"moved to the top, remote", func(a *storage.AreaInput) { a.ParentID, a.Remote = sql.NullInt64{}, true },
			storage.OutcomeUpdated, []string{"parent", "remote"}},
	}
	var id int64
	for _, step := range steps {
		step.edit(&in)
		var before time.Time
		if id != 0 {
			before = updatedAt(t, s, "areas", id)
		}
		r, err := s.UpsertArea(ctx, in)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if r.Outcome != step.want || !cmp.Equal(r.Fields, step.fields) {
			t.Errorf("%s: outcome %d %v, want %d %v", step.name, r.Outcome, r.Fields, step.want, step.fields)
		}
		if id != 0 && r.ID != id {
			t.Errorf("%s: id %d, want %d", step.name, r.ID, id)
		}
		id = r.ID
		if step.want == storage.OutcomeUnchanged && !updatedAt(t, s, "areas", id).Equal(before) {
			t.Errorf("%s: updated_at moved although nothing changed", step.name)
		}
	}
	got, err := s.AreaByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Phường Hai" || got.ParentID.Valid || got.Latitude.Valid || !got.Remote {
		t.Errorf("area = %+v", got)
	}
}

func TestDeactivateAndReactivate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	mustUpsertArea(t, s, storage.AreaInput{Code: "a", Name: "A"})
	b := mustUpsertArea(t, s, storage.AreaInput{Code: "b", Name: "B"})

	gone, err := s.DeactivateAreasExcept(ctx, []string{"a"})
	if err != nil || !cmp.Equal(gone, []string{"b"}) {
		t.Fatalf("deactivated %v, %v; want [b]", gone, err)
	}
	if _, err := s.AreaByCode(ctx, "b"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("inactive area by code: %v, want ErrNotFound", err)
	}
	if got, err := s.AreaByID(ctx, b); err != nil || got.Active {
		t.Errorf("inactive area by id = %+v, %v; want the row, inactive", got, err)
	}
	gone, err = s.DeactivateAreasExcept(ctx, []string{"a"})
	if err != nil || len(gone) != 0 {
		t.Errorf("second deactivation: %v, %v; want nothing", gone, err)
	}

	r, err := s.UpsertArea(ctx, storage.AreaInput{Code: "b", Name: "B"})
	if err != nil || r.Outcome != storage.OutcomeReactivated || r.ID != b || len(r.Fields) != 0 {
		t.Errorf("reactivation = %+v, %v", r, err)
	}

	// The seeded categories are there to be replaced.
	gone, err = s.DeactivateCategoriesExcept(ctx, []string{"y-te", "khac"})
	if err != nil || len(gone) != 8 {
		t.Errorf("deactivated categories %v, %v; want 8", gone, err)
	}
	cats, err := s.ActiveCategories(ctx)
	if err != nil || len(cats) != 2 {
		t.Errorf("active categories %+v, %v", cats, err)
	}
}

func TestUpsertCategory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	r, err := s.UpsertCategory(ctx, storage.CategoryInput{Code: "y-te", Name: "Y tế", NameEN: "Health", Position: 5})
	if err != nil || r.Outcome != storage.OutcomeUnchanged {
		t.Errorf("seeded category as seeded: %+v, %v; want unchanged", r, err)
	}
	r, err = s.UpsertCategory(ctx, storage.CategoryInput{Code: "y-te", Name: "Y tế", NameEN: "Healthcare", Position: 1})
	if err != nil || r.Outcome != storage.OutcomeUpdated || !cmp.Equal(r.Fields, []string{"name_en", "position"}) {
		t.Errorf("edited category: %+v, %v", r, err)
	}
	r, err = s.UpsertCategory(ctx, storage.CategoryInput{Code: "nha-o", Name: "Nhà ở", Position: 11})
	if err != nil || r.Outcome != storage.OutcomeCreated {
		t.Errorf("new category: %+v, %v", r, err)
	}
}

func TestUpsertUnitAreasAndTriage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	a1 := mustUpsertArea(t, s, storage.AreaInput{Code: "a1", Name: "A1"})
	a2 := mustUpsertArea(t, s, storage.AreaInput{Code: "a2", Name: "A2"})
	first := mustUpsertUnit(t, s, storage.UnitInput{Code: "first", Name: "First", IsTriage: true, AreaIDs: []int64{a2, a1}})

	r, err := s.UpsertUnit(ctx, storage.UnitInput{Code: "first", Name: "First", IsTriage: true, AreaIDs: []int64{a1, a2}})
	if err != nil || r.Outcome != storage.OutcomeUnchanged {
		t.Errorf("same areas in another order: %+v, %v; want unchanged", r, err)
	}
	r, err = s.UpsertUnit(ctx, storage.UnitInput{Code: "first", Name: "First", IsTriage: true, AreaIDs: []int64{a2}})
	if err != nil || r.Outcome != storage.OutcomeUpdated || !cmp.Equal(r.Fields, []string{"areas"}) {
		t.Errorf("fewer areas: %+v, %v", r, err)
	}
	served, err := s.ActiveUnitAreas(ctx)
	if err != nil || !cmp.Equal(served, map[int64][]int64{first: {a2}}) {
		t.Errorf("unit areas = %v, %v", served, err)
	}

	// At most one active triage unit: a second one is refused until the
	// flag is cleared.
	_, err = s.UpsertUnit(ctx, storage.UnitInput{Code: "second", Name: "Second", IsTriage: true})
	if !errors.Is(err, storage.ErrDuplicate) {
		t.Fatalf("second triage unit: %v, want ErrDuplicate", err)
	}
	cleared, err := s.ClearTriageExcept(ctx, "second")
	if err != nil || !cmp.Equal(cleared, []string{"first"}) {
		t.Fatalf("cleared %v, %v; want [first]", cleared, err)
	}
	second := mustUpsertUnit(t, s, storage.UnitInput{Code: "second", Name: "Second", IsTriage: true})
	got, err := s.TriageUnit(ctx)
	if err != nil || got.ID != second || got.Code != "second" || !got.IsTriage || !got.Active {
		t.Errorf("triage unit = %+v, %v", got, err)
	}
}

func TestUnitTree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	city := mustUpsertUnit(t, s, storage.UnitInput{Code: "city", Name: "UBND thành phố", Level: "thành phố"})
	dept := mustUpsertUnit(t, s, storage.UnitInput{Code: "dept", Name: "Sở Y tế", ParentID: valid(city)})
	ward := mustUpsertUnit(t, s, storage.UnitInput{Code: "ward", Name: "UBND phường", ParentID: valid(city)})
	team := mustUpsertUnit(t, s, storage.UnitInput{Code: "team", Name: "Tổ", ParentID: valid(ward)})
	other := mustUpsertUnit(t, s, storage.UnitInput{Code: "other", Name: "MTTQ"})
	if _, err := s.DeactivateUnitsExcept(ctx, []string{"city", "dept", "ward", "other"}); err != nil {
		t.Fatal(err)
	}

	// Leaders see their subtree, including units deactivated since.
	tree, err := s.UnitSubtree(ctx, city)
	if err != nil || !cmp.Equal(tree, []int64{city, dept, ward, team}) {
		t.Errorf("subtree of city = %v, %v", tree, err)
	}
	if tree, err := s.UnitSubtree(ctx, dept); err != nil || !cmp.Equal(tree, []int64{dept}) {
		t.Errorf("subtree of a leaf = %v, %v", tree, err)
	}
	if _, err := s.UnitSubtree(ctx, 999999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("subtree of a missing unit: %v, want ErrNotFound", err)
	}

	ids := func(us []storage.Unit, err error) []int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, u := range us {
			out = append(out, u.ID)
		}
		return out
	}
	// By Vietnamese name: "MTTQ" < "Sở Y tế" < "UBND phường" < "UBND thành phố".
	if got := ids(s.ActiveUnits(ctx)); !cmp.Equal(got, []int64{other, dept, ward, city}) {
		t.Errorf("active units = %v", got)
	}
	if got := ids(s.UnitChildren(ctx, 0)); !cmp.Equal(got, []int64{other, city}) {
		t.Errorf("top units = %v", got)
	}
	if got := ids(s.UnitChildren(ctx, ward)); len(got) != 0 {
		t.Errorf("active children of ward = %v, want none", got)
	}

	if u, err := s.UnitByCode(ctx, "dept"); err != nil || u.ID != dept || u.Name != "Sở Y tế" || u.ParentID != valid(city) {
		t.Errorf("unit by code = %+v, %v", u, err)
	}
	if _, err := s.UnitByCode(ctx, "team"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("inactive unit by code: %v, want ErrNotFound", err)
	}
	if u, err := s.UnitByID(ctx, team); err != nil || u.Active || u.Code != "team" {
		t.Errorf("inactive unit by id = %+v, %v", u, err)
	}
}

func TestUpsertRoutingRuleByCategoryAndArea(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	area := mustUpsertArea(t, s, storage.AreaInput{Code: "ward", Name: "Phường"})
	u1 := mustUpsertUnit(t, s, storage.UnitInput{Code: "u1", Name: "U1"})
	u2 := mustUpsertUnit(t, s, storage.UnitInput{Code: "u2", Name: "U2"})
	yte := categoryIDs(t, s)["y-te"]

	upsert := func(cat, area sql.NullInt64, unit int64) storage.Upserted {
		t.Helper()
		r, err := s.UpsertRoutingRule(ctx, storage.RoutingRuleInput{CategoryID: cat, AreaID: area, UnitID: unit})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	anyID := sql.NullInt64{}
	catchAll := upsert(anyID, anyID, u1)
	byArea := upsert(anyID, valid(area), u1)
	exact := upsert(valid(yte), valid(area), u1)
	for _, r := range []storage.Upserted{catchAll, byArea, exact} {
		if r.Outcome != storage.OutcomeCreated {
			t.Errorf("new rule: %+v", r)
		}
	}
	// "Any" is a key like any other: NULLs match NULLs.
	if r := upsert(anyID, anyID, u1); r.Outcome != storage.OutcomeUnchanged || r.ID != catchAll.ID {
		t.Errorf("catch-all again = %+v, want unchanged %d", r, catchAll.ID)
	}
	if r := upsert(anyID, valid(area), u2); r.Outcome != storage.OutcomeUpdated || r.ID != byArea.ID || !cmp.Equal(r.Fields, []string{"unit"}) {
		t.Errorf("area rule to another unit = %+v", r)
	}

	gone, err := s.DeactivateRoutingRulesExcept(ctx, []int64{byArea.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := []storage.RoutingRule{
		{ID: catchAll.ID, UnitID: u1, UnitCode: "u1"},
		{ID: exact.ID, CategoryID: valid(yte), AreaID: valid(area), UnitID: u1, CategoryCode: "y-te", AreaCode: "ward", UnitCode: "u1"},
	}
	if diff := cmp.Diff(want, gone); diff != "" {
		t.Errorf("deactivated rules (-want +got):\n%s", diff)
	}
	rules, err := s.ActiveRoutingRules(ctx)
	if err != nil || len(rules) != 1 || rules[0].ID != byArea.ID || rules[0].UnitCode != "u2" {
		t.Errorf("active rules = %+v, %v", rules, err)
	}
	if r := upsert(valid(yte), valid(area), u1); r.Outcome != storage.OutcomeReactivated || r.ID != exact.ID {
		t.Errorf("rule listed again = %+v, want reactivated %d", r, exact.ID)
	}
}

func categoryIDs(t *testing.T, s *storage.Store) map[string]int64 {
	t.Helper()
	cats, err := s.ActiveCategories(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, c := range cats {
		ids[c.Code] = c.ID
	}
	return ids
}
