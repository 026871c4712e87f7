package org

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/danvan-vn/danvan/storage"
)

// Export reads the active organisation from the database. Importing the
// result changes nothing. The order is stable: areas and units as trees
// (each parent before its children, siblings by Vietnamese name), then
// categories in display order and rules from the most general.
//
// A database that has never been imported has categories but no units;
// its export is a starting point that import refuses until a triage unit
// is added.
func Export(ctx context.Context, store *storage.Store) (*File, error) {
	var f *File
	// One transaction, under the import lock: a consistent snapshot.
	err := store.InTx(ctx, func(tx *storage.Store) error {
		if err := tx.LockOrganisation(ctx); err != nil {
			return err
		}
		var err error
		f, err = export(ctx, tx)
		return err
	})
	return f, err
}

func export(ctx context.Context, tx *storage.Store) (*File, error) {
	areas, err := tx.ActiveAreas(ctx)
	if err != nil {
		return nil, err
	}
	categories, err := tx.ActiveCategories(ctx)
	if err != nil {
		return nil, err
	}
	units, err := tx.ActiveUnits(ctx)
	if err != nil {
		return nil, err
	}
	unitAreas, err := tx.ActiveUnitAreas(ctx)
	if err != nil {
		return nil, err
	}
	rules, err := tx.ActiveRoutingRules(ctx)
	if err != nil {
		return nil, err
	}
	f := &File{}
	if f.Areas, err = exportAreas(areas); err != nil {
		return nil, err
	}
	f.Categories = exportCategories(categories)
	if f.Units, err = exportUnits(units, unitAreas, areas); err != nil {
		return nil, err
	}
	if f.Rules, err = exportRules(rules, f); err != nil {
		return nil, err
	}
	return f, nil
}

// siblingOrder sorts by Vietnamese name, then code.
func siblingOrder() func(name1, code1, name2, code2 string) int {
	col := collate.New(language.Vietnamese)
	return func(name1, code1, name2, code2 string) int {
		return cmp.Or(col.CompareString(name1, name2), cmp.Compare(code1, code2))
	}
}

func exportAreas(areas []storage.Area) ([]Area, error) {
	order := siblingOrder()
	areas, err := treeOrder(areas, func(a storage.Area) (int64, sql.NullInt64) { return a.ID, a.ParentID },
		func(a, b storage.Area) int { return order(a.Name, a.Code, b.Name, b.Code) })
	if err != nil {
		return nil, fmt.Errorf("org: export areas: %w", err)
	}
	codes := codesByID(areas, func(a storage.Area) (int64, string) { return a.ID, a.Code })
	out := make([]Area, 0, len(areas))
	for _, a := range areas {
		out = append(out, Area{
			Code: a.Code, Name: a.Name, Level: a.Level, Parent: codes[a.ParentID.Int64],
			Lat: floatPtr(a.Latitude), Lon: floatPtr(a.Longitude), Remote: a.Remote,
		})
	}
	return out, nil
}

func exportCategories(categories []storage.Category) []Category {
	out := make([]Category, 0, len(categories))
	for i, c := range categories {
		cat := Category{Code: c.Code, Name: c.Name, NameEN: c.NameEN}
		if c.Position != i+1 {
			cat.Position = c.Position // an order the list alone cannot express
		}
		out = append(out, cat)
	}
	return out
}

func exportUnits(units []storage.Unit, unitAreas map[int64][]int64, areas []storage.Area) ([]Unit, error) {
	order := siblingOrder()
	units, err := treeOrder(units, func(u storage.Unit) (int64, sql.NullInt64) { return u.ID, u.ParentID },
		func(a, b storage.Unit) int { return order(a.Name, a.Code, b.Name, b.Code) })
	if err != nil {
		return nil, fmt.Errorf("org: export units: %w", err)
	}
	codes := codesByID(units, func(u storage.Unit) (int64, string) { return u.ID, u.Code })
	areaCodes := codesByID(areas, func(a storage.Area) (int64, string) { return a.ID, a.Code })
	out := make([]Unit, 0, len(units))
	for _, u := range units {
		unit := Unit{Code: u.Code, Name: u.Name, NameEN: u.NameEN, Level: u.Level, Parent: codes[u.ParentID.Int64], Triage: u.IsTriage}
		for _, id := range unitAreas[u.ID] {
			code, ok := areaCodes[id]
			if !ok {
				return nil, fmt.Errorf("org: export: unit %q serves inactive area %d", u.Code, id)
			}
			unit.Areas = append(unit.Areas, code)
		}
		slices.Sort(unit.Areas)
		out = append(out, unit)
	}
	return out, nil
}

// exportRules checks that every rule refers to exported items: only a
// hand-edited database breaks that, since the import deactivates the
// rules of what it deactivates.
func exportRules(rules []storage.RoutingRule, f *File) ([]Rule, error) {
	exported := map[string]bool{}
	for _, a := range f.Areas {
		exported["area "+a.Code] = true
	}
	for _, c := range f.Categories {
		exported["category "+c.Code] = true
	}
	for _, u := range f.Units {
		exported["unit "+u.Code] = true
	}
	known := func(kind, code string) bool { return code == "" || exported[kind+" "+code] }
	out := make([]Rule, 0, len(rules))
	for _, r := range rules {
		if !known("category", r.CategoryCode) || !known("area", r.AreaCode) || !known("unit", r.UnitCode) {
			return nil, fmt.Errorf("org: export: rule %s → %s refers to an inactive item",
				ruleLabel(r.CategoryCode, r.AreaCode), r.UnitCode)
		}
		out = append(out, Rule{Category: r.CategoryCode, Area: r.AreaCode, Unit: r.UnitCode})
	}
	return out, nil
}

func codesByID[T any](items []T, key func(T) (int64, string)) map[int64]string {
	codes := make(map[int64]string, len(items))
	for _, it := range items {
		id, code := key(it)
		codes[id] = code
	}
	return codes
}

// treeOrder lists items depth first, each parent before its children and
// siblings in cmp order. It fails if an item's parent is not in the list
// or items form a cycle, which only a hand-edited database can hold: the
// import deactivates children along with their parents.
func treeOrder[T any](items []T, key func(T) (id int64, parent sql.NullInt64), cmp func(a, b T) int) ([]T, error) {
	slices.SortFunc(items, cmp)
	present := make(map[int64]bool, len(items))
	for _, it := range items {
		id, _ := key(it)
		present[id] = true
	}
	children := make(map[int64][]T)
	var roots []T
	for _, it := range items {
		id, p := key(it)
		switch {
		case !p.Valid:
			roots = append(roots, it)
		case present[p.Int64]:
			children[p.Int64] = append(children[p.Int64], it)
		default:
			return nil, fmt.Errorf("item %d has inactive parent %d", id, p.Int64)
		}
	}
	out := make([]T, 0, len(items))
	var walk func([]T)
	walk = func(level []T) {
		for _, it := range level {
			out = append(out, it)
			id, _ := key(it)
			walk(children[id])
		}
	}
	walk(roots)
	if len(out) != len(items) {
		return nil, fmt.Errorf("a parent cycle among %d items", len(items)-len(out))
	}
	return out, nil
}

func floatPtr(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	return &f.Float64
}

// exportHeader starts every written file.
const exportHeader = `# danvan organisation: areas, categories, units and routing rules.
# Written by "danvan admin export"; edit it and load it back with
# "danvan admin import FILE". examples/org.yaml explains every field.
`

// Write writes f as YAML that Parse accepts.
func (f *File) Write(w io.Writer) error {
	if _, err := io.WriteString(w, exportHeader); err != nil {
		return fmt.Errorf("org: write: %w", err)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("org: write: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("org: write: %w", err)
	}
	return nil
}
