package main

import (
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/bot"
)

// notifyOrg has a city with a ward below it, and a commune apart.
const notifyOrg = `categories:
  - {code: khac, name: Khác}
units:
  - {code: tiep-nhan, name: Tiếp nhận, triage: true}
  - {code: ubnd-tp, name: UBND thành phố}
  - {code: ubnd-phuong, name: UBND phường Hải Châu, parent: ubnd-tp}
  - {code: ubnd-xa, name: UBND xã Hòa Vang}
`

// Texts with what an operator may well type: "<", ">" and "&".
const (
	noticeVI = "Thông báo: dữ liệu <b>của bạn</b> có thể đã bị lộ & chúng tôi đã khắc phục.\nDòng 2\nDòng 3\nDòng 4"
	noticeEN = "Notice: your data <i>may</i> have been exposed & we have acted."
)

// notifyDatabase seeds people: each citizen's chat id is their id.
//
//	1 vi  filed PA-1 at the city, January
//	2 en  filed PA-2 at the ward, March; 3 vi co-signed it
//	4 vi  filed PA-4 at the ward, March, and blocked the bot
//	5 en  denounced (PA-5, tố cáo) at the commune, February, and erased their data
//	6 vi  no ticket (a staff member, say)
//	7 vi  filed PA-7 at the commune, January
//	8 vi  filed PA-8 at the ward at 00:30 on 15 February, Vietnam time
func notifyDatabase(t *testing.T) *sql.DB {
	t.Helper()
	db := newDatabase(t)
	if _, err := runCLI(t, "admin", "import", writeFile(t, "org.yaml", notifyOrg)); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO citizens (id, channel, user_id, chat_id, language, unreachable_at, erased_at)
		SELECT n, 'telegram', n::text, n::text, CASE WHEN n IN (2, 5) THEN 'en' ELSE 'vi' END,
		       CASE WHEN n = 4 THEN now() END, CASE WHEN n = 5 THEN now() END
		FROM generate_series(1, 8) n`)
	mustExec(t, db, `INSERT INTO tickets (code, kind, citizen_id, unit_id, description, confidential, created_at)
		SELECT 'PA-2026-00000' || v.citizen, v.kind, v.citizen, u.id, 'Nội dung', v.kind = 'to_cao', v.at::timestamptz
		FROM (VALUES (1, 'phan_anh', 'ubnd-tp', '2026-01-05 09:00+07'), (2, 'kien_nghi', 'ubnd-phuong', '2026-03-10 09:00+07'),
		             (4, 'phan_anh', 'ubnd-phuong', '2026-03-10 10:00+07'), (5, 'to_cao', 'ubnd-xa', '2026-02-01 09:00+07'),
		             (7, 'phan_anh', 'ubnd-xa', '2026-01-20 09:00+07'), (8, 'phan_anh', 'ubnd-phuong', '2026-02-15 00:30+07'))
		     AS v (citizen, kind, unit, at)
		JOIN units u ON u.code = v.unit`)
	mustExec(t, db, `INSERT INTO ticket_cosigners (ticket_id, citizen_id, created_at)
		SELECT id, 3, now() FROM tickets WHERE code = 'PA-2026-000002'`)
	// Citizen 6 only booked the commune's reception.
	mustExec(t, db, `INSERT INTO reception_bookings (unit_id, citizen_id, day, starts, ends, place, subject, created_at, updated_at)
		SELECT id, 6, '2026-02-12', '07:30', '11:00', 'Trụ sở', 'Nội dung', '2026-02-10 09:00+07', '2026-02-10 09:00+07'
		FROM units WHERE code = 'ubnd-xa'`)
	return db
}

// notify runs "admin notify" with the flags and the texts given.
func notify(t *testing.T, vi, en string, flags ...string) (string, error) {
	t.Helper()
	args := append([]string{"admin", "notify", "-vi", writeFile(t, "vi.txt", vi)}, flags...)
	if en != "" {
		args = append(args, "-en", writeFile(t, "en.txt", en))
	}
	return runCLI(t, args...)
}

// queuedTo lists the chats the outbox holds a text message for whose
// text is text escaped, each as many times as it was queued.
func queuedTo(t *testing.T, db *sql.DB, text string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT chat_id FROM outbox WHERE kind = 'text' AND NOT is_group AND payload->>'text' = $1
		ORDER BY chat_id::int`, bot.Escape(text))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var chats []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		chats = append(chats, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return chats
}

func outboxCount(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM outbox`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNotifyDryRunThenSendOncePerPerson(t *testing.T) {
	db := notifyDatabase(t)

	out, err := notify(t, noticeVI, noticeEN, "-all")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Dry run", "Would message 7 people: 5 in Vietnamese, 2 in English (7 messages)",
		"1 who blocked the bot", "Warning: 1 person sent a denunciation", "    Thông báo: dữ liệu <b>của bạn</b>",
		"    Dòng 3\n    … (1 more lines)", "    Notice: your data"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run does not say %q:\n%s", want, out)
		}
	}
	if n := outboxCount(t, db); n != 0 {
		t.Fatalf("the dry run queued %d messages", n)
	}

	out, err = notify(t, noticeVI, noticeEN, "-all", "-send")
	if err != nil || !strings.Contains(out, "Queued for 7 people") || !strings.Contains(out, "At SEND_RATE 30/s the sender needs about 1s") {
		t.Fatalf("-send = %q, %v", out, err)
	}
	// Everyone once, in their language, escaped; the erased person too
	// (a data subject still); not the person who blocked the bot.
	if got := queuedTo(t, db, noticeVI); !slices.Equal(got, []string{"1", "3", "6", "7", "8"}) {
		t.Errorf("the Vietnamese text is queued to %v", got)
	}
	if got := queuedTo(t, db, noticeEN); !slices.Equal(got, []string{"2", "5"}) {
		t.Errorf("the English text is queued to %v", got)
	}
	var raw, keyed int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE payload->>'text' LIKE '%<b>%' OR payload->>'text' LIKE '%<i>%'),
		count(*) FILTER (WHERE dedupe_key LIKE 'notice:%:' || chat_id) FROM outbox`).Scan(&raw, &keyed); err != nil {
		t.Fatal(err)
	}
	if raw != 0 || keyed != 7 {
		t.Errorf("%d messages carry the operator's text as HTML; %d of 7 have the notice's key", raw, keyed)
	}

	// The same notice again queues nothing new, whatever the audience.
	out, err = notify(t, noticeVI, noticeEN, "-unit", "ubnd-tp", "-send")
	if err != nil || !strings.Contains(out, "Queued for 0 people") || !strings.Contains(out, "4 who were sent this notice already") {
		t.Fatalf("again = %q, %v", out, err)
	}
	if n := outboxCount(t, db); n != 7 {
		t.Fatalf("after running the same notice twice the outbox holds %d messages, want 7", n)
	}

	// Without an English text, an English speaker is sent the Vietnamese.
	// An id listed twice is one person.
	ids := writeFile(t, "ids.txt", "# Q13\n2\n\n 2 \n")
	const onlyVI = "Thông báo thứ hai."
	if out, err := notify(t, onlyVI, "", "-ids", ids, "-send"); err != nil || !strings.Contains(out, "Queued for 1 person: 1 in Vietnamese, 0 in English") {
		t.Fatalf("-ids without -en = %q, %v", out, err)
	}
	if got := queuedTo(t, db, onlyVI); !slices.Equal(got, []string{"2"}) {
		t.Errorf("the Vietnamese-only notice is queued to %v, want the English speaker's chat 2 once", got)
	}
}

func TestNotifyUnitSubtreeAndSince(t *testing.T) {
	db := notifyDatabase(t)
	for _, c := range []struct {
		text  string
		flags []string
		want  []string
	}{
		// The city and the ward below it: their filers and co-signer.
		{"Thông báo thành phố.", []string{"-unit", "UBND-TP"}, []string{"1", "2", "3", "8"}},
		{"Thông báo phường.", []string{"-unit", "ubnd-phuong", "-since", "2026-03-01"}, []string{"2", "3"}},
		// A day starts at midnight in Vietnam: PA-8, at 00:30 on the 15th
		// there, is on or after the 15th.
		{"Thông báo từ ngày 15.", []string{"-all", "-since", "2026-02-15"}, []string{"2", "3", "8"}},
		{"Thông báo sau ngày 15.", []string{"-all", "-since", "2026-02-16"}, []string{"2", "3"}},
		// The denouncer is included, with a warning, and erased: still one;
		// so is who only booked the commune's reception.
		{"Thông báo xã.", []string{"-unit", "ubnd-xa"}, []string{"5", "6", "7"}},
	} {
		out, err := notify(t, c.text, "", append(c.flags, "-send")...)
		if err != nil {
			t.Fatalf("%v: %v", c.flags, err)
		}
		if got := queuedTo(t, db, c.text); !slices.Equal(got, c.want) {
			t.Errorf("%v: queued to %v, want %v\n%s", c.flags, got, c.want, out)
		}
		if denounced := slices.Contains(c.want, "5"); denounced != strings.Contains(out, "Of them, 1 person sent a denunciation") {
			t.Errorf("%v: the denunciation warning is wrong:\n%s", c.flags, out)
		}
	}
}

// A text over Telegram's limit goes as several messages, in order, each
// within the limit and with a key of its own.
func TestNotifyLongTextIsSplit(t *testing.T) {
	db := notifyDatabase(t)
	long := strings.Repeat("Thông báo <quan trọng> về dữ liệu cá nhân.\n", 150)
	ids := writeFile(t, "ids.txt", "1\n")
	out, err := notify(t, long, "", "-ids", ids)
	if err != nil || !strings.Contains(out, "Would message 1 person: 1 in Vietnamese, 0 in English (2 messages)") {
		t.Fatalf("dry run = %q, %v", out, err)
	}
	if _, err := notify(t, long, "", "-ids", ids, "-send"); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT payload->>'text', dedupe_key FROM outbox WHERE chat_id = '1' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var texts, keys []string
	for rows.Next() {
		var text, key string
		if err := rows.Scan(&text, &key); err != nil {
			t.Fatal(err)
		}
		if bot.TextLen(text) > bot.MaxTextLen {
			t.Errorf("a part has %d characters", bot.TextLen(text))
		}
		texts, keys = append(texts, text), append(keys, key)
	}
	if len(texts) != 2 || keys[1] != keys[0]+":1" || !strings.HasSuffix(keys[0], ":1") {
		t.Fatalf("%d parts with keys %q", len(texts), keys)
	}
	squash := strings.NewReplacer("\n", "", " ", "")
	if squash.Replace(texts[0]+texts[1]) != squash.Replace(bot.Escape(long)) {
		t.Error("the parts are not the escaped text")
	}
}

func TestNotifyRefusesBadInput(t *testing.T) {
	db := notifyDatabase(t)
	vi := writeFile(t, "vi.txt", noticeVI)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-vi", vi}, "-all, -unit CODE or -ids FILE"},
		{[]string{"-all", "-unit", "ubnd-tp", "-vi", vi}, "not several"},
		{[]string{"-all"}, "-vi FILE is required"},
		{[]string{"-all", "-vi", vi, "now"}, `unexpected argument "now"`},
		{[]string{"-all", "-vi", writeFile(t, "missing", "x") + ".nowhere"}, "no such file"},
		{[]string{"-all", "-vi", writeFile(t, "blank.txt", " \n\t\n")}, "the text is empty"},
		{[]string{"-all", "-vi", vi, "-en", writeFile(t, "empty.txt", "")}, "the text is empty"},
		{[]string{"-all", "-vi", writeFile(t, "bad.txt", "Th\xf4ng b\xe1o")}, "not UTF-8"},
		{[]string{"-all", "-vi", writeFile(t, "plain.txt", "Thong bao: du lieu bi lo")}, "no Vietnamese diacritics"},
		{[]string{"-all", "-vi", writeFile(t, "long.txt", strings.Repeat("Thông báo. ", 1200))}, "three messages"},
		{[]string{"-all", "-since", "2026-02-30", "-vi", vi}, "-since"},
		{[]string{"-all", "-since", "15/02/2026", "-vi", vi}, "-since"},
		{[]string{"-ids", writeFile(t, "ids.txt", "1\n"), "-since", "2026-01-01", "-vi", vi}, "-since applies to -all and -unit"},
		{[]string{"-ids", writeFile(t, "ids.txt", "1\nPA-2026-000002\n"), "-vi", vi}, `ids.txt:2: "PA-2026-000002" is not a citizen id`},
		{[]string{"-ids", writeFile(t, "ids.txt", "# none\n\n"), "-vi", vi}, "lists no citizen ids"},
		{[]string{"-ids", writeFile(t, "ids.txt", "1\n99\n2\n"), "-vi", vi}, "no citizen has the id 99"},
		{[]string{"-unit", "khong-co", "-vi", vi}, `no unit "khong-co"`},
	} {
		_, err := runCLI(t, append(append([]string{"admin", "notify"}, c.args...), "-send")...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("notify %q = %v, want an error saying %q", c.args, err, c.want)
		}
	}
	if n := outboxCount(t, db); n != 0 {
		t.Fatalf("refused notices queued %d messages", n)
	}
}
