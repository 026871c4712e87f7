package handlers_test

import (
	"encoding/json"
	"html"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/bot"
)

// The menu's «📢 Thông báo» button ("m:thongbao"), pressed or forged in a
// linked group, does not show the presser's followed areas (where they
// live: personal data) to the whole group, as /thongbao does not.
func TestNoticesMenuButtonInALinkedGroupShowsNoFollowedAreas(t *testing.T) {
	w := newWorld(t)
	w.seedNoticeAreas()
	leader := w.staff(4501, "ubnd-hoa-cuong", "leader")
	leader.follow("Thành phố Đà Nẵng ›", "Phường Hòa Cường ›", "Tổ dân phố 5")
	inGroup := func(mutate func(*bot.Event)) []bot.Outgoing {
		return leader.sends(func(e *bot.Event) { mutate(e); e.Chat = bot.Chat{ID: "-100991", Group: true} })
	}
	mustContain(t, inGroup(func(e *bot.Event) { e.Command, e.Args = "linkgroup", "ubnd-hoa-cuong" }), "Nhóm đã được liên kết")
	out := inGroup(func(e *bot.Event) { e.Button = &bot.Button{QueryID: "qg", Data: "m:thongbao", MessageID: "1"} })
	if got := texts(out); strings.Contains(got, "Tổ dân phố 5") || strings.Contains(got, "đang nhận thông báo") {
		t.Fatalf("the person's followed areas were shown in a group:\n%s", got)
	}
}

// A person who erased their data keeps using the bot (mydata.erase_confirm:
// "You will still be told about your reports in this chat"). If they then
// follow an area again, the bot says they receive its notices: they do,
// and are counted, though erased_at stays.
func TestFollowingAfterErasureReceivesNotices(t *testing.T) {
	w := newWorld(t)
	w.seedNoticeAreas()
	c := w.citizen(4601)
	c.follow("Thành phố Đà Nẵng ›", "Phường Hòa Cường ›", "Theo dõi cả Phường Hòa Cường")
	c.erase()
	mustContain(t, c.follow("Thành phố Đà Nẵng ›", "Phường Hòa Cường ›", "Theo dõi cả Phường Hòa Cường"),
		"đang nhận thông báo về: <b>Phường Hòa Cường</b>")

	l := w.staff(4602, "ubnd-hoa-cuong", "leader")
	mustContain(t, l.says("/congbo"), "Công bố thông báo của UBND phường Hòa Cường")
	l.says("Lịch cắt điện ngày 30/11 tại Phường Hòa Cường")
	l.presses("Công bố")
	if got := w.noticesTo("Lịch cắt điện ngày 30/11"); len(got) != 1 || got["4601"].ChatID != "4601" {
		t.Fatalf("the notice went to %v; want the follower 4601, who follows the ward and is told so", slices.Sorted(maps.Keys(got)))
	}
}

// A notice is accepted up to 3,000 characters (runes), but Telegram's
// 4,096 limit counts UTF-16 code units after the HTML is parsed, and a
// follower's copy is never split. A notice pasted from a fan page in a
// "bold" Unicode font (𝐓𝐡𝐨̂𝐧𝐠 𝐛𝐚́𝐨, common in Vietnam) is refused as too
// long, or, if published, fits.
func TestLongNoticeFitsTelegramsLimit(t *testing.T) {
	w := newWorld(t)
	w.seedNoticeAreas()
	c := w.citizen(4701)
	c.follow("Thành phố Đà Nẵng ›", "Phường Hòa Cường ›", "Theo dõi cả Phường Hòa Cường")

	var b strings.Builder
	for b.Len() < 20000 {
		b.WriteString("𝐓𝐡𝐨̂𝐧𝐠 𝐛𝐚́𝐨 𝐜𝐚̆́𝐭 𝐧𝐮̛𝐨̛́𝐜 𝐭𝐨𝐚̀𝐧 𝐩𝐡𝐮̛𝐨̛̀𝐧𝐠. ")
	}
	text := strings.TrimSpace(string([]rune(b.String())[:3000]))

	l := w.staff(4702, "ubnd-hoa-cuong", "leader")
	l.says("/congbo")
	preview := texts(l.says(text))
	if !strings.Contains(preview, "[📢 Công bố]") {
		// Refused as too long: as good as fitting.
		if n := w.count(`SELECT count(*) FROM announcements`); n != 0 {
			t.Fatalf("%d notices published", n)
		}
		return
	}
	l.presses("Công bố")
	var payloads [][]byte
	if err := w.raw.Select(&payloads, `SELECT payload FROM outbox_scheduled WHERE chat_id = '4701'`); err != nil {
		t.Fatal(err)
	}
	if len(payloads) == 0 {
		t.Fatal("nothing scheduled for the follower")
	}
	for _, p := range payloads {
		var o bot.Outgoing
		if err := json.Unmarshal(p, &o); err != nil {
			t.Fatal(err)
		}
		if n := telegramLen(o.Text); n > bot.MaxTextLen {
			t.Errorf("a scheduled message is %d UTF-16 units once parsed, over Telegram's %d: Telegram refuses it", n, bot.MaxTextLen)
		}
	}
}

var anyTag = regexp.MustCompile(`<[^<>]*>`)

// telegramLen measures an HTML text as Telegram does: tags removed,
// entities decoded, in UTF-16 code units.
func telegramLen(s string) int {
	return bot.TextLen(html.UnescapeString(anyTag.ReplaceAllString(s, "")))
}

// A unit removed from the organisation file (DeactivateUnitsExcept: its
// officers stay, for its remaining tickets) no longer speaks to residents:
// its former leader cannot publish in its name to the followers of the
// areas it used to serve (unit_areas rows stay too).
func TestAnInactiveUnitPublishesNothing(t *testing.T) {
	w := newWorld(t)
	w.seedNoticeAreas()
	c := w.citizen(4801)
	c.follow("Thành phố Đà Nẵng ›", "Phường Hòa Cường ›", "Theo dõi cả Phường Hòa Cường")
	l := w.staff(4802, "ubnd-hoa-cuong", "leader")
	w.exec(`UPDATE units SET active = false WHERE code = 'ubnd-hoa-cuong'`)

	l.says("/congbo")
	if out := texts(l.says("Thông báo của đơn vị đã giải thể")); strings.Contains(out, "[📢 Công bố]") {
		l.presses("Công bố")
	}
	if n := w.count(`SELECT count(*) FROM announcements`) + w.count(`SELECT count(*) FROM outbox_scheduled`); n != 0 {
		t.Fatalf("an inactive unit's former leader published a notice (%d rows)", n)
	}
}

// Staff are addressed «Đồng chí», citizens «Ông/Bà»: a notice over the
// limit is refused in the leaders' words.
func TestNoticeTooLongAddressesTheLeaderAsDongChi(t *testing.T) {
	w := newWorld(t)
	w.seedNoticeAreas()
	l := w.staff(4902, "ubnd-hoa-cuong", "leader")
	l.says("/congbo")
	out := texts(l.says(strings.Repeat("Thông báo ", 301)))
	if strings.Contains(out, "[📢 Công bố]") || !strings.Contains(out, "rút gọn") {
		t.Fatalf("no too-long reply:\n%s", out)
	}
	if strings.Contains(out, "Ông/Bà") {
		t.Errorf("a leader is addressed as a citizen:\n%s", out)
	}
}

// «✅ Theo dõi cả Thành phố Đà Nẵng» ("follow all of the city") is the
// city and everything in it: its wards' notices reach that follower, as
// the receipt's offer assumes.
func TestFollowingTheWholeCityReceivesItsWardsNotices(t *testing.T) {
	w := newWorld(t)
	w.seedNoticeAreas()
	c := w.citizen(5001)
	c.follow("Thành phố Đà Nẵng ›", "Theo dõi cả Thành phố Đà Nẵng")
	l := w.staff(5002, "ubnd-hoa-cuong", "leader")
	l.says("/congbo")
	l.says("Phường Hòa Cường phun thuốc diệt muỗi ngày 28/11")
	l.presses("Công bố")
	if got := w.noticesTo("phun thuốc diệt muỗi"); got["5001"].ChatID != "5001" {
		t.Fatalf("a follower of the whole city did not get a ward's notice (went to %v)", slices.Sorted(maps.Keys(got)))
	}
}
