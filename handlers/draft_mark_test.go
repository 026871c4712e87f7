package handlers_test

import (
	"strings"
	"testing"
)

// Only the latest "/new TEXT" is kept with the draft, so the «Bỏ và soạn
// phản ánh mới» button of an earlier question, which offered to start
// again with another text, is refused rather than start the new petition
// with words it did not offer; the latest question's button starts it with
// its own text.
func TestAnEarlierQuestionsRestartButtonDoesNotTakeALaterText(t *testing.T) {
	const (
		first  = "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành"
		older  = "Đèn đường hỏng cả tuần nay ở đường Núi Thành"
		latest = "Cây xanh gãy đổ chắn ngang đường Trưng Nữ Vương"
	)
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3968)
	c.describe("Phường Hòa Cường", first)
	mustContain(t, c.says("/new "+older), "đang soạn dở")
	oldID, oldRestart := w.findButton(c.id, "Bỏ và soạn phản ánh mới")
	mustContain(t, c.says("/new "+latest), "đang soạn dở")
	newID, newRestart := w.findButton(c.id, "Bỏ và soạn phản ánh mới")
	if newID == oldID {
		t.Fatal("the second /new did not ask again")
	}

	mustAnswer(t, c.pressData(oldID, oldRestart), "không còn hiệu lực")
	if got := w.draftField(c, "description"); got != first || w.draftStep(c) != "photos" {
		t.Fatalf("the earlier question's button (%s) started again: step %q, description %q", oldRestart, w.draftStep(c), got)
	}
	c.pressData(newID, newRestart)
	if got := w.draftField(c, "description"); got != latest || w.draftStep(c) != "kind" {
		t.Fatalf("the latest question's button: step %q, description %q; want %q", w.draftStep(c), got, latest)
	}
}

// A question asked by an area's link offers to start again in that area
// with no text: once a later "/new TEXT" asked again, its button does not
// start a petition with that text either.
func TestALinksRestartButtonDoesNotTakeALaterText(t *testing.T) {
	const first = "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành"
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3969)
	c.describe("Phường Hòa Cường", first)
	mustContain(t, c.says("/start a_hai-chau"), "đang soạn dở")
	linkID, linkRestart := w.findButton(c.id, "Bỏ và soạn phản ánh mới")
	mustContain(t, c.says("/new Đèn đường hỏng cả tuần nay ở đường Núi Thành"), "đang soạn dở")

	mustAnswer(t, c.pressData(linkID, linkRestart), "không còn hiệu lực")
	if got := w.draftField(c, "description"); got != first || w.draftStep(c) != "photos" {
		t.Fatalf("the link's question's button (%s) started again: step %q, description %q", linkRestart, w.draftStep(c), got)
	}
}

// Questions that offered the same text (or none) keep working: each of
// their buttons starts again as it offered.
func TestRestartButtonsOfferingTheSameTextKeepWorking(t *testing.T) {
	const (
		first = "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành"
		text  = "Đèn đường hỏng cả tuần nay ở đường Núi Thành"
	)
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3970)
	c.describe("Phường Hòa Cường", first)
	mustContain(t, c.says("/new "+text), "đang soạn dở")
	oldID, oldRestart := w.findButton(c.id, "Bỏ và soạn phản ánh mới")
	mustContain(t, c.says("/new "+text), "đang soạn dở")
	c.pressData(oldID, oldRestart)
	if got := w.draftField(c, "description"); got != text || w.draftStep(c) != "kind" {
		t.Fatalf("the earlier question's button with the same text: step %q, description %q", w.draftStep(c), got)
	}

	d := w.citizen(3971)
	d.describe("Phường Hòa Cường", first)
	mustContain(t, d.says("/new"), "đang soạn dở")
	oldID, oldRestart = w.findButton(d.id, "Bỏ và soạn phản ánh mới")
	mustContain(t, d.says("/new"), "đang soạn dở")
	d.pressData(oldID, oldRestart)
	if got := w.draftField(d, "description"); got != "" || w.draftStep(d) != "kind" {
		t.Fatalf("the earlier question's button without a text: step %q, description %q", w.draftStep(d), got)
	}
}

// "/new" with a text too long for a description is told the limit at
// once and goes on as a bare /new: the text is not kept with the draft
// being written, to be refused only once that draft was dropped for it.
func TestANewPetitionWithATextTooLongLeavesTheDraftAlone(t *testing.T) {
	const first = "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành"
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3978)
	c.describe("Phường Hòa Cường", first)
	out := c.says("/new " + strings.Repeat("Nước tràn vào nhà. ", 200))
	mustContain(t, out, "vượt quá giới hạn", "đang soạn dở")
	if got := w.draftField(c, "next_description"); got != "" || w.draftField(c, "description") != first || w.draftStep(c) != "photos" {
		t.Errorf("the draft changed: step %q, next description of %d characters", w.draftStep(c), len([]rune(got)))
	}
}
