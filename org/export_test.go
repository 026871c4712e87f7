package org_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/danvan-vn/danvan/org"
)

func TestExportImportIsNoOp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	mustApply(t, s, parseExample(t))
	before := snapshot(t, s)

	exported, err := org.Export(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := exported.Write(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	parsed, err := org.Parse("exported.yaml", strings.NewReader(text))
	if err != nil {
		t.Fatalf("export does not parse: %v\n%s", err, text)
	}
	if ch := mustApply(t, s, parsed); !ch.Empty() {
		t.Errorf("importing the export changed:\n%s", ch)
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("importing the export touched rows:\n%s", cmp.Diff(before, after))
	}

	// The export holds what the example holds, in its own order.
	sorted := cmp.Options{
		cmpopts.IgnoreUnexported(org.File{}),
		cmpopts.SortSlices(func(a, b org.Area) bool { return a.Code < b.Code }),
		cmpopts.SortSlices(func(a, b org.Unit) bool { return a.Code < b.Code }),
		cmpopts.SortSlices(func(a, b org.Rule) bool { return a.Category+"/"+a.Area < b.Category+"/"+b.Area }),
		cmpopts.SortSlices(func(a, b string) bool { return a < b }),
	}
	if diff := cmp.Diff(parseExample(t), parsed, sorted); diff != "" {
		t.Errorf("export differs from the example (-example +export):\n%s", diff)
	}

	// Stable: the same database exports the same bytes.
	again, err := org.Export(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	var buf2 bytes.Buffer
	if err := again.Write(&buf2); err != nil {
		t.Fatal(err)
	}
	if buf2.String() != text {
		t.Errorf("second export differs:\n%s", cmp.Diff(text, buf2.String()))
	}

	// Parents come before their children, siblings by Vietnamese name:
	// "Phường Cẩm Lệ" before "Phường Hải Châu" before "Phường Hòa Cường".
	var codes []string
	for _, a := range parsed.Areas {
		codes = append(codes, a.Code)
	}
	want := []string{"da-nang", "cam-le", "hai-chau", "hoa-cuong", "lien-chieu", "ngu-hanh-son", "son-tra", "thanh-khe", "hoa-vang"}
	if diff := cmp.Diff(want, codes); diff != "" {
		t.Errorf("area order (-want +got):\n%s", diff)
	}
}

func TestExportKeepsCategoryOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	mustApply(t, s, parseExample(t))
	// An order the list alone cannot express, as a future admin screen
	// might leave it.
	if _, err := s.DB().Exec(`UPDATE categories SET position = position * 10`); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s)
	f, err := org.Export(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if f.Categories[0].Position != 10 {
		t.Errorf("exported position = %d, want 10", f.Categories[0].Position)
	}
	if ch := mustApply(t, s, f); !ch.Empty() {
		t.Errorf("re-import changed:\n%s", ch)
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("re-import touched rows:\n%s", cmp.Diff(before, after))
	}
}

func TestExportOfFreshDatabase(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	f, err := org.Export(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	// The seeded categories, nothing else: a starting point to edit.
	if len(f.Categories) != 10 || f.Categories[0].Code != "dat-dai" || f.Categories[0].Position != 0 ||
		len(f.Areas)+len(f.Units)+len(f.Rules) != 0 {
		t.Errorf("fresh export = %+v", f)
	}
}
