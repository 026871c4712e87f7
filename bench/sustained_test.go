package bench

import (
	"testing"
	"time"
)

func TestSustainedRateIsTheBestWindowWhileMessagesWait(t *testing.T) {
	t0 := time.Unix(0, 0)
	var samples []backlogSample
	add := func(waiting bool, perSecond int64, seconds int) {
		for range seconds {
			last := backlogSample{at: t0.Add(-time.Second)}
			if n := len(samples); n > 0 {
				last = samples[n-1]
			}
			samples = append(samples, backlogSample{at: last.at.Add(time.Second), outbound: last.outbound + perSecond, waiting: waiting})
		}
	}
	add(false, 50, 10) // fast, but nothing waits: the bot keeps up
	add(true, 29, 35)  // the sender at its limit for 35 s
	add(true, 8, 60)   // the tail: a few chats at 1 per second each
	add(false, 0, 5)
	add(true, 40, 20) // a faster spell, too short to count
	rate, busy := (&backlogSampler{samples: samples}).sustained()
	if rate != 29 || busy != 94 {
		t.Errorf("sustained() = %v/s, busy %v s; want 29/s over the best 30 s, busy 94 s", rate, busy)
	}

	short := (&backlogSampler{samples: samples[:40]})
	if rate, _ := short.sustained(); rate != 0 {
		t.Errorf("a 30 s backlog not yet complete gave %v/s, want nothing", rate)
	}
}

// The messages alone: a sender at 29 calls a second of which 10 are
// callback answers sends 19 messages a second.
func TestSustainedMessagesLeaveOutAnswers(t *testing.T) {
	t0 := time.Unix(0, 0)
	var samples []backlogSample
	for i := range 40 {
		samples = append(samples, backlogSample{at: t0.Add(time.Duration(i) * time.Second),
			outbound: int64(29 * i), messages: int64(19 * i), waiting: true})
	}
	s := &backlogSampler{samples: samples}
	if rate, _ := s.sustained(); rate != 29 {
		t.Errorf("sustained() = %v, want 29", rate)
	}
	if rate := s.sustainedMessages(); rate != 19 {
		t.Errorf("sustainedMessages() = %v, want 19", rate)
	}
}
