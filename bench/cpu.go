package bench

import (
	"runtime"
	"syscall"
	"time"
)

// cpuTimes is the CPU used so far by the bench (the scripted people and the
// fake Bot API), the bot processes and the private PostgreSQL.
type cpuTimes struct {
	bench, bots, postgres time.Duration
	postmaster            int // 0 when the database is not the private server
}

// cpuClock reads cpuTimes.
type cpuClock struct {
	pgDir string       // the private server's data directory, "" otherwise
	bots  func() []int // the live bot processes
}

func (c cpuClock) now() cpuTimes {
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	// The bot processes are the bench's children: one that ended (killed
	// by a fault) and was waited for is counted in RUSAGE_CHILDREN, so a
	// difference of two readings keeps its CPU.
	t := cpuTimes{bench: rusageCPU(self), bots: rusageCPU(children)}
	if c.bots != nil {
		for _, pid := range c.bots() {
			if st, ok := readProcStat(pid); ok {
				t.bots += st.own
			}
		}
	}
	if c.pgDir != "" {
		if pid := postmasterPID(c.pgDir); pid > 0 {
			if cpu, ok := treeCPU(pid); ok {
				t.postgres, t.postmaster = cpu, pid
			}
		}
	}
	return t
}

func rusageCPU(r syscall.Rusage) time.Duration {
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

// cpuReport is the CPU each part used over the arrival window, and what it
// makes of an update. On a machine where everything shares the cores, the
// bench's own part bounds the throughput: bench_bound_updates_per_s is the
// rate at which the bench alone would keep every core busy.
type cpuReport struct {
	WindowS float64 `json:"window_s"`
	Cores   int     `json:"cores"`
	BotS    float64 `json:"bot_s"`
	BenchS  float64 `json:"bench_s"`
	// PostgresS is left out when the database is not the private server,
	// or when the server was restarted in the window (-fault pgrestart).
	PostgresS *float64 `json:"postgres_s,omitempty"`
	// BusyShare is the share of all the cores' time the three used.
	BusyShare             float64            `json:"busy_share"`
	MsPerUpdate           map[string]float64 `json:"ms_per_update"`
	BenchBoundUpdatesPerS float64            `json:"bench_bound_updates_per_s"`
}

// newCPUReport compares two readings taken window apart, in which updates
// were handled.
func newCPUReport(before, after cpuTimes, window time.Duration, updates int64) *cpuReport {
	r := &cpuReport{
		WindowS: window.Seconds(), Cores: runtime.NumCPU(),
		BotS: (after.bots - before.bots).Seconds(), BenchS: (after.bench - before.bench).Seconds(),
		MsPerUpdate: map[string]float64{},
	}
	used := r.BotS + r.BenchS
	if before.postmaster != 0 && after.postmaster == before.postmaster {
		pg := (after.postgres - before.postgres).Seconds()
		r.PostgresS = &pg
		used += pg
	}
	if r.WindowS > 0 {
		r.BusyShare = used / (r.WindowS * float64(r.Cores))
	}
	if updates <= 0 {
		return r
	}
	perUpdate := func(s float64) float64 { return 1000 * s / float64(updates) }
	r.MsPerUpdate["bot"], r.MsPerUpdate["bench"] = perUpdate(r.BotS), perUpdate(r.BenchS)
	if r.PostgresS != nil {
		r.MsPerUpdate["postgres"] = perUpdate(*r.PostgresS)
	}
	r.MsPerUpdate["total"] = perUpdate(used)
	if r.BenchS > 0 {
		r.BenchBoundUpdatesPerS = float64(r.Cores) * 1000 / r.MsPerUpdate["bench"]
	}
	return r
}

// baselineCPUPerInsert is the CPU a bare insert of the baseline costs the
// client (the bench) and the server together; 0 without the private
// server, whose CPU only the bench can read.
func baselineCPUPerInsert(before, after cpuTimes, inserts int64) float64 {
	if inserts <= 0 || before.postmaster == 0 || after.postmaster != before.postmaster {
		return 0
	}
	used := (after.bench - before.bench) + (after.postgres - before.postgres)
	return 1000 * used.Seconds() / float64(inserts)
}
