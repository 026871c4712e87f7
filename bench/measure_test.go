package bench

import (
	"testing"
	"time"
)

func TestMeterPercentilesAndSteps(t *testing.T) {
	m := &meter{}
	for i := 1; i <= 100; i++ {
		step := "text"
		if i > 90 {
			step = "photo"
		}
		m.observe(step, time.Duration(i)*time.Millisecond)
	}
	q := m.percentiles(0.5, 0.99, 1)
	if q[0] != 51*time.Millisecond || q[1] != 100*time.Millisecond || q[2] != 100*time.Millisecond {
		t.Fatalf("percentiles %v", q)
	}
	steps := m.steps()
	if s := steps["photo"]; s.N != 10 || s.P50Ms != 96 {
		t.Fatalf("photo %+v", s)
	}
	if m.replied.Load() != 100 {
		t.Fatalf("replied %d", m.replied.Load())
	}
	m.reset()
	if m.replied.Load() != 0 || len(m.steps()) != 0 || m.percentiles(0.5)[0] != 0 {
		t.Fatal("reset left figures behind")
	}
}
