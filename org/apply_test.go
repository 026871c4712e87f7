package org_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/danvan-vn/danvan/org"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

func openStore(t *testing.T) *storage.Store {
	t.Helper()
	s, err := storage.Open(context.Background(), storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// ignoreUnchanged compares only what changed.
var ignoreUnchanged = cmp.Options{cmpopts.IgnoreFields(org.KindChanges{}, "Unchanged"), cmpopts.EquateEmpty()}

func mustApply(t *testing.T, s *storage.Store, f *org.File) org.Changes {
	t.Helper()
	ch, err := org.Apply(context.Background(), s, f)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// snapshot is every organisation row with its updated_at, to prove that
// an import changed nothing at all.
func snapshot(t *testing.T, s *storage.Store) string {
	t.Helper()
	var out strings.Builder
	for _, q := range []string{
		`SELECT string_agg(concat_ws('|', code, name, level, parent_id, latitude, longitude, remote, active, updated_at), E'\n' ORDER BY id) FROM areas`,
		`SELECT string_agg(concat_ws('|', code, name, name_en, position, active, updated_at), E'\n' ORDER BY id) FROM categories`,
		`SELECT string_agg(concat_ws('|', code, name, name_en, level, parent_id, is_triage, active, updated_at), E'\n' ORDER BY id) FROM units`,
		`SELECT string_agg(concat_ws('|', unit_id, area_id), E'\n' ORDER BY unit_id, area_id) FROM unit_areas`,
		`SELECT string_agg(concat_ws('|', category_id, area_id, unit_id, active, updated_at), E'\n' ORDER BY id) FROM routing_rules`,
	} {
		var part *string
		if err := s.DB().QueryRow(q).Scan(&part); err != nil {
			t.Fatal(err)
		}
		if part != nil {
			out.WriteString(*part)
		}
		out.WriteString("\n--\n")
	}
	return out.String()
}

func TestImportExampleTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	f := parseExample(t)

	ch := mustApply(t, s, f)
	if got := len(ch.Areas.Created); got != len(f.Areas) {
		t.Errorf("areas created: %d, want %d", got, len(f.Areas))
	}
	// The example uses the seeded categories' codes and names.
	if diff := cmp.Diff(org.KindChanges{Unchanged: 10}, ch.Categories, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("categories: the 10 defaults should be unchanged (-want +got):\n%s", diff)
	}
	if got := len(ch.Units.Created); got != len(f.Units) {
		t.Errorf("units created: %d, want %d", got, len(f.Units))
	}
	if got := len(ch.Rules.Created); got != len(f.Rules) {
		t.Errorf("rules created: %d, want %d", got, len(f.Rules))
	}
	if !strings.Contains(ch.String(), "  created      hai-chau\n") {
		t.Errorf("report lacks the new ward:\n%s", ch)
	}

	before := snapshot(t, s)
	again := mustApply(t, s, parseExample(t))
	if !again.Empty() {
		t.Errorf("second import changed:\n%s", again)
	}
	if again.Units.Unchanged != len(f.Units) || again.Rules.Unchanged != len(f.Rules) {
		t.Errorf("second import: %+v", again)
	}
	if !strings.HasSuffix(again.String(), "no changes\n") {
		t.Errorf("report of no changes:\n%s", again)
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("second import touched rows:\n%s", cmp.Diff(before, after))
	}

	// The example's rules, through RouteTicket.
	route := func(category, area string) string {
		t.Helper()
		var catID, areaID int64
		if category != "" {
			catID = categoryID(t, s, category)
		}
		if area != "" {
			a, err := s.AreaByCode(ctx, area)
			if err != nil {
				t.Fatal(err)
			}
			areaID = a.ID
		}
		id, err := s.RouteTicket(ctx, catID, areaID)
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.UnitByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u.Code
	}
	for _, c := range []struct{ category, area, want string }{
		{"y-te", "hai-chau", "ubnd-hai-chau"},
		{"an-ninh", "hai-chau", "cong-an-hai-chau"},
		{"an-ninh", "son-tra", "ubnd-son-tra"},
		{"y-te", "da-nang", "so-y-te"},
		{"y-te", "", "so-y-te"},
		{"an-ninh", "da-nang", "cong-an-tp"},
		{"khac", "da-nang", "tiep-cong-dan-tp"},
		{"", "", "tiep-cong-dan-tp"},
	} {
		if got := route(c.category, c.area); got != c.want {
			t.Errorf("route(%q, %q) = %s, want %s", c.category, c.area, got, c.want)
		}
	}
}

func categoryID(t *testing.T, s *storage.Store, code string) int64 {
	t.Helper()
	cats, err := s.ActiveCategories(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cats {
		if c.Code == code {
			return c.ID
		}
	}
	t.Fatalf("no category %q", code)
	return 0
}

func TestRemovedItemsAreDeactivatedNotDeleted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	mustApply(t, s, parseExample(t))

	// A ticket handled by the commune that is about to leave the file.
	ward, err := s.UnitByCode(ctx, "ubnd-hoa-vang")
	if err != nil {
		t.Fatal(err)
	}
	area, err := s.AreaByCode(ctx, "hoa-vang")
	if err != nil {
		t.Fatal(err)
	}
	citizen, err := s.TouchCitizen(ctx, "telegram", "42", "42", "Dân", "vi")
	if err != nil {
		t.Fatal(err)
	}
	ticket, err := s.CreateTicket(ctx, storage.NewTicket{
		Kind: "phan_anh", CitizenID: citizen.ID, AreaID: area.ID, UnitID: ward.ID, Description: "Đường hỏng",
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	f := parseExample(t)
	f.Units = slices.DeleteFunc(f.Units, func(u org.Unit) bool { return u.Code == "ubnd-hoa-vang" })
	f.Rules = slices.DeleteFunc(f.Rules, func(r org.Rule) bool { return r.Unit == "ubnd-hoa-vang" })
	f.Categories = slices.DeleteFunc(f.Categories, func(c org.Category) bool { return c.Code == "dien-nuoc" })
	f.Rules = slices.DeleteFunc(f.Rules, func(r org.Rule) bool { return r.Category == "dien-nuoc" })
	ch := mustApply(t, s, f)
	want := org.Changes{
		// Its open ticket stays with it, which the report says.
		Units: org.KindChanges{Deactivated: []org.Change{{Item: "ubnd-hoa-vang", Fields: []string{"open tickets still with it: 1"}}}},
		// "khac" moves up into the place "dien-nuoc" left.
		Categories: org.KindChanges{
			Updated:     []org.Change{{Item: "khac", Fields: []string{"position"}}},
			Deactivated: []org.Change{{Item: "dien-nuoc"}},
		},
		Rules: org.KindChanges{Deactivated: []org.Change{
			{Item: "(*, hoa-vang) → ubnd-hoa-vang"}, {Item: "(dien-nuoc, *) → so-cong-thuong"},
		}},
	}
	if diff := cmp.Diff(want, ch, ignoreUnchanged); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}

	// History intact: the rows are still there, the ticket still points at
	// its unit, and new petitions from the commune go to triage.
	if u, err := s.UnitByID(ctx, ward.ID); err != nil || u.Active || u.Name != ward.Name {
		t.Errorf("deactivated unit = %+v, %v", u, err)
	}
	if _, err := s.UnitByCode(ctx, "ubnd-hoa-vang"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("deactivated unit by code: %v, want ErrNotFound", err)
	}
	if got, err := s.TicketByCode(ctx, ticket.Code); err != nil || got.UnitID.Int64 != ward.ID {
		t.Errorf("ticket after deactivation = %+v, %v", got, err)
	}
	triage, err := s.TriageUnit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.RouteTicket(ctx, categoryID(t, s, "khac"), area.ID); err != nil || got != triage.ID {
		t.Errorf("route in the commune = %d, %v; want triage %d", got, err, triage.ID)
	}

	// Listing them again brings the same rows back.
	ch = mustApply(t, s, parseExample(t))
	want = org.Changes{
		Units: org.KindChanges{Reactivated: []org.Change{{Item: "ubnd-hoa-vang"}}},
		Categories: org.KindChanges{
			Updated:     []org.Change{{Item: "khac", Fields: []string{"position"}}},
			Reactivated: []org.Change{{Item: "dien-nuoc"}},
		},
		Rules: org.KindChanges{Reactivated: []org.Change{
			{Item: "(*, hoa-vang) → ubnd-hoa-vang"}, {Item: "(dien-nuoc, *) → so-cong-thuong"},
		}},
	}
	if diff := cmp.Diff(want, ch, ignoreUnchanged); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if u, err := s.UnitByCode(ctx, "ubnd-hoa-vang"); err != nil || u.ID != ward.ID {
		t.Errorf("reactivated unit = %+v, %v; want id %d", u, err, ward.ID)
	}
}

func TestInvalidFileAppliesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	mustApply(t, s, parseExample(t))
	before := snapshot(t, s)

	// A file with one good change and one error: Parse refuses the whole.
	src, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(src), "name: Phường Hải Châu", "name: Phường Hải Châu mới", 1)
	broken = strings.Replace(broken, "    unit: so-y-te\n", "    unit: so-y-tee\n", 1)
	_, err = org.Parse("org.yaml", strings.NewReader(broken))
	line := 1 + strings.Count(broken[:strings.Index(broken, "unit: so-y-tee")], "\n")
	if want := fmt.Sprintf(`org.yaml:%d: rule (y-te, *): unknown unit "so-y-tee"`, line); err == nil || err.Error() != want {
		t.Errorf("Parse error = %v, want %s", err, want)
	}

	// A File built in code is validated by Apply too.
	f := parseExample(t)
	f.Areas[1].Name = "Đổi tên"
	f.Units = append(f.Units, org.Unit{Code: "second-triage", Name: "X", Triage: true})
	if _, err := org.Apply(ctx, s, f); err == nil || !strings.Contains(err.Error(), `unit "second-triage": only one unit may have triage: true`) {
		t.Errorf("Apply of an invalid File: %v", err)
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("an invalid file changed the database:\n%s", cmp.Diff(before, after))
	}
}

func TestFailureMidwayRollsBackEverything(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	before := snapshot(t, s)
	// The database refuses the rules, the last step, after areas, categories
	// and units have been written.
	if _, err := s.DB().Exec(`
		CREATE FUNCTION refuse_rule() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'no rules today'; END; $$;
		CREATE TRIGGER refuse_rule BEFORE INSERT ON routing_rules FOR EACH ROW EXECUTE FUNCTION refuse_rule();`); err != nil {
		t.Fatal(err)
	}
	if _, err := org.Apply(ctx, s, parseExample(t)); err == nil || !strings.Contains(err.Error(), "no rules today") {
		t.Fatalf("Apply = %v, want the trigger's error", err)
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("a failed import left changes:\n%s", cmp.Diff(before, after))
	}
}

func TestDryRunReportsAndRollsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	before := snapshot(t, s)
	dry, err := org.DryRun(ctx, s, parseExample(t))
	if err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("dry run changed the database:\n%s", cmp.Diff(before, after))
	}
	real := mustApply(t, s, parseExample(t))
	if diff := cmp.Diff(real, dry); diff != "" {
		t.Errorf("dry run and import differ (-import +dry run):\n%s", diff)
	}
}

func TestTriageMoves(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	mustApply(t, s, parseExample(t))

	f := parseExample(t)
	for i := range f.Units {
		f.Units[i].Triage = f.Units[i].Code == "ubnd-tp"
	}
	ch := mustApply(t, s, f)
	want := org.Changes{Units: org.KindChanges{Updated: []org.Change{
		{Item: "tiep-cong-dan-tp", Fields: []string{"triage"}},
		{Item: "ubnd-tp", Fields: []string{"triage"}},
	}}}
	if diff := cmp.Diff(want, ch, ignoreUnchanged); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if u, err := s.TriageUnit(ctx); err != nil || u.Code != "ubnd-tp" {
		t.Errorf("triage unit = %+v, %v", u, err)
	}

	// The triage unit leaves the file and another takes over.
	f = parseExample(t)
	f.Units = slices.DeleteFunc(f.Units, func(u org.Unit) bool { return u.Code == "tiep-cong-dan-tp" })
	f.Units[0].Triage = true // ubnd-tp
	ch = mustApply(t, s, f)
	want = org.Changes{Units: org.KindChanges{Deactivated: []org.Change{{Item: "tiep-cong-dan-tp"}}}}
	if diff := cmp.Diff(want, ch, ignoreUnchanged); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}

	// And comes back as the triage unit.
	ch = mustApply(t, s, parseExample(t))
	want = org.Changes{Units: org.KindChanges{
		Updated:     []org.Change{{Item: "ubnd-tp", Fields: []string{"triage"}}},
		Reactivated: []org.Change{{Item: "tiep-cong-dan-tp", Fields: []string{"triage"}}},
	}}
	if diff := cmp.Diff(want, ch, ignoreUnchanged); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}

func TestChangesString(t *testing.T) {
	t.Parallel()
	ch := org.Changes{
		Areas: org.KindChanges{Created: []org.Change{{Item: "hai-chau"}}, Unchanged: 2},
		Units: org.KindChanges{
			Updated:     []org.Change{{Item: "so-y-te", Fields: []string{"name", "parent"}}},
			Deactivated: []org.Change{{Item: "old"}},
		},
		Rules: org.KindChanges{Reactivated: []org.Change{{Item: "(y-te, *) → so-y-te"}}},
	}
	want := `areas: 1 created, 2 unchanged
  created      hai-chau
categories: none
units: 1 updated, 1 deactivated
  updated      so-y-te (name, parent)
  deactivated  old
rules: 1 reactivated
  reactivated  (y-te, *) → so-y-te
`
	if diff := cmp.Diff(want, ch.String()); diff != "" {
		t.Errorf("String (-want +got):\n%s", diff)
	}
	if ch.Empty() || !(org.Changes{}).Empty() {
		t.Error("Empty is wrong")
	}
}
