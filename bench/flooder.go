package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// flooderID is the account -fault flood sends from, no scripted person's.
const flooderID = 800_000_000

// floodNotice is in the bot's notice to a chat whose updates were shed.
const floodNotice = "quá nhiều tin nhắn"

// floodOutcome is what became of the flooding account's messages.
type floodOutcome struct {
	Sent    int64 `json:"sent"`
	Handled int64 `json:"handled"` // recorded and handled
	Shed    int64 `json:"shed"`    // recorded and shed unread (CHAT_BACKLOG, CHAT_RATE)
	// Waiting are still waiting to be handled after the drain (which
	// waits for the outbox, not the inbox): without CHAT_BACKLOG, the
	// queue the flood built.
	Waiting int64 `json:"waiting"`
	// Notices are the bot's messages to the account saying that its
	// latest messages were not handled.
	Notices int `json:"notices"`
	// Replies are all the bot's messages to the account.
	Replies int `json:"replies"`
}

// flood sends text messages from one account at -flood-rate over the
// middle 60% of the load, far faster than one chat's updates are handled
// (one at a time, each in its own transaction): without CHAT_BACKLOG its
// queue would grow for as long as the flood lasts, and every claim of
// updates read past it.
func (in *injector) flood(ctx context.Context) {
	if !in.at(ctx, 0.2) {
		return
	}
	user := tg.User{ID: flooderID, FirstName: "Spam", LanguageCode: "vi"}
	span := time.Duration(0.6 * float64(in.opts.Duration))
	in.record(faultEvent{What: fmt.Sprintf("flood: account %d sends %g messages/s for %s", flooderID, in.opts.FloodRate, span)})
	tick := time.NewTicker(time.Duration(float64(time.Second) / in.opts.FloodRate))
	defer tick.Stop()
	end := time.NewTimer(span)
	defer end.Stop()
	for {
		select {
		case <-ctx.Done():
		case <-end.C:
		case <-tick.C:
			n := in.flooded.Add(1)
			in.api.PushText(user, fmt.Sprintf("spam %d", n))
			continue
		}
		in.record(faultEvent{What: fmt.Sprintf("flood over: %d messages sent", in.flooded.Load())})
		return
	}
}

// floodOutcome counts, after the drain, what the bot did with the flood.
func (in *injector) floodOutcome(ctx context.Context) (*floodOutcome, error) {
	o := &floodOutcome{Sent: in.flooded.Load()}
	err := in.db.db.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE processed_at IS NOT NULL AND last_error IS DISTINCT FROM 'shed'),
		       count(*) FILTER (WHERE last_error = 'shed'),
		       count(*) FILTER (WHERE processed_at IS NULL AND failed_at IS NULL)
		FROM inbox WHERE chat_key = $1`, fmt.Sprint("telegram:", flooderID)).Scan(&o.Handled, &o.Shed, &o.Waiting)
	if err != nil {
		return nil, fmt.Errorf("count the flood's updates: %w", err)
	}
	for _, m := range in.api.Sent(flooderID) {
		o.Replies++
		if strings.Contains(m.Text, floodNotice) {
			o.Notices++
		}
	}
	return o, nil
}
