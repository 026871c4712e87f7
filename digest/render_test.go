package digest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/unicode/norm"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/digest"
	"github.com/danvan-vn/danvan/storage"
)

// sample is a digest with round figures, to check the wording and the
// number formats.
func sample() digest.Digest {
	to := weekStart.AddDate(0, 0, 7)
	return digest.Digest{
		Unit:      storage.Unit{ID: 7, Code: "xa-hc", Name: "UBND phường Hòa Cường <Đà Nẵng>"},
		WeekStart: weekStart,
		Figures: storage.DigestFigures{
			From: weekStart, To: to,
			Current: storage.PeriodFigures{New: 1234, Urgent: 21, Answered: 2000, OnTime: 1949, Overdue: 12, Reopened: 4,
				MedianAnswer: 52*time.Hour + 30*time.Minute, Rated: 40, RatingSum: 170, Satisfied: 34},
			Previous: storage.PeriodFigures{New: 1178, Urgent: 25, Answered: 2000, OnTime: 1900, Overdue: 15, Reopened: 4,
				MedianAnswer: 3 * time.Hour, Rated: 0},
			TopCategories: []storage.RankedCount{{ID: 2, Name: "Môi trường", Count: 300, Previous: 280}},
			TopAreas:      []storage.RankedCount{{ID: 5, Name: "Tổ 12", Count: 41, Previous: 50}},
			HotSpots:      []storage.HotSpot{{AreaName: "Tổ 12", CategoryName: "Môi trường", Count: 9, Baseline: 9}},
			OldestOverdue: []storage.OverdueTicket{
				{ID: 81, Code: "PA-2026-000081", UnitName: "Tổ dân phố 3", DueAt: to.Add(-12*24*time.Hour - time.Hour)},
				{ID: 90, Code: "PA-2026-000090", UnitName: "Tổ dân phố 4", DueAt: to.Add(-time.Minute)},
				{ID: 95, Code: "PA-2026-000095", UnitName: "Tổ dân phố 4", DueAt: to.Add(-30 * time.Hour)},
			},
		},
		Trend: make([]storage.PeriodCounts, digest.TrendWeeks),
	}
}

var tags = regexp.MustCompile(`<[^>]*>`)

func checkMessage(t *testing.T, text string) {
	t.Helper()
	if n := bot.TextLen(text); n > bot.MaxTextLen {
		t.Errorf("message is %d characters", n)
	}
	if !norm.NFC.IsNormalString(text) {
		t.Error("message is not NFC")
	}
	for _, tag := range tags.FindAllString(text, -1) {
		if tag != "<b>" && tag != "</b>" && tag != "<i>" && tag != "</i>" {
			t.Errorf("tag %s", tag)
		}
	}
	if strings.Count(text, "<b>") != strings.Count(text, "</b>") || strings.Count(text, "<i>") != strings.Count(text, "</i>") {
		t.Error("unbalanced tags")
	}
}

func TestRenderVietnamese(t *testing.T) {
	text := digest.Render(sample(), "vi")
	checkMessage(t, text)
	for _, want := range []string{
		"<b>BẢN TIN TUẦN</b>",
		"<b>UBND phường Hòa Cường &lt;Đà Nẵng&gt;</b>",
		"Tuần từ 02/03/2026 đến 08/03/2026",
		"Phản ánh mới: <b>1.234</b> ▲ 56",
		"Trong đó khẩn cấp: <b>21</b> ▼ 4",
		"Đã trả lời: <b>2.000</b> (không đổi)",
		"Tỷ lệ đúng hạn: <b>97,45%</b> ▲ (tuần trước 95,00%)",
		"Thời gian trả lời (trung vị): <b>2 ngày 4 giờ</b> ▲ (tuần trước 3 giờ)",
		"Quá hạn (cuối tuần): <b>12</b> ▼ 3",
		"Bị mở lại: <b>4</b> (không đổi)",
		"Tỷ lệ hài lòng: <b>85,00%</b> (tuần trước chưa có)",
		"Điểm trung bình: <b>4,3</b>/5 (40 lượt đánh giá)",
		"1. Môi trường: <b>300</b> ▲ 20",
		"1. Tổ 12: <b>41</b> ▼ 9",
		"Điểm nóng",
		"• Tổ 12 – Môi trường: 9 phản ánh (trung bình 4 tuần trước: 2,3/tuần)",
		"1. PA-2026-000081 – Tổ dân phố 3 – quá hạn 12 ngày",
		"2. PA-2026-000090 – Tổ dân phố 4 – quá hạn 1 ngày",
		"3. PA-2026-000095 – Tổ dân phố 4 – quá hạn 1 ngày",
		"<i>Bấm vào mã phản ánh bên dưới để xem chi tiết.</i>",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	plain := digest.PlainText(text)
	if strings.ContainsAny(plain, "<>&") && !strings.Contains(plain, "<Đà Nẵng>") {
		t.Errorf("plain text:\n%s", plain)
	}
}

func TestRenderEnglishAndEmptyWeek(t *testing.T) {
	text := digest.Render(sample(), "en")
	checkMessage(t, text)
	for _, want := range []string{"New petitions: <b>1,234</b> ▲ 56", "On-time rate: <b>97.45%</b>", "12 days overdue"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	empty := sample()
	empty.Figures = storage.DigestFigures{From: weekStart, To: weekStart.AddDate(0, 0, 7)}
	text = digest.Render(empty, "vi")
	checkMessage(t, text)
	for _, want := range []string{"Tỷ lệ đúng hạn: chưa có", "Thời gian trả lời (trung vị): chưa có", "Không có phản ánh quá hạn."} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if strings.Contains(text, "khẩn cấp") {
		t.Error("an urgent line for a week without urgent petitions, nor any the week before")
	}
	if strings.Contains(text, "Bấm vào mã") {
		t.Error("a hint about buttons that are not there")
	}
	if len(digest.Buttons(empty)) != 0 {
		t.Error("buttons without overdue tickets")
	}
}

// Names are data: the longest lists with very long names still fit in
// one Telegram message.
func TestRenderFitsOneMessage(t *testing.T) {
	d := sample()
	long := strings.Repeat("Ủy ban nhân dân phường rất dài ", 20)
	d.Unit.Name = long
	f := &d.Figures
	f.TopCategories, f.TopAreas, f.HotSpots, f.OldestOverdue = nil, nil, nil, nil
	for range 3 {
		f.TopCategories = append(f.TopCategories, storage.RankedCount{Name: long, Count: 999999})
		f.TopAreas = append(f.TopAreas, storage.RankedCount{Name: long, Count: 999999})
	}
	for range 20 {
		f.HotSpots = append(f.HotSpots, storage.HotSpot{AreaName: long, CategoryName: long, Count: 999999})
	}
	for i := range 10 {
		f.OldestOverdue = append(f.OldestOverdue, storage.OverdueTicket{ID: int64(i), Code: "PA-2026-999999", UnitName: long, DueAt: weekStart})
	}
	text := digest.Render(d, "vi")
	checkMessage(t, text)
	if !strings.Contains(text, "… và 15 điểm nóng khác") || !strings.Contains(text, "10. PA-2026-999999") {
		t.Errorf("the list was cut:\n%s", text)
	}
}

func TestButtonsOpenTicketCards(t *testing.T) {
	got := digest.Buttons(sample())
	want := [][]bot.InlineButton{
		{{Text: "PA-2026-000081", Data: "c:81"}, {Text: "PA-2026-000090", Data: "c:90"}},
		{{Text: "PA-2026-000095", Data: "c:95"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("buttons (-want +got):\n%s", diff)
	}
}

func TestChartIsAPNG(t *testing.T) {
	d := sample()
	for i := range d.Trend {
		d.Trend[i] = storage.PeriodCounts{From: weekStart.AddDate(0, 0, 7*(i-7)), New: 1000 + 40*i, Answered: 900 + 50*i, Overdue: 30 - i}
	}
	for name, d := range map[string]digest.Digest{"figures": d, "empty": sample()} {
		t.Run(name, func(t *testing.T) {
			b, err := digest.Chart(d, "vi")
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if size := img.Bounds().Size(); size.X < 600 || size.X > 1600 || size.Y < 300 || size.Y > 1000 {
				t.Errorf("%v pixels", size)
			}
			if len(b) < 5_000 || len(b) > 300_000 {
				t.Errorf("%d bytes", len(b))
			}
		})
	}
}

// Queue writes the text and the chart once per active leader, in the
// leader's language, and nothing more when it runs again.
func TestQueueOncePerLeader(t *testing.T) {
	t.Parallel()
	s, _, ids := seeded(t)
	ctx := t.Context()
	d, err := digest.Compute(ctx, s, ids.Units["tinh"], weekStart)
	if err != nil {
		t.Fatal(err)
	}
	for run, want := range []int{2, 0} {
		err := s.InTx(ctx, func(tx *storage.Store) error {
			n, err := digest.Queue(ctx, tx, d, "telegram")
			if n != want {
				t.Errorf("run %d: queued for %d leaders, want %d", run+1, n, want)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	rows, err := s.DB().QueryContext(ctx, `SELECT chat_id, kind, dedupe_key, payload FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type message struct{ Chat, Kind, Key, Text, Button, File string }
	var got []message
	for rows.Next() {
		var m message
		var payload []byte
		if err := rows.Scan(&m.Chat, &m.Kind, &m.Key, &payload); err != nil {
			t.Fatal(err)
		}
		var o bot.Outgoing
		if err := json.Unmarshal(payload, &o); err != nil {
			t.Fatal(err)
		}
		m.Text, _, _ = strings.Cut(o.Text, "\n")
		if len(o.Buttons) > 0 {
			m.Button = o.Buttons[0][0].Data
		}
		if o.Kind == bot.KindDocument {
			if _, err := png.Decode(bytes.NewReader(o.Content)); err != nil {
				t.Errorf("chart: %v", err)
			}
			m.File = o.FileName
		}
		got = append(got, m)
	}
	key := func(leader int) string {
		return fmt.Sprintf("digest:%d:2026-03-02:c%d", ids.Units["tinh"], ids.Leaders[leader])
	}
	button := fmt.Sprintf("c:%d", d.Figures.OldestOverdue[0].ID)
	file := "ban-tin-tuan-tinh-2026-03-02.png"
	want := []message{
		{"101", "text", key(0), "<b>BẢN TIN TUẦN</b>", button, ""},
		{"101", "document", key(0) + ":chart", "Phản ánh mới, đã trả lời và quá hạn trong 8 tuần gần nhất", "", file},
		{"102", "text", key(1), "<b>WEEKLY DIGEST</b>", button, ""},
		{"102", "document", key(1) + ":chart", "New, answered and overdue petitions over the last 8 weeks", "", file},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outbox (-want +got):\n%s", diff)
	}
}
