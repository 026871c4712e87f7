// Package org loads and saves danvan's organisation: the administrative
// areas, the categories (lĩnh vực), the units that handle petitions and
// the routing rules between them, as one YAML file an administrator edits.
//
// The file is the whole truth: `danvan admin import` (Apply) makes the
// database match it in one transaction, and `danvan admin export` (Export,
// Write) writes the database back out. examples/org.yaml documents the
// format for administrators; in short:
//
//	areas:                      # administrative areas, a tree
//	  - code: da-nang           # [a-z0-9-], at most 40 bytes; used in deep links
//	    name: Thành phố Đà Nẵng
//	    level: thành phố        # free text: levels are data, not code
//	  - code: hai-chau
//	    name: Phường Hải Châu
//	    parent: da-nang
//	    lat: 16.07               # approximate centre, for shared locations
//	    lon: 108.22
//	categories:                 # in display order
//	  - {code: y-te, name: Y tế, name_en: Health}
//	units:                      # who handles petitions, a tree
//	  - code: ubnd-hai-chau
//	    name: Ủy ban nhân dân phường Hải Châu
//	    areas: [hai-chau]
//	  - code: tiep-cong-dan
//	    name: Ban Tiếp công dân
//	    triage: true            # exactly one: gets what no rule matches
//	rules:                      # (category, area) → unit; omitted = any
//	  - area: hai-chau
//	    unit: ubnd-hai-chau
//
// Codes are identities: renaming a code deactivates the old item and
// creates a new one. Items the file no longer lists are deactivated, never
// deleted, so old tickets keep their unit, area and category.
package org

// File is an organisation file. The zero File is empty, not valid: it has
// no triage unit.
type File struct {
	Areas      []Area     `yaml:"areas"`
	Categories []Category `yaml:"categories"`
	Units      []Unit     `yaml:"units"`
	Rules      []Rule     `yaml:"rules"`

	name string     // for error messages: the file name given to Parse
	pos  *positions // where each item was written; nil for a File built in code
}

// Area is an administrative area: province or city, commune, ward,
// village... Parent is the code of the enclosing area ("" at the top).
type Area struct {
	Code   string   `yaml:"code"`
	Name   string   `yaml:"name"`
	Level  string   `yaml:"level,omitempty"`
	Parent string   `yaml:"parent,omitempty"`
	Lat    *float64 `yaml:"lat,omitempty"`
	Lon    *float64 `yaml:"lon,omitempty"`
	Remote bool     `yaml:"remote,omitempty"` // vùng sâu, vùng xa: longer legal limits
}

// Category is a field (lĩnh vực) citizens choose from. Categories are
// shown in file order unless Position says otherwise.
type Category struct {
	Code     string `yaml:"code"`
	Name     string `yaml:"name"`
	NameEN   string `yaml:"name_en,omitempty"`
	Position int    `yaml:"position,omitempty"` // 0: the 1-based place in the list
}

// Unit is a body that handles petitions. Parent is the code of the unit
// it reports to ("" at the top); Areas are the codes of the areas it
// serves.
type Unit struct {
	Code   string   `yaml:"code"`
	Name   string   `yaml:"name"`
	NameEN string   `yaml:"name_en,omitempty"`
	Level  string   `yaml:"level,omitempty"`
	Parent string   `yaml:"parent,omitempty"`
	Areas  []string `yaml:"areas,flow,omitempty"`
	Triage bool     `yaml:"triage,omitempty"`
}

// Rule sends petitions in Category and Area to Unit. An empty Category
// or Area means any; storage.RouteTicket documents which rule wins.
type Rule struct {
	Category string `yaml:"category,omitempty"`
	Area     string `yaml:"area,omitempty"`
	Unit     string `yaml:"unit"`
}

// position returns the display position of the i-th category.
func (c Category) position(i int) int {
	if c.Position > 0 {
		return c.Position
	}
	return i + 1
}

// ruleLabel names a rule by its key, "*" standing for any.
func ruleLabel(category, area string) string {
	if category == "" {
		category = "*"
	}
	if area == "" {
		area = "*"
	}
	return "(" + category + ", " + area + ")"
}
