package handlers_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

func TestAcceptLeavesATicketWaitingForTheCitizen(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2101, "ubnd-hai-chau", "officer")
	c := w.citizen(3101)
	code := c.file("Phường Hải Châu", "Nắp cống trên đường Trần Phú bị vỡ")
	officer.presses("Yêu cầu bổ sung")
	officer.says("Ông/Bà cho biết số nhà gần nhất?")

	// The card no longer offers Accept; a press on a copy not yet edited
	// is refused.
	var id int64
	if err := w.raw.Get(&id, `SELECT id FROM tickets WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	mustAnswer(t, officer.pressData("1", fmt.Sprintf("o:accept:%d", id)), "Chờ bổ sung thông tin")
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'awaiting_info' AND paused_at IS NOT NULL`, code); n != 1 {
		t.Fatal("accepting took the ticket back from the citizen")
	}
	// The citizen's reply is still recognised as the information asked for.
	mustContain(t, c.says("Gần số nhà 45"), code)
	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'in_progress' AND paused_at IS NULL`, code); n != 1 {
		t.Fatal("the citizen's reply did not resume the ticket")
	}
}

// Two officers of a unit act on one ticket at the same moment, in two
// transactions: the second waits for the first and sees its outcome, so a
// rejected ticket is not answered as well.
func TestTwoOfficersActingAtOnceTakeTurns(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	a := w.staff(2111, "ubnd-hai-chau", "officer")
	b := w.staff(2112, "ubnd-hai-chau", "officer")
	c := w.citizen(3111)
	code := c.file("Phường Hải Châu", "Rác thải ứ đọng tại chợ Hàn")
	a.presses("Không thuộc thẩm quyền")
	b.presses("Trả lời")
	w.sent()

	reject := a.event()
	reject.Text = "Chợ Hàn do Ban quản lý chợ phụ trách"
	answer := b.event()
	answer.Text = "Đã thu gom rác tại chợ Hàn"

	// A's rejection is handled but not yet committed when B's answer comes.
	handled, release, aDone := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		aDone <- w.store.InTx(w.ctx, func(tx *storage.Store) error {
			if err := w.service.Handle(w.ctx, tx, reject); err != nil {
				return err
			}
			close(handled)
			<-release
			return nil
		})
	}()
	select {
	case <-handled:
	case err := <-aDone:
		t.Fatalf("the rejection failed: %v", err)
	}
	bDone := make(chan error, 1)
	go func() {
		bDone <- w.store.InTx(w.ctx, func(tx *storage.Store) error { return w.service.Handle(w.ctx, tx, answer) })
	}()
	waitForALockWait(t, w)
	close(release)
	if err := <-aDone; err != nil {
		t.Fatal(err)
	}
	if err := <-bDone; err != nil {
		t.Fatal(err)
	}

	if n := w.count(`SELECT count(*) FROM tickets WHERE code = $1 AND status = 'rejected'`, code); n != 1 {
		t.Fatal("the answer overwrote the rejection")
	}
	if n := w.count(`SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.code = $1 AND e.kind = 'answered'`, code); n != 0 {
		t.Fatal("a rejected ticket was answered too")
	}
	out := w.sent()
	mustContain(t, sentTo(out, b.id), "Phản ánh đã kết thúc")
	for _, o := range sentTo(out, c.id) {
		if o.Kind != bot.KindAnswer && len(o.Buttons) > 0 {
			t.Fatalf("the citizen was asked to rate a rejected ticket: %s", o.Text)
		}
	}
}

// waitForALockWait returns once a session of the world's database waits
// for a row lock.
func waitForALockWait(t *testing.T, w *world) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for w.count(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the second transaction never waited for the first")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// What staff do in a group is seen by everyone in it: a group shows only
// its own unit's tickets, and an unlinked group none, whatever the
// person's own scope.
func TestGroupsShowOnlyTheirUnitsTickets(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	wardLeader := w.staff(2121, "ubnd-hoa-cuong", "leader")
	cityLeader := w.staff(2122, "ubnd-tp", "leader")
	c := w.citizen(3121)
	own := c.file("Phường Hòa Cường", "Đèn đường hỏng trên đường Nguyễn Hữu Thọ")
	other := c.file("Phường Hải Châu", "Vỉa hè đường Bạch Đằng bị lún")
	inGroup := func(group string, who *citizen, text string) []bot.Outgoing {
		return who.sends(func(e *bot.Event) {
			e.Chat = bot.Chat{ID: group, Group: true}
			cmd, args, _ := strings.Cut(strings.TrimPrefix(text, "/"), " ")
			e.Command, e.Args = cmd, args
		})
	}
	mustContain(t, inGroup("-100700", wardLeader, "/linkgroup ubnd-hoa-cuong"), "Nhóm đã được liên kết")

	// The city leader may see both tickets in private, but in the ward's
	// group only the ward's.
	mustContain(t, cityLeader.says("/ticket "+other), other, "Vỉa hè")
	mustContain(t, inGroup("-100700", cityLeader, "/ticket "+other), "không có quyền")
	mustContain(t, inGroup("-100700", cityLeader, "/ticket "+own), own, "Đèn đường")
	list := texts(inGroup("-100700", cityLeader, "/inbox"))
	if !strings.Contains(list, own) || strings.Contains(list, other) {
		t.Fatalf("the ward group's inbox:\n%s", list)
	}
	// An unlinked group shows nothing and says how to link it.
	out := inGroup("-100800", cityLeader, "/ticket "+own)
	mustContain(t, out, "chưa được liên kết")
	if strings.Contains(texts(out), "Đèn đường") {
		t.Fatalf("an unlinked group got a card:\n%s", texts(out))
	}
	if got := texts(inGroup("-100800", cityLeader, "/inbox")); strings.Contains(got, own) {
		t.Fatalf("an unlinked group got the inbox:\n%s", got)
	}
}

func TestMineLeavesOutTicketsTransferredAway(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	a := w.staff(2131, "ubnd-hoa-cuong", "officer")
	w.staff(2132, "ubnd-hai-chau", "officer")
	c := w.citizen(3131)
	kept := c.file("Phường Hòa Cường", "Cống thoát nước bị tắc đường Phan Đăng Lưu")
	mustContain(t, a.says("/note "+kept+" đã liên hệ tổ dân phố"), kept)
	moved := c.file("Phường Hòa Cường", "Cây xanh nghiêng trên đường Lê Duẩn")
	mustContain(t, a.says("/transfer "+moved+" ubnd-hai-chau thuộc địa bàn phường Hải Châu"), "UBND phường Hải Châu")
	list := texts(a.says("/mine"))
	if !strings.Contains(list, kept) || strings.Contains(list, moved) {
		t.Fatalf("/mine after a transfer:\n%s", list)
	}
}

func TestATransferReasonOverTheLimitChangesNothing(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	a := w.staff(2141, "ubnd-hoa-cuong", "officer")
	c := w.citizen(3141)
	code := c.file("Phường Hòa Cường", "Xe tải đỗ chắn lối đi trong hẻm")
	mustContain(t, a.says("/transfer "+code+" ubnd-hai-chau "+strings.Repeat("lý do ", 600)), "vượt quá giới hạn")
	if n := w.count(`SELECT count(*) FROM tickets t JOIN units u ON u.id = t.unit_id WHERE t.code = $1 AND u.code = 'ubnd-hoa-cuong'`, code); n != 1 {
		t.Fatal("the ticket was transferred")
	}
}

// An answer started on a ticket that a colleague then transfers away is
// refused when it comes, and the person's next messages are theirs again.
func TestATaskOnATicketTransferredAwayEnds(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	a := w.staff(2151, "ubnd-hoa-cuong", "officer")
	b := w.staff(2152, "ubnd-hoa-cuong", "officer")
	code := w.citizen(3151).file("Phường Hòa Cường", "Đèn đường hỏng trên đường Lê Thanh Nghị")
	a.presses("Trả lời")
	mustContain(t, b.says("/transfer "+code+" ubnd-hai-chau thuộc địa bàn phường Hải Châu"), "UBND phường Hải Châu")
	mustContain(t, a.says("Đã thay bóng đèn mới."), "không có quyền")
	if n := w.count(`SELECT count(*) FROM conversations WHERE flow = 'officer'`); n != 0 {
		t.Fatal("the refused task still waits for text")
	}
	if n := w.count(`SELECT count(*) FROM ticket_events WHERE kind = 'answered'`); n != 0 {
		t.Fatal("the ticket was answered from outside its unit")
	}
	mustContain(t, a.says("/inbox"), "Không có phản ánh")
}
