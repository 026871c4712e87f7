package bench

import (
	"fmt"
	"strings"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// wards of examples/org.yaml: every ward's People's Committee receives
// what is located there, so officers are spread over these units.
var wards = []struct{ area, unit string }{
	{"Hòa Cường", "ubnd-hoa-cuong"}, {"Hải Châu", "ubnd-hai-chau"}, {"Thanh Khê", "ubnd-thanh-khe"},
	{"Sơn Trà", "ubnd-son-tra"}, {"Ngũ Hành Sơn", "ubnd-ngu-hanh-son"}, {"Liên Chiểu", "ubnd-lien-chieu"},
	{"Cẩm Lệ", "ubnd-cam-le"}, {"Hòa Vang", "ubnd-hoa-vang"},
}

// categories a citizen picks from (none is routed away from the ward).
var categories = []string{"Môi trường", "Giao thông", "Đất đai", "Điện nước", "Y tế", "Giáo dục"}

// updatesPerFlow is how many updates one petition's whole loop takes:
// 13 from the citizen and 2 from the officer.
const updatesPerFlow = 15

// petitionText is the description of a citizen's nth petition; it is
// unique, so the stored tickets can be matched to the petitions filed.
func petitionText(tag string, citizen int64, n int) string {
	return fmt.Sprintf("Bench %s %d/%d: nước thải tràn ra đường ở kiệt 45, mùi hôi ảnh hưởng nhiều hộ dân", tag, citizen, n)
}

// fileAndRate plays one citizen's whole loop: /start, the menu, kind,
// category, area, description, photo, phone, confidentiality, review and
// send; then it waits for the unit to accept and answer, and rates the
// answer. confirmed is called when the send button was pressed.
func (p *person) fileAndRate(tag string, n int, ward int, photo []byte, confirmed func(text string)) error {
	p.newFlow()
	w := wards[ward%len(wards)]
	category := categories[(int(p.user.ID)+n)%len(categories)]
	text := petitionText(tag, p.user.ID, n)
	steps := []func() (tg.Activity, error){
		func() (tg.Activity, error) { return p.says("/start", "cần hỗ trợ việc gì") },
		func() (tg.Activity, error) {
			return p.pressesAs("press menu", "Gửi phản ánh", "loại nội dung")
		},
		func() (tg.Activity, error) { return p.presses("Phản ánh", "lĩnh vực") },
		// The question where, then the offer to send a location.
		func() (tg.Activity, error) { return p.pressesAs("press category", category, "đang ở nơi xảy ra") },
		func() (tg.Activity, error) { return p.presses("Đà Nẵng", "Khu vực") },
		func() (tg.Activity, error) { return p.pressesAs("press ward", w.area, "mô tả sự việc") },
		func() (tg.Activity, error) { return p.says(text, "gửi ảnh") },
		func() (tg.Activity, error) { return p.sendsPhoto(photo, "Tiếp tục") },
		func() (tg.Activity, error) { return p.presses("Tiếp tục", "số điện thoại") },
		func() (tg.Activity, error) { return p.says("Bỏ qua", "giữ bí mật") },
		func() (tg.Activity, error) { return p.presses("Không cần", "kiểm tra lại") },
	}
	for i, step := range steps {
		if _, err := step(); err != nil {
			return fmt.Errorf("citizen %d step %d: %w", p.user.ID, i+1, err)
		}
	}
	confirmed(text)
	from := len(p.seen)
	receipt, err := p.presses("Gửi phản ánh", "tiếp nhận với mã", "PA-")
	if err != nil {
		return fmt.Errorf("citizen %d receipt: %w", p.user.ID, err)
	}
	code := codeIn(receipt.Message.Text)
	// The unit's steps: awaited from the send on, in whatever order the
	// notifications come.
	if _, err := p.await(from, textHas("tiếp nhận và đang xử lý", code)); err != nil {
		p.m.lost.Add(1)
		return fmt.Errorf("citizen %d: acceptance of %s: %w", p.user.ID, code, err)
	}
	answer, err := p.await(from, textHas("trả lời phản ánh", code))
	if err != nil {
		p.m.lost.Add(1)
		return fmt.Errorf("citizen %d: answer to %s: %w", p.user.ID, code, err)
	}
	if err := p.rates(answer.Message, code); err != nil {
		return err
	}
	p.m.flows.Add(1)
	return nil
}

// rates presses «Rất hài lòng» under the unit's answer to ticket code and
// waits for the thanks, then the offer to comment: the next flow's /start
// must not take that for its reply.
func (p *person) rates(answer tg.Message, code string) error {
	if _, err := p.pressOn("press rating", answer, buttonLabel(answer, "Rất hài lòng"),
		textHas("đã đánh giá phản ánh", code), textHas("góp ý thêm", code)); err != nil {
		return fmt.Errorf("citizen %d: rating %s: %w", p.user.ID, code, err)
	}
	return nil
}

func buttonLabel(m tg.Message, label string) string {
	for _, b := range m.Buttons() {
		if strings.Contains(b.Text, label) {
			return b.Text
		}
	}
	return label
}

// codeIn finds a ticket code such as PA-2026-000123 in a text.
func codeIn(text string) string {
	i := strings.Index(text, "PA-")
	if i < 0 || len(text) < i+14 {
		return ""
	}
	return text[i : i+14]
}
