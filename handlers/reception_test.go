package handlers_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// receptionHours has a unit receive citizens on Thursdays (the world's
// clock starts on Monday 23/11/2026, 16:00 in Vietnam).
func (w *world) receptionHours(unit string, capacity int) int64 {
	w.t.Helper()
	var id int64
	w.run(func(tx *storage.Store) error {
		u, err := tx.UnitByCode(w.ctx, unit)
		if err != nil {
			return err
		}
		id = u.ID
		return tx.SetReceptionHours(w.ctx, storage.ReceptionHours{UnitID: u.ID, Weekday: time.Thursday, Starts: "07:30",
			Ends: "11:30", Place: "Trụ sở " + u.Name, Capacity: capacity}, w.now)
	})
	return id
}

// book has a citizen book the reception of the first unit offered on a
// day ("26/11") with a subject.
func (c *citizen) book(day, subject string) {
	c.w.t.Helper()
	c.says("/tiepdan")
	c.presses("phường Hòa Cường")
	mustContain(c.w.t, c.presses(day), "nêu ngắn gọn nội dung")
	mustContain(c.w.t, c.says(subject), "Đã đăng ký tiếp công dân")
}

// bookByName books as book does, with more units holding receptions
// than buttons: the unit is found by typing part of its name.
func (c *citizen) bookByName(typed, day, subject string) {
	c.w.t.Helper()
	c.says("/tiepdan")
	c.says(typed)
	c.presses("phường Hòa Cường")
	c.presses(day)
	mustContain(c.w.t, c.says(subject), "Đã đăng ký tiếp công dân")
}

// opensBooking has a staff member open a booking's card from /lichtiep.
func (c *citizen) opensBooking(id int64) []bot.Outgoing {
	c.w.t.Helper()
	c.says("/lichtiep")
	return c.presses(fmt.Sprintf("#%d", id))
}

func (w *world) bookingID(citizenID string) int64 {
	w.t.Helper()
	return int64(w.count(`SELECT b.id FROM reception_bookings b JOIN citizens c ON c.id = b.citizen_id
		WHERE c.user_id = $1 ORDER BY b.id DESC LIMIT 1`, citizenID))
}

// A citizen books the Thursday reception from the menu, is reminded the
// day before, is received, and gets the follow-up ticket with Art. 28's
// clock; the next citizen did not come and is told so.
func TestCitizenBooksReceptionAndIsReceived(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.receptionHours("ubnd-hoa-cuong", 2)
	officer := w.staff(2501, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3501)

	c.says("/start")
	out := c.presses("Đăng ký tiếp công dân")
	mustContain(t, out, "chọn đơn vị", "[UBND phường Hòa Cường]")
	out = c.presses("UBND phường Hòa Cường")
	// The next four Thursdays, tomorrow on; none beyond four weeks.
	mustContain(t, out, "[Thứ Năm 26/11 · 07:30–11:30 · còn 2 chỗ]", "[Thứ Năm 03/12", "[Thứ Năm 10/12", "[Thứ Năm 17/12")
	if strings.Contains(texts(out), "24/12") {
		t.Fatalf("more than four days offered:\n%s", texts(out))
	}
	out = c.presses("26/11")
	mustContain(t, out, "Thứ Năm, 26/11/2026, 07:30–11:30", "Trụ sở UBND phường Hòa Cường", "đồng ý để UBND phường Hòa Cường")
	out = c.says("Đề nghị xem xét việc cấp giấy chứng nhận quyền sử dụng đất cho gia đình tôi")
	mustContain(t, out, "Đã đăng ký tiếp công dân", "Thứ Năm, 26/11/2026", "mang theo căn cước công dân")
	if n := w.count(`SELECT count(*) FROM reception_bookings WHERE status = 'booked' AND day = '2026-11-26'`); n != 1 {
		t.Fatalf("%d bookings", n)
	}
	if n := w.count(`SELECT count(*) FROM consents WHERE purpose = 'handling' AND ticket_id IS NULL`); n != 1 {
		t.Fatalf("%d consents recorded", n)
	}
	if n := w.count(`SELECT count(*) FROM conversations`); n != 0 {
		t.Fatal("the booking left a conversation behind")
	}
	mustContain(t, c.says("/tiepdan"), "Lịch tiếp công dân của Ông/Bà", "Thứ Năm, 26/11/2026", "[Hủy lịch Thứ Năm 26/11]")

	// The second place goes; a third citizen is offered the week after.
	d := w.citizen(3502)
	d.book("26/11", "Hỏi về tiến độ giải phóng mặt bằng đường Nguyễn Hữu Thọ")
	late := w.citizen(3503)
	late.says("/tiepdan")
	out = late.presses("UBND phường Hòa Cường")
	if strings.Contains(texts(out), "26/11") || !strings.Contains(texts(out), "[Thứ Năm 03/12 · 07:30–11:30 · còn 2 chỗ]") {
		t.Fatalf("a full day is offered:\n%s", texts(out))
	}

	// Wednesday: each citizen is reminded once, the ward gets its list.
	w.now = time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	remind := func() {
		w.run(func(tx *storage.Store) error { return w.service.RemindReceptions(w.ctx, tx, "telegram") })
	}
	remind()
	out = w.sent()
	checkOutgoing(t, out)
	mustContain(t, sentTo(out, c.id), "Nhắc lịch tiếp công dân ngày mai", "07:30–11:30", "Trụ sở UBND phường Hòa Cường")
	mustContain(t, sentTo(out, d.id), "Nhắc lịch tiếp công dân ngày mai")
	mustContain(t, sentTo(out, officer.id), "Lịch tiếp công dân Thứ Năm, 26/11/2026</b>: 2 người đăng ký", "giải phóng mặt bằng")
	if len(out) != 3 {
		t.Fatalf("%d reminders, want 3", len(out))
	}
	remind()
	if out := w.sent(); len(out) != 0 {
		t.Fatalf("reminded twice: %s", texts(out))
	}

	// Before the day the booking can only be refused.
	out = officer.says("/lichtiep")
	mustContain(t, out, "Lịch tiếp công dân", "giấy chứng nhận quyền sử dụng đất", "Hỏi về tiến độ")
	id := w.bookingID(c.id)
	out = officer.presses(fmt.Sprintf("#%d", id))
	mustContain(t, out, "Người đăng ký: Người dân 3501", "[⛔ Từ chối tiếp]")
	if strings.Contains(texts(out), "Đã tiếp") {
		t.Fatal("a booking can be recorded as received before its day")
	}
	msgID, _ := w.findButton(officer.id, "Từ chối tiếp")
	mustContain(t, officer.pressData(msgID, fmt.Sprintf("t:m:%d", id)), "Chưa đến ngày tiếp")

	// Thursday morning: received. The follow-up ticket is in hand, due
	// in 10 working days, and the citizen has its code.
	w.now = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	officer.opensBooking(id)
	out = officer.presses("Đã tiếp")
	mustContain(t, sentTo(out, officer.id), "Đã ghi nhận buổi tiếp theo lịch", "PA-2026-000001", "10/12/2026", "Tiếp công dân")
	mustContain(t, sentTo(out, c.id), "Cảm ơn Ông/Bà đã đến buổi tiếp công dân của UBND phường Hòa Cường", "PA-2026-000001",
		"đến hết ngày <b>10/12/2026</b>")
	if n := w.count(`SELECT count(*) FROM tickets t JOIN reception_bookings b ON b.ticket_id = t.id
		JOIN deadline_rules r ON r.id = t.deadline_rule_id
		WHERE b.id = $1 AND b.status = 'received' AND t.kind = 'tiep_dan' AND t.status = 'in_progress'
		  AND r.kind = 'tiep_dan' AND t.description LIKE 'Đề nghị xem xét%'`, id); n != 1 {
		t.Fatal("the reception did not file its follow-up ticket")
	}
	if due := w.dueOf("PA-2026-000001").In(workcal.Location()).Format("02/01/2006"); due != "10/12/2026" {
		t.Fatalf("due %s, want 10/12/2026", due)
	}
	// The card pressed again files nothing more.
	mustContain(t, officer.presses("Đã tiếp"), "Lịch này đã được xử lý: đã tiếp")
	if n := w.count(`SELECT count(*) FROM tickets`); n != 1 {
		t.Fatalf("%d tickets", n)
	}
	// The ticket goes on as any other: answered, the citizen may rate it.
	officer.says("/resolve PA-2026-000001 Hồ sơ của gia đình Ông/Bà đủ điều kiện, giấy chứng nhận sẽ cấp ngày 5/12.")
	mustContain(t, c.says("/status PA-2026-000001"), "Tiếp công dân")

	// The other citizen did not come.
	officer.opensBooking(w.bookingID(d.id))
	out = officer.presses("Vắng mặt")
	mustContain(t, sentTo(out, d.id), "ghi nhận Ông/Bà không đến buổi tiếp công dân", "/tiepdan")
	mustContain(t, officer.says("/lichtiep"), "Không có lịch tiếp công dân nào")
}

// A refusal carries its reason to the citizen and frees the place; a day
// called off tells its citizens and is no longer offered; people outside
// the unit, forged buttons and other people's bookings change nothing.
func TestReceptionRefusalCallOffAndScope(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	unit := w.receptionHours("ubnd-hoa-cuong", 1)
	officer := w.staff(2511, "ubnd-hoa-cuong", "officer")
	other := w.staff(2512, "ubnd-hai-chau", "officer")
	c := w.citizen(3511)
	c.book("26/11", "Khiếu nại lần hai về quyết định đã giải quyết năm 2024")
	id := w.bookingID(c.id)

	// Another unit's officer sees nothing and can do nothing.
	mustContain(t, other.says("/lichtiep"), "Không có lịch tiếp công dân nào")
	mustContain(t, other.pressData("1", fmt.Sprintf("t:o:%d", id)), "không có quyền xử lý lịch tiếp")
	mustContain(t, other.pressData("1", fmt.Sprintf("t:f:%d", id)), "không có quyền xử lý lịch tiếp")
	// A citizen cannot act as staff, nor cancel someone else's booking.
	stranger := w.citizen(3512)
	mustContain(t, stranger.pressData("1", fmt.Sprintf("t:m:%d", id)), "Nút này không còn hiệu lực")
	stranger.pressData("1", fmt.Sprintf("t:c:%d", id))
	for _, forged := range []string{"t:d:1:2026-13-40", "t:u:x", "t:c:", "t:zz:1", "t"} {
		stranger.pressData("1", forged)
	}
	if n := w.count(`SELECT count(*) FROM reception_bookings WHERE status = 'booked'`); n != 1 {
		t.Fatal("someone else's press changed the booking")
	}
	// A day that is not a reception day cannot be booked by a forged press.
	mustContain(t, stranger.pressData("1", fmt.Sprintf("t:d:%d:2026-11-27", unit)), "không còn nhận đăng ký")
	// Full: the stranger is offered the next week only.
	stranger.says("/tiepdan")
	if out := texts(stranger.presses("UBND phường Hòa Cường")); strings.Contains(out, "26/11") {
		t.Fatalf("a full day is offered:\n%s", out)
	}

	// Refused with a reason (Art. 9), which the citizen receives.
	officer.opensBooking(id)
	mustContain(t, officer.presses("Từ chối tiếp"), "Điều 9 Luật Tiếp công dân", "[Vụ việc đã giải quyết", "[✍️ Lý do khác]")
	mustContain(t, officer.presses("Lý do khác"), "lý do từ chối tiếp công dân theo lịch #")
	out := officer.says("Nội dung đã được giải quyết và giải thích đầy đủ tại Quyết định số 12/QĐ-UBND <2024>")
	mustContain(t, sentTo(out, officer.id), "Đã gửi thông báo từ chối tiếp")
	mustContain(t, sentTo(out, c.id), "Thông báo từ chối tiếp công dân", "Quyết định số 12/QĐ-UBND &lt;2024&gt;", "Điều 9")
	if n := w.count(`SELECT count(*) FROM reception_bookings WHERE id = $1 AND status = 'refused' AND reason LIKE 'Nội dung%'`, id); n != 1 {
		t.Fatal("the refusal was not recorded")
	}
	// The place is free again and the stranger takes it.
	stranger.book("26/11", "Đề nghị sửa chữa đèn chiếu sáng kiệt 25 Núi Thành")
	// A refusal on one of Art. 9's grounds sends its words, in the
	// citizen's language.
	e := w.citizen(3513)
	e.says("/lang")
	e.presses("English")
	e.says("/tiepdan")
	e.presses("phường Hòa Cường")
	e.presses("03/12")
	mustContain(t, e.says("Complaint for the fifth time about the 2019 land recovery decision"), "Reception booked")
	officer.opensBooking(w.bookingID(e.id))
	// Days before it, the cases about conduct at the reception are not
	// offered, nor taken from a forged press.
	if out := texts(officer.presses("Từ chối tiếp")); strings.Contains(out, "Say, mất khả năng") || strings.Contains(out, "Đe dọa") {
		t.Fatalf("conduct at a reception not yet held offered as a ground:\n%s", out)
	}
	mustContain(t, officer.pressData("1", fmt.Sprintf("t:g:%d:1", w.bookingID(e.id))), "Chưa đến ngày tiếp")
	out = officer.presses("Vụ việc đã giải quyết")
	mustContain(t, sentTo(out, officer.id), "Đã gửi thông báo từ chối tiếp")
	mustContain(t, sentTo(out, e.id), "Notice of refusal of reception", "pursues the complaint or denunciation regardless", "Art. 9")
	if n := w.count(`SELECT count(*) FROM reception_bookings WHERE citizen_id = (SELECT id FROM citizens WHERE user_id = $1)
		AND status = 'refused' AND reason LIKE 'The matter has been settled%'`, e.id); n != 1 {
		t.Fatal("the refusal on a ground was not recorded with its words")
	}

	// The ward calls Thursday off: the stranger is told why, the day is
	// no longer offered, and calling it off twice fails.
	callOff := func() (int, error) {
		var n int
		err := w.store.InTx(w.ctx, func(tx *storage.Store) error {
			var err error
			n, _, err = handlers.CallOffReceptionDay(w.ctx, tx, unit, workcal.NewDate(2026, 11, 26),
				"Lãnh đạo phường đi công tác", w.now)
			return err
		})
		return n, err
	}
	if n, err := callOff(); err != nil || n != 1 {
		t.Fatalf("call off: %d told, %v", n, err)
	}
	out = w.sent()
	mustContain(t, sentTo(out, stranger.id), "Thông báo hoãn buổi tiếp công dân", "Thứ Năm, 26/11/2026", "Lãnh đạo phường đi công tác")
	if len(out) != 1 {
		t.Fatalf("%d messages for calling a day off", len(out))
	}
	if _, err := callOff(); !errors.Is(err, storage.ErrDuplicate) {
		t.Fatalf("second call off: %v", err)
	}
	c.says("/tiepdan")
	if out := texts(c.presses("UBND phường Hòa Cường")); strings.Contains(out, "26/11") || !strings.Contains(out, "03/12") {
		t.Fatalf("a called-off day is offered:\n%s", out)
	}

	// The citizen cancels their own booking from /tiepdan.
	c.presses("03/12")
	c.says("Đề nghị xem xét lại việc cấp phép xây dựng nhà số 7")
	c.says("/tiepdan")
	mustContain(t, c.presses("Hủy lịch"), "Đã hủy lịch")
	if n := w.count(`SELECT count(*) FROM reception_bookings WHERE day = '2026-12-03' AND status = 'cancelled'`); n != 1 {
		t.Fatal("the booking was not cancelled")
	}
	// In a group, citizens are sent to the private chat.
	ev := c.event()
	ev.Chat.ID, ev.Chat.Group, ev.Command = "-100500", true, "tiepdan"
	w.handle(ev)
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = '-100500'`); n != 1 {
		t.Fatalf("%d replies in the group", n)
	}
}

// With more units than buttons, the citizen types part of the name, with
// or without diacritics; a subject too short or not text is asked again.
func TestReceptionUnitFoundByName(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	for i := range 8 {
		w.exec(`INSERT INTO units (code, name, level) VALUES ($1, $2, 'phường')`, fmt.Sprintf("ubnd-p%d", i), fmt.Sprintf("UBND phường Số %d", i))
		w.receptionHours(fmt.Sprintf("ubnd-p%d", i), 5)
	}
	w.receptionHours("ubnd-hoa-cuong", 5)
	c := w.citizen(3521)
	mustContain(t, c.says("/tiepdan"), "nhập tên xã, phường")
	mustContain(t, c.says("Phường Không Có"), "Không tìm thấy")
	out := c.says("hoa cuong")
	mustContain(t, out, "[UBND phường Hòa Cường]")
	if strings.Contains(texts(out), "Số 1") {
		t.Fatalf("units that do not match are offered:\n%s", texts(out))
	}
	c.presses("UBND phường Hòa Cường")
	c.presses("26/11")
	mustContain(t, c.sends(func(ev *bot.Event) { ev.Location = &bot.Location{Latitude: 16, Longitude: 108} }), "bằng chữ")
	mustContain(t, c.says("Hỏi"), "ngắn")
	if n := w.count(`SELECT count(*) FROM reception_bookings`); n != 0 {
		t.Fatal("a booking without a proper subject")
	}
	mustContain(t, c.says("Đề nghị bố trí lại điểm tập kết rác ở kiệt 12"), "Đã đăng ký tiếp công dân")

	// Booked on Wednesday for Thursday: no reminder, but on the ward's list.
	officer := w.staff(2521, "ubnd-hoa-cuong", "officer")
	w.now = time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	d := w.citizen(3522)
	d.bookByName("Hòa Cường", "26/11", "Đề nghị cấp bản sao giấy khai sinh")
	w.sent()
	w.run(func(tx *storage.Store) error { return w.service.RemindReceptions(w.ctx, tx, "telegram") })
	out = w.sent()
	mustContain(t, sentTo(out, c.id), "Nhắc lịch tiếp công dân ngày mai")
	mustContain(t, sentTo(out, officer.id), "2 người đăng ký", "điểm tập kết rác", "bản sao giấy khai sinh")
	if len(sentTo(out, d.id)) != 0 {
		t.Fatal("a booking made the day before was reminded")
	}
	// An hour later nothing is new; after another booking, the ward gets
	// the list again, with three.
	w.now = w.now.Add(time.Hour)
	w.run(func(tx *storage.Store) error { return w.service.RemindReceptions(w.ctx, tx, "telegram") })
	if out := w.sent(); len(out) != 0 {
		t.Fatalf("a run with nothing new sent %s", texts(out))
	}
	w.citizen(3523).bookByName("Hòa Cường", "26/11", "Đề nghị kiểm tra đèn chiếu sáng hỏng ở kiệt 3")
	w.sent()
	w.now = w.now.Add(time.Hour)
	w.run(func(tx *storage.Store) error { return w.service.RemindReceptions(w.ctx, tx, "telegram") })
	out = w.sent()
	mustContain(t, sentTo(out, officer.id), "3 người đăng ký", "đèn chiếu sáng hỏng")
	if len(out) != 1 {
		t.Fatalf("%d messages, want the ward's list only", len(out))
	}
}

// The download holds the person's bookings; erasure blanks what they wrote
// for a reception that is over and keeps it for one still to come, until
// that one is over too, and the kept copies of the booking cards that
// named them in the officers' chats.
func TestReceptionBookingsInPersonalData(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.receptionHours("ubnd-hoa-cuong", 5)
	officer := w.staff(2531, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3531)
	c.book("26/11", "Tranh chấp ranh giới đất với hộ liền kề")
	past := w.bookingID(c.id)
	c.book("03/12", "Đề nghị cấp lại sổ hộ nghèo")
	coming := w.bookingID(c.id)
	officer.opensBooking(past)
	officer.presses("Từ chối tiếp")
	officer.presses("Lý do khác")
	officer.says("Vụ việc đang được Tòa án nhân dân thụ lý")

	c.says("/mydata")
	file := c.exported()
	for _, want := range []string{`"receptions"`, "Tranh chấp ranh giới đất", "Đề nghị cấp lại sổ hộ nghèo", `"status": "refused"`,
		"Tòa án nhân dân thụ lý", `"day": "2026-12-03"`} {
		if !strings.Contains(file, want) {
			t.Fatalf("the export lacks %q:\n%s", want, file)
		}
	}
	officer.opensBooking(coming) // a card naming them, delivered
	w.exec(`UPDATE outbox SET status = 'sent', sent_at = now() WHERE status = 'pending'`)
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = $1 AND strpos(payload::text, 'Người dân 3531') > 0`, officer.id); n == 0 {
		t.Fatal("setup: no booking card naming the person in the officer's chat")
	}
	mustContain(t, c.erase(), "Đã xóa tên")
	if n := w.count(`SELECT count(*) FROM outbox WHERE status <> 'pending' AND strpos(payload::text, 'Người dân 3531') > 0`); n != 0 {
		t.Fatalf("%d kept copies of messages still name the person after erasure", n)
	}
	if n := w.count(`SELECT count(*) FROM reception_bookings WHERE id = $1 AND subject = ''`, past); n != 1 {
		t.Fatal("erasure kept the subject of a reception that is over")
	}
	if n := w.count(`SELECT count(*) FROM reception_bookings WHERE id = $1 AND subject LIKE 'Đề nghị cấp lại%'`, coming); n != 1 {
		t.Fatal("erasure blanked the subject of a reception still to come")
	}
	w.now = time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC)
	officer.opensBooking(coming)
	officer.presses("Vắng mặt")
	w.run(func(tx *storage.Store) error { return tx.BlankErasedPetitions(w.ctx, workcal.DateOf(w.now)) })
	if n := w.count(`SELECT count(*) FROM reception_bookings WHERE subject <> ''`); n != 0 {
		t.Fatalf("%d subjects kept after the erased person's receptions are over", n)
	}
}

// A reception on a date — a Saturday, or one that replaces Thursday's
// hours — is offered with its own hours and places; a unit whose only
// reception is on a date is listed too.
func TestReceptionOnADate(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	ward := w.receptionHours("ubnd-hoa-cuong", 2)
	dated := func(unit int64, day workcal.Date, starts, ends, place string, capacity int) {
		w.run(func(tx *storage.Store) error {
			return tx.SetReceptionDate(w.ctx, storage.ReceptionDate{ReceptionHours: storage.ReceptionHours{UnitID: unit,
				Starts: starts, Ends: ends, Place: place, Capacity: capacity}, Day: day.Start()}, w.now)
		})
	}
	dated(ward, workcal.NewDate(2026, 11, 28), "08:00", "11:00", "Nhà văn hóa tổ 5", 3)
	dated(ward, workcal.NewDate(2026, 12, 3), "14:00", "16:00", "Hội trường UBND phường", 1)
	var other int64
	w.run(func(tx *storage.Store) error {
		u, err := tx.UnitByCode(w.ctx, "ubnd-hai-chau")
		other = u.ID
		return err
	})
	dated(other, workcal.NewDate(2026, 12, 15), "08:00", "10:00", "Trụ sở UBND phường Hải Châu", 5)

	c := w.citizen(3541)
	mustContain(t, c.says("/tiepdan"), "[UBND phường Hòa Cường]", "[UBND phường Hải Châu]")
	out := c.presses("phường Hòa Cường")
	mustContain(t, out, "[Thứ Năm 26/11 · 07:30–11:30 · còn 2 chỗ]", "[Thứ Bảy 28/11 · 08:00–11:00 · còn 3 chỗ]",
		"[Thứ Năm 03/12 · 14:00–16:00 · còn 1 chỗ]", "[Thứ Năm 10/12 · 07:30–11:30 · còn 2 chỗ]")
	if strings.Contains(texts(out), "17/12") {
		t.Fatalf("more than four days offered:\n%s", texts(out))
	}
	c.presses("03/12")
	mustContain(t, c.says("Đề nghị xem xét hỗ trợ sửa chữa nhà tình nghĩa"), "Thứ Năm, 03/12/2026", "14:00–16:00",
		"Hội trường UBND phường")
	if n := w.count(`SELECT count(*) FROM reception_bookings WHERE day = '2026-12-03' AND starts = '14:00' AND place = 'Hội trường UBND phường'`); n != 1 {
		t.Fatal("the booking does not hold the date's hours and place")
	}
	// Its one place is taken: Thursday's weekly hours do not come back.
	d := w.citizen(3542)
	d.says("/tiepdan")
	if out := texts(d.presses("phường Hòa Cường")); strings.Contains(out, "03/12") || !strings.Contains(out, "17/12") {
		t.Fatalf("a full date is offered:\n%s", out)
	}
	d.says("/tiepdan")
	mustContain(t, d.presses("phường Hải Châu"), "[Thứ Ba 15/12 · 08:00–10:00 · còn 5 chỗ]")
}

// A reception recorded days later still has Art. 28's 10 working days
// counted from the reception, not from the recording.
func TestReceptionRecordedLateCountsFromTheReception(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.receptionHours("ubnd-hoa-cuong", 5)
	officer := w.staff(2551, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3551)
	c.book("26/11", "Đề nghị xem xét lại mức hỗ trợ giải phóng mặt bằng")
	// Recorded on Wednesday 2 December.
	w.now = time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	officer.opensBooking(w.bookingID(c.id))
	mustContain(t, officer.presses("Đã tiếp"), "hạn trả lời 10/12/2026")
	if due := w.dueOf("PA-2026-000001").In(workcal.Location()).Format("02/01/2006"); due != "10/12/2026" {
		t.Fatalf("due %s, want 10/12/2026: 10 working days from Thursday 26/11", due)
	}
}

// Booking a day one already holds says so and ends the form, and the
// transaction goes on; once the reception has started, the booking can
// no longer be cancelled, for the unit to record what happened.
func TestReceptionDuplicateAndLateCancel(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.receptionHours("ubnd-hoa-cuong", 5)
	c := w.citizen(3561)
	c.book("26/11", "Đề nghị sửa lại mương thoát nước kiệt 7")
	id := w.bookingID(c.id)
	c.says("/tiepdan")
	c.presses("phường Hòa Cường")
	c.presses("26/11")
	mustContain(t, c.says("Đề nghị sửa lại mương thoát nước kiệt 7, lần hai"), "đã có lịch tiếp với đơn vị này vào ngày đó")
	if n := w.count(`SELECT count(*) FROM conversations`); n != 0 {
		t.Fatal("the form is still waiting after the duplicate")
	}
	if n := w.count(`SELECT count(*) FROM reception_bookings`); n != 1 {
		t.Fatalf("%d bookings", n)
	}
	// Thursday 08:00: the reception has started.
	w.now = time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
	if strings.Contains(texts(c.says("/tiepdan")), "Hủy lịch") {
		t.Fatal("a booking whose reception has started can still be cancelled from /tiepdan")
	}
	mustContain(t, c.pressData("1", fmt.Sprintf("t:c:%d", id)), "không thể hủy lịch")
	if n := w.count(`SELECT count(*) FROM reception_bookings WHERE status = 'booked'`); n != 1 {
		t.Fatal("a booking was cancelled after its reception started")
	}
}

// Booking a reception waits for the subject (or, with many units, the
// unit's name) as the next message, which would take it from a petition
// being written: the draft is kept, and the person told to send or
// cancel it first.
func TestBookingAReceptionKeepsAPetitionDraft(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.receptionHours("ubnd-hoa-cuong", 2)
	c := w.citizen(3531)
	c.describe("Phường Hòa Cường", "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành")
	c.says("/tiepdan")
	c.presses("UBND phường Hòa Cường")
	mustContain(t, c.presses("26/11"), "đang soạn dở", "/tiepdan")
	if w.draftStep(c) != "photos" || !strings.HasPrefix(w.draftField(c, "description"), "Rác thải") {
		t.Fatal("the petition draft was dropped when a reception day was chosen")
	}
	for i := range 8 {
		w.exec(`INSERT INTO units (code, name, level) VALUES ($1, $2, 'phường')`, fmt.Sprintf("ubnd-p%d", i), fmt.Sprintf("UBND phường Số %d", i))
		w.receptionHours(fmt.Sprintf("ubnd-p%d", i), 5)
	}
	mustContain(t, c.says("/tiepdan"), "đang soạn dở")
	if w.draftStep(c) != "photos" {
		t.Fatal("the petition draft was dropped by /tiepdan with many units")
	}
	c.says("/cancel")
	c.bookByName("Hòa Cường", "26/11", "Đề nghị bố trí lại điểm tập kết rác ở kiệt 12")
}

// The evening before a reception, the ward's officers get the list of
// whom they receive, which quotes what each person wrote for it ("• #id ·
// 07:30 · <subject>") and has no button: erasure blanks its kept copy too
// (README, /mydata erase: the stored copies of messages about their
// reception bookings).
func TestErasureBlanksTheWardsReceptionListQuotingTheSubject(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.receptionHours("ubnd-hoa-cuong", 5)
	officer := w.staff(2911, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3911)
	c.book("26/11", "Tranh chấp ranh giới đất với hộ liền kề số 17")
	id := w.bookingID(c.id)

	w.now = time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC) // Wednesday: the ward's list for Thursday
	w.run(func(tx *storage.Store) error { return w.service.RemindReceptions(w.ctx, tx, "telegram") })
	mustContain(t, sentTo(w.sent(), officer.id), "Tranh chấp ranh giới đất")

	w.now = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC) // Thursday: they did not come
	officer.opensBooking(id)
	officer.presses("Vắng mặt")
	w.exec(`UPDATE outbox SET status = 'sent', sent_at = now(), sent_message_id = id::text WHERE status = 'pending'`)

	mustContain(t, c.erase(), "Đã xóa")
	if n := w.count(`SELECT count(*) FROM reception_bookings WHERE id = $1 AND subject = ''`, id); n != 1 {
		t.Fatal("setup: erasure kept the subject of a reception that is over")
	}
	if n := w.count(`SELECT count(*) FROM outbox WHERE status <> 'pending' AND strpos(payload::text, 'Tranh chấp ranh giới') > 0`); n != 0 {
		t.Fatalf("%d kept copies still quote what the person wrote for their reception after erasure", n)
	}
}

// When the government's swap makes a weekly reception day a day off
// (`danvan admin calendar add ... -off`), its bookings are called off and
// the citizens told, rather than reminded to come to a closed office. No
// closure is recorded: the day off recorded by mistake and removed again
// leaves the reception on that day open to bookings.
func TestADayOffOnAReceptionDayCallsItsBookingsOffUntilRemoved(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.receptionHours("ubnd-hoa-cuong", 2)
	w.staff(9131, "ubnd-hoa-cuong", "officer")
	c := w.citizen(9132)
	c.book("03/12", "Đề nghị xem xét việc cấp giấy chứng nhận quyền sử dụng đất")
	w.sent()

	// Thursday 03/12/2026 becomes a day off (a swap, as an example).
	day := workcal.Date{Year: 2026, Month: 12, Day: 3}
	w.setCalendarDay(day, false, "Nghỉ hoán đổi")
	mustContain(t, sentTo(w.sent(), c.id), "hoãn", "Nghỉ hoán đổi")
	if n := w.count(`SELECT count(*) FROM reception_bookings WHERE day = '2026-12-03' AND status = 'called_off'`); n != 1 {
		t.Fatal("the booking on a day now off was not called off")
	}

	// Wednesday 02/12: the day-before reminders.
	w.now = time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)
	w.run(func(tx *storage.Store) error { return w.service.RemindReceptions(w.ctx, tx, "telegram") })
	if got := texts(sentTo(w.sent(), c.id)); strings.Contains(got, "Nhắc lịch tiếp công dân ngày mai") {
		t.Fatalf("03/12 is now a day off, and no longer a reception day, but the citizen is told to come:\n%s", got)
	}

	w.changeCalendar(func(tx *storage.Store) error { return tx.DeleteCalendarDay(w.ctx, day) })
	w.sent()
	other := w.citizen(9133)
	other.says("/tiepdan")
	out := other.presses("phường Hòa Cường")
	for _, o := range out {
		for _, row := range o.Buttons {
			for _, b := range row {
				if strings.Contains(b.Text, "03/12") {
					return
				}
			}
		}
	}
	t.Fatalf("03/12 is a working day again, but its weekly reception stays closed (closures: %d):\n%s",
		w.count(`SELECT count(*) FROM reception_closures WHERE day = '2026-12-03'`), texts(out))
}
