package report_test

import (
	"context"
	"errors"
	"testing"

	"github.com/danvan-vn/danvan/report"
	"github.com/danvan-vn/danvan/storage"
)

// An XLSX report of more tickets than a sheet holds is refused from their
// count, before any is read (a province's year would be held in memory
// only to be refused); the count is of the report's own scope, and a CSV
// file, which has no such limit, is read. Not parallel: it lowers the
// package's limit.
func TestAnXLSXReportTooLongForASheetIsRefusedBeforeItsTicketsAreRead(t *testing.T) {
	report.LimitXLSXTickets(t, 2)
	ctx := context.Background()
	s := openStore(t)
	c, err := s.TouchCitizen(ctx, "telegram", "42", "42", "Người dân", "vi")
	if err != nil {
		t.Fatal(err)
	}
	var ward, other int64
	if err := s.DB().QueryRowContext(ctx, `INSERT INTO units (code, name) VALUES ('ubnd-hc', 'UBND phường Hòa Cường') RETURNING id`).Scan(&ward); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().QueryRowContext(ctx, `INSERT INTO units (code, name) VALUES ('ubnd-hch', 'UBND phường Hải Châu') RETURNING id`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	for i, unit := range []int64{ward, ward, other} {
		if _, err := s.CreateTicket(ctx, storage.NewTicket{Kind: "phan_anh", CitizenID: c.ID, UnitID: unit,
			Description: "Đèn đường hỏng trên đường Núi Thành"}, at(3, 2+i, 9, 0)); err != nil {
			t.Fatal(err)
		}
	}
	from, to := at(1, 1, 0, 0), at(7, 1, 0, 0)

	d, err := report.Load(ctx, s, report.FormatXLSX, nil, from, to)
	var tooMany *report.TooManyRowsError
	if !errors.As(err, &tooMany) || tooMany.Tickets != 3 || !errors.Is(err, report.ErrTooManyRows) {
		t.Fatalf("Load of an XLSX report of 3 tickets, a sheet holding 2: %v, want a TooManyRowsError of 3", err)
	}
	if d.Rows != nil || d.Summary != nil {
		t.Fatalf("the refused report was read: %d tickets, %d units", len(d.Rows), len(d.Summary))
	}
	if d, err = report.Load(ctx, s, report.FormatXLSX, []int64{ward}, from, to); err != nil || len(d.Rows) != 2 {
		t.Fatalf("the ward's XLSX report, 2 tickets: %d read, %v", len(d.Rows), err)
	}
	if d, err = report.Load(ctx, s, report.FormatCSV, nil, from, to); err != nil || len(d.Rows) != 3 {
		t.Fatalf("the CSV report, 3 tickets: %d read, %v", len(d.Rows), err)
	}
}
