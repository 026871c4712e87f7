package storage_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// recordInbox records updates numbered from first, each from the chat given
// in order.
func recordInbox(t *testing.T, s *storage.Store, first int64, chats ...string) {
	t.Helper()
	updates := make([]storage.IncomingUpdate, len(chats))
	for i, chat := range chats {
		updates[i] = storage.IncomingUpdate{UpdateID: first + int64(i), ChatKey: chat, Payload: []byte(`{}`)}
	}
	if _, err := s.RecordUpdates(t.Context(), "telegram", updates, 0); err != nil {
		t.Fatal(err)
	}
}

func claimedUpdateIDs(us []storage.InboxUpdate) []int64 {
	ids := make([]int64, len(us))
	for i, u := range us {
		ids[i] = u.UpdateID
	}
	return ids
}

// errReleased ends claimInbox's transaction without committing, as a
// handler that failed would.
var errReleased = errors.New("released")

// claimInbox claims in its own transaction, which stays open (holding its
// locks) until release is closed, then rolls back.
func claimInbox(t *testing.T, s *storage.Store, limit int, release <-chan struct{}) (<-chan []int64, <-chan error) {
	t.Helper()
	claimed, done := make(chan []int64, 1), make(chan error, 1)
	go func() {
		done <- s.InTx(t.Context(), func(tx *storage.Store) error {
			us, err := tx.ClaimUpdates(t.Context(), limit)
			if errors.Is(err, storage.ErrNotFound) {
				err = nil
			}
			claimed <- claimedUpdateIDs(us)
			if err != nil {
				return err
			}
			select {
			case <-release:
			case <-t.Context().Done(): // the test failed before releasing
			}
			return errReleased
		})
	}()
	return claimed, done
}

func TestClaimUpdatesHandsOutOnlyEachChatsOldestAndSkipsLockedChats(t *testing.T) {
	s := openOutboxStores(t, 1)[0]
	recordInbox(t, s, 1, "a", "a", "b", "c", "a", "c")

	release := make(chan struct{})
	first, firstDone := claimInbox(t, s, 2, release)
	if diff := cmp.Diff([]int64{1, 3}, <-first); diff != "" {
		t.Fatalf("first claim (-want +got):\n%s", diff)
	}
	// While a and b are held, a's later updates wait their turn: only c's
	// oldest is free.
	released := make(chan struct{})
	close(released)
	second, secondDone := claimInbox(t, s, 10, released)
	if diff := cmp.Diff([]int64{4}, <-second); diff != "" {
		t.Fatalf("claim beside a held one (-want +got):\n%s", diff)
	}
	if err := <-secondDone; !errors.Is(err, errReleased) {
		t.Fatal(err)
	}
	close(release)
	if err := <-firstDone; !errors.Is(err, errReleased) {
		t.Fatal(err)
	}

	// Claims rolled back leave the updates due; one that commits marks
	// them processed, which frees a's next; b has nothing more.
	err := s.InTx(t.Context(), func(tx *storage.Store) error {
		us, err := tx.ClaimUpdates(t.Context(), 10)
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]int64{1, 3, 4}, claimedUpdateIDs(us)); diff != "" {
			return fmt.Errorf("claim after release (-want +got):\n%s", diff)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var next []int64
	err = s.InTx(t.Context(), func(tx *storage.Store) error {
		us, err := tx.ClaimUpdates(t.Context(), 10)
		next = claimedUpdateIDs(us)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{2, 6}, next); diff != "" {
		t.Errorf("claim after handling the oldest (-want +got):\n%s", diff)
	}
}

func TestClaimUpdateRefusesAnUpdateBehindAnEarlierOneOfItsChat(t *testing.T) {
	s := openOutboxStores(t, 1)[0]
	recordInbox(t, s, 1, "a", "a")
	var second int64
	if err := s.DB().QueryRowContext(t.Context(), `SELECT id FROM inbox WHERE update_id = 2`).Scan(&second); err != nil {
		t.Fatal(err)
	}
	claimSecond := func() error {
		return s.InTx(t.Context(), func(tx *storage.Store) error {
			_, err := tx.ClaimUpdate(t.Context(), second)
			return err
		})
	}
	if err := claimSecond(); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("claiming the later update of a chat: %v, want ErrNotFound", err)
	}
	// Nor while another worker holds the earlier one.
	release := make(chan struct{})
	held, done := claimInbox(t, s, 10, release)
	if got := <-held; !cmp.Equal(got, []int64{1}) {
		t.Fatalf("held %v, want [1]", got)
	}
	err := claimSecond()
	close(release)
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("claiming it while the earlier one is held: %v, want ErrNotFound", err)
	}
	if err := <-done; !errors.Is(err, errReleased) {
		t.Fatal(err)
	}
	// Once the earlier one is handled, it is the chat's next.
	if err := s.InTx(t.Context(), func(tx *storage.Store) error {
		_, err := tx.ClaimUpdates(t.Context(), 10)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := claimSecond(); err != nil {
		t.Fatalf("claiming it after the earlier one was handled: %v", err)
	}
}

// A failure is recorded after its transaction, and the claim's lock, are
// gone: by then another worker may have claimed the update and handled it
// or failed it once more. Only the attempt that failed is recorded, so a
// person is never sent an apology for an update that got its reply.
func TestAFailureIsRecordedOnlyForTheAttemptThatFailed(t *testing.T) {
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	recordInbox(t, s, 1, "a", "b", "c")
	id := func(update int) (id int64) {
		t.Helper()
		if err := s.DB().QueryRowContext(ctx, `SELECT id FROM inbox WHERE update_id = $1`, update).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	state := func(update int) (state string) {
		t.Helper()
		if err := s.DB().QueryRowContext(ctx, `SELECT attempts || ' ' || (processed_at IS NOT NULL) || ' ' || (failed_at IS NOT NULL)
			FROM inbox WHERE update_id = $1`, update).Scan(&state); err != nil {
			t.Fatal(err)
		}
		return state
	}
	// Update 1 handled by another worker meanwhile.
	if _, err := s.DB().ExecContext(ctx, `UPDATE inbox SET processed_at = now() WHERE update_id = 1`); err != nil {
		t.Fatal(err)
	}
	if failed, err := s.FailUpdate(ctx, id(1), 0, "boom"); err != nil || failed {
		t.Errorf("a handled update was given up: %v, %v", failed, err)
	}
	if err := s.RetryUpdate(ctx, id(1), 0, time.Minute, "boom"); err != nil {
		t.Fatal(err)
	}
	if got := state(1); got != "0 true false" {
		t.Errorf("the handled update: %q, want 0 attempts, processed, not failed", got)
	}
	// Update 2's attempt counted by another worker already.
	if err := s.RetryUpdate(ctx, id(2), 0, time.Millisecond, "first"); err != nil {
		t.Fatal(err)
	}
	if failed, err := s.FailUpdate(ctx, id(2), 0, "stale"); err != nil || failed {
		t.Errorf("a stale attempt gave the update up: %v, %v", failed, err)
	}
	if got := state(2); got != "1 false false" {
		t.Errorf("update 2: %q, want 1 attempt, waiting", got)
	}
	// Update 3 fails in the one attempt made: recorded, the retry due a
	// minute from now on the database's clock.
	if err := s.RetryUpdate(ctx, id(3), 0, time.Minute, "boom"); err != nil {
		t.Fatal(err)
	}
	var wait float64
	if err := s.DB().QueryRowContext(ctx, `SELECT extract(epoch FROM not_before - now()) FROM inbox WHERE update_id = 3`).Scan(&wait); err != nil {
		t.Fatal(err)
	}
	if wait < 55 || wait > 60 {
		t.Errorf("the retry is due in %.1f s, want a minute", wait)
	}
	if failed, err := s.FailUpdate(ctx, id(3), 1, "boom"); err != nil || !failed || state(3) != "2 false true" {
		t.Errorf("giving up the update that failed: %v, %v, state %q", failed, err, state(3))
	}
}

func TestAHandledUpdateKeepsItsIDButNotItsPayload(t *testing.T) {
	s := openOutboxStores(t, 1)[0]
	payload := `{"message": {"text": "Đường 3/2 ngập sâu"}}`
	if _, err := s.RecordUpdates(t.Context(), "telegram", []storage.IncomingUpdate{{UpdateID: 7, ChatKey: "a", Payload: []byte(payload)}}, 0); err != nil {
		t.Fatal(err)
	}
	claim := func(outcome error) string {
		t.Helper()
		var got string
		err := s.InTx(t.Context(), func(tx *storage.Store) error {
			us, err := tx.ClaimUpdates(t.Context(), 1)
			if err != nil {
				return err
			}
			got = string(us[0].Payload)
			return outcome
		})
		if !errors.Is(err, outcome) {
			t.Fatalf("claim: %v", err)
		}
		return got
	}
	stored := func() (payload *string) {
		t.Helper()
		if err := s.DB().QueryRowContext(t.Context(), `SELECT payload FROM inbox WHERE update_id = 7`).Scan(&payload); err != nil {
			t.Fatal(err)
		}
		return payload
	}
	// A handler that fails rolls the mark back: the payload is still there
	// for the retry.
	if got := claim(errReleased); !jsonEqual(got, payload) {
		t.Fatalf("first claim returned %s", got)
	}
	if p := stored(); p == nil || !jsonEqual(*p, payload) {
		t.Fatalf("after a rolled-back claim the payload is %v", p)
	}
	// Handled: the handler had the payload, the row keeps none.
	if got := claim(nil); !jsonEqual(got, payload) {
		t.Fatalf("second claim returned %s", got)
	}
	if p := stored(); p != nil {
		t.Fatalf("a handled update keeps its payload %s", *p)
	}
	// Its id still recognises a redelivery.
	r, err := s.RecordUpdates(t.Context(), "telegram", []storage.IncomingUpdate{{UpdateID: 7, ChatKey: "a", Payload: []byte(payload)}}, 0)
	if err != nil || r.New != 0 {
		t.Fatalf("redelivery recorded %d anew (%v), want 0", r.New, err)
	}
}

// jsonEqual compares two JSON texts as values (jsonb normalises spacing).
func jsonEqual(a, b string) bool {
	var x, y any
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && cmp.Equal(x, y)
}

// BenchmarkClaimUpdatesBehindADeepChat measures a claim of 8 updates when
// one chat has many updates waiting ahead of 100 other chats' one each
// (someone flooding the bot, or a busy group). Each claim is rolled back,
// so every iteration sees the same queue; a vacuum every 100 claims
// clears the row versions the rolled-back marks leave, as autovacuum
// would.
func BenchmarkClaimUpdatesBehindADeepChat(b *testing.B) {
	for _, depth := range []int{1, 200, 1000, 10000} {
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			s, err := storage.Open(b.Context(), storagetest.NewDatabase(b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			_, err = s.DB().ExecContext(b.Context(), `
				INSERT INTO inbox (channel, update_id, chat_key, payload)
				SELECT 'telegram', g, CASE WHEN g <= $1 THEN 'deep' ELSE 'chat' || g END, '{}'
				FROM generate_series(1, $1 + 100) g`, depth)
			if err == nil {
				_, err = s.DB().ExecContext(b.Context(), `ANALYZE inbox`)
			}
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				if i%100 == 99 {
					b.StopTimer()
					if _, err := s.DB().ExecContext(b.Context(), `VACUUM inbox`); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				var claimErr error
				err := s.InTx(b.Context(), func(tx *storage.Store) error {
					us, err := tx.ClaimUpdates(b.Context(), 8)
					if err == nil && len(us) != 8 {
						err = fmt.Errorf("claimed %d, want 8", len(us))
					}
					claimErr = err
					return errReleased
				})
				if claimErr != nil || !errors.Is(err, errReleased) {
					b.Fatal(claimErr, err)
				}
			}
		})
	}
}
