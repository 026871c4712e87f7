package handlers

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// shedBatch is how many notices one transaction queues.
const shedBatch = 50

// shedNotices tells the processor's workers that chats are owed a notice
// that updates of theirs were shed (storage.RecordUpdates).
type shedNotices struct{ owed atomic.Bool }

// Shed tells the processor that the recorder shed n updates: a worker
// queues the notices owed before it looks for updates again. It is the
// recorder's Shed (telegram.RecorderOptions).
func (p *Processor) Shed(n int) {
	p.logger.Info("updates shed: their chats had too many waiting", "shed", n)
	p.shed.owed.Store(true)
	p.nudge()
}

// noticeShedChats queues the notices owed, if any are said to be, in the
// transaction that takes the shed updates, so that a chat is owed its
// notice until one is queued.
func (p *Processor) noticeShedChats(ctx context.Context) error {
	if !p.shed.owed.Swap(false) {
		return nil
	}
	for {
		var taken int
		err := p.store.InTx(ctx, func(tx *storage.Store) error {
			shed, err := tx.TakeShed(ctx, shedBatch)
			taken = len(shed)
			for _, first := range firstOfEachChat(shed) {
				if err == nil {
					err = p.service.noticeShed(ctx, tx, p.decoders[first.Channel], first.Payload)
				}
			}
			return err
		})
		if err != nil {
			p.shed.owed.Store(true) // tried again at the next look for work
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

// firstOfEachChat keeps the first of each chat's updates (they come
// oldest first).
func firstOfEachChat(shed []storage.ShedUpdate) []storage.ShedUpdate {
	seen := map[string]bool{}
	var first []storage.ShedUpdate
	for _, u := range shed {
		if key := u.Channel + " " + u.ChatKey; !seen[key] {
			seen[key] = true
			first = append(first, u)
		}
	}
	return first
}

// noticeShed tells a chat that its latest messages were not read, and
// answers the press that was, if the update is one. A chat flooding for
// long is told once an hour at most. An update without a chat, or of a
// channel without a decoder, is owed nothing.
func (s *Service) noticeShed(ctx context.Context, tx *storage.Store, dec bot.Decoder, payload []byte) error {
	if dec == nil {
		return nil
	}
	ev, err := dec.Decode(payload)
	if err != nil || ev.Chat.ID == "" {
		return nil
	}
	lang, err := tx.LanguageOf(ctx, ev.Channel, ev.From.ID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		lang = languages[0]
	case err != nil:
		return err
	}
	if ev.Button != nil {
		answer := bot.Outgoing{Kind: bot.KindAnswer, ChatID: ev.Chat.ID, QueryID: ev.Button.QueryID, Text: s.texts.text(lang, "shed.press")}
		if err := enqueue(ctx, tx, ev.Channel, answer, ""); err != nil {
			return err
		}
	}
	key := fmt.Sprintf("shed:%s:%d", ev.Chat.ID, s.now().Unix()/3600)
	notice := bot.Outgoing{Kind: bot.KindText, ChatID: ev.Chat.ID, Group: ev.Chat.Group, Text: s.texts.text(lang, "shed.notice")}
	return enqueue(ctx, tx, ev.Channel, notice, key)
}
