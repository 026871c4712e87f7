package org

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"

	"github.com/danvan-vn/danvan/storage"
)

// maxCodeLen keeps deep links within Telegram's 64-byte start parameter:
// "a_" plus an area code, with room for future prefixes.
const maxCodeLen = 40

var validCode = regexp.MustCompile(`^[a-z0-9-]+$`)

// maxPosition is the largest category position the database holds.
const maxPosition = math.MaxInt32

// Validate normalises the file's texts (trimmed, Unicode NFC, so equal
// names compare equal whatever keyboard typed them) and checks it: codes,
// required fields, references, parent cycles and exactly one triage unit.
// Parse and Apply call it; the error is an ErrorList.
func (f *File) Validate() error {
	f.normalise()
	v := &validator{f: f, pos: f.pos}
	v.areas()
	v.categories()
	v.units()
	v.rules()
	for _, e := range v.errs {
		e.File = f.name
	}
	return v.errs.sorted()
}

func (f *File) normalise() {
	for i := range f.Areas {
		a := &f.Areas[i]
		a.Code, a.Parent = strings.TrimSpace(a.Code), strings.TrimSpace(a.Parent)
		a.Name, a.Level = text(a.Name), text(a.Level)
	}
	for i := range f.Categories {
		c := &f.Categories[i]
		c.Code = strings.TrimSpace(c.Code)
		c.Name, c.NameEN = text(c.Name), text(c.NameEN)
	}
	for i := range f.Units {
		u := &f.Units[i]
		u.Code, u.Parent = strings.TrimSpace(u.Code), strings.TrimSpace(u.Parent)
		u.Name, u.NameEN, u.Level = text(u.Name), text(u.NameEN), text(u.Level)
		for j := range u.Areas {
			u.Areas[j] = strings.TrimSpace(u.Areas[j])
		}
	}
	for i := range f.Rules {
		r := &f.Rules[i]
		r.Category, r.Area, r.Unit = strings.TrimSpace(r.Category), strings.TrimSpace(r.Area), strings.TrimSpace(r.Unit)
	}
}

// text also drops NUL characters ("\0" in a quoted YAML string), which
// PostgreSQL text cannot hold: they are never meant.
func text(s string) string {
	return norm.NFC.String(strings.TrimSpace(strings.ReplaceAll(s, "\x00", "")))
}

type validator struct {
	f    *File
	pos  *positions
	errs ErrorList

	// code → index in its section, for references and duplicates.
	areaIndex, categoryIndex, unitIndex map[string]int
}

func (v *validator) errorf(line int, format string, args ...any) {
	v.errs = append(v.errs, &Error{Line: line, Msg: fmt.Sprintf(format, args...)})
}

// at points to another line in a message, when lines are known.
func (v *validator) at(prefix string, line int) string {
	if line == 0 {
		return ""
	}
	return fmt.Sprintf(" (%sline %d)", prefix, line)
}

// code checks the i-th item's code and records it in index; it returns
// the label to start the item's messages with.
func (v *validator) code(section, kind string, i int, code string, index map[string]int) string {
	line := v.pos.field(section, i, "code")
	switch {
	case code == "":
		v.errorf(line, "%s #%d: code is required", kind, i+1)
		return fmt.Sprintf("%s #%d", kind, i+1)
	case len(code) > maxCodeLen || !validCode.MatchString(code):
		v.errorf(line, "%s %q: a code is 1 to %d characters from a-z, 0-9 and \"-\"", kind, code, maxCodeLen)
	}
	label := fmt.Sprintf("%s %q", kind, code)
	if first, dup := index[code]; dup {
		v.errorf(line, "%s: duplicate code%s", label, v.at("first at ", v.pos.item(section, first)))
	} else {
		index[code] = i
	}
	return label
}

func (v *validator) name(section string, i int, label, name string) {
	if name == "" {
		v.errorf(v.pos.field(section, i, "name"), "%s: name is required", label)
	}
}

func (v *validator) areas() {
	v.areaIndex = map[string]int{}
	labels := make([]string, len(v.f.Areas))
	for i, a := range v.f.Areas {
		labels[i] = v.code("areas", "area", i, a.Code, v.areaIndex)
		v.name("areas", i, labels[i], a.Name)
		switch {
		case (a.Lat == nil) != (a.Lon == nil):
			v.errorf(v.pos.item("areas", i), "%s: give both lat and lon, or neither", labels[i])
		// Written so that NaN (".nan" in YAML) fails too: it would compare
		// unequal to itself and make every import "update" the area.
		case a.Lat != nil && !(*a.Lat >= -90 && *a.Lat <= 90):
			v.errorf(v.pos.field("areas", i, "lat"), "%s: lat %v is not between -90 and 90", labels[i], *a.Lat)
		case a.Lon != nil && !(*a.Lon >= -180 && *a.Lon <= 180):
			v.errorf(v.pos.field("areas", i, "lon"), "%s: lon %v is not between -180 and 180", labels[i], *a.Lon)
		}
	}
	v.tree("areas", labels, v.areaIndex,
		func(i int) string { return v.f.Areas[i].Code }, func(i int) string { return v.f.Areas[i].Parent })
	v.areaDepths(labels)
}

// areaDepths refuses an area more than storage.MaxAreaDepth levels deep:
// routing and deadline rules look no further up the tree. (An area in a
// cycle is reported by tree.)
func (v *validator) areaDepths(labels []string) {
	for i := range v.f.Areas {
		depth, top := 1, false
		for j := i; depth <= len(v.f.Areas); depth++ {
			p, ok := v.areaIndex[v.f.Areas[j].Parent]
			if !ok {
				top = true
				break
			}
			j = p
		}
		if top && depth == storage.MaxAreaDepth+1 { // the first level too deep: those below it follow
			v.errorf(v.pos.field("areas", i, "parent"), "%s: %d levels deep; areas may be at most %d deep", labels[i], depth, storage.MaxAreaDepth)
		}
	}
}

func (v *validator) categories() {
	v.categoryIndex = map[string]int{}
	if len(v.f.Categories) == 0 {
		v.errorf(v.pos.section("categories"), "categories: at least one is required, or citizens cannot choose")
	}
	for i, c := range v.f.Categories {
		label := v.code("categories", "category", i, c.Code, v.categoryIndex)
		v.name("categories", i, label, c.Name)
		switch {
		case isFloat(v.pos.value("categories", i, "position")):
			v.errorf(v.pos.field("categories", i, "position"), "%s: position must be a whole number", label)
		case c.Position < 0:
			v.errorf(v.pos.field("categories", i, "position"), "%s: position must not be negative", label)
		case c.Position > maxPosition:
			// The column is a PostgreSQL integer: refuse here, with a
			// line, rather than fail half-way through the import.
			v.errorf(v.pos.field("categories", i, "position"), "%s: position %d is too large (at most %d)", label, c.Position, maxPosition)
		}
	}
}

// isFloat reports whether a value was written as a number with a
// fraction: decoded into an integer it would be cut silently.
func isFloat(n *yaml.Node) bool { return n != nil && n.ShortTag() == "!!float" }

func (v *validator) units() {
	v.unitIndex = map[string]int{}
	labels := make([]string, len(v.f.Units))
	triage := -1
	for i, u := range v.f.Units {
		labels[i] = v.code("units", "unit", i, u.Code, v.unitIndex)
		v.name("units", i, labels[i], u.Name)
		served := map[string]bool{}
		for j, area := range u.Areas {
			line := v.pos.element("units", i, "areas", j)
			if _, ok := v.areaIndex[area]; !ok {
				v.errorf(line, "%s: unknown area %q", labels[i], area)
			} else if served[area] {
				v.errorf(line, "%s: area %q listed twice", labels[i], area)
			}
			served[area] = true
		}
		if !u.Triage {
			continue
		}
		if triage >= 0 {
			v.errorf(v.pos.field("units", i, "triage"), "%s: only one unit may have triage: true, and unit %q%s already has",
				labels[i], v.f.Units[triage].Code, v.at("", v.pos.field("units", triage, "triage")))
			continue
		}
		triage = i
	}
	if triage < 0 {
		v.errorf(v.pos.section("units"), "units: one unit must have triage: true; it receives what no rule matches")
	}
	v.tree("units", labels, v.unitIndex,
		func(i int) string { return v.f.Units[i].Code }, func(i int) string { return v.f.Units[i].Parent })
}

// tree checks that every parent exists and that no item is its own
// ancestor. A cycle is reported once, at its first item in the file.
func (v *validator) tree(section string, labels []string, index map[string]int, code, parent func(int) string) {
	for i := range labels {
		p := parent(i)
		if p == "" {
			continue
		}
		if _, ok := index[p]; !ok {
			v.errorf(v.pos.field(section, i, "parent"), "%s: unknown parent %q", labels[i], p)
			continue
		}
		if cycle := cycleFrom(i, index, code, parent); cycle != nil {
			v.errorf(v.pos.field(section, i, "parent"), "%s: parent cycle %s", labels[i], strings.Join(cycle, " → "))
		}
	}
}

// cycleFrom follows parents from item i. If they lead back to i and i is
// the cycle's first item in the file, it returns the codes along the way
// (i's code at both ends); otherwise nil.
func cycleFrom(i int, index map[string]int, code, parent func(int) string) []string {
	path := []string{code(i)}
	seen := map[int]bool{i: true}
	for j := i; ; {
		next, ok := index[parent(j)]
		switch {
		case !ok:
			return nil // reaches the top
		case next == i:
			return append(path, code(i))
		case seen[next] || next < i:
			// A cycle not through i, or one through an earlier item that
			// reports it.
			return nil
		}
		seen[next] = true
		path = append(path, code(next))
		j = next
	}
}

func (v *validator) rules() {
	seen := map[[2]string]int{}
	for i, r := range v.f.Rules {
		label := "rule " + ruleLabel(r.Category, r.Area)
		if r.Category != "" {
			if _, ok := v.categoryIndex[r.Category]; !ok {
				v.errorf(v.pos.field("rules", i, "category"), "%s: unknown category %q", label, r.Category)
			}
		}
		if r.Area != "" {
			if _, ok := v.areaIndex[r.Area]; !ok {
				v.errorf(v.pos.field("rules", i, "area"), "%s: unknown area %q", label, r.Area)
			}
		}
		switch _, ok := v.unitIndex[r.Unit]; {
		case r.Unit == "":
			v.errorf(v.pos.item("rules", i), "%s: unit is required", label)
		case !ok:
			v.errorf(v.pos.field("rules", i, "unit"), "%s: unknown unit %q", label, r.Unit)
		}
		key := [2]string{r.Category, r.Area}
		if first, dup := seen[key]; dup {
			v.errorf(v.pos.item("rules", i), "%s: a second rule for the same category and area%s",
				label, v.at("first at ", v.pos.item("rules", first)))
			continue
		}
		seen[key] = i
	}
}
