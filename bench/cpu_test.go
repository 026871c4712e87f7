package bench

import (
	"os/exec"
	"testing"
	"time"
)

func TestParseProcStatCountsFieldsFromTheLastParenthesis(t *testing.T) {
	// comm "a) (b" holds a space and both parentheses; utime 250, stime
	// 50, cutime 7, cstime 3 ticks.
	line := "4242 (a) (b) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 1 0 100 1000 10\n"
	st, ok := parseProcStat(line)
	if !ok {
		t.Fatal("not parsed")
	}
	if st.ppid != 17 || st.own != 3*time.Second || st.reaped != 100*time.Millisecond {
		t.Fatalf("got %+v, want ppid 17, own 3s, reaped 100ms", st)
	}
	if _, ok := parseProcStat("4242 (short) S 1 2"); ok {
		t.Fatal("a truncated line parsed")
	}
}

// A bot process killed and reaped mid-run keeps its CPU in the readings:
// it moves from /proc to the bench's RUSAGE_CHILDREN.
func TestCPUClockKeepsAReapedProcess(t *testing.T) {
	cmd := exec.Command("sh", "-c", "while :; do :; done")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	clock := cpuClock{bots: func() []int {
		if cmd.ProcessState == nil {
			return []int{cmd.Process.Pid}
		}
		return nil
	}}
	before := clock.now()
	// However loaded the machine, the busy child's CPU shows while it runs.
	live := clock.now()
	for deadline := time.Now().Add(time.Minute); live.bots-before.bots < 100*time.Millisecond; live = clock.now() {
		if time.Now().After(deadline) {
			t.Fatalf("a busy child used %v in a minute", live.bots-before.bots)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	reaped := clock.now()
	if reaped.bots < live.bots {
		t.Fatalf("after reaping the child the bots' CPU fell from %v to %v", live.bots, reaped.bots)
	}
}

func TestCPUReportPerUpdateAndTheBenchBound(t *testing.T) {
	before := cpuTimes{bench: 1 * time.Second, bots: 2 * time.Second, postgres: 3 * time.Second, postmaster: 99}
	after := cpuTimes{bench: 3 * time.Second, bots: 6 * time.Second, postgres: 9 * time.Second, postmaster: 99}
	r := newCPUReport(before, after, 10*time.Second, 4000)
	if r.PostgresS == nil || *r.PostgresS != 6 || r.BotS != 4 || r.BenchS != 2 {
		t.Fatalf("seconds: %+v", r)
	}
	want := map[string]float64{"bot": 1, "bench": 0.5, "postgres": 1.5, "total": 3}
	for k, v := range want {
		if r.MsPerUpdate[k] != v {
			t.Errorf("ms_per_update[%s] = %v, want %v", k, r.MsPerUpdate[k], v)
		}
	}
	if bound := float64(r.Cores) * 1000 / 0.5; r.BenchBoundUpdatesPerS != bound {
		t.Errorf("bench bound %v, want %v", r.BenchBoundUpdatesPerS, bound)
	}
	if share := 12 / (10 * float64(r.Cores)); r.BusyShare != share {
		t.Errorf("busy share %v, want %v", r.BusyShare, share)
	}

	after.postmaster = 100 // restarted in the window: its CPU is unknown
	r = newCPUReport(before, after, 10*time.Second, 4000)
	if r.PostgresS != nil || r.MsPerUpdate["total"] != 1.5 {
		t.Fatalf("after a restart: postgres %v, total %v ms", r.PostgresS, r.MsPerUpdate["total"])
	}
	if got := baselineCPUPerInsert(before, after, 1000); got != 0 {
		t.Fatalf("baseline across a restart: %v", got)
	}
}

// A server's CPU never seems to fall while its children come and go (a
// replica's PostgreSQL backends ending during the insert baseline): a
// child reaped while its siblings are read is counted once, as the
// parent's, and not lost between the two.
func TestTreeCPUNeverFallsWhileChildrenEnd(t *testing.T) {
	// A parent that keeps starting a short busy child and reaping it.
	cmd := exec.Command("sh", "-c", `while :; do sh -c 'i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done'; done`)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	last, _ := treeCPU(cmd.Process.Pid)
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); {
		now, ok := treeCPU(cmd.Process.Pid)
		if !ok {
			t.Fatal("the parent's CPU could not be read")
		}
		if now < last {
			t.Fatalf("the tree's CPU fell from %v to %v", last, now)
		}
		last = now
	}
	if last == 0 {
		t.Fatal("no CPU counted for a busy tree")
	}
}
