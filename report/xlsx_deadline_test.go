package report_test

import (
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/report"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// A deadline counted in working days is the end of its last day
// (23:59:59.999999 as stored). The XLSX must show it on that day, as the
// CSV and the bot do, not as 00:00 of the next day: "Hạn xử lý" of a
// ticket due on Thursday 15/01 reading 16/01 tells a leader it had a day
// more than the law gave it.
func TestXLSXShowsAWorkingDayDeadlineOnItsOwnDay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	var unitID int64
	if err := s.DB().QueryRowContext(ctx,
		`INSERT INTO units (code, name) VALUES ('ubnd-hc', 'UBND phường Hòa Cường') RETURNING id`).Scan(&unitID); err != nil {
		t.Fatal(err)
	}
	c, err := s.TouchCitizen(ctx, "telegram", "42", "42", "Người dân", "vi")
	if err != nil {
		t.Fatal(err)
	}
	created := at(1, 8, 9, 0) // Thursday 08/01/2026
	tk, err := s.CreateTicket(ctx, storage.NewTicket{Kind: "phan_anh", CitizenID: c.ID, UnitID: unitID,
		Description: "Đèn đường hỏng"}, created)
	if err != nil {
		t.Fatal(err)
	}
	// 5 working days from Thursday 08/01: the end of Thursday 15/01.
	due := workcal.NewCalendar(workcal.Rules{}, nil).AddWorkdays(created, 5)
	if got := workcal.DateOf(due).String(); got != "2026-01-15" {
		t.Fatalf("due %s", got)
	}
	if err := s.SetTicketClock(ctx, tk.ID, 1, created, due, 0); err != nil {
		t.Fatal(err)
	}
	from, to := at(1, 1, 0, 0), at(2, 1, 0, 0)

	csvData, err := report.Generate(ctx, s, nil, from, to, report.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(csvData), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := records[1][9]; got != "2026-01-15 23:59" {
		t.Fatalf("CSV deadline %q", got)
	}

	xlsx, err := report.Generate(ctx, s, nil, from, to, report.FormatXLSX)
	if err != nil {
		t.Fatal(err)
	}
	f := readXLSX(t, xlsx)
	r, _ := rowWith(t, f, report.SheetTickets, 1, tk.Code)
	cell := "K" + strconv.Itoa(r)
	if got := shown(t, f, report.SheetTickets, cell); got != "15/01/2026 23:59" {
		t.Errorf("XLSX deadline shown as %q (cell value %s), want 15/01/2026 23:59 as in the CSV", got, raw(t, f, report.SheetTickets, cell))
	}
}
