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
	today := time.Now().In(workcal.Location())
	day := func(n int) string { return today.AddDate(0, 0, n).Format(time.DateOnly) }
	add := func(extra ...string) (string, error) {
		return runCLI(t, append([]string{"admin", "consultation", "add", "-unit", "ubnd-quan-cu",
			"-title", "Quy hoạch công viên", "-link", "https://example.org/du-thao"}, extra...)...)
	}

	// Fewer than the law's 20 days after publication (today for one
	// opened yesterday, the day itself not counted) is refused unless
	// forced; so is a consultation with nothing to read.
	if _, err := add("-opens", day(-1), "-closes", day(19)); err == nil || !strings.Contains(err.Error(), "at least 20") {
		t.Fatalf("a consultation closing 19 days after today: %v", err)
	}
	if _, err := add("-opens", day(-15), "-closes", day(4)); err == nil || !strings.Contains(err.Error(), "at least 20") {
		t.Fatalf("a consultation opened 15 days ago, published today, closing in 4 days: %v", err)
	}
	if _, err := runCLI(t, "admin", "consultation", "add", "-unit", "ubnd-quan-cu", "-title", "X", "-closes", day(30)); err == nil {
		t.Fatal("a consultation without summary or link was added")
	}
	if _, err := add("-unit", "khong-co", "-closes", day(30)); err == nil {
		t.Fatal("a consultation of an unknown unit was added")
	}
	out, err := add("-opens", day(-1), "-closes", day(20))
	if err != nil || !strings.Contains(out, "Consultation 1") || !strings.Contains(out, "(20 days after it is published)") {
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

// The followers of the unit's areas are told of a consultation when it
// opens, each in their language; -notify=false tells no one.
func TestConsultationTellsTheFollowersWhenItOpens(t *testing.T) {
	db := newDatabase(t)
	org := `areas:
  - {code: phuong, name: Phường Hòa Cường}
  - {code: to-5, name: Tổ dân phố 5, parent: phuong}
  - {code: khac, name: Phường khác}
categories:
  - {code: khac, name: Khác}
units:
  - {code: tiep-nhan, name: Tiếp nhận, triage: true}
  - {code: ubnd-phuong, name: UBND phường Hòa Cường, areas: [phuong]}
`
	if _, err := runCLI(t, "admin", "import", writeFile(t, "org.yaml", org)); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO citizens (channel, user_id, chat_id, language) VALUES
		('telegram', '1', '1', 'vi'), ('telegram', '2', '2', 'en'), ('telegram', '3', '3', 'vi')`)
	mustExec(t, db, `INSERT INTO area_followers (citizen_id, area_id, created_at)
		SELECT c.id, a.id, now() FROM citizens c, areas a WHERE (c.chat_id, a.code) IN (('1', 'phuong'), ('2', 'to-5'), ('3', 'khac'))`)
	opens := time.Now().In(workcal.Location()).AddDate(0, 0, 2).Format(time.DateOnly)
	closes := time.Now().In(workcal.Location()).AddDate(0, 0, 40).Format(time.DateOnly)
	out, err := runCLI(t, "admin", "consultation", "add", "-unit", "ubnd-phuong", "-title", "Quy hoạch công viên",
		"-link", "https://example.org/du-thao", "-opens", opens, "-closes", closes)
	if err != nil || !strings.Contains(out, "2 people following the unit's areas will be told when it opens") {
		t.Fatalf("add = %q, %v", out, err)
	}
	var vi, en, early int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE chat_id = '1' AND payload->>'text' LIKE '%lấy ý kiến người dân về «Quy hoạch công viên»%'),
		count(*) FILTER (WHERE chat_id = '2' AND payload->>'text' LIKE '%asks residents for comments%'),
		count(*) FILTER (WHERE due_at < (SELECT opens_at FROM consultations WHERE id = 1) - interval '1 minute')
		FROM outbox_scheduled`).Scan(&vi, &en, &early); err != nil {
		t.Fatal(err)
	}
	if vi != 1 || en != 1 || early != 0 {
		t.Fatalf("scheduled %d in Vietnamese, %d in English, %d before the opening", vi, en, early)
	}
	if out, err := runCLI(t, "admin", "consultation", "add", "-unit", "ubnd-phuong", "-title", "Lần hai",
		"-link", "https://example.org/2", "-opens", opens, "-closes", closes, "-notify=false"); err != nil || strings.Contains(out, "will be told") {
		t.Fatalf("add -notify=false = %q, %v", out, err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM outbox_scheduled`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d messages scheduled after a consultation added without notice (%v)", n, err)
	}
}

// A consultation takes comments longer when extended, even after its
// period ended, until its synthesis is published; an earlier or past day
// is refused.
func TestConsultationExtend(t *testing.T) {
	db := newDatabase(t)
	if _, err := runCLI(t, "admin", "import", writeFile(t, "org.yaml", orgBefore)); err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(workcal.Location())
	day := func(n int) string { return today.AddDate(0, 0, n).Format(time.DateOnly) }
	if _, err := runCLI(t, "admin", "consultation", "add", "-unit", "ubnd-quan-cu", "-title", "Quy hoạch công viên",
		"-link", "https://example.org/du-thao", "-opens", day(-30), "-closes", day(-2), "-notify=false", "-force"); err != nil {
		t.Fatal(err)
	}
	extend := func(closes string) (string, error) {
		return runCLI(t, "admin", "consultation", "extend", "-id", "1", "-closes", closes)
	}
	if _, err := extend(day(-1)); err == nil || !strings.Contains(err.Error(), "over already") {
		t.Fatalf("extending to yesterday: %v", err)
	}
	out, err := extend(day(10))
	if err != nil || !strings.Contains(out, "until the end of "+day(10)) || !strings.Contains(out, "it was "+day(-2)) {
		t.Fatalf("extend = %q, %v", out, err)
	}
	var closesAt time.Time
	if err := db.QueryRow(`SELECT closes_at FROM consultations WHERE id = 1`).Scan(&closesAt); err != nil {
		t.Fatal(err)
	}
	if last, _ := workcal.ParseDate(day(10)); !closesAt.Equal(last.AddDays(1).Start()) {
		t.Fatalf("the consultation closes at %v, not at the end of %s", closesAt, day(10))
	}
	if _, err := extend(day(5)); err == nil || !strings.Contains(err.Error(), "already takes comments until the end of "+day(10)) {
		t.Fatalf("shortening by extend: %v", err)
	}
	synthesis := writeFile(t, "tong-hop.txt", "Tiếp thu ý kiến giữ lại cây xanh.\n")
	if _, err := runCLI(t, "admin", "consultation", "close", "-id", "1", "-synthesis", synthesis, "-force"); err != nil {
		t.Fatal(err)
	}
	if _, err := extend(day(20)); err == nil || !strings.Contains(err.Error(), "was closed") {
		t.Fatalf("extending a closed consultation: %v", err)
	}
	if _, err := runCLI(t, "admin", "consultation", "extend", "-id", "9", "-closes", day(20)); err == nil {
		t.Fatal("extending an unknown consultation succeeded")
	}
}
