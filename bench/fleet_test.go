package bench

import (
	"io"
	"log/slog"
	"os"
	"os/exec"
	"testing"
)

// With several replicas the report has their memory together as well as
// the largest; a restarted replica counts once, at its largest.
func TestFleetMemoryOfAllReplicas(t *testing.T) {
	f := newFleet("", nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	self := &exec.Cmd{Process: &os.Process{Pid: os.Getpid()}}
	for i := range 3 {
		f.replicas = append(f.replicas, &replica{index: i, cmd: self, done: make(chan struct{})})
	}
	f.sample()
	f.replicas[0] = &replica{index: 0, cmd: self, done: make(chan struct{})} // a restart
	f.sample()
	one := f.peakMB()
	if one <= 0 || f.totalMB() < 2.99*one || f.totalMB() > 3.01*one {
		t.Fatalf("peak %.1f MB, total %.1f MB; want the total three times the peak", one, f.totalMB())
	}
}
