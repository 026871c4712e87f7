package org_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/danvan-vn/danvan/org"
)

// FuzzParse feeds arbitrary bytes to Parse, which validates. It must never
// panic; a file it refuses gets an ErrorList whose every entry names a
// line; a file it accepts stays valid, and writing it out and parsing that
// back gives the same organisation, written the same way.
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile(examplePath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	for _, s := range []string{
		minimal,
		minimal + `areas:
  - {code: da-nang, name: " Thành phố  Đà Nẵng ", lat: 16.05, lon: 108.2}
  - {code: hai-chau, name: Phường Hải Châu, parent: da-nang, remote: true}
rules:
  - {area: hai-chau, unit: triage}
  - {category: khac, unit: triage}
`,
		// Normalisation: decomposed Vietnamese, padding, CRLF, a BOM.
		"\ufeffcategories:\r\n  - {code: \" khac \", name: \"Kha\u0301c\", position: 3}\r\nunits:\r\n  - {code: triage, name: Tie\u0302\u0301p nha\u0323\u0302n, triage: true}\r\n",
		// References, cycles, duplicates, bad codes and coordinates.
		minimal + "units:\n  - {code: a, name: A, parent: b}\n  - {code: b, name: B, parent: a}\n",
		minimal + "areas:\n  - {code: x, name: X, parent: x}\n  - {code: x, name: Y}\n  - {code: UPPER, name: Z, lat: 91, lon: 0}\n  - {code: y, name: W, lat: 1}\n",
		minimal + "rules:\n  - {area: nowhere, unit: triage}\n  - {area: nowhere, unit: triage}\n  - {category: khac}\n",
		// Shapes the structs do not expect.
		"categories: {code: khac}\nunits: []\n",
		"areas:\n  - &a {code: a, name: A}\n  - *a\n" + minimal,
		"units:\n  - <<: {code: t, name: T}\n    triage: true\ncategories:\n  - {code: k, name: K}\n",
		minimal + "---\n" + minimal,
		minimal + "unitz: []\n",
		"categories:\n\t- {code: k}\n",
		"", "#", "~", "[]", "\x00", "a: b: c", "categories:\n  - {code: k, name: K, position: -1}\n  - {code: k2, name: K2, position: 99999999999999999999}\n",
	} {
		f.Add([]byte(s))
	}

	same := cmp.Options{cmpopts.IgnoreUnexported(org.File{}), cmpopts.EquateEmpty()}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := org.Parse("fuzz.yaml", bytes.NewReader(data))
		if err != nil {
			var list org.ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("not an ErrorList: %T %v", err, err)
			}
			for _, e := range list {
				if e.File != "fuzz.yaml" || e.Line < 1 || e.Msg == "" {
					t.Fatalf("an error without its file, line or message: %#v", e)
				}
			}
			return
		}
		if err := file.Validate(); err != nil {
			t.Fatalf("an accepted file fails validation again: %v", err)
		}

		var written bytes.Buffer
		if err := file.Write(&written); err != nil {
			t.Fatalf("write: %v", err)
		}
		again, err := org.Parse("written.yaml", bytes.NewReader(written.Bytes()))
		if err != nil {
			t.Fatalf("the written file does not parse: %v\n%s", err, written.String())
		}
		if diff := cmp.Diff(file, again, same); diff != "" {
			t.Fatalf("written and parsed back (-parsed +again):\n%s", diff)
		}
		var rewritten bytes.Buffer
		if err := again.Write(&rewritten); err != nil {
			t.Fatalf("write again: %v", err)
		}
		if !bytes.Equal(written.Bytes(), rewritten.Bytes()) {
			t.Fatalf("written twice differs:\n%s", cmp.Diff(written.String(), rewritten.String()))
		}
	})
}
