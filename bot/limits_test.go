package bot

import (
	"testing"
	"time"
)

// Telegram allows 20 messages a minute to one group: with the default
// burst and rate, no minute holds more, however the sender is pressed.
func TestAGroupGetsAtMost20MessagesInAnyMinute(t *testing.T) {
	l := newLimits(SenderOptions{}.withDefaults())
	start := time.Unix(1_800_000_000, 0)
	var sent []time.Time
	for now := start; now.Before(start.Add(5 * time.Minute)); now = now.Add(50 * time.Millisecond) {
		if l.take("-1001", true, now) {
			sent = append(sent, now)
		}
	}
	for i, first := range sent {
		n := 0
		for _, at := range sent[i:] {
			if at.Sub(first) < time.Minute {
				n++
			}
		}
		if n > 20 {
			t.Fatalf("%d messages to the group in the minute from %s", n, first.Sub(start))
		}
	}
	if len(sent) < 5*17 {
		t.Fatalf("only %d messages in 5 minutes: the group is paced far below its limit", len(sent))
	}
}
