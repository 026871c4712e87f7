package bench

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/danvan-vn/danvan/bot/telegram"
)

// holdReport is the "hold" object of a -hold run: the bot's memory with
// -hold citizens each in the middle of a petition.
type holdReport struct {
	Citizens int     `json:"hold_citizens"`
	Seconds  float64 `json:"hold_seconds"` // until every citizen was mid-way
	// Held: citizens that got the bot's reply to every step; Failed: the
	// others (their replies count in lost_messages).
	Held   int64 `json:"held"`
	Failed int64 `json:"failed"`
	// RSSMB is VmRSS of the bot process(es) when all were held (the
	// largest, with replicas); RSSPeakMB their VmHWM.
	RSSMB     float64 `json:"rss_mb"`
	RSSPeakMB float64 `json:"rss_peak_mb"`
	// InProgress counts the petition conversations stored for the held
	// citizens' chats; it must equal Citizens.
	InProgress int64 `json:"conversations_in_progress"`
	// BenchRSSPeakMB is the bench's own VmHWM: the fake Bot API (in
	// process) with every chat, and the scripted citizens.
	BenchRSSPeakMB float64 `json:"bench_rss_peak_mb"`
}

// holdSteps brings a citizen's petition to mid-way: /start, «Gửi phản
// ánh», then the kind «Phản ánh»; the bot then asks for the category and
// keeps the petition conversation stored.
func (p *person) holdSteps() error {
	if _, err := p.says("/start", "cần hỗ trợ việc gì"); err != nil {
		return fmt.Errorf("citizen %d /start: %w", p.user.ID, err)
	}
	if _, err := p.pressesAs("press menu", "Gửi phản ánh", "loại nội dung"); err != nil {
		return fmt.Errorf("citizen %d menu: %w", p.user.ID, err)
	}
	if _, err := p.presses("Phản ánh", "lĩnh vực"); err != nil {
		return fmt.Errorf("citizen %d kind: %w", p.user.ID, err)
	}
	return nil
}

// runHold plays -hold: every citizen takes the first steps of a petition
// and stops; when all have, it reads the bot's memory and counts the
// conversations in progress.
func runHold(ctx context.Context, opts Options, bin string, env []string, db *database, logger *slog.Logger) (Result, error) {
	st, err := startStage(ctx, &opts, bin, env, db, logger, nil)
	if err != nil {
		return Result{}, err
	}
	defer st.close()
	sampled0 := db.sampled.Load()
	commits0, err := db.xactCommits(ctx)
	if err != nil {
		return Result{}, err
	}
	l := newLoad(st.api, st.r, st.m, &opts, logger)
	var held, failed atomic.Int64
	citizen := func(i int64, arrival time.Time) {
		p := l.person(l.citizenID(i))
		p.arrival = arrival
		defer st.r.unregister(p.user.ID)
		if err := p.holdSteps(); err != nil {
			failed.Add(1)
			if l.errLog.Add(1) <= 5 {
				logger.Warn("citizen not held", "error", err)
			}
			return
		}
		held.Add(1)
	}
	progressCtx, stopProgress := context.WithCancel(ctx)
	go progress(progressCtx, st.m, logger)
	start := time.Now()
	var wg sync.WaitGroup
	if opts.Rate > 0 {
		// Open loop: arrivals at -rate updates/s, whatever is answered.
		perSecond := opts.Rate / 3
		rng := rand.New(rand.NewPCG(opts.Seed, 7))
		next := time.Now()
		for i := int64(0); i < int64(opts.Hold) && ctx.Err() == nil; i++ {
			time.Sleep(time.Until(next))
			at := next
			wg.Go(func() { citizen(i, at) })
			gap := 1 / perSecond
			if opts.Poisson {
				gap = rng.ExpFloat64() / perSecond
			}
			next = next.Add(time.Duration(gap * float64(time.Second)))
		}
	} else {
		// As fast as replies come, -citizens at a time.
		var nextCitizen atomic.Int64
		for range min(opts.Citizens, opts.Hold) {
			wg.Go(func() {
				for i := nextCitizen.Add(1) - 1; i < int64(opts.Hold) && ctx.Err() == nil; i = nextCitizen.Add(1) - 1 {
					citizen(i, time.Time{})
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopProgress()
	commits, err := db.commitsSince(ctx, commits0, sampled0)
	if err != nil {
		return Result{}, err
	}
	h := holdReport{Citizens: opts.Hold, Seconds: elapsed.Seconds(), Held: held.Load(), Failed: failed.Load()}
	for _, r := range st.f.live() {
		rss, hwm := procStatusKB(r.cmd.Process.Pid, "VmRSS:"), procStatusKB(r.cmd.Process.Pid, "VmHWM:")
		h.RSSMB, h.RSSPeakMB = max(h.RSSMB, float64(rss)/1024), max(h.RSSPeakMB, float64(hwm)/1024)
	}
	h.BenchRSSPeakMB = float64(procStatusKB(os.Getpid(), "VmHWM:")) / 1024
	if h.InProgress, err = db.petitionsInProgress(ctx, citizenBaseID, citizenBaseID+int64(opts.Hold)); err != nil {
		return Result{}, err
	}
	logger.Info("held", "citizens", h.Held, "failed", h.Failed, "s", fmt.Sprintf("%.1f", h.Seconds),
		"rss_mb", fmt.Sprintf("%.1f", h.RSSMB), "rss_peak_mb", fmt.Sprintf("%.1f", h.RSSPeakMB), "in_progress", h.InProgress)
	pending, failedRows, took := drain(ctx, db, opts.Drain)
	st.f.sample()

	q := st.m.percentiles(0.5, 0.9, 0.99, 1)
	res := Result{
		Mode: "hold " + loopMode(opts), Flags: flagsOf(&opts), DurationS: elapsed.Seconds(),
		Updates: st.m.updates.Load(), Replied: st.m.replied.Load(),
		UpdatesPerS:        float64(st.m.replied.Load()) / elapsed.Seconds(),
		UpdatesPerSOverall: float64(st.m.replied.Load()) / elapsed.Seconds(),
		P50Ms:              ms(q[0]), P90Ms: ms(q[1]), P99Ms: ms(q[2]), MaxMs: ms(q[3]),
		Steps: st.m.steps(), CallbackAnswers: st.m.callbackAnswers(), StepsFailed: st.m.failed.Load(),
		verdict:              verdict{OutboxPending: pending, OutboxFailed: failedRows, DrainSeconds: took.Seconds()},
		LostReplies:          st.m.lost.Load(),
		RepeatedMessages:     st.m.repeated.Load(),
		LostMessages:         lostMessages(st.m.lost.Load(), pending, failedRows, failedAnswers{}),
		OutboundPerS:         float64(st.m.outbound.Load()) / elapsed.Seconds(),
		OutboundMessagesPerS: float64(st.m.messages.Load()) / elapsed.Seconds(),
		Status429:            len(st.api.FloodViolations()), RetryAfterViolations: retryAfterViolations(st.api),
		DBCommitsPerS:         float64(commits) / elapsed.Seconds(),
		DBCommitsPerSOverall:  float64(commits) / elapsed.Seconds(),
		RSSMB:                 st.f.peakMB(),
		RSSTotalMB:            st.f.totalMB(),
		BotConnectionsBusyMax: st.conns.busy.Load(),
		BotConnectionsOpenMax: st.conns.open.Load(),
		Hold:                  &h,
	}
	res.PressesWithoutReply, res.PressesWithoutReplySteps = st.m.presses.missing()
	lagP99, lagMax := st.m.arrivalLag()
	res.ArrivalLagP99Ms, res.ArrivalLagMaxMs = ms(lagP99), ms(lagMax)
	return res, nil
}

// petitionsInProgress counts the stored petition conversations of the
// Telegram chats with ids in [from, to).
func (d *database) petitionsInProgress(ctx context.Context, from, to int64) (int64, error) {
	var n int64
	err := d.scan(ctx, `SELECT chat_id FROM conversations WHERE channel = $1 AND flow = 'petition'`, func(rows *sql.Rows) error {
		var chat string
		if err := rows.Scan(&chat); err != nil {
			return err
		}
		if id, err := strconv.ParseInt(chat, 10, 64); err == nil && id >= from && id < to {
			n++
		}
		return nil
	}, telegram.Channel)
	return n, err
}
