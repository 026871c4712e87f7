package main

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/workcal"
)

// noticeOrg is a ward serving its area, with a residential group
// below it.
const noticeOrg = `areas:
  - {code: phuong, name: Phường Hòa Cường}
  - {code: to-5, name: Tổ dân phố 5, parent: phuong}
categories:
  - {code: khac, name: Khác}
units:
  - {code: tiep-nhan, name: Tiếp nhận, triage: true}
  - {code: ubnd-phuong, name: UBND phường Hòa Cường, areas: [phuong]}
`

// consultationFollowed imports the ward, has one resident follow it,
// and adds a consultation opening in 5 days and ending in 40, which
// schedules the followers' notice for its opening.
func consultationFollowed(t *testing.T) (*sql.DB, func(int) string) {
	t.Helper()
	db := newDatabase(t)
	if _, err := runCLI(t, "admin", "import", writeFile(t, "org.yaml", noticeOrg)); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO citizens (channel, user_id, chat_id, language) VALUES ('telegram', '1', '1', 'vi')`)
	mustExec(t, db, `INSERT INTO area_followers (citizen_id, area_id, created_at)
		SELECT c.id, a.id, now() FROM citizens c, areas a WHERE c.chat_id = '1' AND a.code = 'phuong'`)
	today := time.Now().In(workcal.Location())
	day := func(n int) string { return today.AddDate(0, 0, n).Format(time.DateOnly) }
	out, err := runCLI(t, "admin", "consultation", "add", "-unit", "ubnd-phuong", "-title", "Quy hoạch công viên",
		"-link", "https://example.org/du-thao", "-opens", day(5), "-closes", day(40))
	if err != nil || !strings.Contains(out, "1 people following") {
		t.Fatalf("setup: add = %q, %v", out, err)
	}
	return db, day
}

// A consultation closed before it opened (close -force) takes back the
// notice of its opening: followers are not invited to comment on it.
func TestAConsultationClosedBeforeItOpensIsNotAnnounced(t *testing.T) {
	db, _ := consultationFollowed(t)
	synthesis := writeFile(t, "tong-hop.txt", "Dừng lấy ý kiến: dự thảo được rút để sửa lại.\n")
	if _, err := runCLI(t, "admin", "consultation", "close", "-id", "1", "-synthesis", synthesis, "-force"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM outbox_scheduled WHERE dedupe_key LIKE 'consultation:1:%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("the consultation is closed, yet %d notices inviting comments on it are still scheduled for its opening", n)
	}
}

// Extended before it opens, a consultation's notice gives the new last day.
func TestAnExtendedConsultationIsAnnouncedWithItsNewLastDay(t *testing.T) {
	db, day := consultationFollowed(t)
	if _, err := runCLI(t, "admin", "consultation", "extend", "-id", "1", "-closes", day(60)); err != nil {
		t.Fatal(err)
	}
	var text string
	if err := db.QueryRow(`SELECT payload->>'text' FROM outbox_scheduled WHERE dedupe_key LIKE 'consultation:1:%'`).Scan(&text); err != nil {
		t.Fatal(err)
	}
	last, _ := workcal.ParseDate(day(60))
	want := last.Start().In(workcal.Location()).Format("02/01/2006")
	if !strings.Contains(text, want) {
		t.Fatalf("the consultation now takes comments until %s, but its scheduled notice says:\n%s", want, text)
	}
}
