package handlers_test

import (
	"encoding/json"
	"testing"
)

// The text of a "/new TEXT" that asked about the petition being written is
// kept with it (to start the new petition with, if the person drops this
// one): it is personal data the bot keeps, so the download holds it.
func TestMyDataExportHoldsTheTextGivenWithNew(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3966)
	const text = "Đèn đường hỏng cả tuần nay ở đường Núi Thành"
	c.describe("Phường Hòa Cường", "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành")
	mustContain(t, c.says("/new "+text), "đang soạn dở")
	if got := w.draftField(c, "next_description"); got != text {
		t.Fatalf("the draft keeps %q, want the text given with /new", got)
	}
	c.says("/mydata")
	file := c.exported()
	var export struct {
		Unfinished *struct {
			Category        string `json:"category"`
			Area            string `json:"area"`
			Description     string `json:"description"`
			NewPetitionText string `json:"new_petition_text"`
		} `json:"unfinished_petition"`
	}
	if err := json.Unmarshal([]byte(file), &export); err != nil {
		t.Fatal(err)
	}
	if export.Unfinished == nil || export.Unfinished.NewPetitionText != text {
		t.Fatalf("the export leaves out the text given with /new, which the bot keeps:\n%s", file)
	}
	if export.Unfinished.Category != "Môi trường" || export.Unfinished.Area != "Phường Hòa Cường" {
		t.Fatalf("the export leaves out the field or area chosen for the unfinished petition:\n%s", file)
	}
}

// Erasure forgets the text given with "/new TEXT" along with the petition
// being written, and the copy of it in the file the person downloaded.
func TestErasureForgetsTheTextGivenWithNew(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	c := w.citizen(3967)
	const text = "Đèn đường hỏng cả tuần nay ở đường Núi Thành"
	c.describe("Phường Hòa Cường", "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành")
	mustContain(t, c.says("/new "+text), "đang soạn dở")
	c.says("/mydata")
	c.exported()
	w.exec(`UPDATE outbox SET status = 'sent', sent_at = now()`)
	kept := func() (drafts, files int) {
		drafts = w.count(`SELECT count(*) FROM conversations WHERE strpos(data::text, $1) > 0`, text)
		files = w.count(`SELECT count(*) FROM outbox WHERE jsonb_typeof(payload->'content') = 'string'
			AND position(convert_to($1, 'UTF8') IN decode(payload->>'content', 'base64')) > 0`, text)
		return drafts, files
	}
	// What is looked for is there before: the checks below can see it.
	if drafts, files := kept(); drafts != 1 || files != 1 {
		t.Fatalf("before erasure, the text is in %d drafts and %d downloaded files, want 1 and 1", drafts, files)
	}
	mustContain(t, c.erase(), "Đã xóa")
	if drafts, files := kept(); drafts != 0 || files != 0 {
		t.Fatalf("after erasure, the text given with /new is still in %d drafts and %d downloaded files", drafts, files)
	}
}
