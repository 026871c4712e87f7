package app_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/org"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// importSample loads examples/org.yaml as an administrator would.
func importSample(t *testing.T, dsn string) *storage.Store {
	t.Helper()
	ctx := context.Background()
	store, err := storage.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f, err := os.Open("../examples/org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	file, err := org.Parse("examples/org.yaml", f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.Apply(ctx, store, file); err != nil {
		t.Fatal(err)
	}
	return store
}

func invite(t *testing.T, store *storage.Store, unit, role, code string) {
	t.Helper()
	ctx := context.Background()
	u, err := store.UnitByCode(ctx, unit)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateInvite(ctx, u.ID, role, handlers.HashInvite(code), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
}

// The whole loop with the shipped sample organisation: a citizen files in
// a ward, the ward's officer receives the card, asks for information,
// answers with a photo, and the citizen rates it.
func TestWholeLoopWithTheSampleOrganisation(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	store := importSample(t, dsn)
	invite(t, store, "ubnd-hoa-cuong", "officer", "TEST-JOIN")
	startService(t, testConfig(api, dsn))

	officer := newPerson(t, api, 6001, "Cán bộ Hùng")
	officer.says("/start join_TEST-JOIN", "cán bộ của Ủy ban nhân dân phường Hòa Cường")
	c := newPerson(t, api, 6002, "Lan")
	at := api.Cursor()
	code := c.fileInHoaCuong("Môi trường", "Nước thải tràn ra đường ở kiệt 45 Núi Thành")

	card := officer.expect(at, "Phản ánh mới", code, "Nước thải tràn", "Lan")
	at = api.Cursor()
	officer.pressOn(card, "Tiếp nhận")
	c.expect(at, "tiếp nhận và đang xử lý")
	officer.pressOn(card, "Yêu cầu bổ sung")
	officer.expect(at, "nhập nội dung cần người dân bổ sung")
	at = api.Cursor()
	api.PushText(officer.user, "Ông/Bà cho biết nước tràn từ mấy giờ?")
	c.expect(at, "bổ sung thông tin", "từ mấy giờ")
	at = api.Cursor()
	api.PushText(c.user, "Từ 6 giờ sáng nay")
	officer.expect(at, "Từ 6 giờ sáng nay")
	officer.pressOn(card, "Trả lời")
	at = api.Cursor()
	api.PushPhoto(officer.user, nil, "Đã khơi thông cống, nước đã rút.")
	answer := c.expect(at, "trả lời phản ánh", "Đã khơi thông cống")
	if sent := api.Sent(c.user.ID); !hasPhoto(sent) {
		t.Fatal("the evidence photo did not reach the citizen")
	}
	at = api.Cursor()
	c.pressOn(answer, "Rất hài lòng")
	c.expect(at, "Cảm ơn Ông/Bà đã đánh giá")

	var kinds []string
	events, err := store.Events(context.Background(), mustTicket(t, store, code).ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	if got, want := strings.Join(kinds, " "), "created accepted info_requested info_added answered rated"; got != want {
		t.Fatalf("timeline = %s, want %s", got, want)
	}
}

func mustTicket(t *testing.T, store *storage.Store, code string) storage.Ticket {
	t.Helper()
	tk, err := store.TicketByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func hasPhoto(msgs []telegramtest.Message) bool {
	for _, m := range msgs {
		if len(m.Photo) > 0 {
			return true
		}
	}
	return false
}

// pressOn taps a button of a given message.
func (p *person) pressOn(m telegramtest.Message, label string) {
	p.t.Helper()
	for _, b := range m.Buttons() {
		if strings.Contains(b.Text, label) {
			if _, err := p.api.PressButton(p.user, m.ChatID, m.ID, b.Text); err != nil {
				p.t.Fatal(err)
			}
			return
		}
	}
	p.t.Fatalf("no button %q on %q", label, m.Text)
}

// Two service processes on one database: an overdue ticket produces
// exactly one escalation to each leader concerned.
func TestEscalationOnceWithTwoServices(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	store := importSample(t, dsn)
	ward, err := store.UnitByCode(context.Background(), "ubnd-hoa-cuong")
	if err != nil {
		t.Fatal(err)
	}
	parent, err := store.UnitByID(context.Background(), ward.ParentID.Int64)
	if err != nil {
		t.Fatal(err)
	}
	invite(t, store, ward.Code, "leader", "WARD-LEAD")
	invite(t, store, parent.Code, "leader", "CITY-LEAD")
	cfg := testConfig(api, dsn)
	first := startService(t, cfg)
	wardLeader := newPerson(t, api, 6101, "Lãnh đạo phường")
	cityLeader := newPerson(t, api, 6102, "Lãnh đạo thành phố")
	wardLeader.says("/join WARD-LEAD", "lãnh đạo")
	cityLeader.says("/join CITY-LEAD", "lãnh đạo")
	c := newPerson(t, api, 6103, "Lan")
	code := c.fileInHoaCuong("Giao thông", "Ổ gà lớn giữa đường Núi Thành")
	first.stop()

	if _, err := store.DB().Exec(`UPDATE tickets SET due_at = now() - interval '1 hour' WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	// The first service already checked this minute's slot; forgetting it
	// stands in for the next ten-minute slot, so both replicas check.
	if _, err := store.DB().Exec(`DELETE FROM job_runs WHERE job = 'escalations'`); err != nil {
		t.Fatal(err)
	}
	// Both replicas catch up the escalation slot at start.
	startService(t, cfg)
	startService(t, cfg)
	at := telegramtest.Cursor(0)
	for _, leader := range []*person{wardLeader, cityLeader} {
		leader.expect(at, "Phản ánh quá hạn", code)
	}
	time.Sleep(2 * time.Second) // give a duplicate every chance to show up
	for _, leader := range []*person{wardLeader, cityLeader} {
		n := 0
		for _, m := range api.Sent(leader.user.ID) {
			if strings.Contains(m.Text, "Phản ánh quá hạn") {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("leader %d got %d escalations, want 1", leader.user.ID, n)
		}
	}
}

// fileInHoaCuong files a petition in Phường Hòa Cường of the sample
// organisation by buttons and returns its code.
func (p *person) fileInHoaCuong(category, text string) string {
	p.t.Helper()
	p.says("/new", "loại nội dung")
	p.presses("Phản ánh", "lĩnh vực")
	p.presses(category, "xảy ra ở đâu")
	p.presses("Đà Nẵng", "Khu vực")
	p.presses("Hòa Cường", "mô tả sự việc")
	p.says(text, "gửi ảnh")
	p.presses("Bỏ qua", "số điện thoại")
	p.says("Bỏ qua", "giữ bí mật")
	p.presses("Không cần", "kiểm tra lại")
	return codeIn(p.t, p.presses("Gửi phản ánh", "PA-").Text)
}
