package bot

import (
	"context"
	"math"
	"time"
)

// Scheduled messages (storage.ReleaseScheduled) are moved into the outbox
// by the sender that leads, at most every releaseEvery, before a claim.
const (
	releaseEvery = time.Second
	// releaseShare of the global rate is what scheduled messages may
	// take when they are late (the sender stood still a while): the rest
	// is for replies. On time, their due times pace them already.
	releaseShare = 2.0 / 3
	// releaseMax bounds one move.
	releaseMax = 1000
)

// releaseScheduled moves the scheduled messages that are due into the
// outbox, as many as releaseShare of the global rate allows since the
// last move.
func (s *Sender) releaseScheduled(ctx context.Context) {
	now := time.Now()
	since := now.Sub(s.lastRelease)
	if since < releaseEvery {
		return
	}
	s.lastRelease = now
	limit := int(math.Ceil(float64(s.opts.GlobalRate) * releaseShare * min(since, 5*releaseEvery).Seconds()))
	if _, err := s.store.ReleaseScheduled(ctx, s.m.Channel(), min(limit, releaseMax)); err != nil && ctx.Err() == nil {
		s.logger.Warn("outbox: moving scheduled messages into the outbox failed", "error", err)
	}
}
