package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// What an operator meets: secrets kept out of errors, data kept from
// -reset while in use, times as the reports give them, and errors that
// say what is wrong.

// A DATABASE_URL with a typo (a port that is not a number, a bad escape)
// is refused with the reason, not with the URL: its password would go to
// the terminal and the journal.
func TestAMalformedDatabaseURLIsRefusedWithoutItsPassword(t *testing.T) {
	t.Setenv("LOG_LEVEL", "warn")
	for _, dsn := range []string{
		"postgres://danvan:S3cretPassw0rd@127.0.0.1:54x2/danvan",
		"postgres://danvan:S3cretPassw0rd%zz@127.0.0.1/danvan",
	} {
		t.Setenv("DATABASE_URL", dsn)
		_, err := runCLI(t, "migrate")
		if err == nil {
			t.Fatalf("migrate with DATABASE_URL=%q succeeded", dsn)
		}
		if strings.Contains(err.Error(), "S3cretPassw0rd") || !strings.Contains(err.Error(), "database URL is not valid") {
			t.Errorf("danvan migrate with a malformed DATABASE_URL: %v", err)
		}
	}
}

// danvan demo -reset refuses while another process uses the data's
// database (a sandbox on another port, an admin command: they hold the
// lock on postgres.lock), rather than delete it from under them.
func TestDemoResetSparesADatabaseInUse(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DANVAN_DATA_DIR", dir)
	t.Setenv("DATABASE_URL", "")
	demoDir := filepath.Join(dir, "demo")
	if err := os.MkdirAll(demoDir, 0o755); err != nil {
		t.Fatal(err)
	}
	kept := filepath.Join(demoDir, "kept-by-the-running-sandbox")
	if err := os.WriteFile(kept, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// What a running sandbox (or an admin command using its database) holds.
	lock, err := os.OpenFile(filepath.Join(demoDir, "postgres.lock"), os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_SH); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // nothing needs to start: -reset acts first
	err = dispatch(ctx, []string{"demo", "-reset", "-listen", "127.0.0.1:0"})
	if err == nil || !strings.Contains(err.Error(), "another danvan process") {
		t.Errorf("danvan demo -reset while the database is in use: %v, want a refusal saying why", err)
	}
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("danvan demo -reset on another port deleted the data of a sandbox in use: %v", err)
	}
}

// oneTicketFiledAt imports orgBefore into a new test database and files
// PA-2026-000001 there at a time ("2026-12-01 06:30+07").
func oneTicketFiledAt(t *testing.T, at string) {
	t.Helper()
	db := newDatabase(t)
	if _, err := runCLI(t, "admin", "import", writeFile(t, "org.yaml", orgBefore)); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO citizens (channel, user_id, chat_id) VALUES ('telegram', '1', '1')`)
	mustExec(t, db, `
		INSERT INTO tickets (code, kind, citizen_id, unit_id, description, created_at, updated_at)
		SELECT 'PA-2026-000001', 'phan_anh', c.id, u.id, 'Cống tắc', $1, $1
		FROM citizens c, units u WHERE u.code = 'tiep-nhan'`, at)
}

// ticket list gives the filing time in Vietnam, as the export does, not
// in the database server's time zone.
func TestTicketListGivesTimesInVietnam(t *testing.T) {
	oneTicketFiledAt(t, "2026-12-01 06:30+07")

	csv := filepath.Join(t.TempDir(), "r.csv")
	if _, err := runCLI(t, "export", "-from", "2026-11-01", "-to", "2026-12-01", "-o", csv); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(csv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "2026-12-01 06:30") {
		t.Fatalf("the export does not give the filing time in Vietnam:\n%s", b)
	}
	out, err := runCLI(t, "ticket", "list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "2026-12-01 06:30") {
		t.Errorf("ticket list gives another time than the export's 2026-12-01 06:30 (Asia/Ho_Chi_Minh):\n%s", out)
	}
}

// Lookups that find nothing say so plainly, and a word that is no ticket
// code is called one.
func TestLookupsSayWhatIsNotFound(t *testing.T) {
	newDatabase(t)
	if _, err := runCLI(t, "admin", "import", writeFile(t, "org.yaml", orgBefore)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ticket", "show", "PA-2026-000009"}, "ticket PA-2026-000009: not found"},
		{[]string{"ticket", "show", "KN-2026-000002"}, `"KN-2026-000002" is not a ticket code`},
		{[]string{"ticket", "list", "-unit", "khong-co"}, `unit "khong-co": not found`},
		{[]string{"admin", "revoke", "999"}, "no role with this ID is active"},
	} {
		_, err := runCLI(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "storage:") {
			t.Errorf("danvan %s: %v, want %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
}
