package handlers_test

import (
	"strings"
	"testing"
)

// mergeState is what a merge changes on a ticket.
func (w *world) mergeState(code string) string {
	w.t.Helper()
	var state string
	if err := w.raw.Get(&state, `SELECT status || ' closed=' || (closed_at IS NOT NULL) || ' due=' || (due_at IS NOT NULL)
		|| ' cosigners=' || cosigners FROM tickets WHERE code = $1`, code); err != nil {
		w.t.Fatal(err)
	}
	return state
}

func TestADuplicateIsMergedAndItsPeopleAreToldTheAnswer(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2701, "ubnd-hoa-cuong", "officer")
	first, second, cosigner := w.citizen(3701), w.citizen(3702), w.citizen(3703)
	into := first.file("Phường Hòa Cường", "Rác thải tồn đọng ở kiệt 25 Núi Thành")
	dup := second.file("Phường Hòa Cường", "Kiệt 25 Núi Thành rác chất đống cả tuần")
	var dupID, cosignerID int64
	if err := w.raw.Get(&dupID, `SELECT id FROM tickets WHERE code = $1`, dup); err != nil {
		t.Fatal(err)
	}
	cosigner.says("/start")
	if err := w.raw.Get(&cosignerID, `SELECT id FROM citizens WHERE chat_id = $1`, cosigner.id); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.store.AddCosigner(w.ctx, dupID, cosignerID, w.now); err != nil {
		t.Fatal(err)
	}

	out := officer.says("/gop " + dup + " " + into + " Đội vệ sinh đã được giao xử lý")
	mustContain(t, sentTo(out, officer.id), "Đã gộp phản ánh "+dup+" vào phản ánh "+into)
	mustContain(t, sentTo(out, second.id), "Phản ánh <b>"+dup+"</b> của Ông/Bà có cùng nội dung", "gộp vào phản ánh <b>"+into+"</b>",
		"Ghi chú của đơn vị: Đội vệ sinh đã được giao xử lý")
	mustContain(t, sentTo(out, cosigner.id), "mà Ông/Bà cùng kiến nghị", "gộp vào phản ánh <b>"+into+"</b>")
	mustContain(t, sentTo(out, first.id), "nay có 2 người")
	if got := w.mergeState(dup); got != "merged closed=true due=false cosigners=1" {
		t.Fatalf("the duplicate is %s", got)
	}
	if got := w.mergeState(into); got != "received closed=false due=true cosigners=2" {
		t.Fatalf("the main ticket is %s", got)
	}
	mustContain(t, second.says("/status "+dup), "Đã gộp vào phản ánh cùng nội dung", into)
	mustContain(t, officer.says("/reply "+dup+" Đang xử lý"), "đã kết thúc")
	mustContain(t, officer.says("/ticket "+into), "Gộp phản ánh trùng nội dung 🔒: "+dup)
	if status := texts(first.says("/status " + into)); strings.Contains(status, dup) {
		t.Fatalf("the main ticket's sender sees the duplicate's code:\n%s", status)
	}

	// Both are told the answer, as co-signers are.
	out = officer.says("/resolve " + into + " Đã thu gom toàn bộ rác thải")
	mustContain(t, sentTo(out, second.id), "Đã thu gom toàn bộ rác thải")
	mustContain(t, sentTo(out, cosigner.id), "Đã thu gom toàn bộ rác thải")
}

func TestAMergeOutsideItsRulesChangesNothing(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2711, "ubnd-hoa-cuong", "officer")
	a, b, c := w.citizen(3711), w.citizen(3712), w.citizen(3713)
	into := a.file("Phường Hòa Cường", "Đèn đường không sáng")
	dup := b.file("Phường Hòa Cường", "Đường tối vì đèn hỏng")
	elsewhere := c.file("Phường Hải Châu", "Đèn đường không sáng ở Hải Châu")

	refused := func(who *citizen, command, want string) {
		t.Helper()
		out := who.says(command)
		mustContain(t, out, want)
		if len(sentTo(out, a.id))+len(sentTo(out, b.id))+len(sentTo(out, c.id)) != 0 && who.id == officer.id {
			t.Fatalf("%s told a citizen: %s", command, texts(out))
		}
		if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind IN ('merged', 'merged_in')`); n != 0 {
			t.Fatalf("%s recorded %d merge events", command, n)
		}
		for _, code := range []string{into, dup, elsewhere} {
			if got := w.mergeState(code); !strings.HasSuffix(got, "cosigners=0") || strings.HasPrefix(got, "merged") {
				t.Fatalf("%s changed %s: %s", command, code, got)
			}
		}
	}
	refused(officer, "/gop "+dup, "Cú pháp: /gop")
	refused(officer, "/gop "+dup+" PA-2026-abc", "Cú pháp: /gop")
	refused(officer, "/gop "+dup+" "+dup, "Hai mã phản ánh giống nhau")
	refused(officer, "/gop "+dup+" PA-2026-000099", "không có quyền")
	refused(officer, "/gop "+elsewhere+" "+into, "không có quyền")
	refused(officer, "/gop "+dup+" "+into+" "+strings.Repeat("a", 5000), "vượt quá giới hạn")
	refused(b, "/gop "+dup+" "+into, "chỉ dành cho cán bộ")

	w.exec(`UPDATE tickets SET confidential = true WHERE code = $1`, into)
	refused(officer, "/gop "+dup+" "+into, "không nhận người cùng kiến nghị")
	w.exec(`UPDATE tickets SET confidential = false WHERE code = $1`, into)
	w.exec(`UPDATE tickets SET kind = 'to_cao' WHERE code = $1`, dup)
	refused(officer, "/gop "+dup+" "+into, "được xử lý riêng cho người gửi")
	w.exec(`UPDATE tickets SET kind = 'phan_anh' WHERE code = $1`, dup)

	officer.says("/resolve " + into + " Đã thay bóng đèn")
	refused(officer, "/gop "+dup+" "+into, "đã kết thúc")
}

// A person who sent both tickets is not their own co-signer.
func TestMergingTwoTicketsOfOneSender(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2721, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3721)
	into := c.file("Phường Hòa Cường", "Cây xanh ngã đổ")
	dup := c.file("Phường Hòa Cường", "Cây xanh ngã đổ chắn đường")
	out := officer.says("/gop " + dup + " " + into)
	mustContain(t, sentTo(out, c.id), "gộp vào phản ánh <b>"+into+"</b>")
	if strings.Contains(texts(sentTo(out, c.id)), "nay có") {
		t.Fatalf("the sender was told they co-signed their own ticket: %s", texts(out))
	}
	if got := w.mergeState(into); got != "received closed=false due=true cosigners=0" {
		t.Fatalf("the main ticket is %s", got)
	}
	if got := w.mergeState(dup); got != "merged closed=true due=false cosigners=0" {
		t.Fatalf("the duplicate is %s", got)
	}
	// Merged is finished: erasure blanks it, and leaves the open one to
	// its unit.
	mustContain(t, c.erase(), "Đã xóa")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND description = ''`, dup); n != 1 {
		t.Error("erasure left the merged petition's text")
	}
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND description <> ''`, into); n != 1 {
		t.Error("erasure blanked the petition still being handled")
	}
}
