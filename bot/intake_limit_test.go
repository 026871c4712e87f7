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
	taken := 0
	for i := range 20 {
		if l.Take("telegram:1", time.Time{}, start.Add(time.Duration(i)*time.Millisecond)) {
			taken++
		}
	}
	if taken != 6 {
		t.Fatalf("%d of a burst of 20 taken in, want 6", taken)
	}
	if !l.Take("telegram:2", time.Time{}, start) {
		t.Fatal("another chat was refused")
	}
	if l.Take("telegram:1", time.Time{}, start.Add(9*time.Second)) {
		t.Fatal("taken in before a token came back")
	}
	if !l.Take("telegram:1", time.Time{}, start.Add(11*time.Second)) {
		t.Fatal("refused once a token came back")
	}
	if l.Take("telegram:1", time.Time{}, start.Add(12*time.Second)) {
		t.Fatal("taken in twice on one token")
	}
}

// An update whose write failed has its token given back: retried while
// the database is down, however many times, it does not spend its chat's
// minute; one refused stays refused.
func TestIntakeLimitTakesNothingForAFailedWrite(t *testing.T) {
	l := NewIntakeLimit(3)
	start := time.Unix(1_800_000_000, 0)
	for try := range 10 {
		now := start.Add(time.Duration(try) * time.Second)
		for range 2 {
			if !l.Take("telegram:1", time.Time{}, now) {
				t.Fatalf("refused at try %d", try+1)
			}
		}
		l.GiveBack("telegram:1")
		l.GiveBack("telegram:1")
	}
	now := start.Add(10 * time.Second)
	for i := range 3 {
		if !l.Take("telegram:1", time.Time{}, now) {
			t.Fatalf("update %d after the retries refused: they took its tokens", i+1)
		}
	}
	if l.Take("telegram:1", time.Time{}, now) {
		t.Fatal("a fourth update taken in from a bucket of three")
	}
	l.GiveBack("telegram:2") // a chat never seen: nothing to give back to
	if len(l.chats) != 1 {
		t.Fatalf("%d buckets, want 1", len(l.chats))
	}
}

// Messages sent over two hours while the bot was down arrive together
// once it is back: judged by when they were sent, none is shed. Sent all
// in the same second, as a flood is, a minute's worth is taken in.
func TestIntakeLimitJudgesAMessageByWhenItWasSent(t *testing.T) {
	l := NewIntakeLimit(120)
	back := time.Unix(1_800_000_000, 0)
	for i := range 240 {
		sent := back.Add(-2*time.Hour + time.Duration(i)*30*time.Second)
		if !l.Take("telegram:1", sent, back) {
			t.Fatalf("message %d of those sent every 30 s while the bot was down was refused", i+1)
		}
	}
	taken := 0
	for range 240 {
		if l.Take("telegram:2", back, back) {
			taken++
		}
	}
	if taken != 120 {
		t.Fatalf("%d of 240 sent in one second taken in, want 120", taken)
	}
	// A date after now (the two clocks apart) counts as now.
	if l.Take("telegram:2", back.Add(time.Hour), back) {
		t.Fatal("a message dated in the future refilled the bucket")
	}
}

// Buckets are forgotten once refilled, so the map does not grow with every
// chat ever seen; a forgotten chat starts again with a full bucket.
func TestIntakeLimitForgetsRefilledBuckets(t *testing.T) {
	l := NewIntakeLimit(60)
	start := time.Unix(1_800_000_000, 0)
	for i := range 1000 {
		l.Take(string(rune('a'+i%26))+string(rune(i)), time.Time{}, start)
	}
	// A chat that emptied its bucket half a minute later has only half of
	// it back at the next sweep, so it is kept; the others are full and
	// forgotten.
	for range 60 {
		l.Take("flood", time.Time{}, start.Add(30*time.Second))
	}
	if !l.Take("late", time.Time{}, start.Add(intakeSweepEvery)) {
		t.Fatal("a new chat was refused")
	}
	if len(l.chats) != 2 {
		t.Fatalf("%d buckets kept after the sweep, want 2 (the flooding chat's and the new one's)", len(l.chats))
	}
}

func TestNoIntakeLimitAllowsEverything(t *testing.T) {
	l := NewIntakeLimit(0)
	for range 1000 {
		if !l.Take("telegram:1", time.Time{}, time.Unix(1_800_000_000, 0)) {
			t.Fatal("refused without a limit")
		}
	}
	l.GiveBack("telegram:1")
}
