package handlers_test

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/danvan-vn/danvan/bot"
)

// seedNoticeAreas has the sample wards serve their areas and the city the
// whole of it, and gives Hòa Cường a residential group below it.
func (w *world) seedNoticeAreas() {
	w.seedOrg()
	w.exec(`INSERT INTO areas (code, name, level, parent_id)
		SELECT 'hc-to-5', 'Tổ dân phố 5', 'tổ dân phố', id FROM areas WHERE code = 'hoa-cuong'`)
	w.exec(`INSERT INTO unit_areas (unit_id, area_id)
		SELECT u.id, a.id FROM units u, areas a
		WHERE (u.code, a.code) IN (('ubnd-hoa-cuong', 'hoa-cuong'), ('ubnd-hai-chau', 'hai-chau'), ('ubnd-tp', 'da-nang'))`)
}

// noticesTo returns the chats a notice containing text was scheduled for,
// with the payload of each.
func (w *world) noticesTo(text string) map[string]bot.Outgoing {
	w.t.Helper()
	var rows []struct {
		ChatID  string `db:"chat_id"`
		Payload []byte `db:"payload"`
	}
	if err := w.raw.Select(&rows, `SELECT chat_id, payload FROM outbox_scheduled WHERE payload->>'text' LIKE '%' || $1 || '%'`, text); err != nil {
		w.t.Fatal(err)
	}
	got := map[string]bot.Outgoing{}
	for _, r := range rows {
		var o bot.Outgoing
		if err := json.Unmarshal(r.Payload, &o); err != nil {
			w.t.Fatal(err)
		}
		got[r.ChatID] = o
	}
	return got
}

// Residents follow areas; a ward leader's notice reaches once each the
// followers of the ward and of the areas below it, in their language,
// paced; a city leader's reaches every ward's; residents read notices and
// stop them.
func TestNoticesReachTheFollowersOfAUnitsAreas(t *testing.T) {
	w := newWorld(t)
	w.seedNoticeAreas()

	a := w.citizen(4001)
	mustContain(t, a.says("/thongbao"), "chưa theo dõi khu vực nào", "[➕ Theo dõi một khu vực]")
	mustContain(t, a.presses("Theo dõi một khu vực"), "[Thành phố Đà Nẵng ›]")
	mustContain(t, a.presses("Thành phố Đà Nẵng ›"), "Khu vực <b>Thành phố Đà Nẵng</b>",
		"[Phường Hòa Cường ›]", "[Phường Hải Châu]", "[✅ Theo dõi cả Thành phố Đà Nẵng]")
	a.presses("Phường Hòa Cường ›")
	mustContain(t, a.presses("Tổ dân phố 5"), "đang nhận thông báo về: <b>Tổ dân phố 5</b>", "Chưa có thông báo nào")

	b := w.citizen(4002) // another ward
	b.follow("Thành phố Đà Nẵng ›", "Phường Hải Châu")

	c := w.citizen(4003) // the whole ward and a group in it: one message
	c.follow("Thành phố Đà Nẵng ›", "Phường Hòa Cường ›", "Theo dõi cả Phường Hòa Cường")
	mustContain(t, c.follow("Thành phố Đà Nẵng ›", "Phường Hòa Cường ›", "Tổ dân phố 5"),
		"<b>Phường Hòa Cường</b>, <b>Tổ dân phố 5</b>")

	d := w.citizen(4004) // reads English
	d.follow("Thành phố Đà Nẵng ›", "Phường Hòa Cường ›", "Theo dõi cả Phường Hòa Cường")
	w.exec(`UPDATE citizens SET language = 'en' WHERE chat_id = '4004'`)

	// Only leaders publish.
	mustContain(t, w.staff(4101, "ubnd-hoa-cuong", "officer").says("/congbo"), "Chỉ lãnh đạo đơn vị")
	mustContain(t, a.says("/congbo"), "chỉ dành cho cán bộ")
	if n := w.count(`SELECT count(*) FROM conversations WHERE flow = 'notice'`); n != 0 {
		t.Fatalf("%d notice forms started by people who may not publish", n)
	}

	l := w.staff(4100, "ubnd-hoa-cuong", "leader")
	mustContain(t, l.says("/congbo"), "Công bố thông báo của UBND phường Hòa Cường", "3 người đang theo dõi Phường Hòa Cường")
	mustContain(t, l.sends(func(ev *bot.Event) { ev.Photo = &bot.File{ID: "f1", UniqueID: "u1"} }), "bằng chữ")
	first := l.says("Lịch cắt nước <ngày 25/11>")
	mustContain(t, first, "gửi tới 3 người", "Thông báo của UBND phường Hòa Cường",
		"Lịch cắt nước &lt;ngày 25/11&gt;", "[📢 Công bố]")
	mustContain(t, l.says("Lịch cắt nước ngày 25/11, từ 8 giờ đến 17 giờ"), "gửi tới 3 người")
	// The first preview's button publishes nothing: its text was replaced.
	mustContain(t, l.pressData("1", buttonData(t, first, "Công bố")), "bản xem lại cũ")
	if n := w.count(`SELECT count(*) FROM announcements`); n != 0 {
		t.Fatalf("an earlier preview's button published %d notices", n)
	}
	mustContain(t, l.presses("Công bố"), "Đã công bố thông báo tới 3 người")
	mustContain(t, l.presses("Công bố"), "Nút này không còn hiệu lực")

	got := w.noticesTo("Lịch cắt nước ngày 25/11")
	if diff := cmp.Diff([]string{"4001", "4003", "4004"}, slices.Sorted(maps.Keys(got))); diff != "" {
		t.Fatalf("the ward's notice went to (-want +got):\n%s", diff)
	}
	if !strings.Contains(got["4004"].Text, "Notice from UBND phường Hòa Cường") || !strings.Contains(got["4001"].Text, "Thông báo của UBND phường Hòa Cường") {
		t.Errorf("not in each person's language: %q / %q", got["4004"].Text, got["4001"].Text)
	}
	var due []time.Time
	if err := w.raw.Select(&due, `SELECT due_at FROM outbox_scheduled ORDER BY due_at`); err != nil {
		t.Fatal(err)
	}
	for i, at := range due {
		if want := due[0].Add(time.Duration(i) * time.Second / 20); !at.Equal(want) {
			t.Errorf("message %d due at %v, want %v: 20 a second", i, at, want)
		}
	}

	// The city's notice reaches the followers of every ward.
	city := w.staff(4102, "ubnd-tp", "leader")
	city.says("/congbo")
	city.says("Thành phố tổ chức tiêm chủng miễn phí")
	mustContain(t, city.presses("Công bố"), "tới 4 người")
	if diff := cmp.Diff([]string{"4001", "4002", "4003", "4004"}, slices.Sorted(maps.Keys(w.noticesTo("tiêm chủng")))); diff != "" {
		t.Fatalf("the city's notice went to (-want +got):\n%s", diff)
	}

	// Residents read the notices of their areas, newest first.
	out := a.says("/thongbao")
	mustContain(t, out, "1. 23/11/2026 · <b>UBND thành phố Đà Nẵng</b>", "2. 23/11/2026 · <b>UBND phường Hòa Cường</b>", "[📄 2]")
	mustContain(t, a.presses("📄 2"), "UBND phường Hòa Cường</b> · 23/11/2026 16:00", "từ 8 giờ đến 17 giờ")
	mustContain(t, b.says("/thongbao"), "Thành phố tổ chức tiêm chủng")
	if strings.Contains(texts(b.says("/thongbao")), "Lịch cắt nước") {
		t.Error("Hải Châu's follower sees Hòa Cường's notice")
	}
	mustContain(t, l.says("/congbo"), "Đã công bố gần đây:", "23/11/2026 · 3 người nhận")
	l.says("/cancel")

	// Stopping them: the area is no longer followed.
	mustContain(t, a.presses("Ngừng nhận: Tổ dân phố 5"), "chưa theo dõi khu vực nào")
	if n := w.count(`SELECT count(*) FROM area_followers f JOIN citizens c ON c.id = f.citizen_id WHERE c.chat_id = '4001'`); n != 0 {
		t.Errorf("%d areas still followed after stopping", n)
	}
}

// Forged or stale presses change nothing: no area followed or unfollowed,
// no notice published, no unit reached outside the person's roles.
func TestNoticeButtonsRefuseForgedData(t *testing.T) {
	w := newWorld(t)
	w.seedNoticeAreas()
	c := w.citizen(4201)
	c.follow("Thành phố Đà Nẵng ›", "Phường Hải Châu")
	l := w.staff(4202, "ubnd-hoa-cuong", "leader")
	var haiChau string
	if err := w.raw.Get(&haiChau, `SELECT id::text FROM units WHERE code = 'ubnd-hai-chau'`); err != nil {
		t.Fatal(err)
	}
	before := w.count(`SELECT count(*) FROM area_followers`)
	for _, forged := range []string{"n:f:999999", "n:f:abc", "n:f:-1", "n:a:999999", "n:u:999999", "n:r:0", "n:r:999999",
		"n:s", "n:s:00000000", "n:x", "n:zz", "n:", "n:f", "n:f:1:2", "n:p:" + haiChau, "n:p:abc"} {
		mustContain(t, c.pressData("1", forged), "Nút này không còn hiệu lực")
		mustContain(t, l.pressData("1", forged), "Nút này không còn hiệu lực")
	}
	if after := w.count(`SELECT count(*) FROM area_followers`); after != before {
		t.Errorf("forged presses changed the areas followed: %d, then %d", before, after)
	}
	if n := w.count(`SELECT count(*) FROM announcements`) + w.count(`SELECT count(*) FROM conversations WHERE flow = 'notice'`); n != 0 {
		t.Errorf("forged presses started or published %d notices", n)
	}
	// A group is for staff: notices are followed in a private chat.
	g := w.citizen(4203)
	ev := g.event()
	ev.Chat.ID, ev.Chat.Group, ev.Command = "-100", true, "thongbao"
	w.handle(ev)
	if out := w.sent(); len(out) > 0 && strings.Contains(texts(out), "Theo dõi một khu vực") {
		t.Errorf("a group was offered to follow areas: %s", texts(out))
	}
}

// A person's followed areas are theirs: in the download, and gone after
// erasure.
func TestFollowedAreasArePersonalData(t *testing.T) {
	w := newWorld(t)
	w.seedNoticeAreas()
	c := w.citizen(4301)
	c.follow("Thành phố Đà Nẵng ›", "Phường Hải Châu")
	c.says("/mydata")
	var export struct {
		Followed []struct {
			Area string `json:"area"`
		} `json:"followed_areas"`
	}
	if err := json.Unmarshal([]byte(c.exported()), &export); err != nil {
		t.Fatal(err)
	}
	if len(export.Followed) != 1 || export.Followed[0].Area != "Phường Hải Châu" {
		t.Errorf("followed areas in the download: %+v", export.Followed)
	}
	c.erase()
	if n := w.count(`SELECT count(*) FROM area_followers`); n != 0 {
		t.Errorf("%d areas still followed after erasure", n)
	}
}

// buttonData returns the data of the button labelled label in out.
func buttonData(t *testing.T, out []bot.Outgoing, label string) string {
	t.Helper()
	for _, o := range out {
		for _, row := range o.Buttons {
			for _, b := range row {
				if strings.Contains(b.Text, label) {
					return b.Data
				}
			}
		}
	}
	t.Fatalf("no button %q in %s", label, texts(out))
	return ""
}

// follow has a person follow an area from /thongbao, pressing the labels
// given after «Theo dõi một khu vực».
func (c *citizen) follow(labels ...string) []bot.Outgoing {
	c.w.t.Helper()
	c.says("/thongbao")
	out := c.presses("Theo dõi một khu vực")
	for _, l := range labels {
		out = c.presses(l)
	}
	return out
}

// A petition's receipt offers notices about its area while the person
// follows neither it nor an area above it; taking the offer leaves the
// receipt as it is.
func TestReceiptOffersNoticesAboutThePetitionsArea(t *testing.T) {
	w := newWorld(t)
	w.seedNoticeAreas()
	c := w.citizen(4401)
	mustContain(t, []bot.Outgoing{receiptOf(t, c, "Rác thải tồn đọng ở kiệt 25 Núi Thành")}, "[🔔 Nhận thông báo về Phường Hòa Cường]")

	out := c.presses("Nhận thông báo về Phường Hòa Cường")
	mustContain(t, out, "sẽ nhận các thông báo của chính quyền về <b>Phường Hòa Cường</b>")
	for _, o := range out {
		if o.Kind == bot.KindEdit {
			t.Fatalf("the receipt was replaced: %q", o.Text)
		}
	}
	if n := w.count(`SELECT count(*) FROM area_followers f JOIN areas a ON a.id = f.area_id WHERE a.code = 'hoa-cuong'`); n != 1 {
		t.Fatalf("%d followers of Hòa Cường after taking the offer", n)
	}
	if strings.Contains(texts([]bot.Outgoing{receiptOf(t, c, "Đèn đường hỏng ở kiệt 40 Núi Thành")}), "Nhận thông báo") {
		t.Error("the offer is made again to a follower")
	}

	// Following the city covers its wards.
	d := w.citizen(4402)
	d.follow("Thành phố Đà Nẵng ›", "Theo dõi cả Thành phố Đà Nẵng")
	if strings.Contains(texts([]bot.Outgoing{receiptOf(t, d, "Cây đổ trên đường Núi Thành")}), "Nhận thông báo") {
		t.Error("the offer is made to a follower of the city")
	}
}

// receiptOf files a petition about the whole of Hòa Cường (an area with
// one below it) and returns its receipt.
func receiptOf(t *testing.T, c *citizen, text string) bot.Outgoing {
	t.Helper()
	c.says("/new")
	c.presses("Phản ánh")
	c.presses("Môi trường")
	c.presses("Thành phố Đà Nẵng")
	c.presses("Phường Hòa Cường ›")
	c.presses("toàn bộ khu vực")
	c.says(text)
	c.presses("Bỏ qua")
	c.says("Bỏ qua")
	c.presses("Không cần")
	for _, o := range c.presses("Gửi phản ánh") {
		if strings.Contains(o.Text, "PA-") {
			return o
		}
	}
	t.Fatal("no receipt")
	return bot.Outgoing{}
}

// A leader's download holds the notices they published, and everyone's
// holds the account the bot reaches them by.
func TestMyDataHoldsTheNoticesPublishedAndTheAccount(t *testing.T) {
	w := newWorld(t)
	w.seedNoticeAreas()
	l := w.staff(4501, "ubnd-hoa-cuong", "leader")
	l.says("/congbo")
	l.says("Phường tổ chức tổng vệ sinh sáng Chủ nhật")
	l.presses("Công bố")
	l.says("/mydata")
	var export struct {
		Account struct {
			UserID string `json:"user_id"`
			ChatID string `json:"chat_id"`
		} `json:"account"`
		Notices []struct {
			Unit string `json:"unit"`
			Text string `json:"text"`
		} `json:"notices_published"`
	}
	if err := json.Unmarshal([]byte(l.exported()), &export); err != nil {
		t.Fatal(err)
	}
	if export.Account.UserID != l.id || export.Account.ChatID != l.id {
		t.Errorf("account in the download: %+v", export.Account)
	}
	if len(export.Notices) != 1 || export.Notices[0].Unit != "UBND phường Hòa Cường" ||
		export.Notices[0].Text != "Phường tổ chức tổng vệ sinh sáng Chủ nhật" {
		t.Errorf("notices in the download: %+v", export.Notices)
	}
}
