package bench

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// citizenBaseID is the first citizen's Telegram id; officers come after
// officerBaseID.
const (
	citizenBaseID = 100_000_000
	officerBaseID = 900_000_000
)

// load plays the citizens: a closed loop of -citizens people filing back
// to back, or an open loop starting flows at -rate regardless of
// completions. It returns when every started flow has ended.
type load struct {
	api     *tg.Server
	router  *router
	m       *meter
	opts    *Options
	logger  *slog.Logger
	photo   []byte
	tag     string // in every petition's text, to tell this run's tickets
	wards   int    // wards with an officer
	nextID  atomic.Int64
	mu      sync.Mutex
	filed   map[string]bool // descriptions of the petitions sent
	errLog  atomic.Int64
	lastErr atomic.Value
}

func newLoad(api *tg.Server, r *router, m *meter, opts *Options, logger *slog.Logger) *load {
	return &load{api: api, router: r, m: m, opts: opts, logger: logger,
		photo: tg.SamplePhoto(64, 48), tag: fmt.Sprintf("r%d", time.Now().UnixNano()%1e9), wards: min(opts.Officers, len(wards)), filed: map[string]bool{}}
}

func (l *load) confirmed(text string) {
	l.m.filed.Add(1)
	l.mu.Lock()
	l.filed[text] = true
	l.mu.Unlock()
}

// flow runs one citizen's flow and logs the first few failures.
func (l *load) flow(p *person, n int) {
	if err := p.fileAndRate(l.tag, n, int(p.user.ID-citizenBaseID)%l.wards, l.photo, l.confirmed); err != nil {
		l.m.abandoned.Add(1)
		l.lastErr.Store(err.Error())
		if l.errLog.Add(1) <= 5 {
			l.logger.Warn("flow cut short", "error", err)
		}
	}
}

func (l *load) person(id int64) *person {
	return newPerson(l.api, l.router, l.m, id, fmt.Sprintf("Dân %d", id-citizenBaseID), l.opts.StepTimeout)
}

func (l *load) citizenID(i int64) int64 { return citizenBaseID + i }

func (l *load) run(ctx context.Context, d time.Duration) {
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	if l.opts.Rate <= 0 {
		for i := range l.opts.Citizens {
			p := l.person(l.citizenID(int64(i)))
			wg.Go(func() {
				for n := 0; time.Now().Before(end) && ctx.Err() == nil; n++ {
					l.flow(p, n)
				}
			})
		}
		wg.Wait()
		return
	}
	flowsPerSecond := l.opts.Rate / updatesPerFlow
	rng := rand.New(rand.NewPCG(l.opts.Seed, 7))
	next := time.Now()
	for i := int64(0); next.Before(end) && ctx.Err() == nil; i++ {
		time.Sleep(time.Until(next))
		p := l.person(l.citizenID(i))
		p.arrival = next // the flow's first update is due now, however late it goes out
		wg.Go(func() {
			l.flow(p, 0)
			l.router.unregister(p.user.ID)
		})
		gap := 1 / flowsPerSecond
		if l.opts.Poisson {
			gap = rng.ExpFloat64() / flowsPerSecond
		}
		next = next.Add(time.Duration(gap * float64(time.Second)))
	}
	wg.Wait()
}
