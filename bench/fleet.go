package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// BuildBinary builds ./cmd/danvan of the module at root into dir.
func BuildBinary(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "danvan")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/danvan")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/danvan: %v\n%s", err, out)
	}
	return bin, nil
}

// ModuleRoot finds the directory of go.mod from the working directory up.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// replica is one `danvan run` process.
type replica struct {
	index int
	addr  string
	cmd   *exec.Cmd
	done  chan struct{} // closed when the process has exited
	err   error
}

func (r *replica) alive() bool {
	select {
	case <-r.done:
		return false
	default:
		return true
	}
}

// fleet runs the bot processes and remembers their peak memory.
type fleet struct {
	bin    string
	env    []string // common environment
	logger *slog.Logger
	// tagCalls makes each replica call the Bot API under its callerPath,
	// for the pollTap in front of the fake.
	tagCalls bool

	mu       sync.Mutex
	replicas []*replica
	peakKB   int64         // max VmHWM seen over every process
	slotKB   map[int]int64 // replica index -> max VmHWM of its processes
}

func newFleet(bin string, env []string, logger *slog.Logger) *fleet {
	return &fleet{bin: bin, env: env, logger: logger}
}

// run executes a one-shot subcommand (migrate, admin import) and returns
// its output.
func (f *fleet) run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, f.bin, args...)
	cmd.Env = f.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("danvan %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// start starts replica i (a new process on a new port) and waits until
// its /readyz answers 200 (it has started: /healthz answers from the
// first moment, while it still connects).
func (f *fleet) start(ctx context.Context, i int, extraEnv ...string) (*replica, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(f.bin, "run")
	cmd.Env = append(append(append([]string(nil), f.env...), "LISTEN_ADDR="+addr), extraEnv...)
	if dsn, ok := lastEnv(cmd.Env, "DATABASE_URL"); ok {
		// Its connections say whose they are in pg_stat_activity (the
		// last of a duplicated variable is the one used).
		cmd.Env = append(cmd.Env, "DATABASE_URL="+withParams(dsn, map[string]string{"application_name": replicaAppName(i)}))
	}
	if api, ok := lastEnv(cmd.Env, "TELEGRAM_API_URL"); ok && f.tagCalls {
		cmd.Env = append(cmd.Env, "TELEGRAM_API_URL="+api+callerPath(i))
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := &replica{index: i, addr: addr, cmd: cmd, done: make(chan struct{})}
	go f.copyLog(i, stderr)
	go func() { r.err = cmd.Wait(); close(r.done) }()
	f.mu.Lock()
	if i < len(f.replicas) {
		f.replicas[i] = r
	} else {
		f.replicas = append(f.replicas, r)
	}
	f.mu.Unlock()
	if err := waitReady(ctx, r, 60*time.Second); err != nil {
		f.kill(r)
		return nil, err
	}
	f.logger.Info("bot started", "replica", i, "pid", cmd.Process.Pid, "listen", addr)
	return r, nil
}

// replicaAppName is the application_name of replica i's connections.
func replicaAppName(i int) string { return fmt.Sprintf("danvan-replica-%d", i) }

// lastEnv is the value of the last key= entry of env.
func lastEnv(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v, true
		}
	}
	return "", false
}

// copyLog forwards a replica's log lines to the bench's stderr.
func (f *fleet) copyLog(i int, r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f.logger.Warn("bot log", "replica", i, "line", sc.Text())
	}
}

func waitReady(ctx context.Context, r *replica, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		if !r.alive() {
			return fmt.Errorf("bot replica %d exited at start: %v", r.index, r.err)
		}
		resp, err := client.Get("http://" + r.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("bot replica %d not ready within %s", r.index, timeout)
}

// kill sends SIGKILL and waits for the process to be gone.
func (f *fleet) kill(r *replica) {
	f.sample()
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.done
}

// stopAll stops every live replica gracefully (SIGTERM), killing those
// that take longer than timeout.
func (f *fleet) stopAll(timeout time.Duration) {
	f.sample()
	for _, r := range f.live() {
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, r := range f.live() {
		select {
		case <-r.done:
		case <-time.After(timeout):
			f.logger.Warn("bot did not stop in time; killing it", "replica", r.index)
			f.kill(r)
		}
	}
}

// live returns the replicas whose process runs.
func (f *fleet) live() []*replica {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*replica
	for _, r := range f.replicas {
		if r.alive() {
			out = append(out, r)
		}
	}
	return out
}

// replica returns replica i as last started.
func (f *fleet) replica(i int) *replica {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.replicas[i]
}

// sender finds the replica that holds the sender role: one at a time
// delivers the outbox, the others stand by, so it is the live replica
// whose danvan_telegram_sent_total is highest (the others' stay 0 until
// one takes over).
func (f *fleet) sender() (*replica, error) {
	var (
		best *replica
		most float64
	)
	for _, r := range f.live() {
		sent, err := scrapeMetric("http://"+r.addr+"/metrics", "danvan_telegram_sent_total")
		if err != nil {
			return nil, fmt.Errorf("replica %d: %w", r.index, err)
		}
		if sent > most {
			best, most = r, sent
		}
	}
	if best == nil {
		return nil, errors.New("no replica has sent anything yet")
	}
	return best, nil
}

// scrapeMetric reads an unlabelled counter or gauge from a Prometheus
// /metrics page.
func scrapeMetric(url, name string) (float64, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if value, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(value), 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s: no %s", url, name)
}

// pids lists the live bot processes.
func (f *fleet) pids() []int {
	var pids []int
	for _, r := range f.live() {
		pids = append(pids, r.cmd.Process.Pid)
	}
	return pids
}

// sample reads VmHWM of every live process.
func (f *fleet) sample() {
	for _, r := range f.live() {
		if kb := vmHWM(r.cmd.Process.Pid); kb > 0 {
			f.mu.Lock()
			f.peakKB = max(f.peakKB, kb)
			if f.slotKB == nil {
				f.slotKB = map[int]int64{}
			}
			f.slotKB[r.index] = max(f.slotKB[r.index], kb)
			f.mu.Unlock()
		}
	}
}

// sampleEvery samples peak memory until ctx ends.
func (f *fleet) sampleEvery(ctx context.Context, d time.Duration) { every(ctx, d, f.sample) }

// peakMB is the largest resident set any bot process had.
func (f *fleet) peakMB() float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return float64(f.peakKB) / 1024
}

// totalMB adds up the replicas' peaks (each the largest of the processes
// that ran as that replica, restarts included): an upper bound of what
// the replicas held together.
func (f *fleet) totalMB() float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	var kb int64
	for _, k := range f.slotKB {
		kb += k
	}
	return float64(kb) / 1024
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
