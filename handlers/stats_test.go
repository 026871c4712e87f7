package handlers_test

import (
	"strings"
	"testing"
	"time"
)

// Anyone sees how the units handle petitions: the city with the wards
// below it, then one ward, and back up; figures only, no petition or
// person, computed at most every 10 minutes.
func TestPublicFiguresOfTheUnits(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	// Hải Châu answers one on time and it is rated «Rất hài lòng»; Hòa
	// Cường leaves one unanswered past its deadline.
	c, _ := w.answered(2601, 3601, "Ổ gà lớn trên đường Hùng Vương")
	c.presses("Rất hài lòng")
	w.citizen(3602).file("Phường Hòa Cường", "Rác thải tồn đọng ở kiệt 25 Núi Thành")
	w.now = w.now.Add(20 * 24 * time.Hour)

	r := w.citizen(3603)
	out := r.says("/thongke")
	mustContain(t, out, "UBND thành phố Đà Nẵng", "Tiếp nhận: <b>2</b>", "Đã trả lời: <b>1</b>, trong đó đúng hạn <b>100%</b>",
		"Đang quá hạn: <b>1</b>", "hài lòng: <b>100%</b> trong 1 lượt đánh giá (điểm bình quân 5,0/5)",
		"[UBND phường Hòa Cường]", "[UBND phường Hải Châu]")
	for _, private := range []string{"Ổ gà", "Rác thải", "Người dân 3601", "Người dân 3602", "PA-2026"} {
		if strings.Contains(texts(out), private) {
			t.Fatalf("the figures show %q:\n%s", private, texts(out))
		}
	}
	out = r.presses("UBND phường Hòa Cường")
	mustContain(t, out, "UBND phường Hòa Cường</b>", "Tiếp nhận: <b>1</b>", "Đã trả lời: <b>0</b>", "Đang quá hạn: <b>1</b>",
		"Chưa có lượt đánh giá", "[⬆ UBND thành phố Đà Nẵng]")
	mustContain(t, r.presses("⬆ UBND thành phố Đà Nẵng"), "Tiếp nhận: <b>2</b>")

	// A new petition shows after at most 10 minutes.
	w.citizen(3604).file("Phường Hòa Cường", "Đèn đường hỏng ở kiệt 40 Núi Thành")
	mustContain(t, r.says("/thongke"), "Tiếp nhận: <b>2</b>")
	w.now = w.now.Add(11 * time.Minute)
	mustContain(t, r.says("/thongke"), "Tiếp nhận: <b>3</b>")

	for _, forged := range []string{"v:999999", "v:abc", "v:-1", "v:", "v:1:2"} {
		mustContain(t, r.pressData("1", forged), "Nút này không còn hiệu lực")
	}
}
