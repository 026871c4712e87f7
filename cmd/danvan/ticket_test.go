package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/workcal"
)

const orgBefore = `categories:
  - {code: khac, name: Khác}
units:
  - {code: tiep-nhan, name: Tiếp nhận, triage: true}
  - {code: ubnd-quan-cu, name: UBND quận cũ}
`

const orgAfter = `categories:
  - {code: khac, name: Khác}
units:
  - {code: tiep-nhan, name: Tiếp nhận, triage: true}
`

// A unit the organisation file no longer lists (a district abolished by
// the 2025 reorganisation) keeps its tickets; operators must still be
// able to list them and report on them by the unit's code.
func TestTicketsOfRemovedUnitStayReachable(t *testing.T) {
	db := newDatabase(t)
	if _, err := runCLI(t, "admin", "import", writeFile(t, "before.yaml", orgBefore)); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO citizens (channel, user_id, chat_id) VALUES ('telegram', '1', '1')`)
	mustExec(t, db, `
		INSERT INTO tickets (code, kind, citizen_id, unit_id, description)
		SELECT 'PA-2026-000001', 'phan_anh', c.id, u.id, 'Cống tắc'
		FROM citizens c, units u WHERE u.code = 'ubnd-quan-cu'`)
	if _, err := runCLI(t, "admin", "import", writeFile(t, "after.yaml", orgAfter)); err != nil {
		t.Fatal(err)
	}

	out, err := runCLI(t, "ticket", "list", "-unit", "ubnd-quan-cu", "-json")
	if err != nil {
		t.Fatalf("ticket list -unit of a removed unit: %v", err)
	}
	if !strings.Contains(out, `"code": "PA-2026-000001"`) || !strings.Contains(out, `"unit": "ubnd-quan-cu"`) {
		t.Errorf("ticket list -unit ubnd-quan-cu -json = %s", out)
	}

	csv := filepath.Join(t.TempDir(), "quan-cu.csv")
	if _, err := runCLI(t, "export", "-from", "2000-01-01", "-unit", "ubnd-quan-cu", "-o", csv); err != nil {
		t.Fatalf("export -unit of a removed unit: %v", err)
	}
	b, err := os.ReadFile(csv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "PA-2026-000001") {
		t.Errorf("the export of ubnd-quan-cu does not list its ticket:\n%s", b)
	}

	out, err = runCLI(t, "digest", "-unit", "ubnd-quan-cu", "-preview", "-week", time.Now().Format(time.DateOnly))
	if err != nil || !strings.Contains(out, "UBND quận cũ") {
		t.Errorf("digest -unit of a removed unit: %v\n%s", err, out)
	}

	// A code no unit ever had is still an error.
	if _, err := runCLI(t, "ticket", "list", "-unit", "khong-co"); err == nil {
		t.Error("ticket list -unit of an unknown unit succeeded")
	}
}

// Queuing a week not yet over would send leaders part of its figures and
// take the place of Monday's digest (one per leader and week).
func TestDigestOfAWeekNotOverIsNotQueued(t *testing.T) {
	db := newDatabase(t)
	if _, err := runCLI(t, "admin", "import", writeFile(t, "org.yaml", orgBefore)); err != nil {
		t.Fatal(err)
	}
	// This week as it is in Vietnam: on Sunday evening UTC, Monday there.
	_, err := runCLI(t, "digest", "-now", "-week", time.Now().In(workcal.Location()).Format(time.DateOnly))
	if err == nil || !strings.Contains(err.Error(), "-preview") {
		t.Fatalf("digest -now for this week: %v", err)
	}
	var queued int
	if err := db.QueryRow(`SELECT count(*) FROM outbox`).Scan(&queued); err != nil || queued != 0 {
		t.Fatalf("%d messages queued (%v)", queued, err)
	}
}

// ticket show and list give times in Vietnam's time in their JSON too: a
// petition filed at 09:00 in Vietnam reads 09:00+07:00, whatever time zone
// the database server runs in (initdb takes the machine's, often UTC).
func TestTicketJSONTimesAreInVietnam(t *testing.T) {
	oneTicketFiledAt(t, "2026-11-23 09:00:00+07")

	out, err := runCLI(t, "ticket", "show", "PA-2026-000001", "-json")
	if err != nil {
		t.Fatal(err)
	}
	var shown struct {
		CreatedAt string `json:"created_at"`
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if shown.CreatedAt != "2026-11-23T09:00:00+07:00" {
		t.Errorf("ticket show -json: created_at = %q, want 2026-11-23T09:00:00+07:00 (Vietnam's time)", shown.CreatedAt)
	}

	out, err = runCLI(t, "ticket", "list", "-json")
	if err != nil {
		t.Fatal(err)
	}
	var listed []struct {
		CreatedAt string `json:"created_at"`
	}
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed) != 1 {
		t.Fatalf("%v\n%s", err, out)
	}
	if at, err := time.Parse(time.RFC3339, listed[0].CreatedAt); err != nil || listed[0].CreatedAt != "2026-11-23T09:00:00+07:00" {
		t.Errorf("ticket list -json: created_at = %q (%v), want 2026-11-23T09:00:00+07:00", listed[0].CreatedAt, at)
	}
}
