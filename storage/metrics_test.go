package storage_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/danvan-vn/danvan/storage"
)

// The per-unit counts for monitoring apply the reports' definitions to the
// report fixture at the end of its period: open = not answered, completed
// or rejected; overdue = open with a deadline before now (waiting for the
// citizen included while the clock runs). Every active unit is listed, an
// inactive one only while it holds open tickets; unrouted tickets belong
// to no unit.
func TestUnitTicketCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	ids := seedReport(t, s)
	// An inactive unit that still holds an open, overdue ticket.
	if _, err := s.DB().ExecContext(ctx, `
		INSERT INTO tickets (code, kind, status, citizen_id, unit_id, description, due_at, created_at, updated_at)
		SELECT 'PA-2026-000099', 'phan_anh', 'transferred', citizen_id, $1, 'Chuyển nhầm', $2, $3, $3
		FROM tickets LIMIT 1`, ids["cu2"], reportVN(5, 1, 17, 0, 0), reportVN(4, 20, 8, 0, 0)); err != nil {
		t.Fatal(err)
	}

	got, err := s.UnitTicketCounts(ctx, reportTo)
	if err != nil {
		t.Fatal(err)
	}
	want := []storage.UnitTicketCounts{
		{UnitCode: "cu2", Open: 1, Overdue: 1},
		// 000002 reopened, 000800 accepted and 000012 awaiting info are
		// overdue; 000006 was created at the very end, not before it.
		{UnitCode: "hc", Open: 4, Overdue: 3},
		// 000005 is due exactly at the end: open, not overdue.
		{UnitCode: "hc-dc", Open: 2, Overdue: 1},
		{UnitCode: "hch"},
		{UnitCode: "tp"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("counts (-want +got):\n%s", diff)
	}

	// The same figures as the report's overdue column for the same moment.
	summary, err := s.ReportSummary(ctx, nil, reportFrom, reportTo)
	if err != nil {
		t.Fatal(err)
	}
	overdue := map[string]int{}
	for _, c := range got {
		overdue[c.UnitCode] = c.Overdue
	}
	for _, u := range summary {
		if u.UnitCode != "" && u.Overdue != overdue[u.UnitCode] {
			t.Errorf("unit %s: report says %d overdue, monitoring %d", u.UnitCode, u.Overdue, overdue[u.UnitCode])
		}
	}
}
