package main

import (
	"strings"
	"testing"
)

// The log of looks at confidential senders lists each with its ticket,
// who looked and why; -ticket narrows it to one ticket. The log cannot be
// edited, even by SQL.
func TestIdentityReadsCommand(t *testing.T) {
	db := newDatabase(t)
	for _, q := range []string{
		`INSERT INTO units (code, name) VALUES ('ubnd-tp', 'UBND thành phố')`,
		`INSERT INTO citizens (channel, user_id, chat_id, display_name) VALUES ('telegram', '1', '1', 'Người gửi'), ('telegram', '2', '2', 'Cán bộ tiếp nhận')`,
		`INSERT INTO officers (citizen_id, unit_id, role) SELECT 2, id, 'officer' FROM units`,
		`INSERT INTO tickets (code, kind, citizen_id, description, confidential) VALUES
			('PA-2026-000001', 'to_cao', 1, 'x', true), ('PA-2026-000002', 'to_cao', 1, 'y', true)`,
		`INSERT INTO identity_reads (ticket_id, officer_id, reason, at)
			SELECT t.id, o.id, 'Xác minh ' || t.code, '2026-12-01 09:00+07' FROM tickets t, officers o`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	out, err := runCLI(t, "admin", "identity-reads")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PA-2026-000001", "PA-2026-000002", "Cán bộ tiếp nhận", "ubnd-tp", "2026-12-01 09:00", "Xác minh PA-2026-000001"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q:\n%s", want, out)
		}
	}
	out, err = runCLI(t, "admin", "identity-reads", "-ticket", "PA-2026-000002")
	if err != nil || strings.Contains(out, "PA-2026-000001") || !strings.Contains(out, "PA-2026-000002") {
		t.Errorf("-ticket PA-2026-000002 = %q, %v", out, err)
	}
	// The code as people type it, as for danvan ticket show; what is not a
	// code is refused rather than answered with an empty log.
	out, err = runCLI(t, "admin", "identity-reads", "-ticket", "pa-2026-2")
	if err != nil || strings.Contains(out, "PA-2026-000001") || !strings.Contains(out, "PA-2026-000002") {
		t.Errorf("-ticket pa-2026-2 = %q, %v", out, err)
	}
	if _, err := runCLI(t, "admin", "identity-reads", "-ticket", "2026-000002"); err == nil {
		t.Error("-ticket with no ticket code was accepted")
	}
	if _, err := runCLI(t, "admin", "identity-reads", "-ticket", "PA-2026-000009"); err == nil {
		t.Error("-ticket of a ticket that does not exist was answered with an empty log")
	}
	if _, err := db.Exec(`DELETE FROM identity_reads`); err == nil {
		t.Error("the log could be deleted")
	}
}
