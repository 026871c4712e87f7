package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/workcal"
)

// A leader of the city acting on a ward's ticket (/reply, /resolve)
// speaks to its sender in the name of the ward that handles it: every
// step is told as coming from the unit.
func TestALeaderAboveSpeaksInTheNameOfTheHandlingUnit(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.staff(5001, "ubnd-hoa-cuong", "officer")
	cityLeader := w.staff(5002, "ubnd-tp", "leader")
	c := w.citizen(5003)
	code := c.file("Phường Hòa Cường", "Đèn đường hẻm 12 Núi Thành bị hỏng nhiều ngày")
	w.sent()

	progress := texts(sentTo(cityLeader.says("/reply "+code+" Đã giao phường kiểm tra trong tuần."), c.id))
	answer := texts(sentTo(cityLeader.says("/resolve "+code+" Đã thay bóng đèn mới."), c.id))
	for name, got := range map[string]string{"/reply": progress, "/resolve": answer} {
		if !strings.Contains(got, "<b>UBND phường Hòa Cường</b>") || strings.Contains(got, "UBND thành phố") {
			t.Errorf("%s by a city leader on a ward's ticket: the citizen should hear from UBND phường Hòa Cường, got:\n%s", name, got)
		}
	}
}

// A citizen who chose English is told the handling unit's English name,
// where the organisation file gives one, as notices and receptions do.
func TestACitizenInEnglishIsToldTheUnitsEnglishName(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.exec(`UPDATE units SET name_en = 'Hoa Cuong Ward People''s Committee' WHERE code = 'ubnd-hoa-cuong'`)
	officer := w.staff(5011, "ubnd-hoa-cuong", "officer")
	c := w.citizen(5012)
	code := c.file("Phường Hòa Cường", "Rác thải tập kết sai nơi quy định trên đường Lê Thanh Nghị")
	w.exec(`UPDATE citizens SET language = 'en' WHERE user_id = $1`, c.id)
	w.sent()

	got := texts(sentTo(officer.says("/resolve "+code+" The waste has been collected."), c.id))
	if !strings.Contains(got, "answers report") {
		t.Fatalf("no English answer:\n%s", got)
	}
	if !strings.Contains(got, "Hoa Cuong Ward People's Committee") {
		t.Errorf("an English reader is told the unit's Vietnamese name although it has an English one:\n%s", got)
	}
}

// A reclassification of a ticket under a rule in working hours (urgent)
// tells its sender the new deadline with its hour, as the receipt does.
func TestAReclassifiedUrgentTicketsDeadlineHasItsHour(t *testing.T) {
	w, officer, c, code := filed(t, 5021, 5022, "Nắp cống vỡ giữa lòng đường Núi Thành, xe máy dễ sập")
	w.now = time.Date(2026, 11, 24, 9, 0, 0, 0, vn)
	khan := texts(sentTo(officer.says("/khan "+code+" nguy hiểm cho người đi xe máy"), c.id))
	due := w.dueOf(code).In(workcal.Location()).Format("02/01/2006 15:04")
	if !strings.Contains(khan, due) {
		t.Fatalf("/khan did not give the hour %s:\n%s", due, khan)
	}

	officer.presses("Phân loại lại")
	officer.presses("Phản ánh")
	officer.presses("Giao thông và hạ tầng")
	got := texts(sentTo(officer.says("Thuộc lĩnh vực giao thông"), c.id))
	due = w.dueOf(code).In(workcal.Location()).Format("02/01/2006 15:04")
	if !strings.Contains(got, "phân loại lại") {
		t.Fatalf("no reclassification notice:\n%s", got)
	}
	if !strings.Contains(got, due) {
		t.Errorf("the sender of an urgent petition due at %s is told only the day:\n%s", due, got)
	}
}

// A reclassification that changes only the field says so, not
// "Phản ánh → Phản ánh" as well.
func TestAFieldOnlyReclassificationSaysOnlyTheField(t *testing.T) {
	w, officer, c, code := filed(t, 5031, 5032, "Đường Núi Thành có nhiều ổ gà sau mưa lớn")
	w.sent()
	officer.presses("Phân loại lại")
	officer.presses("Phản ánh")
	officer.presses("Giao thông và hạ tầng")
	got := texts(sentTo(officer.says("Thuộc lĩnh vực giao thông"), c.id))
	if !strings.Contains(got, "Môi trường → Giao thông và hạ tầng") {
		t.Fatalf("no reclassification notice for %s:\n%s", code, got)
	}
	if strings.Contains(got, "Phản ánh → Phản ánh") {
		t.Errorf("the sender is told the kind changed from Phản ánh to Phản ánh:\n%s", got)
	}
}

// A unit asks for information while its sender is writing another
// petition: their next message answers it (the request says to reply
// with a message) and reaches the unit; the petition being written is
// kept.
func TestAnInfoRequestIsAnsweredWhileWritingAnotherPetition(t *testing.T) {
	w, officer, c, code := filed(t, 5041, 5042, "Cống thoát nước bị tắc, nước tràn ra đường")
	c.says("/new") // starts another petition: the kind step
	officer.asks("Ông/Bà cho biết số nhà gần nhất?")
	w.sent()
	out := c.says("Trước nhà số 45 Núi Thành")
	toOfficer := texts(sentTo(out, officer.id))
	if !strings.Contains(toOfficer, "Trước nhà số 45") {
		t.Errorf("the answer to the unit's question on %s did not reach it; the citizen got:\n%s\n(status %d awaiting_info)",
			code, texts(sentTo(out, c.id)), w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'awaiting_info'`, code))
	}
}

// An officer who filed a petition of their own has a task open (they
// pressed Answer on another person's ticket) when another unit asks them
// about their petition: their reply answers the question, as the request
// says, rather than going to the other person as the unit's answer; the
// task is kept, and their next message completes it.
func TestAnOfficersReplyToAQuestionOnTheirOwnPetitionIsNotTakenForTheirTask(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(5321, "ubnd-hoa-cuong", "officer")
	other := w.staff(5322, "ubnd-hai-chau", "officer")
	c := w.citizen(5323)
	theirs := c.file("Phường Hòa Cường", "Rác thải tồn đọng nhiều ngày ở đầu kiệt 25")
	own := officer.file("Phường Hải Châu", "Đèn đường hỏng trước nhà tôi trên đường Bạch Đằng")
	officer.says("/ticket " + theirs)
	officer.presses("Trả lời")
	other.asksOn(own, "Ông/Bà cho biết số nhà cụ thể?")
	w.sent()

	out := officer.says("Nhà tôi số 12 Bạch Đằng")
	if got := texts(sentTo(out, c.id)); got != "" {
		t.Fatalf("the officer's reply about their own petition went to the sender of %s:\n%s", theirs, got)
	}
	mustContain(t, sentTo(out, other.id), "Nhà tôi số 12 Bạch Đằng")
	mustContain(t, sentTo(out, officer.id), "đang làm dở", "/cancel")
	out = officer.says("Đã thu gom rác ở đầu kiệt 25.")
	mustContain(t, sentTo(out, c.id), theirs, "Đã thu gom rác")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'answered'`, theirs); n != 1 {
		t.Errorf("%s was not answered by the task kept", theirs)
	}
}

// Information a sender was adding when the unit answered meanwhile does
// not reopen the answered ticket: it is kept as their follow-up, and they
// are told it was answered and offered the rating, whose "not satisfied"
// reopens it.
func TestInformationSentAfterTheAnswerOffersTheRating(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(5301, "ubnd-hoa-cuong", "officer")
	c := w.citizen(5302)
	code := c.file("Phường Hòa Cường", "Cống thoát nước bị tắc trước nhà số 12")
	c.says("/status " + code)
	mustContain(t, c.presses("Bổ sung thông tin"), "gửi thêm thông tin")
	officer.says("/resolve " + code + " Đã nạo vét cống.")
	out := c.says("Nước vẫn tràn ra đường sau mưa")
	mustContain(t, out, "đã được đơn vị trả lời", "[Chưa hài lòng]", "[Không hài lòng]")
	if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'info_added'`); n != 0 {
		t.Error("the information was added to the answered ticket as a reply to the unit")
	}
	if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'follow_up'`); n != 1 {
		t.Error("the information sent after the answer was not kept")
	}
}

// With two of their petitions waiting for information, a sender's reply
// answers the question asked last, whichever petition is newer.
func TestAReplyAnswersTheQuestionAskedLast(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(5311, "ubnd-hoa-cuong", "officer")
	c := w.citizen(5312)
	first := c.file("Phường Hòa Cường", "Cống thoát nước bị tắc trước nhà số 12")
	second := c.file("Phường Hòa Cường", "Đèn đường hỏng trên đường Núi Thành")
	officer.asksOn(second, "Ông/Bà cho biết cột đèn số mấy?")
	w.now = w.now.Add(time.Hour)
	officer.asksOn(first, "Ông/Bà cho biết số nhà chính xác?")
	c.says("Trước nhà số 12A")
	if n := w.count(`SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.kind = 'info_added' AND t.code = $1`, first); n != 1 {
		t.Errorf("the reply did not answer %s, asked last (%s was asked first)", first, second)
	}
}

// A request for information made before the sender began a petition is
// not answered by the petition's text, however the ticket changed since
// (an internal note): only a request made after they last touched it is.
func TestAnOlderRequestTouchedAgainDoesNotTakeAPetitionsText(t *testing.T) {
	w, officer, c, code := filed(t, 7101, 7102, "Cống thoát nước bị tắc, nước tràn ra đường")
	officer.asks("Ông/Bà cho biết số nhà gần nhất?")

	// A day later, the sender starts another petition, up to its description.
	w.now = w.now.Add(24 * time.Hour)
	c.says("/new")
	c.presses("Phản ánh")
	c.presses("Môi trường")
	c.presses("Thành phố Đà Nẵng")
	c.presses("Phường Hòa Cường")

	// Meanwhile an officer notes something, internally, on the old ticket.
	w.now = w.now.Add(10 * time.Minute)
	mustContain(t, officer.says("/note "+code+" Đã gọi điện, chưa liên lạc được"), "Đã lưu ghi chú")
	w.sent()

	w.now = w.now.Add(time.Minute)
	out := c.says("Đèn đường trên đường Núi Thành bị hỏng từ tuần trước")
	if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'info_added'`); n != 0 {
		t.Errorf("the petition's description was taken as information for %s (asked a day before the petition was started); the sender got:\n%s",
			code, texts(sentTo(out, c.id)))
	}
	if !strings.Contains(texts(sentTo(out, c.id)), "ảnh") {
		t.Errorf("the petition did not move on to its photo step after its description; the sender got:\n%s", texts(sentTo(out, c.id)))
	}
}

// The question asked last is the one a reply answers, whatever else
// changed on the other ticket since (an internal note).
func TestANoteDoesNotMakeAnOlderQuestionTheOneAnswered(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(7111, "ubnd-hoa-cuong", "officer")
	c := w.citizen(7112)
	first := c.file("Phường Hòa Cường", "Cống thoát nước bị tắc trước nhà số 12")
	second := c.file("Phường Hòa Cường", "Đèn đường hỏng trên đường Núi Thành")
	officer.asksOn(first, "Ông/Bà cho biết số nhà chính xác?")
	w.now = w.now.Add(time.Hour)
	officer.asksOn(second, "Ông/Bà cho biết cột đèn số mấy?")
	w.now = w.now.Add(time.Hour)
	mustContain(t, officer.says("/note "+first+" Đã cử cán bộ xuống kiểm tra"), "Đã lưu ghi chú")
	w.now = w.now.Add(time.Minute)
	c.says("Cột đèn số 17, gần ngã tư")
	if n := w.count(`SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.kind = 'info_added' AND t.code = $1`, second); n != 1 {
		t.Errorf("the reply did not answer %s, asked last; an internal note on %s (asked first) drew it there (info_added on %s: %d)",
			second, first, first, w.count(`SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.kind = 'info_added' AND t.code = $1`, first))
	}
}

// A button of the step the sender is at (the phone step's «Bỏ qua»),
// pressed after a unit's request, answers the step, not the unit.
func TestAStepsOwnButtonIsNotAnAnswerToTheUnit(t *testing.T) {
	w, officer, c, code := filed(t, 7121, 7122, "Cống thoát nước bị tắc, nước tràn ra đường")
	w.now = w.now.Add(time.Hour)
	c.describe("Phường Hòa Cường", "Đèn đường trên đường Núi Thành bị hỏng từ tuần trước")
	c.presses("Bỏ qua") // no photos: the phone step and its keyboard
	w.now = w.now.Add(10 * time.Minute)
	officer.asksOn(code, "Ông/Bà cho biết số nhà gần nhất?")
	w.sent()
	w.now = w.now.Add(time.Minute)
	out := c.says("Bỏ qua") // the keyboard's Skip, pressed
	if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'info_added' AND body = 'Bỏ qua'`); n != 0 {
		t.Errorf("the phone step's Skip button was sent to the unit as the information it asked for on %s; the sender got:\n%s",
			code, texts(sentTo(out, c.id)))
	}
}

// A ticket no unit handles (no route, no intake), answered by an
// administrator, names the administrator's unit to its sender.
func TestAnAnswerOnAUnitlessTicketNamesWhoAnswered(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	w.exec(`UPDATE units SET is_triage = false`)
	w.exec(`DELETE FROM routing_rules`)
	admin := w.staff(7131, "ubnd-tp", "admin")
	c := w.citizen(7132)
	code := c.file("Phường Hòa Cường", "Cống thoát nước bị tắc trước nhà số 12")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND unit_id IS NULL`, code); n != 1 {
		t.Fatalf("setup: %s has a unit", code)
	}
	w.sent()
	out := sentTo(admin.says("/resolve "+code+" Đã nạo vét cống."), c.id)
	got := texts(out)
	if !strings.Contains(got, "Đã nạo vét cống") {
		t.Fatalf("setup: the sender got no answer:\n%s", got)
	}
	if strings.Contains(got, "<b></b>") || !strings.Contains(got, "UBND thành phố Đà Nẵng") {
		t.Errorf("the answer on %s names no unit:\n%s", code, got)
	}
}
