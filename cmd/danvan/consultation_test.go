package main

import (
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/workcal"
)

func TestConsultationCommands(t *testing.T) {
	db := newDatabase(t)
	if _, err := runCLI(t, "admin", "import", writeFile(t, "org.yaml", orgBefore)); err != nil {
		t.Fatal(err)
	}
	today := time.Now()
	day := func(n int) string { return today.AddDate(0, 0, n).Format(time.DateOnly) }
	add := func(extra ...string) (string, error) {
		return runCLI(t, append([]string{"admin", "consultation", "add", "-unit", "ubnd-quan-cu",
			"-title", "Quy hoạch công viên", "-link", "https://example.org/du-thao"}, extra...)...)
	}

	// Shorter than the law's 20 days (opens and closes days included) is
	// refused unless forced; so is a consultation with nothing to read.
	if _, err := add("-opens", day(-1), "-closes", day(17)); err == nil || !strings.Contains(err.Error(), "at least 20") {
		t.Fatalf("a 19-day consultation: %v", err)
	}
	if _, err := runCLI(t, "admin", "consultation", "add", "-unit", "ubnd-quan-cu", "-title", "X", "-closes", day(30)); err == nil {
		t.Fatal("a consultation without summary or link was added")
	}
	if _, err := add("-unit", "khong-co", "-closes", day(30)); err == nil {
		t.Fatal("a consultation of an unknown unit was added")
	}
	out, err := add("-opens", day(-1), "-closes", day(18))
	if err != nil || !strings.Contains(out, "Consultation 1") || !strings.Contains(out, "(20 days)") {
		t.Fatalf("add = %q, %v", out, err)
	}
	if _, err := add("-opens", day(-30), "-closes", day(-25), "-force"); err != nil {
		t.Fatalf("a forced short consultation: %v", err)
	}

	// One comment from each of two people, two from the first.
	mustExec(t, db, `INSERT INTO citizens (channel, user_id, chat_id, language) VALUES ('telegram', '1', '1', 'vi'), ('telegram', '2', '2', 'en')`)
	mustExec(t, db, `INSERT INTO tickets (code, kind, citizen_id, unit_id, description, consultation_id)
		SELECT 'PA-2026-00000' || c.id || n, 'gop_y', c.id, 1, 'Ý kiến', 1 FROM citizens c, generate_series(1, 2 - (c.id - 1)::int) n`)

	out, err = runCLI(t, "admin", "consultation", "list")
	if err != nil || !strings.Contains(out, "open") || !strings.Contains(out, "ended, no synthesis") || !strings.Contains(out, "Quy hoạch công viên") {
		t.Fatalf("list = %s, %v", out, err)
	}

	synthesis := writeFile(t, "tong-hop.txt", "Tiếp thu ý kiến giữ lại cây xanh; không tiếp thu đề nghị bỏ bãi xe vì thiếu chỗ đỗ.\n")
	if _, err := runCLI(t, "admin", "consultation", "close", "-id", "1", "-synthesis", synthesis); err == nil || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("closing an open consultation: %v", err)
	}
	out, err = runCLI(t, "admin", "consultation", "close", "-id", "1", "-synthesis", synthesis, "-force")
	if err != nil || !strings.Contains(out, "queued for the 2 people") {
		t.Fatalf("close = %q, %v", out, err)
	}
	var vi, en int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE chat_id = '1' AND payload->>'text' LIKE '%công bố kết quả tổng hợp%không tiếp thu%'),
		count(*) FILTER (WHERE chat_id = '2' AND payload->>'text' LIKE '%publishes the synthesis%') FROM outbox`).Scan(&vi, &en); err != nil {
		t.Fatal(err)
	}
	if vi != 1 || en != 1 {
		t.Fatalf("synthesis queued %d times in Vietnamese, %d in English", vi, en)
	}
	if _, err := runCLI(t, "admin", "consultation", "close", "-id", "1", "-synthesis", synthesis); err == nil || !strings.Contains(err.Error(), "was closed") {
		t.Fatalf("closing twice: %v", err)
	}
	if _, err := runCLI(t, "admin", "consultation", "close", "-id", "9", "-synthesis", synthesis); err == nil {
		t.Fatal("closing an unknown consultation succeeded")
	}
	if out, _ := runCLI(t, "admin", "consultation", "list"); !strings.Contains(out, "closed "+today.In(workcal.Location()).Format(time.DateOnly)) {
		t.Fatalf("list after close:\n%s", out)
	}
}
