package handlers_test

import (
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/bot"
)

// A denouncer who typed their phone number into the text is warned on the
// review screen, before the unit reads it, and can write the text again;
// the petition then goes with the new text only.
func TestAConfidentialPetitionNamingItsSenderIsFlaggedBeforeSending(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	intake := w.staff(3311, "ubnd-tp", "officer")
	c := w.citizen(3312)
	review := c.toDenunciationReview("Cán bộ địa chính thu tiền trái quy định. Gọi tôi: 0905 123 456")
	mustContain(t, review, "dường như có số điện thoại", "[✏️ Viết lại nội dung]")

	// The text to write again is shown to be copied, and kept until a new
	// one comes.
	mustContain(t, c.presses("Viết lại nội dung"), "Vui lòng mô tả sự việc",
		"<code>Cán bộ địa chính thu tiền trái quy định. Gọi tôi: 0905 123 456</code>")
	review = c.says("Cán bộ địa chính thu tiền trái quy định khi làm sổ đỏ")
	if got := texts(review); strings.Contains(got, "dường như có số điện thoại") || !strings.Contains(got, "khi làm sổ đỏ") {
		t.Fatalf("the review after the text was written again:\n%s", got)
	}
	if got := texts(sentTo(c.presses("Gửi"), intake.id)); strings.Contains(got, "0905") || !strings.Contains(got, "khi làm sổ đỏ") {
		t.Fatalf("the intake's card:\n%s", got)
	}

	// Written again as a photo's caption, the text is replaced too.
	c2 := w.citizen(3314)
	c2.toDenunciationReview("Cán bộ địa chính thu tiền trái quy định. Gọi tôi: 0905 123 458")
	c2.presses("Viết lại nội dung")
	review = c2.sends(func(e *bot.Event) {
		e.Photo, e.Text = &bot.File{ID: "receipt", UniqueID: "rc"}, "Cán bộ địa chính thu tiền không có biên lai"
	})
	if got := texts(review); strings.Contains(got, "0905 123 458") || !strings.Contains(got, "không có biên lai") {
		t.Fatalf("the review after a caption wrote the text again:\n%s", got)
	}

	// A petition that is not kept confidential shows its sender anyway:
	// nothing to warn of.
	if got := texts(w.citizen(3313).toReview("Phường Hòa Cường", "Cống tắc, gọi tôi 0905 123 457")); strings.Contains(got, "Viết lại nội dung") {
		t.Fatalf("a petition not kept confidential was flagged:\n%s", got)
	}
}
