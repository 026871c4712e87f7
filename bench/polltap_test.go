package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// The tap in front of the fake knows whose getUpdates each is (every
// replica calls under a path of its own, which the fake never sees), counts
// the 409 the fake ends an open call with when a second comes, as Telegram
// does, and finds the first call answered for another replica after a
// moment: the takeover a poller's kill is measured by.
func TestPollTapSeesWhoPollsAndTheConflicts(t *testing.T) {
	api := tg.New(tg.Config{})
	defer api.Close()
	tap := newPollTap(api)
	srv := httptest.NewServer(tap)
	defer srv.Close()
	getUpdates := func(replica int, timeout string) int {
		resp, err := http.Get(srv.URL + callerPath(replica) + "/bot" + api.Token() + "/getUpdates?timeout=" + timeout)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	if status := getUpdates(0, "0"); status != http.StatusOK {
		t.Fatalf("replica 0's getUpdates: %d", status)
	}
	held := make(chan int)
	go func() { held <- getUpdates(0, "10") }() // a long poll, open
	since := time.Now()
	// Replica 1 asks until replica 0's call is ended: the first may come
	// before that call is open.
	status := 0
	for status == 0 {
		if s := getUpdates(1, "0"); s != http.StatusOK {
			t.Fatalf("replica 1's getUpdates: %d", s)
		}
		select {
		case status = <-held:
		case <-time.After(10 * time.Millisecond):
		}
	}
	if status != http.StatusConflict {
		t.Fatalf("replica 0's open call ended %d, want 409", status)
	}
	if n := tap.conflicts.Load(); n != 1 {
		t.Errorf("%d conflicts counted, want 1", n)
	}
	if got := tap.answered(); len(got) != 2 || got[0] != 1 || got[1] < 1 {
		t.Errorf("answered by replica %v, want replica 0 once and replica 1", got)
	}
	if p := tap.poller(); p != 1 {
		t.Errorf("poller %d, want 1", p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if turn, err := tap.takeover(ctx, since, 0); err != nil || turn.replica != 1 || !turn.at.After(since) {
		t.Errorf("takeover from replica 0: %+v, %v", turn, err)
	}
	if turn, err := tap.takeover(ctx, time.Now(), 0); err == nil {
		t.Errorf("a takeover nobody made: %+v", turn)
	}
}
