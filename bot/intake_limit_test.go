package bot

import (
	"testing"
	"time"
)

// A chat may send a minute's worth at once, then one every 60/perMinute
// seconds; another chat has its own bucket.
func TestIntakeLimitAllowsAMinutesWorthThenTheRate(t *testing.T) {
	l := NewIntakeLimit(6) // one every 10 s
	start := time.Unix(1_800_000_000, 0)
	allowed := 0
	for i := range 20 {
		if l.Allow("telegram:1", int64(i+1), start.Add(time.Duration(i)*time.Millisecond)) {
			allowed++
		}
	}
	if allowed != 6 {
		t.Fatalf("%d of a burst of 20 allowed, want 6", allowed)
	}
	if !l.Allow("telegram:2", 100, start) {
		t.Fatal("another chat was refused")
	}
	if l.Allow("telegram:1", 101, start.Add(9*time.Second)) {
		t.Fatal("allowed before a token came back")
	}
	if !l.Allow("telegram:1", 102, start.Add(11*time.Second)) {
		t.Fatal("refused once a token came back")
	}
}

// An update written again after a failed write (the database down, the
// poller fetching the same updates) takes nothing more from its chat's
// bucket, however many times it is retried.
func TestIntakeLimitLetsARedeliveryThroughFree(t *testing.T) {
	l := NewIntakeLimit(3)
	start := time.Unix(1_800_000_000, 0)
	for try := range 10 {
		for seq := int64(1); seq <= 2; seq++ {
			if !l.Allow("telegram:1", seq, start.Add(time.Duration(try)*time.Second)) {
				t.Fatalf("update %d refused at try %d", seq, try+1)
			}
		}
	}
	if !l.Allow("telegram:1", 3, start.Add(10*time.Second)) {
		t.Fatal("the chat's next update refused: the retries took its tokens")
	}
	if l.Allow("telegram:1", 4, start.Add(10*time.Second)) {
		t.Fatal("a fourth update allowed in the bucket of three")
	}
}

// Buckets are forgotten once refilled, so the map does not grow with every
// chat ever seen; a forgotten chat starts again with a full bucket.
func TestIntakeLimitForgetsRefilledBuckets(t *testing.T) {
	l := NewIntakeLimit(60)
	start := time.Unix(1_800_000_000, 0)
	for i := range 1000 {
		l.Allow(string(rune('a'+i%26))+string(rune(i)), 1, start)
	}
	// A chat that emptied its bucket half a minute later has only half of
	// it back at the next sweep, so it is kept; the others are full and
	// forgotten.
	for i := range 60 {
		l.Allow("flood", int64(i+1), start.Add(30*time.Second))
	}
	if !l.Allow("late", 1, start.Add(intakeSweepEvery)) {
		t.Fatal("a new chat was refused")
	}
	if len(l.chats) != 2 {
		t.Fatalf("%d buckets kept after the sweep, want 2 (the flooding chat's and the new one's)", len(l.chats))
	}
}

func TestNoIntakeLimitAllowsEverything(t *testing.T) {
	l := NewIntakeLimit(0)
	for i := range 1000 {
		if !l.Allow("telegram:1", int64(i+1), time.Unix(1_800_000_000, 0)) {
			t.Fatal("refused without a limit")
		}
	}
}
