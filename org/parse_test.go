package org_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/danvan-vn/danvan/org"
)

const examplePath = "../examples/org.yaml"

func parseExample(t *testing.T) *org.File {
	t.Helper()
	fh, err := os.Open(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f, err := org.Parse("examples/org.yaml", fh)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// minimal is the smallest valid file; the cases below add to it, so
// their own lines start at 5.
const minimal = `categories:
  - {code: khac, name: Khác}
units:
  - {code: triage, name: Tiếp nhận, triage: true}
`

func TestParseErrorsNameTheirLine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		yaml string
		want []string // every error, in order: "t.yaml:LINE: message"
	}{
		{"syntax", minimal + "areas: [\n", []string{
			`t.yaml:5: did not find expected node content`}},
		{"tab indentation", minimal + "areas:\n\t- code: x\n", []string{
			`t.yaml:6: found character that cannot start any token`}},
		{"unknown field", minimal + "areas:\n  - code: x\n    name: X\n    parnet: y\n", []string{
			`t.yaml:8: unknown field "parnet" in area; known: code, name, level, parent, lat, lon, remote`}},
		{"unknown section", minimal + "unit:\n  - code: x\n", []string{
			`t.yaml:5: unknown section "unit"; known: areas, categories, units, rules`}},
		// A value of the wrong type names its field and what it takes, not
		// the YAML library's Go types.
		{"wrong type", minimal + "areas:\n  - code: x\n    name: X\n    lat: north\n    lon: 108\n", []string{
			`t.yaml:8: lat must be a number, with a decimal point (16.0544), not "north"`}},
		{"decimal comma", minimal + "areas:\n  - code: x\n    name: X\n    lat: 16,0380\n    lon: 108\n", []string{
			`t.yaml:8: lat must be a number with a decimal point: 16.0380, not "16,0380"`}},
		{"not a boolean", "categories: [{code: k, name: K}]\nunits:\n  - {code: t, name: T, triage: maybe}\n", []string{
			`t.yaml:3: triage must be true or false, not "maybe"`}},
		{"not a whole number", "categories:\n  - {code: k, name: K, position: hai}\nunits:\n  - {code: t, name: T, triage: true}\n", []string{
			`t.yaml:2: position must be a whole number, not "hai"`}},
		{"not a list", "categories: [{code: k, name: K}]\nareas: [{code: x, name: X}]\nunits:\n  - {code: t, name: T, triage: true, areas: x}\n", []string{
			`t.yaml:4: areas must be a list: [a, b] or one "- item" a line, not "x"`}},
		{"repeated field", minimal + "areas:\n  - code: x\n    code: y\n    name: X\n", []string{
			`t.yaml:7: mapping key "code" already defined at line 6`}},
		{"duplicate code", minimal + "areas:\n  - {code: x, name: X}\n  - {code: x, name: Y}\n", []string{
			`t.yaml:7: area "x": duplicate code (first at line 6)`}},
		{"missing code and name", minimal + "areas:\n  - level: phường\n  - code: x\n", []string{
			`t.yaml:6: area #1: code is required`,
			`t.yaml:6: area #1: name is required`,
			`t.yaml:7: area "x": name is required`}},
		{"code with capitals", minimal + "areas:\n  - {code: Hai-Chau, name: Hải Châu}\n", []string{
			`t.yaml:6: area "Hai-Chau": a code is 1 to 40 characters from a-z, 0-9 and "-"`}},
		{"code with diacritics", minimal + "areas:\n  - {code: hải-châu, name: Hải Châu}\n", []string{
			`t.yaml:6: area "hải-châu": a code is 1 to 40 characters from a-z, 0-9 and "-"`}},
		{"code too long", minimal + "areas:\n  - {code: " + strings.Repeat("a", 41) + ", name: X}\n", []string{
			`t.yaml:6: area "` + strings.Repeat("a", 41) + `": a code is 1 to 40 characters from a-z, 0-9 and "-"`}},
		{"unknown parent", minimal + "areas:\n  - code: x\n    name: X\n    parent: y\n", []string{
			`t.yaml:8: area "x": unknown parent "y"`}},
		{"own parent", minimal + "areas:\n  - {code: x, name: X, parent: x}\n", []string{
			`t.yaml:6: area "x": parent cycle x → x`}},
		{"parent cycle reported once", minimal +
			"areas:\n  - {code: top, name: T}\n  - {code: a, name: A, parent: c}\n  - {code: b, name: B, parent: a}\n  - {code: c, name: C, parent: b}\n  - {code: d, name: D, parent: a}\n",
			[]string{`t.yaml:7: area "a": parent cycle a → c → b → a`}},
		{"unit parent cycle", "categories: [{code: k, name: K}]\nunits:\n  - {code: a, name: A, parent: b, triage: true}\n  - {code: b, name: B, parent: a}\n", []string{
			`t.yaml:3: unit "a": parent cycle a → b → a`}},
		{"lat without lon", minimal + "areas:\n  - code: x\n    name: X\n    lat: 16.05\n", []string{
			`t.yaml:6: area "x": give both lat and lon, or neither`}},
		{"lat out of range", minimal + "areas:\n  - code: x\n    name: X\n    lat: 160.5\n    lon: 108.2\n", []string{
			`t.yaml:8: area "x": lat 160.5 is not between -90 and 90`}},
		{"lat not a number", minimal + "areas:\n  - code: x\n    name: X\n    lat: .nan\n    lon: 108.2\n", []string{
			`t.yaml:8: area "x": lat NaN is not between -90 and 90`}},
		{"lon not a number", minimal + "areas:\n  - code: x\n    name: X\n    lat: 16.1\n    lon: .NaN\n", []string{
			`t.yaml:9: area "x": lon NaN is not between -180 and 180`}},
		{"position too large", "categories:\n  - {code: k, name: K, position: 3000000000}\nunits:\n  - {code: t, name: T, triage: true}\n", []string{
			`t.yaml:2: category "k": position 3000000000 is too large (at most 2147483647)`}},
		{"no categories", "units:\n  - {code: t, name: T, triage: true}\n", []string{
			`t.yaml:1: categories: at least one is required, or citizens cannot choose`}},
		{"no triage unit", "categories: [{code: k, name: K}]\nunits:\n  - {code: a, name: A}\n", []string{
			`t.yaml:2: units: one unit must have triage: true; it receives what no rule matches`}},
		{"two triage units", minimal + "  - code: second\n    name: Second\n    triage: true\n", []string{
			`t.yaml:7: unit "second": only one unit may have triage: true, and unit "triage" (line 4) already has`}},
		{"unit areas", "categories: [{code: k, name: K}]\nareas: [{code: x, name: X}]\nunits:\n  - {code: t, name: T, triage: true}\n  - code: u\n    name: U\n    areas:\n      - x\n      - y\n      - x\n", []string{
			`t.yaml:9: unit "u": unknown area "y"`,
			`t.yaml:10: unit "u": area "x" listed twice`}},
		{"rules", minimal + "areas: [{code: x, name: X}]\nrules:\n" +
			"  - {category: khac, area: x, unit: triage}\n" +
			"  - {area: x, category: khac, unit: triage}\n" +
			"  - {category: nope, unit: triage}\n" +
			"  - {area: nowhere, unit: triage}\n" +
			"  - {area: x, unit: ghost}\n" +
			"  - {category: khac}\n", []string{
			`t.yaml:8: rule (khac, x): a second rule for the same category and area (first at line 7)`,
			`t.yaml:9: rule (nope, *): unknown category "nope"`,
			`t.yaml:10: rule (*, nowhere): unknown area "nowhere"`,
			`t.yaml:11: rule (*, x): unknown unit "ghost"`,
			`t.yaml:12: rule (khac, *): unit is required`}},
		{"invalid UTF-8", minimal + "areas:\n  - {code: x, name: \"a\xffb\"}\n", []string{
			`t.yaml:6: invalid leading UTF-8 octet`}},
		{"control character", minimal + "areas:\n  - code: x\n    name: a\x01b\n", []string{
			`t.yaml:7: control characters are not allowed`}},
		{"empty file", "", []string{`t.yaml:1: the file is empty`}},
		{"comments only", "# nothing yet\n", []string{`t.yaml:1: the file is empty`}},
		{"two documents", minimal + "---\nareas: []\n", []string{
			`t.yaml:5: a second YAML document; the file must hold exactly one`}},
		{"not a mapping", "- code: x\n", []string{
			"t.yaml:1: cannot unmarshal !!seq into org.File"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := org.Parse("t.yaml", strings.NewReader(c.yaml))
			var list org.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error = %v (%T), want an org.ErrorList", err, err)
			}
			var got []string
			for _, e := range list {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseNormalisesNames(t *testing.T) {
	t.Parallel()
	// "Hòa" typed with a combining grave accent (NFD), as some keyboards do.
	decomposed := "Pho\u0300a"
	src := "categories:\n  - code: k\n    name: '  Kha\u0301c '\nareas:\n  - {code: x, name: \"" + decomposed + "\", level: \" phường\"}\n" +
		"units:\n  - {code: t, name: T, triage: true}\n"
	f, err := org.Parse("t.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Categories[0].Name; got != "Khác" {
		t.Errorf("category name = %q, want %q", got, "Khác")
	}
	if got := f.Areas[0].Name; got != "Phòa" || len(got) != len("Phòa") {
		t.Errorf("area name = %q (% x), want NFC %q", got, got, "Phòa")
	}
	if got := f.Areas[0].Level; got != "phường" {
		t.Errorf("level = %q", got)
	}
}

func TestParseAcceptsLongestCode(t *testing.T) {
	t.Parallel()
	code := strings.Repeat("a", 40)
	src := minimal + "areas:\n  - {code: " + code + ", name: X}\n"
	if _, err := org.Parse("t.yaml", strings.NewReader(src)); err != nil {
		t.Fatal(err)
	}
}

func TestExampleFile(t *testing.T) {
	t.Parallel()
	f := parseExample(t)
	if len(f.Areas) < 7 || len(f.Units) < 20 || len(f.Rules) < 15 {
		t.Errorf("example has %d areas, %d units, %d rules", len(f.Areas), len(f.Units), len(f.Rules))
	}
	// The same codes as the defaults seeded by migration 00001, so that
	// importing updates them rather than adding copies.
	var codes []string
	for _, c := range f.Categories {
		codes = append(codes, c.Code)
	}
	want := []string{"dat-dai", "moi-truong", "giao-thong", "an-ninh", "y-te", "giao-duc", "chinh-sach", "thu-tuc", "dien-nuoc", "khac"}
	if diff := cmp.Diff(want, codes); diff != "" {
		t.Errorf("category codes (-want +got):\n%s", diff)
	}
	for _, a := range f.Areas {
		if a.Parent != "" && (a.Lat == nil || a.Lon == nil) {
			t.Errorf("area %s has no coordinates", a.Code)
		}
	}
}

func TestWriteThenParse(t *testing.T) {
	t.Parallel()
	f := parseExample(t)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	again, err := org.Parse("written.yaml", &buf)
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if diff := cmp.Diff(f, again, cmpopts.IgnoreUnexported(org.File{})); diff != "" {
		t.Errorf("written and parsed back (-want +got):\n%s", diff)
	}
}
