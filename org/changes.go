package org

import (
	"fmt"
	"slices"
	"strings"

	"github.com/danvan-vn/danvan/storage"
)

// Changes is what an import did (or, in a dry run, would do).
type Changes struct {
	Areas      KindChanges
	Categories KindChanges
	Units      KindChanges
	Rules      KindChanges
}

// KindChanges is what an import did to one kind of item.
type KindChanges struct {
	Created     []Change
	Updated     []Change
	Reactivated []Change
	Deactivated []Change
	Unchanged   int
}

// Change is one item that changed.
type Change struct {
	Item   string   // a code; for a rule "(category, area) → unit", "*" standing for any
	Fields []string // for updates and reactivations: what differed; for a unit deactivated, its open tickets
}

// Empty reports whether nothing changed.
func (c Changes) Empty() bool {
	for _, k := range c.kinds() {
		if k.changed() {
			return false
		}
	}
	return true
}

// String lists the changes for an administrator, one item a line.
func (c Changes) String() string {
	var b strings.Builder
	for i, k := range c.kinds() {
		fmt.Fprintf(&b, "%s: %s\n", kindNames[i], k.summary())
		k.list(&b, "created", k.Created)
		k.list(&b, "updated", k.Updated)
		k.list(&b, "reactivated", k.Reactivated)
		k.list(&b, "deactivated", k.Deactivated)
	}
	if c.Empty() {
		b.WriteString("no changes\n")
	}
	return b.String()
}

var kindNames = [...]string{"areas", "categories", "units", "rules"}

func (c *Changes) kinds() [4]*KindChanges {
	return [...]*KindChanges{&c.Areas, &c.Categories, &c.Units, &c.Rules}
}

func (k *KindChanges) changed() bool {
	return len(k.Created)+len(k.Updated)+len(k.Reactivated)+len(k.Deactivated) > 0
}

func (k *KindChanges) summary() string {
	var parts []string
	for _, p := range []struct {
		n    int
		verb string
	}{
		{len(k.Created), "created"}, {len(k.Updated), "updated"}, {len(k.Reactivated), "reactivated"},
		{len(k.Deactivated), "deactivated"}, {k.Unchanged, "unchanged"},
	} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.verb))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func (k *KindChanges) list(b *strings.Builder, verb string, items []Change) {
	for _, c := range items {
		fmt.Fprintf(b, "  %-12s %s", verb, c.Item)
		if len(c.Fields) > 0 {
			fmt.Fprintf(b, " (%s)", strings.Join(c.Fields, ", "))
		}
		b.WriteByte('\n')
	}
}

// record files an upsert's outcome under item.
func (k *KindChanges) record(item string, r storage.Upserted) {
	c := Change{Item: item, Fields: r.Fields}
	switch r.Outcome {
	case storage.OutcomeCreated:
		k.Created = append(k.Created, c)
	case storage.OutcomeUpdated:
		k.Updated = append(k.Updated, c)
	case storage.OutcomeReactivated:
		k.Reactivated = append(k.Reactivated, c)
	default:
		k.Unchanged++
	}
}

func (k *KindChanges) deactivated(items []string) {
	for _, item := range items {
		k.Deactivated = append(k.Deactivated, Change{Item: item})
	}
}

// sort orders every list by item, so the report does not depend on the
// order the import worked in.
func (c *Changes) sort() {
	byItem := func(a, b Change) int { return strings.Compare(a.Item, b.Item) }
	for _, k := range c.kinds() {
		for _, l := range [][]Change{k.Created, k.Updated, k.Reactivated, k.Deactivated} {
			slices.SortFunc(l, byItem)
		}
	}
}
