package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// Apply makes the database's organisation match f, in one transaction:
// items are created or updated by code, and active items f does not list
// are deactivated, never deleted. Applying the same file twice changes
// nothing the second time. f is validated (and normalised) first; if it
// is invalid or anything fails, nothing is applied.
func Apply(ctx context.Context, store *storage.Store, f *File) (Changes, error) {
	if err := revalidate(f); err != nil {
		return Changes{}, err
	}
	var ch Changes
	err := store.InTx(ctx, func(tx *storage.Store) error {
		var err error
		ch, err = apply(ctx, tx, f)
		return err
	})
	if err != nil {
		return Changes{}, err
	}
	return ch, nil
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("org: dry run")

// DryRun reports what Apply would change, by applying f in a transaction
// that it then rolls back. store must not already be in a transaction.
func DryRun(ctx context.Context, store *storage.Store, f *File) (Changes, error) {
	if err := revalidate(f); err != nil {
		return Changes{}, err
	}
	var ch Changes
	err := store.InTx(ctx, func(tx *storage.Store) error {
		var err error
		if ch, err = apply(ctx, tx, f); err != nil {
			return err
		}
		return errDryRun
	})
	if !errors.Is(err, errDryRun) {
		return Changes{}, err
	}
	return ch, nil
}

// revalidate checks f again, since it may have been built or changed in
// code after Parse. Its errors name no line: after a change the lines Parse
// recorded may no longer match the items.
func revalidate(f *File) error {
	g := *f
	g.pos = nil
	return g.Validate() // normalises f's items too: the slices are shared
}

// applier carries one import: the transaction, the report and the IDs of
// the items written so far, by code, for the references that follow.
type applier struct {
	tx         *storage.Store
	ch         Changes
	areas      map[string]int64
	categories map[string]int64
	units      map[string]int64
}

// apply runs in the transaction. Each kind is done in full before the
// kinds that refer to it: areas, categories, units, rules. Deactivation
// comes before upserts so that a unit leaving the file gives up the
// triage flag before another takes it.
func apply(ctx context.Context, tx *storage.Store, f *File) (Changes, error) {
	a := &applier{tx: tx, areas: map[string]int64{}, categories: map[string]int64{}, units: map[string]int64{}}
	if err := tx.LockOrganisation(ctx); err != nil {
		return Changes{}, err
	}
	for _, step := range []func(context.Context, *File) error{a.applyAreas, a.applyCategories, a.applyUnits, a.applyRules} {
		if err := step(ctx, f); err != nil {
			return Changes{}, err
		}
	}
	a.ch.sort()
	return a.ch, nil
}

func (a *applier) applyAreas(ctx context.Context, f *File) error {
	codes := make([]string, len(f.Areas))
	for i, area := range f.Areas {
		codes[i] = area.Code
	}
	gone, err := a.tx.DeactivateAreasExcept(ctx, codes)
	if err != nil {
		return err
	}
	a.ch.Areas.deactivated(gone)
	for _, area := range parentsFirst(f.Areas, func(a Area) (string, string) { return a.Code, a.Parent }) {
		r, err := a.tx.UpsertArea(ctx, storage.AreaInput{
			Code:      area.Code,
			Name:      area.Name,
			Level:     area.Level,
			ParentID:  ref(a.areas, area.Parent),
			Latitude:  nullFloat(area.Lat),
			Longitude: nullFloat(area.Lon),
			Remote:    area.Remote,
		})
		if err != nil {
			return fmt.Errorf("org: area %q: %w", area.Code, err)
		}
		a.areas[area.Code] = r.ID
		a.ch.Areas.record(area.Code, r)
	}
	return nil
}

func (a *applier) applyCategories(ctx context.Context, f *File) error {
	codes := make([]string, len(f.Categories))
	for i, c := range f.Categories {
		codes[i] = c.Code
	}
	gone, err := a.tx.DeactivateCategoriesExcept(ctx, codes)
	if err != nil {
		return err
	}
	a.ch.Categories.deactivated(gone)
	for i, c := range f.Categories {
		r, err := a.tx.UpsertCategory(ctx, storage.CategoryInput{
			Code: c.Code, Name: c.Name, NameEN: c.NameEN, Position: c.position(i),
		})
		if err != nil {
			return fmt.Errorf("org: category %q: %w", c.Code, err)
		}
		a.categories[c.Code] = r.ID
		a.ch.Categories.record(c.Code, r)
	}
	return nil
}

func (a *applier) applyUnits(ctx context.Context, f *File) error {
	codes := make([]string, len(f.Units))
	triage := ""
	for i, u := range f.Units {
		codes[i] = u.Code
		if u.Triage {
			triage = u.Code
		}
	}
	gone, err := a.tx.DeactivateUnitsExcept(ctx, codes)
	if err != nil {
		return err
	}
	a.ch.Units.deactivated(gone)
	// Its open tickets stay with a unit removed: someone must move them.
	open, err := a.tx.OpenTicketsOfUnits(ctx, gone)
	if err != nil {
		return err
	}
	// So do its citizens' reception bookings, until they are called off.
	booked, err := a.tx.BookingsToComeOfUnits(ctx, gone, workcal.DateOf(time.Now()))
	if err != nil {
		return err
	}
	for i, c := range a.ch.Units.Deactivated {
		if n := open[c.Item]; n > 0 {
			a.ch.Units.Deactivated[i].Fields = append(a.ch.Units.Deactivated[i].Fields, fmt.Sprintf("open tickets still with it: %d", n))
		}
		if n := booked[c.Item]; n > 0 {
			a.ch.Units.Deactivated[i].Fields = append(a.ch.Units.Deactivated[i].Fields,
				fmt.Sprintf("reception bookings to come: %d (danvan admin reception close calls a day off)", n))
		}
	}
	// The flag moves in two steps (at most one active unit may hold it),
	// so the unit that loses it is reported here: its own upsert below
	// then finds nothing left to change.
	lost, err := a.tx.ClearTriageExcept(ctx, triage)
	if err != nil {
		return err
	}
	for _, u := range parentsFirst(f.Units, func(u Unit) (string, string) { return u.Code, u.Parent }) {
		in := storage.UnitInput{
			Code:     u.Code,
			Name:     u.Name,
			NameEN:   u.NameEN,
			Level:    u.Level,
			ParentID: ref(a.units, u.Parent),
			IsTriage: u.Triage,
		}
		for _, area := range u.Areas {
			in.AreaIDs = append(in.AreaIDs, a.areas[area])
		}
		r, err := a.tx.UpsertUnit(ctx, in)
		if err != nil {
			return fmt.Errorf("org: unit %q: %w", u.Code, err)
		}
		if slices.Contains(lost, u.Code) {
			r.Outcome, r.Fields = storage.OutcomeUpdated, append(r.Fields, "triage")
		}
		a.units[u.Code] = r.ID
		a.ch.Units.record(u.Code, r)
	}
	return nil
}

func (a *applier) applyRules(ctx context.Context, f *File) error {
	keep := make([]int64, 0, len(f.Rules))
	for _, rule := range f.Rules {
		r, err := a.tx.UpsertRoutingRule(ctx, storage.RoutingRuleInput{
			CategoryID: ref(a.categories, rule.Category),
			AreaID:     ref(a.areas, rule.Area),
			UnitID:     a.units[rule.Unit],
		})
		label := ruleLabel(rule.Category, rule.Area) + " → " + rule.Unit
		if err != nil {
			return fmt.Errorf("org: rule %s: %w", label, err)
		}
		keep = append(keep, r.ID)
		a.ch.Rules.record(label, r)
	}
	gone, err := a.tx.DeactivateRoutingRulesExcept(ctx, keep)
	if err != nil {
		return err
	}
	for _, r := range gone {
		a.ch.Rules.deactivated([]string{ruleLabel(r.CategoryCode, r.AreaCode) + " → " + r.UnitCode})
	}
	return nil
}

// ref resolves an optional code to the ID written for it; "" is null.
func ref(ids map[string]int64, code string) sql.NullInt64 {
	if code == "" {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: ids[code], Valid: true}
}

func nullFloat(f *float64) sql.NullFloat64 {
	if f == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *f, Valid: true}
}

// parentsFirst orders items so that each comes after its parent and
// otherwise keeps the file's order. The file has been validated: every
// parent exists and there are no cycles.
func parentsFirst[T any](items []T, key func(T) (code, parent string)) []T {
	index := make(map[string]int, len(items))
	for i, it := range items {
		code, _ := key(it)
		index[code] = i
	}
	done := make([]bool, len(items))
	out := make([]T, 0, len(items))
	var visit func(i int)
	visit = func(i int) {
		if done[i] {
			return
		}
		done[i] = true
		if _, parent := key(items[i]); parent != "" {
			visit(index[parent])
		}
		out = append(out, items[i])
	}
	for i := range items {
		visit(i)
	}
	return out
}
