package org_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/org"
	"github.com/danvan-vn/danvan/storage"
)

// A file Parse accepts imports, or Parse refuses it with its line
// ("an invalid file is refused with its line number and nothing is
// applied", README): a NUL character, written as the escape "\0" in a
// double-quoted name, which PostgreSQL cannot hold, is dropped.
func TestAFileParseAcceptsImportsOrIsRefusedWithItsLine(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	for _, c := range []struct{ name, yaml string }{
		{"NUL in an area name", minimal + "areas:\n  - {code: x, name: \"Phường\\0Hải Châu\"}\n"},
		{"NUL in a unit's English name", minimal + "  - {code: u, name: U, name_en: \"Ward\\0 committee\"}\n"},
		{"NUL in a level", minimal + "areas:\n  - {code: x, name: X, level: \"phường\\0\"}\n"},
	} {
		f, err := org.Parse("org.yaml", strings.NewReader(c.yaml))
		if err != nil {
			var list org.ErrorList
			if !errors.As(err, &list) || list[0].Line < 1 {
				t.Errorf("%s: refused without a line: %v", c.name, err)
			}
			continue
		}
		if _, err := org.DryRun(context.Background(), s, f); err != nil {
			t.Errorf("%s: Parse accepted the file, but the import fails with no line:\n  %v", c.name, err)
		}
	}
}

// A category's position is an integer; "position: 1.5" (to put a category
// between the first and the second) is refused with its line, as other
// wrong types are ("lat: north"), rather than cut to 1.
func TestAFractionalPositionIsRefused(t *testing.T) {
	t.Parallel()
	src := "categories:\n  - {code: a, name: A}\n  - {code: b, name: B}\n  - {code: c, name: C, position: 1.5}\nunits:\n  - {code: t, name: T, triage: true}\n"
	f, err := org.Parse("org.yaml", strings.NewReader(src))
	if err == nil {
		t.Fatalf("position 1.5 accepted as %d", f.Categories[2].Position)
	}
	if !strings.HasPrefix(err.Error(), "org.yaml:4: ") {
		t.Errorf("error = %v, want one on line 4", err)
	}
}

// Routing and deadline rules look up to storage.MaxAreaDepth levels up the
// area tree, so the file refuses a deeper tree, with the line of the
// first area too deep; at the deepest level allowed, a rule on the top
// area still applies.
func TestTheAreaTreeIsAsDeepAsRulesReach(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	file := func(depth int) *org.File {
		f := &org.File{
			Categories: []org.Category{{Code: "khac", Name: "Khác"}},
			Units: []org.Unit{
				{Code: "tiep-nhan", Name: "Tiếp nhận", Triage: true},
				{Code: "ubnd-tinh", Name: "UBND tỉnh"},
			},
			Rules: []org.Rule{{Area: "a0", Unit: "ubnd-tinh"}},
		}
		for i := range depth {
			a := org.Area{Code: fmt.Sprintf("a%d", i), Name: fmt.Sprintf("Khu vực %d", i)}
			if i > 0 {
				a.Parent = fmt.Sprintf("a%d", i-1)
			}
			f.Areas = append(f.Areas, a)
		}
		return f
	}
	err := file(storage.MaxAreaDepth + 5).Validate()
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf(`area "a%d": %d levels deep`, storage.MaxAreaDepth, storage.MaxAreaDepth+1)) ||
		strings.Count(err.Error(), "levels deep") != 1 {
		t.Fatalf("a tree %d deep: %v", storage.MaxAreaDepth+5, err)
	}
	mustApply(t, s, file(storage.MaxAreaDepth))
	leaf, err := s.AreaByCode(ctx, fmt.Sprintf("a%d", storage.MaxAreaDepth-1))
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.RouteTicket(ctx, categoryID(t, s, "khac"), leaf.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := s.UnitByID(ctx, id); err != nil || u.Code != "ubnd-tinh" {
		t.Errorf("a petition from %s goes to %s (%v), want ubnd-tinh by the rule on a0", leaf.Code, u.Code, err)
	}
}
