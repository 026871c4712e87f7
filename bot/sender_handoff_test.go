package bot_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// queueHandedOver queues messages in one transaction through h and tells
// the sender after the commit, as the processor does.
func (w *senderWorld) queueHandedOver(h *storage.Handoff, outs ...bot.Outgoing) {
	w.t.Helper()
	err := w.store.InTx(w.t.Context(), func(tx *storage.Store) error {
		if h != nil {
			tx = tx.WithHandoff(h)
		}
		for _, o := range outs {
			if o.Kind == "" {
				o.Kind = bot.KindText
			}
			payload, err := json.Marshal(o)
			if err != nil {
				return err
			}
			if err := tx.Enqueue(w.t.Context(), "telegram", storage.OutboxEntry{ChatID: o.ChatID, Kind: string(o.Kind), Payload: payload}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
	w.sender.Queued(h)
}

func TestSenderDeliversHandedOverMessagesWithoutClaimingThem(t *testing.T) {
	t.Parallel()
	// No poll for an hour: what is delivered came by the handoff.
	w := newSenderWorld(t, fast(bot.SenderOptions{Poll: time.Hour, StandbyPoll: time.Hour}), func(o bot.Outgoing, try int) error {
		time.Sleep(time.Millisecond)
		return nil
	})
	if h := w.sender.HandOff(); h != nil {
		t.Fatal("HandOff() before the sender leads, want nil")
	}
	w.start()
	w.waitUntil(5*time.Second, "the sender to lead", w.sender.Leading)
	h := w.sender.HandOff()
	if h == nil {
		t.Fatal("HandOff() = nil while leading")
	}
	w.queueHandedOver(h,
		bot.Outgoing{ChatID: "A", Text: "A1"}, bot.Outgoing{ChatID: "B", Text: "B1"},
		bot.Outgoing{ChatID: "A", Text: "A2"}, bot.Outgoing{ChatID: "A", Kind: bot.KindAnswer, QueryID: "q", Text: "toast"},
		bot.Outgoing{ChatID: "A", Text: "A3"})
	w.waitUntil(2*time.Second, "the handed-over messages", w.backlogEmpty)

	if got := texts(w.fake.delivered("A")); !slices.Equal(slices.DeleteFunc(got, func(s string) bool { return s == "toast" }), []string{"A1", "A2", "A3"}) {
		t.Errorf("chat A got %v, want A1 A2 A3 in order", got)
	}
	if n := w.fake.overlapping(); n != 0 {
		t.Errorf("%d deliveries overlapped another to the same chat", n)
	}
	if s := w.sender.Stats(); s.Sent != 5 {
		t.Errorf("stats = %+v, want 5 sent", s)
	}
}

func TestSenderReleasesTheRestOfARunWhenOneFails(t *testing.T) {
	t.Parallel()
	w := newSenderWorld(t, fast(bot.SenderOptions{}), func(o bot.Outgoing, try int) error {
		if o.Text == "A1" && try == 0 {
			return errors.New("connection reset")
		}
		return nil
	})
	w.start()
	w.waitUntil(5*time.Second, "the sender to lead", w.sender.Leading)
	w.queueHandedOver(w.sender.HandOff(),
		bot.Outgoing{ChatID: "A", Text: "A1"}, bot.Outgoing{ChatID: "A", Text: "A2"}, bot.Outgoing{ChatID: "A", Text: "A3"})
	w.waitUntil(5*time.Second, "every message", w.backlogEmpty)

	if got := texts(w.fake.delivered("A")); !slices.Equal(got, []string{"A1", "A2", "A3"}) {
		t.Errorf("chat A got %v, want A1 A2 A3: nothing may overtake a failed message", got)
	}
	if n := len(w.fake.attempts("A2")); n != 1 {
		t.Errorf("A2 was attempted %d times, want once", n)
	}
	if s := w.sender.Stats(); s.Retried != 1 || s.Sent != 3 {
		t.Errorf("stats = %+v, want 1 retried and 3 sent", s)
	}
}

func TestMessagesHandedToAStoppedSenderAreFreedForTheNext(t *testing.T) {
	t.Parallel()
	w := newSenderWorld(t, fast(bot.SenderOptions{Lease: time.Hour}), nil)
	w.start()
	w.waitUntil(5*time.Second, "the sender to lead", w.sender.Leading)
	h := w.sender.HandOff()
	w.stop()
	// The transaction commits after the sender stopped: its leased
	// messages must not wait an hour for their lease.
	w.queueHandedOver(h, bot.Outgoing{ChatID: "A", Text: "A1"}, bot.Outgoing{ChatID: "A", Text: "A2"})

	w.sender = bot.NewSender(w.store, w.fake, slog.New(slog.DiscardHandler), fast(bot.SenderOptions{Lease: time.Hour}))
	w.start()
	w.waitUntil(5*time.Second, "the next sender to deliver", w.backlogEmpty)
	if got := texts(w.fake.delivered("A")); !slices.Equal(got, []string{"A1", "A2"}) {
		t.Errorf("chat A got %v, want A1 A2", got)
	}
}
