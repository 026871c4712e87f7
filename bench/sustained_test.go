package bench

import (
	"testing"
	"time"
)

func TestSustainedRateIsTakenOverTheLongestBacklog(t *testing.T) {
	t0 := time.Unix(0, 0)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	s := &backlogSampler{samples: []backlogSample{
		{at(0), 0, 0},
		{at(1), 10, 3}, // a short backlog: 1..3
		{at(3), 100, 5},
		{at(4), 110, 0},
		{at(5), 120, 7}, // the longest: 5..12, 29 calls a second
		{at(12), 323, 9},
		{at(13), 330, 0},
	}}
	rate, span := s.sustained()
	if span != 7 || rate != 29 {
		t.Errorf("sustained() = %v/s over %v s, want 29/s over 7 s", rate, span)
	}

	s = &backlogSampler{samples: []backlogSample{{at(0), 0, 4}, {at(4), 200, 4}, {at(5), 210, 0}}}
	if rate, span := s.sustained(); rate != 0 || span != 0 {
		t.Errorf("a 4 s backlog gave %v/s over %v s, want nothing", rate, span)
	}
}
