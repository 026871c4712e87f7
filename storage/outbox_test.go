package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

const longLease = time.Minute

// openOutboxStores opens n handles (separate pools, as separate replicas
// would have) on one fresh database.
func openOutboxStores(t *testing.T, n int) []*storage.Store {
	t.Helper()
	dsn := storagetest.NewDatabase(t)
	stores := make([]*storage.Store, n)
	for i := range stores {
		s, err := storage.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	return stores
}

// outboxEnqueue queues a message whose payload names it, and returns the name.
func outboxEnqueue(t *testing.T, s *storage.Store, chat, kind, name string) string {
	t.Helper()
	payload, _ := json.Marshal(map[string]string{"name": name})
	if err := s.Enqueue(t.Context(), "telegram", storage.OutboxEntry{ChatID: chat, Kind: kind, Payload: payload}); err != nil {
		t.Fatal(err)
	}
	return name
}

// outboxClaim claims and returns the names of the claimed messages, in order.
func outboxClaim(t *testing.T, s *storage.Store, limit int, lease time.Duration) ([]string, []storage.OutboxMessage) {
	t.Helper()
	msgs, _, err := s.ClaimOutbox(t.Context(), storage.OutboxClaim{Channel: "telegram", Limit: limit, Lease: lease, AnswerLease: lease})
	if err != nil {
		t.Fatal(err)
	}
	return outboxNames(t, msgs), msgs
}

func outboxNames(t *testing.T, msgs []storage.OutboxMessage) []string {
	t.Helper()
	var out []string
	for _, m := range msgs {
		var p struct{ Name string }
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Name)
	}
	return out
}

func outboxMarkSent(t *testing.T, s *storage.Store, msgs ...storage.OutboxMessage) {
	t.Helper()
	for _, m := range msgs {
		if replaced, err := s.MarkOutboxSent(t.Context(), storage.SentMark{ID: m.ID, MessageID: fmt.Sprint(m.ID)}); err != nil || replaced != nil {
			t.Fatal(replaced, err)
		}
	}
}

func TestClaimOutboxKeepsEachChatInOrder(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	outboxEnqueue(t, s, "A", "text", "A1")
	outboxEnqueue(t, s, "A", "text", "A2")
	outboxEnqueue(t, s, "B", "text", "B1")
	outboxEnqueue(t, s, "A", "text", "A3")

	got, first := outboxClaim(t, s, 10, longLease)
	if diff := cmp.Diff([]string{"A1", "B1"}, got); diff != "" {
		t.Fatalf("first claim (-want +got):\n%s", diff)
	}
	if got, _ := outboxClaim(t, s, 10, longLease); len(got) != 0 {
		t.Fatalf("claimed %v while the oldest of each chat is leased", got)
	}
	outboxMarkSent(t, s, first[0]) // A1
	got, second := outboxClaim(t, s, 10, longLease)
	if diff := cmp.Diff([]string{"A2"}, got); diff != "" {
		t.Fatalf("after A1 was sent (-want +got):\n%s", diff)
	}
	outboxMarkSent(t, s, second...)
	if got, _ := outboxClaim(t, s, 10, longLease); !cmp.Equal(got, []string{"A3"}) {
		t.Fatalf("after A2 was sent: %v", got)
	}
}

func TestClaimOutboxRespectsLimit(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	for i := range 5 {
		outboxEnqueue(t, s, fmt.Sprint(i), "text", fmt.Sprint(i))
	}
	if got, _ := outboxClaim(t, s, 3, longLease); !cmp.Equal(got, []string{"0", "1", "2"}) {
		t.Fatalf("claimed %v, want the 3 oldest", got)
	}
	if got, _ := outboxClaim(t, s, 3, longLease); !cmp.Equal(got, []string{"3", "4"}) {
		t.Fatalf("claimed %v, want the rest", got)
	}
}

// A callback answer must arrive within seconds: it neither waits behind the
// chat's queue nor holds it up.
func TestClaimOutboxAnswersSkipTheChatQueue(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	outboxEnqueue(t, s, "A", "answer", "answer1")
	outboxEnqueue(t, s, "A", "text", "text1")
	outboxEnqueue(t, s, "A", "answer", "answer2")
	outboxEnqueue(t, s, "A", "text", "text2")
	got, _ := outboxClaim(t, s, 10, longLease)
	if diff := cmp.Diff([]string{"answer1", "text1", "answer2"}, got); diff != "" {
		t.Fatalf("claim (-want +got):\n%s", diff)
	}
}

func TestClaimOutboxNeverLeasesARowTwice(t *testing.T) {
	t.Parallel()
	stores := openOutboxStores(t, 2)
	const chats, perChat = 40, 5
	for i := range perChat {
		for c := range chats {
			outboxEnqueue(t, stores[0], fmt.Sprint("chat", c), "text", fmt.Sprintf("%d/%d", c, i))
		}
	}

	var (
		mu      sync.Mutex
		claimed = map[int64]int{}
		order   = map[string][]int64{} // chat -> ids in claim order
	)
	var wg sync.WaitGroup
	for _, s := range stores {
		wg.Go(func() {
			after := ""
			for idle := 0; idle < 3; {
				msgs, next, err := s.ClaimOutbox(context.Background(), storage.OutboxClaim{
					Channel: "telegram", Limit: 7, Lease: longLease, AnswerLease: longLease, AfterChat: after})
				after = next
				if err != nil {
					t.Error(err)
					return
				}
				if len(msgs) == 0 {
					idle++
					time.Sleep(10 * time.Millisecond)
					continue
				}
				idle = 0
				mu.Lock()
				for _, m := range msgs {
					claimed[m.ID]++
					order[m.ChatID] = append(order[m.ChatID], m.ID)
				}
				mu.Unlock()
				for _, m := range msgs {
					if replaced, err := s.MarkOutboxSent(context.Background(), storage.SentMark{ID: m.ID}); err != nil || replaced != nil {
						t.Error(replaced, err)
					}
				}
			}
		})
	}
	wg.Wait()

	if len(claimed) != chats*perChat {
		t.Errorf("claimed %d distinct messages, want %d", len(claimed), chats*perChat)
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("message %d claimed %d times", id, n)
		}
	}
	for chat, ids := range order {
		if !slices.IsSorted(ids) {
			t.Errorf("chat %s claimed out of order: %v", chat, ids)
		}
	}
}

// A sender that dies holding a lease delays the message; it does not lose it.
func TestClaimOutboxReclaimsAnExpiredLease(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	outboxEnqueue(t, s, "A", "text", "A1")
	if got, _ := outboxClaim(t, s, 10, 200*time.Millisecond); !cmp.Equal(got, []string{"A1"}) {
		t.Fatalf("first claim: %v", got)
	}
	if got, _ := outboxClaim(t, s, 10, longLease); len(got) != 0 {
		t.Fatalf("claimed %v under a live lease", got)
	}
	time.Sleep(300 * time.Millisecond)
	if got, _ := outboxClaim(t, s, 10, longLease); !cmp.Equal(got, []string{"A1"}) {
		t.Fatalf("after the lease expired: %v", got)
	}
}

func TestEnqueueIgnoresADuplicateDedupeKey(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	entry := func(name, key string) storage.OutboxEntry {
		payload, _ := json.Marshal(map[string]string{"name": name})
		return storage.OutboxEntry{ChatID: "A", Kind: "text", Payload: payload, DedupeKey: key}
	}
	if err := s.Enqueue(ctx, "telegram", entry("first", "digest:2026-W48")); err != nil {
		t.Fatal(err)
	}
	// A job that runs twice queues its message once, even inside a
	// transaction that goes on to do more work.
	err := s.InTx(ctx, func(tx *storage.Store) error {
		if err := tx.Enqueue(ctx, "telegram", entry("again", "digest:2026-W48")); err != nil {
			return err
		}
		return tx.Enqueue(ctx, "telegram", entry("other", ""))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue(ctx, "telegram", entry("another", "")); err != nil {
		t.Fatal(err) // no key: never a duplicate
	}

	if _, err := s.SentMessageID(ctx, "digest:2026-W48"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("SentMessageID before sending: %v, want ErrNotFound", err)
	}
	got, msgs := outboxClaim(t, s, 10, longLease)
	if diff := cmp.Diff([]string{"first"}, got); diff != "" {
		t.Fatalf("claim (-want +got):\n%s", diff)
	}
	if replaced, err := s.MarkOutboxSent(ctx, storage.SentMark{ID: msgs[0].ID, MessageID: "4242"}); err != nil || replaced != nil {
		t.Fatal(replaced, err)
	}
	if id, err := s.SentMessageID(ctx, "digest:2026-W48"); err != nil || id != "4242" {
		t.Fatalf("SentMessageID = %q, %v; want 4242", id, err)
	}
	if got, _ := outboxClaim(t, s, 10, longLease); !cmp.Equal(got, []string{"other"}) {
		t.Fatalf("then: %v", got)
	}
}

func TestEnqueueInATransactionWritesAtCommit(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	entry := func(chat, name, key string) storage.OutboxEntry {
		payload, _ := json.Marshal(map[string]string{"name": name})
		return storage.OutboxEntry{ChatID: chat, Kind: "text", Payload: payload, DedupeKey: key}
	}
	pending := func() (n int) {
		t.Helper()
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// A transaction that fails queues nothing.
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx *storage.Store) error {
		if err := tx.Enqueue(ctx, "telegram", entry("A", "lost", "")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || pending() != 0 {
		t.Fatalf("after a rollback: err %v, %d queued; want boom, 0", err, pending())
	}

	// One that commits writes its messages in the order queued, across
	// calls and channels, dropping a repeated dedupe key.
	err = s.InTx(ctx, func(tx *storage.Store) error {
		if err := tx.Enqueue(ctx, "telegram", entry("A", "A1", "k"), entry("B", "B1", "")); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, "zalo", entry("A", "zalo", "")); err != nil {
			return err
		}
		if n := pending(); n != 0 {
			t.Errorf("%d messages visible before the commit, want 0 (held until then)", n)
		}
		return tx.Enqueue(ctx, "telegram", entry("A", "again", "k"), entry("A", "A2", ""))
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := outboxClaim(t, s, 10, longLease)
	if diff := cmp.Diff([]string{"A1", "B1"}, got); diff != "" {
		t.Fatalf("first claim (-want +got):\n%s", diff)
	}
	var order string
	err = s.DB().QueryRowContext(ctx, `
		SELECT string_agg(channel || '/' || chat_id || '/' || (payload->>'name'), ' ' ORDER BY id) FROM outbox`).Scan(&order)
	if err != nil {
		t.Fatal(err)
	}
	if want := "telegram/A/A1 telegram/B/B1 zalo/A/zalo telegram/A/A2"; order != want {
		t.Fatalf("outbox by id: %q, want %q", order, want)
	}
}

func TestWriteQueuedReportsARefusedPayload(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	// jsonb refuses \u0000: the caller hears of it when it writes the
	// queued messages, before the commit, and nothing is queued.
	var written error
	err := s.InTx(ctx, func(tx *storage.Store) error {
		if err := tx.Enqueue(ctx, "telegram", storage.OutboxEntry{ChatID: "A", Kind: "text", Payload: []byte(`{"text":"a\u0000b"}`)}); err != nil {
			return err
		}
		written = tx.WriteQueued(ctx)
		return written
	})
	var n int
	if qerr := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&n); qerr != nil {
		t.Fatal(qerr)
	}
	if written == nil || !errors.Is(err, written) || n != 0 {
		t.Fatalf("WriteQueued: %v, InTx: %v, %d queued; want an error, the same, 0", written, err, n)
	}
}

func TestDeferChatHoldsTheWholeChat(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	outboxEnqueue(t, s, "A", "text", "A1")
	outboxEnqueue(t, s, "A", "text", "A2")
	outboxEnqueue(t, s, "B", "text", "B1")
	_, msgs := outboxClaim(t, s, 10, longLease) // A1, B1
	outboxEnqueue(t, s, "A", "answer", "A-answer")

	if err := s.DeferChat(ctx, "telegram", "A", 400*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	// Counted from the database's clock during the call: over by now.
	until := time.Now().Add(400 * time.Millisecond)
	outboxMarkSent(t, s, msgs[1]) // B1
	if got, _ := outboxClaim(t, s, 10, longLease); !cmp.Equal(got, []string{"A-answer"}) {
		t.Fatalf("during the wait: %v, want only the answer", got)
	}
	time.Sleep(time.Until(until) + 50*time.Millisecond)
	if got, _ := outboxClaim(t, s, 10, longLease); !cmp.Equal(got, []string{"A1"}) {
		t.Fatalf("after the wait: %v, want A1 again (its lease was released)", got)
	}
}

func TestRetryAndPostponeOutbox(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	outboxEnqueue(t, s, "A", "text", "A1")
	_, msgs := outboxClaim(t, s, 1, longLease)
	if err := s.RetryOutbox(ctx, msgs[0].ID, time.Now(), "sendMessage: HTTP 502"); err != nil {
		t.Fatal(err)
	}
	_, msgs = outboxClaim(t, s, 1, longLease)
	if len(msgs) != 1 || msgs[0].Attempts != 1 {
		t.Fatalf("after a retry: %+v, want attempts 1", msgs)
	}
	if err := s.PostponeOutbox(ctx, msgs[0].ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := outboxClaim(t, s, 1, longLease); len(got) != 0 {
		t.Fatalf("claimed %v while postponed", got)
	}
	if err := s.PostponeOutbox(ctx, msgs[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, msgs = outboxClaim(t, s, 1, longLease)
	if len(msgs) != 1 || msgs[0].Attempts != 1 {
		t.Fatalf("after a postponement: %+v, want attempts still 1", msgs)
	}
}

func TestFailOutboxAndMarkChatUnreachable(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	c, err := s.TouchCitizen(ctx, "telegram", "77", "77", "Người dân", "vi")
	if err != nil {
		t.Fatal(err)
	}
	outboxEnqueue(t, s, "77", "text", "first")
	outboxEnqueue(t, s, "77", "text", "second")
	_, msgs := outboxClaim(t, s, 10, longLease)
	if failed, err := s.FailOutbox(ctx, msgs[0].ID, msgs[0].Revision, "sendMessage: Forbidden: bot was blocked by the user"); err != nil || !failed {
		t.Fatalf("failing the first: %v, %v", failed, err)
	}
	if err := s.MarkChatUnreachable(ctx, "telegram", "77"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkChatUnreachable(ctx, "telegram", "-100123"); err != nil {
		t.Fatal(err) // a group has no citizen: nothing to mark
	}
	if got, _ := outboxClaim(t, s, 10, longLease); !cmp.Equal(got, []string{"second"}) {
		t.Fatalf("after a failure: %v, want the next message", got)
	}
	c, err = s.CitizenByID(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.UnreachableAt.Valid {
		t.Error("citizen not marked unreachable")
	}
}

func TestOutboxBacklogAndPurge(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	outboxEnqueue(t, s, "A", "text", "A1")
	outboxEnqueue(t, s, "B", "text", "B1")
	outboxEnqueue(t, s, "C", "text", "C1")
	time.Sleep(20 * time.Millisecond)
	_, msgs := outboxClaim(t, s, 2, longLease)
	outboxMarkSent(t, s, msgs[0])
	if _, err := s.FailOutbox(ctx, msgs[1].ID, msgs[1].Revision, "bad request"); err != nil {
		t.Fatal(err)
	}

	pending, oldest, err := s.OutboxBacklog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pending != 1 || oldest < 20*time.Millisecond || oldest > time.Minute {
		t.Errorf("backlog = %d, %v; want 1 message at least 20ms old", pending, oldest)
	}

	if n, err := s.PurgeOutbox(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("purge of old messages = %d, %v; want 0", n, err)
	}
	if n, err := s.PurgeOutbox(ctx, time.Now().Add(time.Second)); err != nil || n != 2 {
		t.Errorf("purge = %d, %v; want the sent and the failed message", n, err)
	}
	if pending, _, _ := s.OutboxBacklog(ctx); pending != 1 {
		t.Errorf("purge touched pending messages: %d left", pending)
	}
}

func TestAnAnswerLeaseEndsSooner(t *testing.T) {
	s := openOutboxStores(t, 1)[0]
	outboxEnqueue(t, s, "1", "text", "message")
	outboxEnqueue(t, s, "2", "answer", "answer")
	msgs, _, err := s.ClaimOutbox(t.Context(), storage.OutboxClaim{Channel: "telegram", Limit: 10, Lease: time.Hour, AnswerLease: 50 * time.Millisecond})
	if err != nil || len(msgs) != 2 {
		t.Fatalf("claimed %d, %v", len(msgs), err)
	}
	// The sender that claimed them died: the answer is free again first.
	time.Sleep(100 * time.Millisecond)
	if names, _ := outboxClaim(t, s, 10, time.Hour); !slices.Equal(names, []string{"answer"}) {
		t.Fatalf("claimed again %v, want [answer]", names)
	}
}

// Chats are served in turn: one with a long queue neither holds up the
// others nor is held up by them.
func TestClaimOutboxServesChatsInTurn(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	for i := range 20 {
		outboxEnqueue(t, s, "A", "text", fmt.Sprint("A", i))
	}
	outboxEnqueue(t, s, "B", "text", "B0")
	outboxEnqueue(t, s, "C", "text", "C0")
	outboxEnqueue(t, s, "C", "text", "C1")

	var rounds [][]string
	after := ""
	for range 4 {
		msgs, next, err := s.ClaimOutbox(t.Context(), storage.OutboxClaim{
			Channel: "telegram", Limit: 2, Lease: longLease, AnswerLease: longLease, AfterChat: after})
		if err != nil {
			t.Fatal(err)
		}
		after = next
		rounds = append(rounds, outboxNames(t, msgs))
		outboxMarkSent(t, s, msgs...)
	}
	// Each claim that reaches the last chat with room left goes on from
	// the first, up to where it began.
	want := [][]string{{"A0", "B0"}, {"A1", "C0"}, {"A2", "C1"}, {"A3"}} // in id order
	if diff := cmp.Diff(want, rounds); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
}

// The command menu of every chat is queued under the chat id "".
func TestClaimOutboxServesTheEmptyChatID(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	outboxEnqueue(t, s, "", "commands", "menu")
	outboxEnqueue(t, s, "A", "text", "A0")
	if got, _ := outboxClaim(t, s, 10, longLease); !cmp.Equal(got, []string{"menu", "A0"}) {
		t.Fatalf("claimed %v, want the menu and A0", got)
	}
}

// MarkOutboxSent has a one-row and a several-row statement; both must
// record each message's own id and free its chat.
func TestMarkOutboxSentRecordsEachMessage(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	for _, chat := range []string{"A", "B", "C"} {
		payload, _ := json.Marshal(map[string]string{"name": chat + "1"})
		err := s.Enqueue(ctx, "telegram", storage.OutboxEntry{ChatID: chat, Kind: "text", Payload: payload, DedupeKey: "key:" + chat})
		if err != nil {
			t.Fatal(err)
		}
	}
	outboxEnqueue(t, s, "A", "text", "A2")
	_, msgs := outboxClaim(t, s, 10, longLease) // A1, B1, C1
	if len(msgs) != 3 {
		t.Fatalf("claimed %d messages, want 3", len(msgs))
	}
	replaced, err := s.MarkOutboxSent(ctx, storage.SentMark{ID: msgs[0].ID, MessageID: "101"}, storage.SentMark{ID: msgs[1].ID, MessageID: "102"})
	if err != nil || replaced != nil {
		t.Fatal(replaced, err)
	}
	if replaced, err := s.MarkOutboxSent(ctx, storage.SentMark{ID: msgs[2].ID, MessageID: "103"}); err != nil || replaced != nil {
		t.Fatal(replaced, err)
	}
	for chat, want := range map[string]string{"A": "101", "B": "102", "C": "103"} {
		if got, err := s.SentMessageID(ctx, "key:"+chat); err != nil || got != want {
			t.Errorf("chat %s: SentMessageID = %q, %v; want %s", chat, got, err, want)
		}
	}
	if got, _ := outboxClaim(t, s, 10, longLease); !cmp.Equal(got, []string{"A2"}) {
		t.Fatalf("after marking: claimed %v, want [A2]", got)
	}
}

// A group that became a supergroup takes its queued new messages along:
// one queue for the one chat, paced and held by flood control as one.
// Its edits and deletions stay, their messages being the old group's; the
// link to its unit follows.
func TestMovingAGroupMovesItsQueuedMessages(t *testing.T) {
	t.Parallel()
	s := storeWithStaffGroup(t)
	ctx := t.Context()
	enqueue := func(chat, kind string, payload map[string]any) {
		t.Helper()
		data, _ := json.Marshal(payload)
		if err := s.Enqueue(ctx, "telegram", storage.OutboxEntry{ChatID: chat, Group: true, Kind: kind, Payload: data}); err != nil {
			t.Fatal(err)
		}
	}
	enqueue("-300", "text", map[string]any{"chat_id": "-300", "text": "card"})
	enqueue("-300", "photo", map[string]any{"chat_id": "-300", "file_id": "f"})
	enqueue("-300", "edit", map[string]any{"chat_id": "-300", "message_id": "7", "text": "card, edited"})
	enqueue("-400", "text", map[string]any{"chat_id": "-400", "text": "another group's"})
	if err := s.MoveGroup(ctx, "telegram", "-300", "-100300"); err != nil {
		t.Fatal(err)
	}
	var rows []string
	if err := sqlx.SelectContext(ctx, s.Queries(), &rows, `SELECT kind || ' ' || chat_id || ' ' || (payload->>'chat_id') FROM outbox ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	want := []string{"text -100300 -100300", "photo -100300 -100300", "edit -300 -300", "text -400 -400"}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("queued messages after the move (-want +got):\n%s", diff)
	}
	if unit, err := s.GroupUnit(ctx, "telegram", "-100300"); err != nil || unit == 0 {
		t.Errorf("the supergroup is not linked: %v", err)
	}
}
