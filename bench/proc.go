package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// procStatusKB reads a field in kB (such as "VmRSS:") of /proc/PID/status.
func procStatusKB(pid int, field string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}

// vmHWM reads a process's peak resident set size in kB from /proc.
func vmHWM(pid int) int64 { return procStatusKB(pid, "VmHWM:") }

// clockTick is the unit of the CPU times in /proc/PID/stat: USER_HZ, which
// Linux fixes at 100 on every architecture Go supports.
const clockTick = 10 * time.Millisecond

// procStat is what the bench reads of /proc/PID/stat.
type procStat struct {
	ppid   int
	zombie bool // exited, not yet reaped
	// own is the CPU the process used (user and system); reaped is what
	// its children that it waited for used.
	own, reaped time.Duration
}

// readProcStat reads /proc/PID/stat; ok is false when the process is gone.
func readProcStat(pid int) (procStat, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, false
	}
	return parseProcStat(string(data))
}

// running reports whether process pid exists and has not exited (one we
// did not start, such as the postmaster, is reaped by whoever adopted it).
func running(pid int) bool {
	st, ok := readProcStat(pid)
	return ok && !st.zombie
}

// parseProcStat parses "pid (comm) state ppid ...": comm may hold spaces
// and parentheses, so the fields are counted from the last ')'.
func parseProcStat(line string) (procStat, bool) {
	end := strings.LastIndexByte(line, ')')
	if end < 0 {
		return procStat{}, false
	}
	// After comm: state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17).
	f := strings.Fields(line[end+1:])
	if len(f) < 15 {
		return procStat{}, false
	}
	n := make([]int64, 15)
	for i := 1; i < 15; i++ {
		v, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return procStat{}, false
		}
		n[i] = v
	}
	return procStat{
		ppid:   int(n[1]),
		zombie: f[0] == "Z",
		own:    time.Duration(n[11]+n[12]) * clockTick,
		reaped: time.Duration(n[13]+n[14]) * clockTick,
	}, true
}

// treeCPU is the CPU a process and all its children have used, live or
// reaped: a server that forks a process per connection (PostgreSQL) and
// reaps those that end. Only direct children are counted, which for
// PostgreSQL is every backend and helper.
//
// A child that ends while the others are read is in neither count: a
// zombie's CPU no longer shows in /proc, and one reaped after the parent
// was read is gone from /proc too. So the reading is taken again, up to a
// few times, until the parent reaped nothing while it was taken and no
// child was a zombie; without that, a reading could fall below the one
// before it (a replica's backends ending during the insert baseline).
func treeCPU(pid int) (time.Duration, bool) {
	var total time.Duration
	for try := 0; try < treeReadings; try++ {
		root, ok := readProcStat(pid)
		if !ok {
			return 0, false
		}
		children, settled := childrenCPU(pid)
		again, ok := readProcStat(pid)
		if !ok {
			return 0, false
		}
		total = again.own + again.reaped + children
		if settled && again.reaped == root.reaped {
			break
		}
		time.Sleep(time.Millisecond) // for the parent to reap its zombie
	}
	return total, true
}

// treeReadings bounds the readings treeCPU takes.
const treeReadings = 20

// childrenCPU sums the CPU of a process's live children; settled is false
// when one was a zombie, whose CPU is counted only once it is reaped.
func childrenCPU(pid int) (total time.Duration, settled bool) {
	settled = true
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, ok := readProcStat(child)
		switch {
		case !ok || st.ppid != pid:
		case st.zombie:
			settled = false
		default:
			total += st.own + st.reaped
		}
	}
	return total, settled
}

// postmasterPID reads the server's pid from postmaster.pid in its data
// directory; 0 when it is not running.
func postmasterPID(dataDir string) int {
	data, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(line))
	return pid
}
