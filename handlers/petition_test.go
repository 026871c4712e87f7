package handlers_test

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/jobs"
)

func (w *world) seedAreas() {
	w.exec(`INSERT INTO areas (code, name, level) VALUES ('da-nang', 'Thành phố Đà Nẵng', 'thành phố')`)
	w.exec(`INSERT INTO areas (code, name, level, parent_id, latitude, longitude)
		SELECT 'hoa-cuong', 'Phường Hòa Cường', 'phường', id, 16.03, 108.22 FROM areas WHERE code = 'da-nang'`)
	w.exec(`INSERT INTO areas (code, name, level, parent_id, latitude, longitude)
		SELECT 'hai-chau', 'Phường Hải Châu', 'phường', id, 16.07, 108.22 FROM areas WHERE code = 'da-nang'`)
}

func TestWholeSubmissionWithButtons(t *testing.T) {
	w := newWorld(t)
	w.seedAreas()
	c := w.citizen(1001)

	mustContain(t, c.says("/start"), "Xin chào Ông/Bà")
	mustContain(t, c.presses("Gửi phản ánh"), "loại nội dung")
	mustContain(t, c.presses("Phản ánh"), "lĩnh vực")
	mustContain(t, c.presses("Môi trường"), "xảy ra ở đâu")
	mustContain(t, c.presses("Thành phố Đà Nẵng"), "Khu vực <b>Thành phố Đà Nẵng</b>")
	out := c.presses("Phường Hòa Cường")
	mustContain(t, out, "mô tả sự việc")
	if !out[0].RemoveReply {
		t.Error("leaving the area step must take the location keyboard down")
	}
	mustContain(t, c.says("Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành, bốc mùi"), "gửi ảnh")
	mustContain(t, c.sends(func(e *bot.Event) { e.Photo = &bot.File{ID: "photo-1", UniqueID: "u1"} }), "Đã nhận 1/10 ảnh")
	out = c.presses("Tiếp tục")
	mustContain(t, out, "số điện thoại")
	// A reply keyboard is hidden once used: a double tap on it would
	// otherwise answer the next step too.
	var keyboard *bot.ReplyKeyboard
	for _, o := range out {
		keyboard = cmp.Or(o.Reply, keyboard)
	}
	if keyboard == nil || !keyboard.OneTime {
		t.Errorf("the phone keyboard is not one-time: %+v", keyboard)
	}
	mustContain(t, c.sends(func(e *bot.Event) { e.Contact = &bot.Contact{Phone: "0905123456", UserID: c.id} }), "giữ bí mật")
	out = c.presses("Không cần")
	mustContain(t, out, "kiểm tra lại", "Môi trường", "Phường Hòa Cường", "Rác thải tồn đọng", "0905123456")
	out = c.presses("Gửi phản ánh")
	mustContain(t, out, "PA-2026-000001")

	if n := w.count(`SELECT count(*) FROM tickets t JOIN areas a ON a.id = t.area_id
		WHERE t.code = 'PA-2026-000001' AND t.kind = 'phan_anh' AND a.code = 'hoa-cuong'
		AND t.phone = '0905123456' AND NOT t.confidential AND t.status = 'received'`); n != 1 {
		t.Fatal("ticket not stored as submitted")
	}
	if n := w.count(`SELECT count(*) FROM ticket_attachments WHERE file_id = 'photo-1'`); n != 1 {
		t.Fatal("photo not attached")
	}
	if n := w.count(`SELECT count(*) FROM conversations`); n != 0 {
		t.Fatal("conversation not ended")
	}
	// Pressing Send again changes nothing.
	c.presses("Gửi phản ánh")
	if n := w.count(`SELECT count(*) FROM tickets`); n != 1 {
		t.Fatalf("a second press created %d tickets", n)
	}
	mustContain(t, c.says("/status pa-2026-1"), "PA-2026-000001", "Đã tiếp nhận")
}

func TestTypedAnswersAndBack(t *testing.T) {
	w := newWorld(t)
	w.seedAreas()
	c := w.citizen(1002)

	// Text first: it becomes the description, and the form asks the rest.
	mustContain(t, c.says("Đèn đường hỏng cả tuần nay trên đường Bạch Đằng"), "vài bước", "loại nội dung")
	mustContain(t, c.says("kien nghi"), "lĩnh vực")
	mustContain(t, c.says("giao thong"), "xảy ra ở đâu")
	mustContain(t, c.says("hai chau"), "gửi ảnh") // description already known
	mustContain(t, c.says("quay lại"), "mô tả sự việc")
	mustContain(t, c.says("Đèn đường hỏng cả tuần, tối rất nguy hiểm"), "gửi ảnh")
	mustContain(t, c.says("bỏ qua"), "số điện thoại")
	mustContain(t, c.says("0905 111 222"), "giữ bí mật")
	mustContain(t, c.says("có"), "kiểm tra lại", "Kiến nghị", "Giao thông và hạ tầng", "Phường Hải Châu", "tối rất nguy hiểm")
	mustContain(t, c.says("gửi"), "PA-2026-000001")
	if n := w.count(`SELECT count(*) FROM tickets WHERE kind = 'kien_nghi' AND confidential AND phone = '0905111222'`); n != 1 {
		t.Fatal("typed answers not stored")
	}
}

func TestCancelKeepsNothing(t *testing.T) {
	w := newWorld(t)
	c := w.citizen(1003)
	c.says("/new")
	c.presses("Hỏi đáp")
	mustContain(t, c.presses("Hủy"), "Đã hủy")
	if n := w.count(`SELECT count(*) FROM conversations`); n != 0 {
		t.Fatal("draft kept after cancel")
	}
	mustContain(t, c.says("/cancel"), "không có thao tác")
}

func TestLocationChoosesNearestArea(t *testing.T) {
	w := newWorld(t)
	w.seedAreas()
	c := w.citizen(1004)
	c.says("/new")
	c.presses("Phản ánh")
	c.presses("Điện nước")
	out := c.sends(func(e *bot.Event) { e.Location = &bot.Location{Latitude: 16.031, Longitude: 108.221} })
	mustContain(t, out, "mô tả sự việc")
	c.says("Mất nước sinh hoạt từ sáng đến giờ")
	c.presses("Bỏ qua")
	c.says("Bỏ qua")
	mustContain(t, c.presses("Không cần"), "Phường Hòa Cường; vị trí đã gửi")
}

func TestComplaintGetsGuidance(t *testing.T) {
	w := newWorld(t)
	c := w.citizen(1005)
	c.says("/new")
	mustContain(t, c.presses("Khiếu nại"), "chưa được coi là đơn khiếu nại", "90 ngày")
	mustContain(t, c.presses("Vẫn gửi"), "lĩnh vực")
	c.presses("Đất đai")
	mustContain(t, c.says("123 Lê Lợi"), "mô tả sự việc") // an address when no area is configured
	c.says("Tôi không đồng ý với quyết định thu hồi đất của phường")
	c.presses("Bỏ qua")
	c.says("Bỏ qua")
	c.presses("Không cần")
	mustContain(t, c.presses("Gửi phản ánh"), "chưa phải là đơn khiếu nại")
	if n := w.count(`SELECT count(*) FROM tickets WHERE kind = 'khieu_nai' AND address = '123 Lê Lợi'`); n != 1 {
		t.Fatal("complaint not recorded for guidance")
	}
}

func TestDenunciationIsConfidential(t *testing.T) {
	w := newWorld(t)
	c := w.citizen(1006)
	c.says("Cán bộ địa chính nhận hối lộ để cấp phép xây dựng sai quy định")
	mustContain(t, c.presses("Phản ánh"), "lĩnh vực")
	c.presses("Đất đai")
	c.says("Phường Hòa Cường cũ")
	c.presses("Bỏ qua")
	out := c.says("Bỏ qua")
	mustContain(t, out, "đề nghị giữ bí mật", "✓ 🔒 Giữ bí mật")

	d := w.citizen(1007)
	d.says("/new")
	d.presses("Tố cáo")
	d.presses("Vẫn gửi")
	d.presses("Khác")
	d.says("Trụ sở phường")
	d.says("Một cán bộ thu tiền trái quy định khi làm thủ tục")
	d.presses("Bỏ qua")
	d.says("Bỏ qua")
	out = d.presses("Tiếp tục")
	mustContain(t, out, "Giữ bí mật danh tính: Có")
}

func TestBadInputChangesNothing(t *testing.T) {
	w := newWorld(t)
	c := w.citizen(1008)
	c.says("/new")
	c.presses("Phản ánh")

	// A forged category id and a button from another step.
	mustAnswer(t, c.pressData("1", "p:category:set:99999"), "không còn hiệu lực")
	mustAnswer(t, c.pressData("1", "p:review:send"), "không còn hiệu lực")
	mustAnswer(t, c.pressData("1", "zz:what"), "không còn hiệu lực")
	var step string
	if err := w.raw.Get(&step, `SELECT step FROM conversations`); err != nil || step != "category" {
		t.Fatalf("step = %q, %v", step, err)
	}
	c.presses("Y tế")
	c.says("Trạm y tế")
	mustContain(t, c.says(strings.Repeat("quá dài ", 500)), "vượt quá giới hạn 3.000 ký tự")
	mustContain(t, c.sends(func(e *bot.Event) { e.Unsupported = "sticker" }), "chưa xử lý được loại tin nhắn")
	mustContain(t, c.sends(func(e *bot.Event) { e.Document = &bot.File{ID: "d", MIME: "application/pdf"} }), "chỉ nhận ảnh")
	mustContain(t, c.says("/frobnicate"), "chưa hiểu lệnh /frobnicate")
	mustContain(t, c.says("<b>x</b>"), "hơi ngắn")
	if err := w.raw.Get(&step, `SELECT step FROM conversations`); err != nil || step != "description" {
		t.Fatalf("step = %q, %v", step, err)
	}
}

func mustAnswer(t *testing.T, out []bot.Outgoing, want string) {
	t.Helper()
	for _, o := range out {
		if o.Kind == bot.KindAnswer && strings.Contains(o.Text, want) {
			return
		}
	}
	t.Fatalf("no callback answer %q in %+v", want, out)
}

func TestStatusIsForTheOwnerOnly(t *testing.T) {
	w := newWorld(t)
	owner, other := w.citizen(1010), w.citizen(1011)
	owner.says("Cây xanh gãy đổ chắn ngang đường Trưng Nữ Vương")
	owner.presses("Phản ánh")
	owner.presses("Môi trường")
	owner.says("đường Trưng Nữ Vương")
	owner.presses("Bỏ qua")
	owner.says("Bỏ qua")
	owner.presses("Không cần")
	owner.presses("Gửi phản ánh")

	mustContain(t, other.says("/status PA-2026-000001"), "Không tìm thấy phản ánh mã PA-2026-000001")
	mustContain(t, other.says("/status PA-2026-000002"), "Không tìm thấy phản ánh mã PA-2026-000002")
	mustContain(t, other.says("/status hello"), "chưa phải là mã phản ánh hợp lệ")
	mustContain(t, owner.says("/my"), "PA-2026-000001", "Cây xanh gãy đổ")
	mustContain(t, owner.presses("PA-2026-000001"), "Quá trình xử lý")
}

func TestEveryButtonPressIsAnswered(t *testing.T) {
	w := newWorld(t)
	c := w.citizen(1012)
	c.says("/start")
	for _, label := range []string{"Gửi phản ánh", "Phản ánh", "Hủy"} {
		out := c.presses(label)
		answers := 0
		for _, o := range out {
			if o.Kind == bot.KindAnswer {
				answers++
			}
		}
		if answers != 1 {
			t.Fatalf("pressing %q queued %d answers", label, answers)
		}
	}
}

func TestEnglish(t *testing.T) {
	w := newWorld(t)
	c := w.citizen(1013)
	c.says("/lang")
	mustContain(t, c.presses("English"), "Switched to English")
	mustContain(t, c.presses("Send a report"), "What would you like to send?")
}

// Text that cannot be a description, given with /new or as the caption of
// a first photo, is refused with the reason; the petition starts without
// it (the photo kept) and its description step asks again.
func TestAStartingTextOutsideTheLimitsIsNotTheDescription(t *testing.T) {
	w := newWorld(t)
	w.seedAreas()
	draft := func(c *citizen) (description string, photos int) {
		t.Helper()
		err := w.raw.QueryRow(`SELECT coalesce(data->>'description', ''), coalesce(jsonb_array_length(data->'photos'), 0)
			FROM conversations WHERE chat_id = $1 AND flow = 'petition'`, c.id).Scan(&description, &photos)
		if err != nil {
			t.Fatal(err)
		}
		return description, photos
	}

	short := w.citizen(1301)
	mustContain(t, short.says("/new hi"), "Nội dung hơi ngắn", "loại nội dung nào")
	if d, _ := draft(short); d != "" {
		t.Fatalf("/new hi made %q the description", d)
	}

	long := w.citizen(1302)
	mustContain(t, long.says("/new "+strings.Repeat("ngập ", 700)), "vượt quá giới hạn 3.000 ký tự", "loại nội dung nào")
	if d, _ := draft(long); d != "" {
		t.Fatalf("a description of %d characters was taken", len([]rune(d)))
	}

	photo := w.citizen(1303)
	mustContain(t, photo.sends(func(e *bot.Event) {
		e.Photo, e.Text = &bot.File{ID: "p1", UniqueID: "u1"}, "đây"
	}), "Nội dung hơi ngắn", "loại nội dung nào")
	if d, n := draft(photo); d != "" || n != 1 {
		t.Fatalf("after a photo captioned too briefly: description %q, %d photos", d, n)
	}
}

// draftStep returns the step of the citizen's petition draft, or "" if none.
func (w *world) draftStep(c *citizen) string {
	w.t.Helper()
	var step string
	_ = w.raw.Get(&step, `SELECT step FROM conversations WHERE chat_id = $1 AND flow = 'petition'`, c.id)
	return step
}

// draftField returns a field of the citizen's petition draft, or "".
func (w *world) draftField(c *citizen, field string) string {
	w.t.Helper()
	var v string
	_ = w.raw.Get(&v, `SELECT coalesce(data->>$2, '') FROM conversations WHERE chat_id = $1 AND flow = 'petition'`, c.id, field)
	return v
}

// backToArea has a citizen describe a petition about an area and go back
// to the area step to change it, where the browser shows the city.
func (c *citizen) backToArea(area, text string) {
	c.w.t.Helper()
	c.describe(area, text)
	c.presses("Quay lại")
	mustContain(c.w.t, c.presses("Quay lại"), "Khu vực <b>Thành phố Đà Nẵng</b>")
}

// A citizen picks Phường Hòa Cường by mistake, goes back to the area step
// and shares the location of the spot, in Hải Châu: the location replaces
// the ward chosen before, and the review shows the ward near the spot.
func TestALocationSharedAfterBackReplacesTheArea(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(5201)
	c.backToArea("Phường Hòa Cường", "Rác thải tồn đọng nhiều ngày trước chợ")
	c.sends(func(e *bot.Event) { e.Location = &bot.Location{Latitude: 16.0701, Longitude: 108.2201} })
	c.presses("Bỏ qua")
	c.says("Bỏ qua")
	out := texts(c.presses("Không cần"))
	if !strings.Contains(out, "Phường Hải Châu; vị trí đã gửi") || strings.Contains(out, "Phường Hòa Cường") {
		t.Fatalf("the location shared at the area step did not replace the area chosen before:\n%s", out)
	}
}

// The same with a typed address: it replaces the ward chosen before going
// back, so the ticket is not filed in that ward, nor routed to its unit.
func TestATypedAddressAfterBackReplacesTheArea(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(5401)
	c.backToArea("Phường Hòa Cường", "Rác thải tồn đọng nhiều ngày trước chợ")
	mustContain(t, c.says("Số 5 đường Hùng Vương, gần chợ Hàn"), "gửi ảnh")
	c.presses("Bỏ qua")
	c.says("Bỏ qua")
	c.presses("Không cần")
	c.presses("Gửi phản ánh")
	if n := w.count(`SELECT count(*) FROM tickets WHERE area_id IS NULL AND address = 'Số 5 đường Hùng Vương, gần chợ Hàn'`); n != 1 {
		t.Fatal("the typed address did not replace the ward chosen before going back")
	}
}

// A typed field that the names of several fields contain ("giáo": Giáo dục
// or Giao thông và hạ tầng?) is asked again with the candidates, and a
// single letter is no field at all; the full name is taken.
func TestAnAmbiguousTypedFieldIsAskedAgain(t *testing.T) {
	w := newWorld(t)
	w.seedAreas()
	c := w.citizen(5210)
	c.says("/new")
	c.presses("Phản ánh")
	mustContain(t, c.says("giáo"), "nhiều lĩnh vực", "«Giáo dục»", "«Giao thông và hạ tầng»", "[Giáo dục]")
	mustContain(t, c.says("a"), "chọn một nút")
	if s := w.draftStep(c); s != "category" || w.draftField(c, "category_id") != "" {
		t.Fatalf("an ambiguous field was chosen: step %q, category %q", s, w.draftField(c, "category_id"))
	}
	mustContain(t, c.says("giáo dục"), "xảy ra ở đâu")
}

// The labels of the buttons, typed, are understood at every step, in
// either language: a Vietnamese speaker types «Vẫn gửi để được hướng
// dẫn», «Chọn toàn bộ khu vực này», «Không cần» and «Gửi phản ánh»; an
// English speaker goes through
// the form typing «Question», «Skip», «Keep confidential» and «Send report».
func TestTypedButtonLabelsInEitherLanguage(t *testing.T) {
	w := newWorld(t)
	w.seedAreas()

	c := w.citizen(5241)
	c.says("/new")
	mustContain(t, c.presses("Khiếu nại"), "Lưu ý về khiếu nại")
	mustContain(t, c.says("Vẫn gửi để được hướng dẫn"), "lĩnh vực")
	c.presses("Đất đai")
	c.presses("Thành phố Đà Nẵng")
	mustContain(t, c.says("Chọn toàn bộ khu vực này"), "mô tả sự việc")
	if n := w.count(`SELECT count(*) FROM conversations WHERE chat_id = $1
		AND (data->>'area_id')::bigint = (SELECT id FROM areas WHERE code = 'da-nang')`, c.id); n != 1 {
		t.Fatal("typed «Chọn toàn bộ khu vực này» did not choose the city")
	}

	d := w.citizen(5242)
	d.describe("Phường Hòa Cường", "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành")
	d.presses("Bỏ qua")
	d.says("Bỏ qua")
	mustContain(t, d.says("Không cần"), "kiểm tra lại")
	mustContain(t, d.says("Gửi phản ánh"), "PA-2026-000001")

	e := w.citizen(5243)
	e.says("/lang")
	e.presses("English")
	e.says("/new")
	mustContain(t, e.says("Question"), "Which field")
	e.says("Environment")
	e.says("Phường Hòa Cường")
	e.says("Rubbish has piled up for days at 25 Nui Thanh lane")
	e.says("Skip")
	mustContain(t, e.says("Skip"), "identity kept confidential")
	mustContain(t, e.says("Keep confidential"), "Please check")
	mustContain(t, e.says("Send report"), "PA-2026-000002")
	if n := w.count(`SELECT count(*) FROM tickets WHERE kind = 'hoi_dap' AND confidential`); n != 1 {
		t.Fatal("the typed answers in English were not taken")
	}
}

// A caption on a photo sent once the petition has its description adds to
// it, once, instead of being lost; one that would make the description too
// long is not added, and the person is told so, the photo kept.
func TestACaptionOnALaterPhotoAddsToTheDescription(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3641)
	c.describe("Phường Hòa Cường", "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành")
	photo := func(id, caption string) []bot.Outgoing {
		return c.sends(func(e *bot.Event) { e.Photo, e.Text = &bot.File{ID: id, UniqueID: id}, caption })
	}
	mustContain(t, photo("p1", "Ảnh chụp sáng nay, mùi rất nặng"), "Đã thêm chú thích")
	photo("p2", "Ảnh chụp sáng nay, mùi rất nặng") // the same caption on a second photo of the album
	if got := w.draftField(c, "description"); got != "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành\nẢnh chụp sáng nay, mùi rất nặng" {
		t.Fatalf("description %q", got)
	}
	mustContain(t, photo("p3", strings.Repeat("Rất bẩn. ", 400)), "chưa được thêm", "3.000")
	if got := w.draftField(c, "description"); strings.Contains(got, "Rất bẩn") {
		t.Fatal("an over-long caption was added")
	}
	if n := w.count(`SELECT jsonb_array_length(data->'photos') FROM conversations WHERE chat_id = $1`, c.id); n != 3 {
		t.Fatalf("%d photos in the draft, want 3", n)
	}
}

// Starting a petition (/new, the menu, an area's link) while writing one
// with content asks whether to go on with it or start again, rather than
// drop it unasked. Starting again keeps the area the link chose.
func TestStartingAgainAsksAboutTheDraftInProgress(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3651)
	c.describe("Phường Hòa Cường", "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành")
	mustContain(t, c.says("/new"), "đang soạn dở", "«Rác thải tồn đọng", "[✏️ Soạn tiếp phản ánh đang dở]")
	if w.draftStep(c) != "photos" || !strings.HasPrefix(w.draftField(c, "description"), "Rác thải") {
		t.Fatal("/new dropped the draft before the person chose")
	}
	mustContain(t, c.presses("Soạn tiếp"), "ảnh")
	if w.draftStep(c) != "photos" {
		t.Fatalf("going on left the draft at %q", w.draftStep(c))
	}
	mustContain(t, c.says("/start a_hai-chau"), "đang soạn dở")
	c.presses("Bỏ và soạn phản ánh mới")
	if w.draftField(c, "description") != "" || w.draftField(c, "source") != "a_hai-chau" || w.draftStep(c) != "kind" {
		t.Fatalf("starting again: step %q, source %q, description %q", w.draftStep(c), w.draftField(c, "source"), w.draftField(c, "description"))
	}
	// A draft without content yet is simply started again.
	if strings.Contains(texts(c.says("/new")), "đang soạn dở") {
		t.Fatal("asked about a draft with nothing in it")
	}
}

// Cancel under the screen of an earlier step, or of an earlier petition,
// leaves the petition being written alone; the current screen's cancels.
func TestOnlyTheCurrentScreensCancelDropsTheDraft(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3661)
	c.describe("Phường Hòa Cường", "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành")
	mustAnswer(t, c.pressData("1", "p:review:cancel"), "không còn hiệu lực")
	if w.draftStep(c) != "photos" {
		t.Fatalf("a cancel from another screen dropped the draft at %q", w.draftStep(c))
	}
	mustContain(t, c.pressData("1", "p:photos:cancel"), "Đã hủy phản ánh")
	if w.draftStep(c) != "" {
		t.Fatal("the current screen's cancel kept the draft")
	}
}

// A denunciation is kept secret without asking; the person who then goes
// back and makes it a phản ánh is asked, rather than have it kept secret
// by a choice they never made.
func TestADenunciationMadeAPhanAnhAsksAboutSecrecy(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3671)
	c.says("/new")
	c.presses("Tố cáo")
	c.presses("Vẫn gửi")
	c.presses("Đất đai")
	c.presses("Thành phố Đà Nẵng")
	c.presses("Phường Hòa Cường")
	c.says("Cán bộ địa chính phường thu tiền trái quy định khi làm sổ đỏ")
	c.presses("Bỏ qua")
	c.says("Bỏ qua")
	c.presses("Tiếp tục")
	if w.draftStep(c) != "review" {
		t.Fatalf("at %q, want the review", w.draftStep(c))
	}
	for i := 0; w.draftStep(c) != "kind"; i++ { // back to the kind
		if i == 8 {
			t.Fatalf("Back did not lead to the kind, at %q", w.draftStep(c))
		}
		c.pressData("1", "p:"+w.draftStep(c)+":back")
	}
	c.presses("Phản ánh")
	if step := w.draftStep(c); step != "confidential" {
		t.Fatalf("a former denunciation went on to %q without asking about secrecy", step)
	}
}

// The «Bỏ và soạn phản ánh mới» button under an earlier petition's question
// does not drop the petition being written now, which is at the same step:
// the button names the draft it offered to drop.
func TestAnEarlierDraftsRestartButtonLeavesTheNewDraftAlone(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3964)
	c.describe("Phường Hòa Cường", "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành")
	if !strings.Contains(texts(c.says("/new")), "đang soạn dở") {
		t.Fatal("not asked about the draft")
	}
	msgID, restart := w.findButton(c.id, "Bỏ và soạn phản ánh mới")
	c.says("hủy") // the first draft is cancelled instead
	if w.draftStep(c) != "" {
		t.Fatalf("draft still at %q after hủy", w.draftStep(c))
	}
	c.describe("Phường Hòa Cường", "Đèn đường hỏng cả tuần nay ở đường Núi Thành")
	step := w.draftStep(c)
	c.pressData(msgID, restart) // the old question's button
	if w.draftStep(c) != step || w.draftField(c, "description") == "" {
		t.Errorf("an earlier petition's restart button (%s) dropped the draft being written: now at %q, description %q",
			restart, w.draftStep(c), w.draftField(c, "description"))
	}
}

// "/new TEXT" while writing a petition asks about the draft first; starting
// again then starts the new petition with TEXT as its description, as
// "/new TEXT" does without a draft.
func TestStartingAgainKeepsTheTextGivenWithNew(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3965)
	const text = "Đèn đường hỏng cả tuần nay ở đường Núi Thành"
	c.describe("Phường Hòa Cường", "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành")
	mustContain(t, c.says("/new "+text), "đang soạn dở")
	c.presses("Bỏ và soạn phản ánh mới")
	if got := w.draftField(c, "description"); got != text || w.draftStep(c) != "kind" {
		t.Fatalf("starting again: step %q, description %q; want the text given with /new", w.draftStep(c), got)
	}
}

// Every way of leaving the area step takes its location keyboard down:
// Telegram keeps a reply keyboard on screen until a message removes it,
// and one left there would start a petition unasked.
func TestLeavingTheAreaStepTakesTheLocationKeyboardDown(t *testing.T) {
	for name, leave := range map[string]func(w *world, c *citizen) []bot.Outgoing{
		"/new": func(w *world, c *citizen) []bot.Outgoing { return c.says("/new") },
		"starting again": func(w *world, c *citizen) []bot.Outgoing {
			c.sends(func(e *bot.Event) { e.Photo = &bot.File{ID: "photo-1", UniqueID: "u1"} })
			mustContain(t, c.says("/new"), "đang soạn dở")
			return c.presses("Bỏ và soạn phản ánh mới")
		},
		"/cancel": func(w *world, c *citizen) []bot.Outgoing { return c.says("/cancel") },
		"expiry": func(w *world, c *citizen) []bot.Outgoing {
			w.now = w.now.Add(handlers.DraftLifetime + time.Hour)
			return c.says("/new")
		},
		"housekeeping": func(w *world, c *citizen) []bot.Outgoing {
			w.now = w.now.Add(handlers.DraftLifetime + 24*time.Hour)
			if err := jobs.Housekeeping(w.store).Run(w.ctx, w.now); err != nil {
				t.Fatal(err)
			}
			return w.sent()
		},
		"erasure": func(w *world, c *citizen) []bot.Outgoing { return c.erase() },
		"a staff task": func(w *world, c *citizen) []bot.Outgoing {
			w.citizen(3973).file("Phường Hòa Cường", "Cây đổ chắn ngang đường Núi Thành")
			return c.presses("Trả lời")
		},
	} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.seedOrg()
			c := w.staff(3972, "ubnd-hoa-cuong", "officer") // staff write petitions too
			c.says("/new")
			c.presses("Phản ánh")
			if out := c.presses("Môi trường"); !slices.ContainsFunc(out, func(o bot.Outgoing) bool { return o.Reply != nil }) {
				t.Fatal("the area step shows no location keyboard")
			}
			out := leave(w, c)
			i := slices.IndexFunc(sentTo(out, c.id), func(o bot.Outgoing) bool { return o.RemoveReply })
			if i < 0 {
				t.Fatalf("the location keyboard stays on screen:\n%s", texts(out))
			}
			if name == "a staff task" && !strings.Contains(sentTo(out, c.id)[i].Text, "đồng chí") {
				t.Errorf("a staff member is told as a citizen: %s", sentTo(out, c.id)[i].Text)
			}
			if silent := sentTo(out, c.id)[i].Silent; silent != (name == "housekeeping") {
				t.Errorf("silent %v: only what housekeeping sends at night goes without a sound", silent)
			}
		})
	}
}
