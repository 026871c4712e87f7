package bot

import (
	"slices"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

func TestChatRunsKeepEachChatTogetherAndReleaseStaleOnes(t *testing.T) {
	made := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	// The messages as a transaction would have leased them.
	msg := func(id int64, chat string, kind Kind) storage.OutboxMessage {
		return storage.OutboxMessage{ID: id, ChatID: chat, Kind: string(kind)}
	}
	hand := storage.Handoff{Lease: 20 * time.Second, AnswerLease: 6 * time.Second, Made: made}
	runs := chatRuns(&hand, []storage.OutboxMessage{
		msg(1, "a", KindAnswer), msg(2, "a", KindEdit), msg(3, "b", KindText), msg(4, "a", KindText),
	})
	ids := func(run handedRun) []int64 {
		var out []int64
		for _, m := range run.msgs {
			out = append(out, m.ID)
		}
		return out
	}
	want := [][]int64{{1}, {2, 4}, {3}}
	if len(runs) != len(want) {
		t.Fatalf("got %d runs, want %v", len(runs), want)
	}
	for i, run := range runs {
		if !slices.Equal(ids(run), want[i]) {
			t.Errorf("run %d = %v, want %v", i, ids(run), want[i])
		}
	}
	if runs[0].deadline != made.Add(3*time.Second) || runs[1].deadline != made.Add(10*time.Second) {
		t.Errorf("deadlines %v, %v; want half of each lease after %v", runs[0].deadline, runs[1].deadline, made)
	}

	h := handoffs{runs: runs}
	// 5 s on, the answer's half lease is over: it is given back, not sent.
	taken, stale := h.take(1, made.Add(5*time.Second))
	if len(taken) != 1 || !slices.Equal(ids(taken[0]), []int64{2, 4}) || len(stale) != 1 || stale[0].ID != 1 {
		t.Fatalf("take(1) = %v, stale %v; want run [2 4], stale [1]", taken, stale)
	}
	taken, stale = h.take(5, made.Add(5*time.Second))
	if len(taken) != 1 || len(stale) != 0 || len(h.runs) != 0 {
		t.Errorf("take(5) = %v, stale %v, left %d; want run [3] and nothing left", taken, stale, len(h.runs))
	}
}
