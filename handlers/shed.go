package handlers

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

const (
	// shedBatch is how many shed updates one transaction takes.
	shedBatch = 50
	// shedPassGap spaces the passes that queue the notices, so a flood
	// of one-update writes (webhook) costs one pass a second, not one a
	// write.
	shedPassGap = time.Second
	// shedSweep is how often a pass runs without being told of updates
	// shed: another replica may have shed them and stopped before its
	// pass (a deploy, a crash, a scale-down).
	shedSweep = time.Minute
)

// shedNotices is the processor's record of the notices owed to chats
// whose updates were shed (storage.RecordUpdates).
type shedNotices struct {
	owed   atomic.Bool  // the recorder shed updates since the last pass began
	last   atomic.Int64 // when the last pass began (Unix nanoseconds; 0: none yet)
	count  atomic.Int64 // updates shed since the last log line
	logged atomic.Int64 // when the last log line was written
}

// Shed tells the processor that the recorder shed n updates: a worker
// queues the notices owed before it looks for updates again. It is the
// recorder's Shed (telegram.RecorderOptions).
func (p *Processor) Shed(n int) {
	p.shed.count.Add(int64(n))
	p.shed.owed.Store(true)
	p.nudge()
}

// noticeShedChats queues the notices owed when told of updates shed, or
// every shedSweep regardless, in the transaction that takes the shed
// updates, so that a chat is owed its notice until one is queued. One
// worker at a time runs it.
func (p *Processor) noticeShedChats(ctx context.Context) error {
	now := time.Now()
	last := p.shed.last.Load()
	since := now.Sub(time.Unix(0, last))
	if since < shedPassGap || !p.shed.owed.Load() && since < shedSweep || !p.shed.last.CompareAndSwap(last, now.UnixNano()) {
		return nil
	}
	p.shed.owed.Store(false)
	p.logShed(now)
	for {
		var taken int
		err := p.store.InTx(ctx, func(tx *storage.Store) error {
			shed, err := tx.TakeShed(ctx, shedBatch)
			taken = len(shed)
			for _, chat := range byChat(shed) {
				if err == nil {
					err = p.service.noticeShed(ctx, tx, p.decoders[chat[0].Channel], chat)
				}
			}
			return err
		})
		if err != nil {
			p.shed.owed.Store(true) // tried again at the next pass
			return fmt.Errorf("queue the notices of shed updates: %w", err)
		}
		if taken > 0 {
			p.afterCommit()
		}
		if taken < shedBatch {
			return nil
		}
	}
}

// logShed says how many updates this replica shed, once a minute at most
// while a flood lasts.
func (p *Processor) logShed(now time.Time) {
	logged := p.shed.logged.Load()
	if now.Sub(time.Unix(0, logged)) < time.Minute || !p.shed.logged.CompareAndSwap(logged, now.UnixNano()) {
		return
	}
	if n := p.shed.count.Swap(0); n > 0 {
		p.logger.Info("updates shed: their chats had too many waiting or sent too fast", "shed", n)
	}
}

// byChat groups shed updates by chat, each chat's in the order given.
func byChat(shed []storage.ShedUpdate) [][]storage.ShedUpdate {
	index := map[string]int{}
	var chats [][]storage.ShedUpdate
	for _, u := range shed {
		key := u.Channel + " " + u.ChatKey
		i, ok := index[key]
		if !ok {
			i = len(chats)
			index[key] = i
			chats = append(chats, nil)
		}
		chats[i] = append(chats[i], u)
	}
	return chats
}

// noticeShed tells a private chat that its latest messages were not
// handled, and answers the first button press among them, so that its
// button stops spinning. Each once per chat and clock hour at most, however
// long the flood. A group that is not a unit's (a unit's never has updates
// shed) is not told: the bot does not talk there. Updates without a chat,
// or of a channel without a decoder, are owed nothing.
func (s *Service) noticeShed(ctx context.Context, tx *storage.Store, dec bot.Decoder, shed []storage.ShedUpdate) error {
	if dec == nil {
		return nil
	}
	hour := s.now().Unix() / 3600
	told, answered := false, false
	for _, u := range shed {
		if answered && told {
			break
		}
		ev, err := dec.Decode(u.Payload)
		if err != nil || ev.Chat.ID == "" {
			continue
		}
		if !answered && ev.Button != nil {
			answered = true
			answer := bot.Outgoing{Kind: bot.KindAnswer, ChatID: ev.Chat.ID, QueryID: ev.Button.QueryID}
			if err := s.queueShedNotice(ctx, tx, ev, answer, "shed.press", fmt.Sprintf("shed-press:%s:%d", ev.Chat.ID, hour)); err != nil {
				return err
			}
		}
		if ev.Chat.Group {
			told = true // nothing to tell there
		} else if !told {
			told = true
			notice := bot.Outgoing{Kind: bot.KindText, ChatID: ev.Chat.ID}
			if err := s.queueShedNotice(ctx, tx, ev, notice, "shed.notice", fmt.Sprintf("shed:%s:%d", ev.Chat.ID, hour)); err != nil {
				return err
			}
		}
	}
	return nil
}

// queueShedNotice queues o with the text of key, in the language of the
// person who sent ev (the default for someone the bot does not know).
func (s *Service) queueShedNotice(ctx context.Context, tx *storage.Store, ev bot.Event, o bot.Outgoing, key, dedupeKey string) error {
	lang, err := tx.LanguageOf(ctx, ev.Channel, ev.From.ID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		lang = languages[0]
	case err != nil:
		return err
	}
	o.Text = s.texts.text(lang, key)
	return enqueue(ctx, tx, ev.Channel, o, dedupeKey)
}
