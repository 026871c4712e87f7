package storage_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/danvan-vn/danvan/storage"
)

// A message replaced while it is being delivered is not recorded as sent
// with the version it no longer holds: MarkOutboxSent hands it back, in
// either of its forms, and SettleReplaced records it together with the
// correction, which sees the new version.
func TestMarkOutboxSentHandsBackMessagesReplacedInFlight(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	for _, chat := range []string{"A", "B", "C"} {
		outboxEnqueue(t, s, chat, "text", chat+"1")
	}
	_, msgs := outboxClaim(t, s, 10, longLease)
	if len(msgs) != 3 {
		t.Fatalf("claimed %d messages, want 3", len(msgs))
	}
	sealed, _ := json.Marshal(map[string]string{"name": "sealed"})
	for _, m := range msgs[1:] { // B1 and C1 change while in flight
		if sent, err := s.ReplaceQueued(ctx, m.ID, storage.OutboxEntry{Kind: "text", Payload: sealed}, nil); err != nil || sent != "" {
			t.Fatalf("ReplaceQueued = %q, %v; want it replaced", sent, err)
		}
	}
	mark := func(m storage.OutboxMessage, id string) storage.SentMark {
		return storage.SentMark{ID: m.ID, MessageID: id, Revision: m.Revision}
	}
	replaced, err := s.MarkOutboxSent(ctx, mark(msgs[0], "101"), mark(msgs[1], "102"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]storage.SentMark{mark(msgs[1], "102")}, replaced); diff != "" {
		t.Errorf("several-row form handed back (-want +got):\n%s", diff)
	}
	replaced, err = s.MarkOutboxSent(ctx, mark(msgs[2], "103"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]storage.SentMark{mark(msgs[2], "103")}, replaced); diff != "" {
		t.Errorf("one-row form handed back (-want +got):\n%s", diff)
	}
	if got, _ := outboxClaim(t, s, 10, 0); got != nil {
		t.Errorf("claimed %v while the replaced ones are leased", got)
	}

	var seen []string
	err = s.SettleReplaced(ctx, mark(msgs[1], "102"), func(now storage.OutboxMessage) ([]storage.OutboxEntry, error) {
		seen = append(seen, outboxNames(t, []storage.OutboxMessage{now})...)
		if now.Revision != msgs[1].Revision+1 {
			t.Errorf("revision %d, want %d", now.Revision, msgs[1].Revision+1)
		}
		fix, _ := json.Marshal(map[string]string{"name": "fix B1"})
		return []storage.OutboxEntry{{ChatID: now.ChatID, Kind: "edit", Payload: fix}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"sealed"}, seen); diff != "" {
		t.Errorf("the correction saw (-want +got):\n%s", diff)
	}
	var status, messageID string
	if err := s.DB().QueryRowContext(ctx, `SELECT status, sent_message_id FROM outbox WHERE id = $1`, msgs[1].ID).
		Scan(&status, &messageID); err != nil {
		t.Fatal(err)
	}
	if status != "sent" || messageID != "102" {
		t.Errorf("B1 is %s as %q, want sent as 102", status, messageID)
	}
	if got, _ := outboxClaim(t, s, 10, longLease); !cmp.Equal(got, []string{"fix B1"}) {
		t.Errorf("after settling: claimed %v, want [fix B1]", got)
	}
}

// A message delivered before it could be replaced is left as it is, and
// ReplaceQueued says under which id it went out, to be edited instead.
func TestReplaceQueuedLeavesADeliveredMessage(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	outboxEnqueue(t, s, "A", "text", "A1")
	_, msgs := outboxClaim(t, s, 1, longLease)
	outboxMarkSent(t, s, msgs...)
	sealed, _ := json.Marshal(map[string]string{"name": "sealed"})
	sent, err := s.ReplaceQueued(ctx, msgs[0].ID, storage.OutboxEntry{Kind: "text", Payload: sealed}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprint(msgs[0].ID); sent != want {
		t.Errorf("ReplaceQueued = %q, want the delivered id %q", sent, want)
	}
	var name string
	if err := s.DB().QueryRowContext(ctx, `SELECT payload->>'name' FROM outbox WHERE id = $1`, msgs[0].ID).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if name != "A1" {
		t.Errorf("the delivered copy now holds %q, want A1", name)
	}
}

// A refusal of a message replaced while it was being delivered is not the
// replacement's: the replacement is released to be tried at once rather
// than given up untried. Nor is a refusal of a message recorded sent
// meanwhile (its lease ran out and another try got through) recorded.
func TestFailOutboxGivesUpOnlyTheVersionClaimed(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	outboxEnqueue(t, s, "A", "text", "A1")
	outboxEnqueue(t, s, "B", "text", "B1")
	_, msgs := outboxClaim(t, s, 2, longLease)
	sealed, _ := json.Marshal(map[string]string{"name": "A1 sealed"})
	if _, err := s.ReplaceQueued(ctx, msgs[0].ID, storage.OutboxEntry{Kind: "text", Payload: sealed}, nil); err != nil {
		t.Fatal(err)
	}
	if failed, err := s.FailOutbox(ctx, msgs[0].ID, msgs[0].Revision, "Bad Request: can't parse entities"); err != nil || failed {
		t.Fatalf("the replaced message was given up: %v, %v", failed, err)
	}
	if got, _ := outboxClaim(t, s, 2, longLease); !cmp.Equal(got, []string{"A1 sealed"}) {
		t.Errorf("claimed %v after the refusal, want the replacement at once", got)
	}

	outboxMarkSent(t, s, msgs[1])
	if failed, err := s.FailOutbox(ctx, msgs[1].ID, msgs[1].Revision, "Bad Request: query is too old"); err != nil || failed {
		t.Fatalf("a message recorded sent was given up: %v, %v", failed, err)
	}
	var status string
	if err := s.DB().QueryRowContext(ctx, `SELECT status FROM outbox WHERE id = $1`, msgs[1].ID).Scan(&status); err != nil {
		t.Fatal(err)
	}
	if status != "sent" {
		t.Errorf("status %q, want sent", status)
	}
}
