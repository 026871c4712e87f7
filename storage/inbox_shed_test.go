package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// flood is n updates from one person in one chat, numbered from first,
// each payload naming its update.
func flood(first int64, n int, chat, user string) []storage.IncomingUpdate {
	updates := make([]storage.IncomingUpdate, n)
	for i := range updates {
		id := first + int64(i)
		updates[i] = storage.IncomingUpdate{UpdateID: id, ChatKey: "telegram:" + chat, ChatID: chat, UserID: user,
			Payload: fmt.Appendf(nil, `{"update_id": %d}`, id)}
	}
	return updates
}

func record(t *testing.T, s *storage.Store, updates []storage.IncomingUpdate, backlog int) storage.Recorded {
	t.Helper()
	r, err := s.RecordUpdates(t.Context(), "telegram", updates, backlog)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// waiting is how many updates of the chat wait to be handled.
func waiting(t *testing.T, s *storage.Store, chat string) int {
	t.Helper()
	var n int
	err := s.DB().QueryRowContext(t.Context(), `
		SELECT count(*) FROM inbox WHERE chat_key = $1 AND processed_at IS NULL AND failed_at IS NULL`, "telegram:"+chat).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAChatOverItsBacklogHasTheRestShed(t *testing.T) {
	s := openStore(t)
	// Six from one person in one write, beside another person's one:
	// the batch's own updates count towards the limit.
	updates := append(flood(1, 6, "100", "100"), flood(50, 1, "200", "200")...)
	if got, want := record(t, s, updates, 4), (storage.Recorded{New: 5, Shed: 2}); got != want {
		t.Fatalf("recorded %+v, want %+v", got, want)
	}
	if n := waiting(t, s, "100"); n != 4 {
		t.Fatalf("%d of the flooding chat's updates wait, want 4", n)
	}
	var shed []int64
	err := sqlx.SelectContext(t.Context(), sqlx.NewDb(s.DB(), "postgres"), &shed, `
		SELECT update_id FROM inbox WHERE processed_at IS NOT NULL AND last_error = 'shed' ORDER BY update_id`)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{5, 6}, shed); diff != "" {
		t.Fatalf("shed updates, stored handled (-want +got):\n%s", diff)
	}
	// A later write counts what waits already; a redelivery of a shed
	// update (5 and 6 again) stays shed.
	if got, want := record(t, s, flood(5, 3, "100", "100"), 4), (storage.Recorded{New: 0, Shed: 1}); got != want {
		t.Fatalf("second write recorded %+v, want %+v", got, want)
	}

	// The three are owed their chat's notice, oldest first, with their
	// payload, which goes once taken.
	taken, err := takeShed(t, s)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range taken {
		got = append(got, u.ChatKey+" "+string(u.Payload))
	}
	want := []string{`telegram:100 {"update_id": 5}`, `telegram:100 {"update_id": 6}`, `telegram:100 {"update_id": 7}`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("shed updates taken (-want +got):\n%s", diff)
	}
	if again, err := takeShed(t, s); err != nil || len(again) != 0 {
		t.Fatalf("shed updates taken twice: %+v (%v)", again, err)
	}
	var kept int
	if err := s.DB().QueryRowContext(t.Context(), `SELECT count(*) FROM inbox WHERE payload IS NOT NULL AND processed_at IS NOT NULL`).Scan(&kept); err != nil || kept != 0 {
		t.Fatalf("%d shed updates keep their payload once taken (%v)", kept, err)
	}

	// Once the chat's queue is handled, its updates are recorded again.
	if _, err := s.DB().ExecContext(t.Context(), `UPDATE inbox SET processed_at = now(), payload = NULL WHERE processed_at IS NULL`); err != nil {
		t.Fatal(err)
	}
	if got, want := record(t, s, flood(20, 1, "100", "100"), 4), (storage.Recorded{New: 1}); got != want {
		t.Fatalf("after its queue was handled, the chat's update recorded %+v, want %+v", got, want)
	}
}

// storeWithStaffGroup is a store with a unit whose leader is user L and
// whose linked group is chat -300.
func storeWithStaffGroup(t *testing.T) *storage.Store {
	t.Helper()
	s := openStore(t)
	unitID, leaderID := seedNoticeUnit(t, s)
	if err := s.LinkGroup(t.Context(), unitID, "telegram", "-300", leaderID); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStaffAreNeverShed(t *testing.T) {
	s := storeWithStaffGroup(t)
	// A person who is not staff, in the same group: the group is the
	// unit's, so it is not shed either.
	if _, err := s.TouchCitizen(t.Context(), "telegram", "400", "400", "Anna", "en"); err != nil {
		t.Fatal(err)
	}
	updates := append(flood(1, 5, "L", "L"), flood(10, 5, "-300", "400")...)
	if got, want := record(t, s, updates, 2), (storage.Recorded{New: 10}); got != want {
		t.Fatalf("staff's updates recorded %+v, want %+v", got, want)
	}
	// The same person alone, in their private chat, is shed.
	if got, want := record(t, s, flood(20, 3, "400", "400"), 2), (storage.Recorded{New: 2, Shed: 1}); got != want {
		t.Fatalf("a citizen's updates recorded %+v, want %+v", got, want)
	}
	// An officer whose role was revoked is a citizen again.
	if _, err := s.DB().ExecContext(t.Context(), `UPDATE officers SET active = false`); err != nil {
		t.Fatal(err)
	}
	if got, want := record(t, s, flood(30, 1, "L", "L"), 2), (storage.Recorded{Shed: 1}); got != want {
		t.Fatalf("a former officer's update over the limit recorded %+v, want %+v", got, want)
	}
}

// An update its replica found over its chat's rate is shed with no
// backlog at all, unless it is staff's: an officer's or a unit's group's.
func TestAnUpdateOverTheRateIsShedUnlessStaff(t *testing.T) {
	s := storeWithStaffGroup(t)
	overRate := func(updates []storage.IncomingUpdate) []storage.IncomingUpdate {
		for i := range updates {
			updates[i].OverRate = i > 0
		}
		return updates
	}
	for _, backlog := range []int{0, 200} {
		first := int64(backlog * 10)
		if got, want := record(t, s, overRate(flood(first, 3, "100", "100")), backlog), (storage.Recorded{New: 1, Shed: 2, ShedOverRate: 2}); got != want {
			t.Errorf("backlog %d: a citizen's updates recorded %+v, want %+v", backlog, got, want)
		}
		updates := append(overRate(flood(first+3, 3, "L", "L")), overRate(flood(first+6, 3, "-300", "400"))...)
		if got, want := record(t, s, updates, backlog), (storage.Recorded{New: 6}); got != want {
			t.Errorf("backlog %d: staff's updates recorded %+v, want %+v", backlog, got, want)
		}
	}
}

// Of the updates shed, those marked over the rate are told apart from
// those over the backlog, for the metric's label.
func TestShedUpdatesAreCountedByTheLimitTheyWereOver(t *testing.T) {
	s := openStore(t)
	updates := flood(1, 4, "100", "100")
	updates[3].OverRate = true
	if got, want := record(t, s, updates, 2), (storage.Recorded{New: 2, Shed: 2, ShedOverRate: 1}); got != want {
		t.Fatalf("recorded %+v, want %+v (the third over the backlog, the fourth over the rate)", got, want)
	}
}

func TestNoLimitShedsNothing(t *testing.T) {
	s := openStore(t)
	if got, want := record(t, s, flood(1, 300, "100", "100"), 0), (storage.Recorded{New: 300}); got != want {
		t.Fatalf("recorded %+v, want %+v", got, want)
	}
}

// The statement that records every update keeps a generic plan: one that
// PostgreSQL plans anew on every call, as it did a first version with the
// checks as subqueries, costs 0.4 ms a call of intake.
func TestRecordingKeepsAGenericPlan(t *testing.T) {
	s := openStore(t)
	s.OneConnection() // so that the statement and the look at it share a session
	var generic, custom int
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; generic+custom < 20; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("after %d calls the statement was planned generic %d, custom %d times", i, generic, custom)
		}
		record(t, s, flood(int64(i), 1, fmt.Sprint(i), fmt.Sprint(i)), 200)
		err := s.DB().QueryRowContext(t.Context(), `
			SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0)
			FROM pg_prepared_statements WHERE statement LIKE '%inbox_sheds(%'`).Scan(&generic, &custom)
		if err != nil {
			t.Fatal(err)
		}
	}
	if custom > 5 {
		t.Fatalf("recording planned for each call: %d custom plans, %d generic", custom, generic)
	}
}

func takeShed(t *testing.T, s *storage.Store) (shed []storage.ShedUpdate, err error) {
	t.Helper()
	err = s.InTx(t.Context(), func(tx *storage.Store) error {
		shed, err = tx.TakeShed(t.Context(), 10)
		return err
	})
	return shed, err
}

// BenchmarkRecordUpdates is the cost of the limit on a chat's backlog:
// one update recorded per call, as the webhook brings them, without the
// limit, with it, and into a chat at the limit, whose updates are shed.
func BenchmarkRecordUpdates(b *testing.B) {
	for _, c := range []struct {
		name    string
		backlog int
		chat    func(i int) string
	}{
		{"no-limit", 0, func(i int) string { return fmt.Sprint("c", i) }},
		{"limit", 200, func(i int) string { return fmt.Sprint("c", i) }},
		{"shed", 200, func(int) string { return "flood" }},
	} {
		b.Run(c.name, func(b *testing.B) {
			s, err := storage.Open(b.Context(), storagetest.NewDatabase(b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if _, err := s.RecordUpdates(b.Context(), "telegram", flood(1e9, 200, "flood", "flood"), 0); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				chat := c.chat(i)
				if _, err := s.RecordUpdates(b.Context(), "telegram", flood(int64(i), 1, chat, chat), c.backlog); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
