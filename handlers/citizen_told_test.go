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

// Information a sender was adding when the unit answered meanwhile is not
// added to the answered ticket: they are told it was answered and offered
// the rating, whose "not satisfied" reopens it.
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
		t.Error("the information was added to the answered ticket")
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
	officer.says("/ticket " + second)
	officer.asks("Ông/Bà cho biết cột đèn số mấy?")
	w.now = w.now.Add(time.Hour)
	officer.says("/ticket " + first)
	officer.asks("Ông/Bà cho biết số nhà chính xác?")
	c.says("Trước nhà số 12A")
	if n := w.count(`SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.kind = 'info_added' AND t.code = $1`, first); n != 1 {
		t.Errorf("the reply did not answer %s, asked last (%s was asked first)", first, second)
	}
}
