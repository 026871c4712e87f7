package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/handlers"
)

// takeKinds has the service take only these kinds from citizens, as
// PETITION_KINDS does.
func (w *world) takeKinds(kinds ...string) {
	w.t.Helper()
	var err error
	w.service, err = handlers.New(handlers.Config{Now: func() time.Time { return w.now }, CitizenKinds: kinds})
	if err != nil {
		w.t.Fatal(err)
	}
}

// A channel that takes no complaints or denunciations (law.md §3) does not
// offer them, says where they go instead, and refuses them typed or forged.
func TestKindsLeftOutAreNotOffered(t *testing.T) {
	w := newWorld(t)
	w.takeKinds("phan_anh", "kien_nghi", "gop_y", "hoi_dap")
	c := w.citizen(3201)
	screen := texts(c.says("/new"))
	for _, want := range []string{"[Phản ánh]", "[Hỏi đáp]", "<b>Hỏi đáp</b>: hỏi thông tin",
		"Kênh này không tiếp nhận khiếu nại", "Kênh này không tiếp nhận tố cáo"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("kind screen lacks %q:\n%s", want, screen)
		}
	}
	for _, unwanted := range []string{"[Khiếu nại]", "[Tố cáo]", "<b>Khiếu nại</b>"} {
		if strings.Contains(screen, unwanted) {
			t.Fatalf("kind screen offers %q:\n%s", unwanted, screen)
		}
	}
	mustAnswer(t, c.pressData("1", "p:kind:set:khieu_nai"), "không còn hiệu lực")
	mustContain(t, c.says("Khiếu nại"), "Kênh này không tiếp nhận khiếu nại", "Ông/Bà muốn gửi loại nội dung nào?")
	if n := w.count(`SELECT count(*) FROM conversations WHERE data ? 'kind'`); n != 0 {
		t.Fatal("a kind left out was recorded")
	}
	// Numbers count the kinds offered: the fourth is now the question.
	mustContain(t, c.says("4"), "lĩnh vực")
	if n := w.count(`SELECT count(*) FROM conversations WHERE data->>'kind' = 'hoi_dap'`); n != 1 {
		t.Fatal("the fourth kind offered was not taken")
	}
}

func TestCheckCitizenKinds(t *testing.T) {
	for _, bad := range [][]string{{}, {"khieu_nai", "to_cao"}, {"phan_anh", "phan_anh"}, {"phan_anh", "petition"}} {
		if handlers.CheckCitizenKinds(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
		if _, err := handlers.New(handlers.Config{CitizenKinds: bad}); err == nil {
			t.Errorf("New accepted %q", bad)
		}
	}
	if err := handlers.CheckCitizenKinds([]string{"hoi_dap", "to_cao"}); err != nil {
		t.Error(err)
	}
}

// A petition begun as a kind the deployment has since left out is not
// sent as it: the person chooses again.
func TestAKindLeftOutSinceTheDraftBeganIsChosenAgain(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3211)
	c.describe("Phường Hòa Cường", "Đề nghị lắp gờ giảm tốc trước cổng trường tiểu học")
	c.presses("Bỏ qua")
	c.says("Bỏ qua")
	c.presses("Không cần")
	w.takeKinds("kien_nghi", "gop_y", "hoi_dap")
	mustContain(t, c.presses("Gửi phản ánh"), "không còn tiếp nhận loại nội dung đã chọn", "[Kiến nghị]")
	if n := w.count(`SELECT count(*) FROM tickets`); n != 0 {
		t.Fatal("a petition of a kind left out was filed")
	}
}

// A deployment leaves out a kind units handle (PETITION_KINDS without
// hoi_dap, which CheckCitizenKinds allows); a citizen types that kind's
// name: they are told in words that the channel does not take it (never a
// text key) and asked again, and no kind is recorded.
func TestATypedKindLeftOutIsExplained(t *testing.T) {
	w := newWorld(t)
	w.takeKinds("phan_anh", "kien_nghi")
	c := w.citizen(5301)
	c.says("/new")
	out := texts(c.says("Hỏi đáp"))
	if strings.Contains(out, "petition.not_taken") || !strings.Contains(out, "không tiếp nhận nội dung loại «Hỏi đáp»") ||
		!strings.Contains(out, "Ông/Bà muốn gửi loại nội dung nào?") {
		t.Fatalf("a kind left out was not explained:\n%s", out)
	}
	if n := w.count(`SELECT count(*) FROM conversations WHERE data ? 'kind'`); n != 0 {
		t.Fatal("a kind left out was recorded")
	}
}

// law.md §3: the 90-day limitation period is shown to a would-be
// complainant, with Art. 9's exception: time lost to illness, disaster,
// war, work or study far away or other objective obstacles does not count.
func TestComplaintGuidanceSaysTimeLostToObstaclesDoesNotCount(t *testing.T) {
	w := newWorld(t)
	c := w.citizen(9101)
	c.says("/new")
	out := c.presses("Khiếu nại")
	mustContain(t, out, "90 ngày")
	if got := texts(out); !strings.Contains(got, "trở ngại khách quan") {
		t.Fatalf("the complaint guidance gives the 90-day limitation without Art. 9's exception "+
			"(time lost to illness, disaster, distant work or study, other objective obstacles does not count):\n%s", got)
	}
}
