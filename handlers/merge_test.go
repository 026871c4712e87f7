package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
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

// oneMatterTwice is a ward with an officer and two people's petitions
// there on one matter: into, the first's, to keep, and dup, the
// second's, its duplicate.
func oneMatterTwice(t *testing.T) (w *world, officer, first, second *citizen, into, dup string) {
	w = newWorld(t)
	w.seedOrg()
	officer, first, second = w.staff(2701, "ubnd-hoa-cuong", "officer"), w.citizen(3701), w.citizen(3702)
	into = first.file("Phường Hòa Cường", "Rác thải tồn đọng ở kiệt 25 Núi Thành")
	return w, officer, first, second, into, second.file("Phường Hòa Cường", "Kiệt 25 Núi Thành rác chất đống cả tuần")
}

func TestADuplicateIsMergedAndItsPeopleAreToldTheAnswer(t *testing.T) {
	w, officer, first, second, into, dup := oneMatterTwice(t)
	cosigner := w.citizen(3703)
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
	mustContain(t, sentTo(out, second.id), "phản ánh <b>"+dup+"</b> của Ông/Bà trùng nội dung với phản ánh <b>"+into+"</b>",
		"Đơn vị thông tin thêm: Đội vệ sinh đã được giao xử lý")
	mustContain(t, sentTo(out, cosigner.id), "mà Ông/Bà đã cùng kiến nghị trùng nội dung với phản ánh <b>"+into+"</b>")
	mustContain(t, sentTo(out, first.id), "nay có 2 người")
	if got := w.mergeState(dup); got != "merged closed=true due=false cosigners=1" {
		t.Fatalf("the duplicate is %s", got)
	}
	if got := w.mergeState(into); got != "received closed=false due=true cosigners=2" {
		t.Fatalf("the main ticket is %s", got)
	}
	mustContain(t, second.says("/status "+dup), "Đã gộp vào phản ánh cùng nội dung", into)
	mustContain(t, officer.says("/reply "+dup+" Đang xử lý"), "đã kết thúc")
	mustContain(t, officer.says("/ticket "+into), "Phản ánh trùng được gộp vào 🔒: "+dup)
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

	w.exec(`UPDATE tickets SET due_at = due_at - interval '1 day' WHERE code = $1`, dup)
	refused(officer, "/gop "+dup+" "+into, "đến hạn trước phản ánh")
	w.exec(`UPDATE tickets SET due_at = due_at + interval '1 day' WHERE code = $1`, dup)

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
	mustContain(t, sentTo(out, c.id), "trùng nội dung với phản ánh <b>"+into+"</b> của Ông/Bà")
	if strings.Contains(texts(sentTo(out, c.id)), "nay có") {
		t.Fatalf("the sender was told they co-signed their own ticket: %s", texts(out))
	}
	if got := w.mergeState(into); got != "received closed=false due=true cosigners=0" {
		t.Fatalf("the main ticket is %s", got)
	}
	if got := w.mergeState(dup); got != "merged closed=true due=false cosigners=0" {
		t.Fatalf("the duplicate is %s", got)
	}
	// Erasure leaves the open one to its unit, and the duplicate merged
	// into it too (sealing needs its words, should the open one be found
	// to be a denunciation); both go once that one is completed.
	mustContain(t, c.erase(), "Đã xóa")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code IN ($1, $2) AND description <> ''`, dup, into); n != 2 {
		t.Error("erasure blanked a petition still being handled, or its duplicate")
	}
	w.exec(`UPDATE tickets SET status = 'completed' WHERE code = $1`, into)
	w.run(func(tx *storage.Store) error { return tx.BlankErasedPetitions(w.ctx, workcal.DateOf(w.now)) })
	if n := w.count(`SELECT count(*) FROM tickets WHERE code IN ($1, $2) AND description = ''`, dup, into); n != 2 {
		t.Error("the completed petition or its merged duplicate kept the erased person's text")
	}
}

// The duplicate's sender hears from the unit handling the main ticket,
// not the acting person's: a city leader merging two ward tickets speaks
// for the ward.
func TestTheDuplicatesSenderHearsFromTheUnitHandlingTheMainTicket(t *testing.T) {
	w, _, _, second, into, dup := oneMatterTwice(t)
	leader := w.staff(2902, "ubnd-tp", "leader")

	out := leader.says("/gop " + dup + " " + into)
	told := texts(sentTo(out, second.id))
	if !strings.Contains(told, "trùng nội dung với phản ánh <b>"+into+"</b>") {
		t.Fatalf("no merge notice:\n%s", texts(out))
	}
	if !strings.Contains(told, "<b>UBND phường Hòa Cường</b> thông báo") {
		t.Fatalf("the citizen is not told the unit that handles %s (UBND phường Hòa Cường):\n%s", into, told)
	}
}

// Someone who sent both tickets (or sent the main one and co-signed the
// duplicate) is its sender, not a co-signer, and is told so.
func TestTheMainTicketsSenderIsNotToldTheyCosignIt(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2911, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3911)
	into := c.file("Phường Hòa Cường", "Cây xanh ngã đổ")
	dup := c.file("Phường Hòa Cường", "Cây xanh ngã đổ chắn đường")
	out := officer.says("/gop " + dup + " " + into)
	told := texts(sentTo(out, c.id))
	if !strings.Contains(told, "trùng nội dung với phản ánh <b>"+into+"</b> của Ông/Bà") {
		t.Fatalf("no merge notice:\n%s", texts(out))
	}
	if strings.Contains(told, "người cùng kiến nghị") {
		t.Errorf("the sender of %s is told they co-sign their own petition:\n%s", into, told)
	}

	// The main ticket's sender had co-signed the duplicate.
	other := w.citizen(3912)
	into = c.file("Phường Hòa Cường", "Vỉa hè đường 2/9 bị lấn chiếm")
	dup = other.file("Phường Hòa Cường", "Lấn chiếm vỉa hè đường 2/9")
	var dupID, cID int64
	if err := w.raw.Get(&dupID, `SELECT id FROM tickets WHERE code = $1`, dup); err != nil {
		t.Fatal(err)
	}
	if err := w.raw.Get(&cID, `SELECT id FROM citizens WHERE chat_id = $1`, c.id); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.store.AddCosigner(w.ctx, dupID, cID, w.now); err != nil {
		t.Fatal(err)
	}
	out = officer.says("/gop " + dup + " " + into)
	told = texts(sentTo(out, c.id))
	if !strings.Contains(told, "của Ông/Bà, nên được gộp") || strings.Contains(told, "ghi nhận là người cùng kiến nghị") {
		t.Errorf("the sender of %s is told they still co-sign it:\n%s", into, told)
	}
}

// What the unit tells the citizens with a merge is on the duplicate's
// timeline (/status, /mydata), as every other message a unit sends a
// citizen is.
func TestTheMergeNoteIsOnTheDuplicatesTimeline(t *testing.T) {
	w, officer, _, second, into, dup := oneMatterTwice(t)
	note := "Đội vệ sinh môi trường sẽ thu gom trong tuần này"
	mustContain(t, sentTo(officer.says("/gop "+dup+" "+into+" "+note), second.id), note)
	if n := w.count(`SELECT count(*) FROM ticket_events WHERE body LIKE '%' || $1 || '%'`, note); n == 0 {
		t.Errorf("the note sent to the citizens is recorded on no timeline")
	}
	if status := texts(second.says("/status " + dup)); !strings.Contains(status, note) {
		t.Errorf("/status %s does not show what the unit told the sender:\n%s", dup, status)
	}
}

// A duplicate waiting for its sender's information is not merged: their
// reply to the unit's question would reach no one.
func TestADuplicateAwaitingItsSendersInformationIsNotMerged(t *testing.T) {
	w, officer, _, second, into, dup := oneMatterTwice(t)
	mustContain(t, sentTo(officer.says("/ticket "+dup), officer.id), dup)
	officer.asks("Ông/Bà cho biết đèn hỏng trước số nhà nào?")
	if got := w.mergeState(dup); !strings.HasPrefix(got, "awaiting_info") {
		t.Fatalf("the duplicate is %s", got)
	}

	mustContain(t, officer.says("/gop "+dup+" "+into), "đang chờ người gửi bổ sung thông tin")
	if got := w.mergeState(dup); !strings.HasPrefix(got, "awaiting_info") {
		t.Fatalf("the refused merge left the duplicate %s", got)
	}
	out := second.says("Trước nhà số 120 Núi Thành")
	mustContain(t, sentTo(out, officer.id), "Trước nhà số 120 Núi Thành")
}

// The same when the duplicate has been transferred since the question: the
// request still waits for its reply, which follows the ticket.
func TestADuplicateTransferredWhileItsQuestionWaitsIsNotMerged(t *testing.T) {
	w, officer, _, second, into, dup := oneMatterTwice(t)
	city := w.staff(2702, "ubnd-tp", "leader") // above both wards
	officer.asksOn(dup, "Ông/Bà cho biết đèn hỏng trước số nhà nào?")
	officer.says("/transfer " + dup + " ubnd-hai-chau Thuộc địa bàn phường Hải Châu")

	mustContain(t, city.says("/gop "+dup+" "+into), "đang chờ người gửi bổ sung thông tin")
	if got := w.mergeState(dup); strings.HasPrefix(got, "merged") {
		t.Fatalf("the duplicate was merged: %s", got)
	}
	mustContain(t, second.says("Trước nhà số 120 Núi Thành"), "PA-")
	if n := w.count(`SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE t.code = $1 AND e.kind = 'info_added'`, dup); n != 1 {
		t.Fatal("the reply did not reach the duplicate")
	}
}

// Information a sender is writing (after «Bổ sung thông tin») when their
// petition is merged reaches the unit handling the main ticket, and stays
// on their own petition's timeline.
func TestInformationForAMergedDuplicateReachesTheMainUnit(t *testing.T) {
	w, officer, first, second, into, dup := oneMatterTwice(t)
	second.says("/status " + dup)
	second.presses("Bổ sung")

	officer.says("/gop " + dup + " " + into)
	out := second.says("Nước ngập sâu khoảng 30 cm trước nhà 15")
	if strings.Contains(texts(sentTo(out, second.id)), "gửi phản ánh mới") || len(sentTo(out, officer.id)) == 0 {
		t.Fatalf("information for the merged petition was turned away; the unit got %d messages, the sender:\n%s",
			len(sentTo(out, officer.id)), texts(sentTo(out, second.id)))
	}
	mustContain(t, sentTo(out, officer.id), "bổ sung thông tin cho phản ánh đã gộp", "<b>"+dup+"</b>", "Nước ngập sâu khoảng 30 cm")
	mustContain(t, sentTo(out, second.id), "đã được gộp vào phản ánh "+into)
	mustContain(t, second.says("/status "+dup), "Nước ngập sâu khoảng 30 cm")
	if status := texts(first.says("/status " + into)); strings.Contains(status, "Nước ngập sâu") {
		t.Fatalf("the main ticket's sender sees another person's words:\n%s", status)
	}

	// Found to be a denunciation, the main ticket takes the card with
	// that information off the unit's chats too.
	w.staff(2952, "ubnd-tp", "officer") // the intake
	officer.says("/ticket " + into)
	officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ")
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = $1 AND payload::text LIKE '%Nước ngập sâu%'`, officer.id); n != 0 {
		t.Fatalf("%d messages to the ward still hold the duplicate's sender's words", n)
	}
}

// A duplicate merged into a ticket later found to be a denunciation
// raised the same matter: its sender is a denouncer too (law.md §5), and
// it is sealed with it, though closed.
func TestAMergedDuplicateIsSealedWithItsDenunciation(t *testing.T) {
	w, officer, _, _, into, dup := oneMatterTwice(t)
	w.staff(2952, "ubnd-tp", "officer") // the intake
	mustContain(t, officer.says("/ticket "+dup), "Người dân 3702")

	officer.says("/gop " + dup + " " + into)
	officer.says("/ticket " + into)
	officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ")
	if c := w.classification(into); c.Kind != "to_cao" || !c.Confidential {
		t.Fatalf("the main ticket is %+v", c)
	}
	if shown := texts(officer.says("/ticket " + dup)); strings.Contains(shown, "Người dân 3702") {
		t.Fatalf("the ward still sees who sent %s, merged into the denunciation %s:\n%s", dup, into, shown)
	}
}

// Information a duplicate's sender gives reaches the unit of the ticket it
// was merged into, in another ward, saying which of its tickets it is for,
// and without the sender's name: there they are a co-signer, and
// co-signers are never named.
func TestInformationPassedOnNamesTheMainTicketNotItsSender(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	ward := w.staff(2831, "ubnd-hoa-cuong", "officer")
	w.staff(2832, "ubnd-hai-chau", "officer")
	leader := w.staff(2833, "ubnd-tp", "leader")
	first, second := w.citizen(3831), w.citizen(3832)
	into := first.file("Phường Hòa Cường", "Rác thải tồn đọng ở kiệt 25 Núi Thành")
	dup := second.file("Phường Hải Châu", "Kiệt 25 Núi Thành rác chất đống cả tuần")
	second.says("/status " + dup)
	second.presses("Bổ sung")
	leader.says("/gop " + dup + " " + into)

	got := sentTo(second.says("Nước ngập sâu khoảng 30 cm trước nhà 15"), ward.id)
	mustContain(t, got, "Nước ngập sâu")
	if !strings.Contains(texts(got), into) {
		t.Fatalf("the information reached the ward without naming its ticket %s:\n%s", into, texts(got))
	}
	if strings.Contains(texts(got), second.name) {
		t.Fatalf("the ward, where the sender only co-signs, is told their name:\n%s", texts(got))
	}
}

// A duplicate merged into a petition later found to be a denunciation is
// sealed with it (README, Merging duplicates; law.md §5): its sender is a
// denouncer too. The ward's card of the duplicate is edited into the notice
// that "Nội dung, hình ảnh và thông tin người gửi được giữ bí mật" — the
// content is kept secret. The main petition leaves the ward for the
// intake, so the ward can no longer open it; the duplicate must not stay
// readable there either: /ticket of it in the ward shows the denouncer's
// own words again.
func TestASealedDuplicateLeavesTheWardWithItsDenunciation(t *testing.T) {
	w, officer, _, _, into, dup := oneMatterTwice(t)
	w.staff(2952, "ubnd-tp", "officer") // the intake
	officer.says("/gop " + dup + " " + into)
	officer.says("/ticket " + into)
	officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ")

	if shown := texts(sentTo(officer.says("/ticket "+into), officer.id)); strings.Contains(shown, "Rác thải tồn đọng") {
		t.Fatalf("setup: the ward still reads the denunciation itself:\n%s", shown)
	}
	if shown := texts(sentTo(officer.says("/ticket "+dup), officer.id)); strings.Contains(shown, "Kiệt 25 Núi Thành rác chất đống") {
		t.Fatalf("the ward reads the words of %s, sealed with the denunciation %s:\n%s", dup, into, shown)
	}
}

// A denunciation's duplicates go to the unit that has it even when the
// denunciation itself does not move (it was already at the triage unit):
// the ward the duplicate came from no longer reads its words.
func TestADuplicateLeavesTheWardWhenItsDenunciationIsAlreadyAtTheIntake(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	ward := w.staff(9201, "ubnd-hoa-cuong", "officer")
	leader := w.staff(9202, "ubnd-tp", "leader") // the intake's leader, above the ward
	into := w.citizen(9203).file("Phường Hòa Cường", "Rác thải tồn đọng ở kiệt 25 Núi Thành")
	ward.says("/transfer " + into + " ubnd-tp Cần thành phố xem xét")
	w.now = w.now.Add(time.Hour)
	dup := w.citizen(9204).file("Phường Hòa Cường", "Kiệt 25 Núi Thành rác chất đống cả tuần")
	mustContain(t, leader.says("/gop "+dup+" "+into), dup, into)
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'merged'`, dup); n != 1 {
		t.Fatal("setup: the duplicate was not merged")
	}

	leader.says("/ticket " + into)
	leader.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ phường")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND kind = 'to_cao'`, into); n != 1 {
		t.Fatal("setup: not reclassified")
	}

	if shown := texts(sentTo(ward.says("/ticket "+dup), ward.id)); strings.Contains(shown, "rác chất đống cả tuần") {
		t.Fatalf("the ward reads the words of %s, sealed with the denunciation %s kept at the intake:\n%s", dup, into, shown)
	}
}

// The nightly blanking of what people who erased their data wrote leaves
// a duplicate merged into a petition still open: should that petition be
// found to be a denunciation, its duplicates are sealed with it, and the
// sealing finds their words in the chats' lists only while it has them.
func TestADuplicateMergedIntoAnOpenPetitionIsNotBlankedBeforeItCanBeSealed(t *testing.T) {
	w, officer, _, second, into, dup := oneMatterTwice(t)
	w.staff(2706, "ubnd-tp", "officer")
	mustContain(t, second.erase(), "Đã xóa")
	officer.says("/inbox")
	w.markDelivered()
	list := w.listQuoting(officer.id, "rác chất đống cả tuần")
	mustContain(t, officer.says("/gop "+dup+" "+into), "Đã gộp")
	w.markDelivered()
	w.run(func(tx *storage.Store) error { return tx.BlankErasedPetitions(w.ctx, workcal.DateOf(w.now)) })
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND description = ''`, dup); n != 0 {
		t.Fatal("the duplicate was blanked while the petition it went into is open")
	}

	officer.says("/ticket " + into)
	out := officer.reclassifyAs("Tố cáo", "Nội dung tố cáo hành vi của cán bộ phường")
	sealed := ""
	for _, o := range sentTo(out, officer.id) {
		if o.MessageID == list && o.Kind == bot.KindEdit {
			sealed = o.Text
		}
	}
	if sealed == "" || strings.Contains(sealed, "rác chất đống cả tuần") {
		t.Fatalf("the list %s still quotes the merged duplicate's words:\n%s", list, sealed)
	}
}
