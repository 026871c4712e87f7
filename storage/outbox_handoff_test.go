package storage_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/danvan-vn/danvan/storage"
)

// handoffTx queues, in one transaction bound to a Handoff, a message per
// {chat, kind, name}, and returns the Handoff after the commit.
func handoffTx(t *testing.T, s *storage.Store, msgs ...[3]string) *storage.Handoff {
	t.Helper()
	h := &storage.Handoff{Channel: "telegram", Lease: longLease, AnswerLease: longLease}
	err := s.InTx(t.Context(), func(tx *storage.Store) error {
		tx = tx.WithHandoff(h)
		for _, m := range msgs {
			outboxEnqueue(t, tx, m[0], m[1], m[2])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHandoffLeasesWhatNothingWaitsBefore(t *testing.T) {
	s := openOutboxStores(t, 1)[0]
	outboxEnqueue(t, s, "busy", "text", "older")

	h := handoffTx(t, s,
		[3]string{"a", "text", "a1"}, [3]string{"busy", "text", "busy1"}, [3]string{"a", "photo", "a2"},
		[3]string{"busy", "answer", "toast"}, [3]string{"busy", "text", "busy2"})

	if diff := cmp.Diff([]string{"a1", "a2", "toast"}, outboxNames(t, h.Messages())); diff != "" {
		t.Errorf("leased to the caller (-want +got):\n%s", diff)
	}
	if got := h.Unleased(); got != 2 {
		t.Errorf("Unleased() = %d, want 2 (busy1 and busy2 wait behind older)", got)
	}
	// The leased messages are not claimed again; the chat with an older
	// message keeps its order.
	names, msgs := outboxClaim(t, s, 10, longLease)
	if diff := cmp.Diff([]string{"older"}, names); diff != "" {
		t.Errorf("claimed (-want +got):\n%s", diff)
	}
	outboxMarkSent(t, s, msgs...)
	if names, _ := outboxClaim(t, s, 10, longLease); !cmp.Equal(names, []string{"busy1"}) {
		t.Errorf("after older was sent, claimed %v, want [busy1]", names)
	}
}

func TestHandoffLeavesMessagesBehindALeasedOne(t *testing.T) {
	s := openOutboxStores(t, 1)[0]
	first := handoffTx(t, s, [3]string{"a", "text", "a1"})
	second := handoffTx(t, s, [3]string{"a", "text", "a2"})
	if got := outboxNames(t, first.Messages()); !cmp.Equal(got, []string{"a1"}) {
		t.Fatalf("first transaction leased %v, want [a1]", got)
	}
	// a1 is still on its way: a2 must wait for it, not overtake it.
	if got := second.Messages(); len(got) != 0 || second.Unleased() != 1 {
		t.Fatalf("second transaction leased %v (%d unleased), want none (1)", outboxNames(t, got), second.Unleased())
	}
	if names, _ := outboxClaim(t, s, 10, longLease); len(names) != 0 {
		t.Errorf("claimed %v while a1 is leased, want nothing", names)
	}
	outboxMarkSent(t, s, first.Messages()...)
	if names, _ := outboxClaim(t, s, 10, longLease); !cmp.Equal(names, []string{"a2"}) {
		t.Errorf("after a1 was sent, claimed %v, want [a2]", names)
	}
}

func TestHandoffOfARolledBackTransactionLeavesNothing(t *testing.T) {
	s := openOutboxStores(t, 1)[0]
	h := &storage.Handoff{Channel: "telegram", Lease: longLease, AnswerLease: longLease}
	boom := errors.New("boom")
	err := s.InTx(t.Context(), func(tx *storage.Store) error {
		outboxEnqueue(t, tx.WithHandoff(h), "a", "text", "a1")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	if n, _, err := s.OutboxBacklog(t.Context()); err != nil || n != 0 {
		t.Errorf("backlog after rollback = %d, %v; want nothing pending", n, err)
	}
}

func TestHandoffLeavesOtherChannelsToTheirSender(t *testing.T) {
	s := openOutboxStores(t, 1)[0]
	h := &storage.Handoff{Channel: "zalo", Lease: longLease, AnswerLease: longLease}
	if err := s.InTx(t.Context(), func(tx *storage.Store) error {
		outboxEnqueue(t, tx.WithHandoff(h), "a", "text", "a1") // a telegram message
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(h.Messages()) != 0 || h.Unleased() != 0 {
		t.Errorf("leased %d, unleased %d; want 0 and 0 (not the Handoff's channel)", len(h.Messages()), h.Unleased())
	}
	if names, _ := outboxClaim(t, s, 10, longLease); !cmp.Equal(names, []string{"a1"}) {
		t.Errorf("claimed %v, want [a1]", names)
	}
}

func TestATransactionsMessagesAreWrittenInOrderAndOnce(t *testing.T) {
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	entry := func(chat, name, key string) storage.OutboxEntry {
		return storage.OutboxEntry{ChatID: chat, Kind: "text", Payload: []byte(`{"name":"` + name + `"}`), DedupeKey: key}
	}
	err := s.InTx(ctx, func(tx *storage.Store) error {
		for _, e := range []storage.OutboxEntry{
			entry("A", "a1", ""), entry("B", "b1", "reminder:7"), entry("A", "a2", ""), entry("B", "b2", "reminder:7"),
		} {
			if err := tx.Enqueue(ctx, "telegram", e); err != nil {
				return err
			}
		}
		// Flushed early, then more: the commit writes the rest.
		if err := tx.FlushOutbox(ctx); err != nil {
			return err
		}
		return tx.Enqueue(ctx, "telegram", entry("A", "a3", ""))
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		names, msgs := outboxClaim(t, s, 10, longLease)
		if len(names) == 0 {
			break
		}
		got = append(got, names...)
		outboxMarkSent(t, s, msgs...)
	}
	// b2 repeats b1's dedupe key: left out, as it would be in two
	// transactions.
	if diff := cmp.Diff([]string{"a1", "b1", "a2", "a3"}, got); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

func TestHandoffKeepsAChatsDecisionAcrossFlushes(t *testing.T) {
	s := openOutboxStores(t, 1)[0]
	outboxEnqueue(t, s, "busy", "text", "older")
	h := &storage.Handoff{Channel: "telegram", Lease: longLease, AnswerLease: longLease}
	err := s.InTx(t.Context(), func(tx *storage.Store) error {
		tx = tx.WithHandoff(h)
		outboxEnqueue(t, tx, "a", "text", "a1")
		outboxEnqueue(t, tx, "busy", "text", "busy1")
		if err := tx.FlushOutbox(t.Context()); err != nil {
			return err
		}
		// Now a1 waits (leased to us) and busy1 waits behind older: a2
		// follows a1 out of the transaction; busy2 stays behind busy1.
		outboxEnqueue(t, tx, "a", "text", "a2")
		outboxEnqueue(t, tx, "busy", "text", "busy2")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a1", "a2"}, outboxNames(t, h.Messages())); diff != "" {
		t.Errorf("leased (-want +got):\n%s", diff)
	}
	if h.Unleased() != 2 {
		t.Errorf("Unleased() = %d, want 2", h.Unleased())
	}
}

func TestHandoffOfManyMessagesToOneChatKeepsThemInOrder(t *testing.T) {
	s := openOutboxStores(t, 1)[0]
	var want [][3]string
	for i := range 9 { // more than one statement's worth
		name := string(rune('a' + i))
		want = append(want, [3]string{"A", "text", name})
	}
	h := handoffTx(t, s, want...)
	var names []string
	for _, m := range want {
		names = append(names, m[2])
	}
	if diff := cmp.Diff(names, outboxNames(t, h.Messages())); diff != "" {
		t.Errorf("leased (-want +got):\n%s", diff)
	}
}
