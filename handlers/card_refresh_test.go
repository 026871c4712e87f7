package handlers_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
)

// Button labels of a card not yet taken in hand, and of a closed one in
// English.
var (
	receivedButtons = append([]string{"✅ Tiếp nhận"}, handlingButtons...)
	receivedEN      = append([]string{"✅ Accept"}, handlingEN...)
	closedEN        = []string{"📝 Note"}
)

// copyText is the text of message id in chat as last queued: the card as
// sent, or its latest edit.
func (w *world) copyText(chat, id string) string {
	w.t.Helper()
	var text string
	if err := w.raw.Get(&text, `SELECT payload->>'text' FROM outbox WHERE chat_id = $1
		AND (id::text = $2 OR (kind = 'edit' AND payload->>'message_id' = $2)) ORDER BY id DESC LIMIT 1`, chat, id); err != nil {
		w.t.Fatalf("no message %s in chat %s: %v", id, chat, err)
	}
	return text
}

// answeredBy has officer answer the ticket of code.
func answeredBy(officer *citizen, code string) {
	officer.says("/resolve " + code + " Đã nạo vét cống, nước đã rút.")
}

// askedBy has officer ask the sender of the ticket on their latest card
// for information.
func askedBy(officer *citizen) {
	officer.presses("Yêu cầu bổ sung")
	officer.says("Ông/Bà cho biết số nhà gần nhất?")
}

// refreshWorld is a copiesWorld with the ticket's sender and, once filed,
// a duplicate of it.
type refreshWorld struct {
	*copiesWorld
	base   int
	sender *citizen
	dup    string
}

// A step that changes what a card shows, other than those that take a
// ticket in hand or close it (card_copies_test.go), edits every copy
// already delivered into the ticket as it now is, once, in the copy's
// language and under its heading, with the buttons it still allows
// (README: every copy of a card follows its ticket).
func TestEveryStepThatChangesTheCardRefreshesItsCopies(t *testing.T) {
	for i, step := range []struct {
		name    string
		prepare func(k *refreshWorld) // once the copies were delivered
		do      func(k *refreshWorld) []bot.Outgoing
		// What every copy says after the step and not before, in
		// Vietnamese and in English, and what it said before and no more.
		shows, showsEN     []string
		hides, hidesEN     []string
		buttons, buttonsEN []string
		deadlineMoves      bool // and the copies show the new deadline, not the old
	}{
		{name: "information supplied", prepare: func(k *refreshWorld) { askedBy(k.a) },
			do: func(k *refreshWorld) []bot.Outgoing {
				k.w.now = k.w.now.Add(2 * 24 * time.Hour) // the clock resumes two working days later
				return k.sender.sends(func(e *bot.Event) {
					e.Text, e.Photo = "Số nhà 25 Núi Thành", &bot.File{ID: "drain", UniqueID: "drain"}
				})
			},
			shows: []string{"Đang xử lý", "Ảnh: 1"}, showsEN: []string{"In progress", "Photos: 1"},
			hides:   []string{"Chờ bổ sung thông tin", "(tạm dừng trong khi chờ bổ sung)", "Ảnh: 0"},
			hidesEN: []string{"Waiting for more information", "(paused while waiting for information)", "Photos: 0"},
			buttons: handlingButtons, buttonsEN: handlingEN, deadlineMoves: true},
		{name: "photo after the answer", prepare: func(k *refreshWorld) {
			askedBy(k.a)
			k.w.now = k.w.now.Add(10 * time.Minute)
			answeredBy(k.a, k.code)
		}, do: func(k *refreshWorld) []bot.Outgoing {
			k.w.now = k.w.now.Add(5 * time.Minute)
			return k.sender.sends(photoOf("flooded-street"))
		},
			shows: []string{"Đã trả lời", "Ảnh: 1"}, showsEN: []string{"Answered", "Photos: 1"},
			hides: []string{"Ảnh: 0"}, hidesEN: []string{"Photos: 0"},
			buttons: closedButtons, buttonsEN: closedEN},
		{name: "reclassified", do: func(k *refreshWorld) []bot.Outgoing {
			return k.a.reclassifyAs("Kiến nghị", "Nội dung đề nghị nạo vét định kỳ tuyến cống")
		},
			shows: []string{"· Kiến nghị · Đã tiếp nhận"}, showsEN: []string{"· Petition · Received"},
			hides: []string{"· Phản ánh ·"}, hidesEN: []string{"· Report ·"},
			buttons: receivedButtons, buttonsEN: receivedEN},
		{name: "marked urgent", do: func(k *refreshWorld) []bot.Outgoing {
			return k.a.says("/khan " + k.code + " Nước tràn vào nhà dân, nguy cơ mất an toàn điện")
		},
			shows: []string{"· Đã tiếp nhận · 🚨 KHẨN\n"}, showsEN: []string{"· Received · 🚨 URGENT\n"},
			buttons: receivedButtons, buttonsEN: receivedEN, deadlineMoves: true},
		{name: "deadline extended", do: func(k *refreshWorld) []bot.Outgoing {
			return k.leader.says("/giahan " + k.code + " 5 Cần khảo sát toàn tuyến cống")
		},
			buttons: receivedButtons, buttonsEN: receivedEN, deadlineMoves: true},
		{name: "rated satisfied", prepare: func(k *refreshWorld) { answeredBy(k.a, k.code) },
			do:    func(k *refreshWorld) []bot.Outgoing { return k.sender.presses("Rất hài lòng") },
			shows: []string{"Hoàn thành"}, showsEN: []string{"Completed"},
			hides: []string{"Đã trả lời"}, hidesEN: []string{"Answered"},
			buttons: closedButtons, buttonsEN: closedEN},
		{name: "reopened", prepare: func(k *refreshWorld) { answeredBy(k.a, k.code) },
			do: func(k *refreshWorld) []bot.Outgoing {
				k.w.now = k.w.now.Add(24 * time.Hour) // the new clock starts a day later
				return k.sender.presses("Không hài lòng")
			},
			shows: []string{"Đã mở lại"}, showsEN: []string{"Reopened"},
			hides: []string{"Đã trả lời"}, hidesEN: []string{"Answered"},
			buttons: receivedButtons, buttonsEN: receivedEN, deadlineMoves: true},
		{name: "closed unrated", prepare: func(k *refreshWorld) {
			answeredBy(k.a, k.code)
			k.w.now = k.w.now.Add(3*24*time.Hour + time.Hour)
			k.closeUnrated() // the reminder
		}, do: func(k *refreshWorld) []bot.Outgoing {
			k.w.now = k.w.now.Add(4*24*time.Hour + time.Hour)
			return k.closeUnrated()
		},
			shows: []string{"Hoàn thành"}, showsEN: []string{"Completed"},
			hides: []string{"Đã trả lời"}, hidesEN: []string{"Answered"},
			buttons: closedButtons, buttonsEN: closedEN},
		{name: "merged into", prepare: func(k *refreshWorld) {
			k.dup = k.w.citizen(k.base+7).file("Phường Hòa Cường", "Nước tràn ra đường Núi Thành vì cống bị tắc")
		}, do: func(k *refreshWorld) []bot.Outgoing {
			return k.a.says("/gop " + k.dup + " " + k.code)
		},
			shows: []string{"Cùng kiến nghị: 1 người"}, showsEN: []string{"Co-signers: 1"},
			buttons: receivedButtons, buttonsEN: receivedEN},
	} {
		t.Run(step.name, func(t *testing.T) {
			base := 8600 + 10*i
			k := &refreshWorld{copiesWorld: newCopiesWorld(t, base), base: base}
			k.sender = k.w.citizen(base + 4)
			k.w.markDelivered()
			cards := k.w.cardsIn(k.code, k.chats()...)
			if step.prepare != nil {
				step.prepare(k)
				k.w.markDelivered()
			}
			before := map[string]string{}
			for _, chat := range k.chats() {
				before[chat] = k.w.copyText(chat, cards[chat])
			}
			dueBefore := k.w.dueOf(k.code)

			out := step.do(k)
			checkOutgoing(t, out)
			due := k.w.dueOf(k.code)
			if step.deadlineMoves == due.Equal(dueBefore) {
				t.Fatalf("setup: the deadline was %s and is %s; want it moved: %v", dueBefore, due, step.deadlineMoves)
			}
			for _, chat := range k.chats() {
				shows, hides, buttons, deadline := step.shows, step.hides, step.buttons, "Hạn xử lý: "
				if chat == k.b.id {
					shows, hides, buttons, deadline = step.showsEN, step.hidesEN, step.buttonsEN, "Deadline: "
				}
				for _, s := range hides {
					if !strings.Contains(before[chat], s) {
						t.Fatalf("setup: the copy in chat %s did not say %q:\n%s", chat, s, before[chat])
					}
				}
				e := editedOnce(t, out, chat, cards[chat])
				if !slices.Equal(labels(e), buttons) {
					t.Errorf("the copy in chat %s has buttons %v, want %v", chat, labels(e), buttons)
				}
				if heading, _, _ := strings.Cut(before[chat], "\n"); !strings.HasPrefix(e.Text, heading+"\n") {
					t.Errorf("the copy in chat %s lost its heading %q:\n%s", chat, heading, e.Text)
				}
				shows = append(slices.Clone(shows), "Cống thoát nước bị tắc", deadline+due.Format("02/01/2006 15:04"))
				mustContain(t, []bot.Outgoing{e}, shows...)
				if step.deadlineMoves {
					hides = append(slices.Clone(hides), deadline+dueBefore.Format("02/01/2006 15:04"))
				}
				for _, s := range hides {
					if strings.Contains(e.Text, s) {
						t.Errorf("the copy in chat %s still says %q:\n%s", chat, s, e.Text)
					}
				}
			}
		})
	}
}

// closeUnrated runs the scheduled job that reminds senders to rate answers
// and closes the tickets not rated after it, and returns what it queued.
func (k *refreshWorld) closeUnrated() []bot.Outgoing {
	k.w.run(func(tx *storage.Store) error {
		return k.w.service.CloseUnrated(k.w.ctx, tx, "telegram", handlers.DefaultClockPolicy)
	})
	return k.w.sent()
}

// A co-signature changes the count on the card but edits no copy: a
// popular petition gathers them by the hundred, and each edit of each copy
// would wait its turn in chats Telegram limits to a message a second. The
// next step that edits the copies brings the count up to date.
func TestACosignatureEditsNoCopyUntilTheNextStep(t *testing.T) {
	k := newCopiesWorld(t, 8700)
	k.w.markDelivered()
	cards := k.w.cardsIn(k.code, k.chats()...)
	var last int64
	if err := k.w.raw.Get(&last, `SELECT coalesce(max(id), 0) FROM outbox`); err != nil {
		t.Fatal(err)
	}
	k.w.citizen(8704).cosigned(k.code, k.w.citizen(8707))
	if n := k.w.count(`SELECT count(*) FROM outbox WHERE id > $1 AND kind = 'edit'`, last); n != 0 {
		t.Fatalf("a co-signature queued %d edits", n)
	}
	out := k.a.presses("Tiếp nhận")
	for _, chat := range k.chats() {
		want := "Cùng kiến nghị: 1 người"
		if chat == k.b.id {
			want = "Co-signers: 1"
		}
		mustContain(t, []bot.Outgoing{editedOnce(t, out, chat, cards[chat])}, want)
	}
}
