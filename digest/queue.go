package digest

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// DedupeKey identifies one leader's digest of one week in the outbox, so
// that it is queued once however often the job or the command runs. It
// names the person, not their role: a leader invited again in the same
// week has a new role but has had the digest.
func DedupeKey(d Digest, leaderCitizenID int64) string {
	return fmt.Sprintf("digest:%d:%s:c%d", d.Unit.ID, d.WeekStart.Format("2006-01-02"), leaderCitizenID)
}

// Queue writes the digest to the outbox for every active leader of the
// unit on channel: the text with buttons to the oldest overdue tickets,
// then the chart as a PNG file (an outgoing photo can only be a file id
// Telegram already has). Each leader reads it in their language. Call it
// in a transaction. It returns the number of leaders the digest is queued
// for now; those who were sent it before (digests_sent) are skipped.
func Queue(ctx context.Context, tx *storage.Store, d Digest, channel string) (int, error) {
	leaders, err := tx.UnitStaff(ctx, d.Unit.ID, storage.RoleLeader)
	if err != nil {
		return 0, err
	}
	texts, charts := map[*lang]string{}, map[*lang][]byte{}
	n := 0
	for _, o := range leaders {
		if o.Channel != channel {
			continue
		}
		// The outbox's dedupe key forgets once the message is purged;
		// this record does not.
		if fresh, err := tx.RecordDigestSent(ctx, d.Unit.ID, d.WeekStart, o.CitizenID); err != nil || !fresh {
			if err != nil {
				return n, err
			}
			continue
		}
		citizen, err := tx.CitizenByID(ctx, o.CitizenID)
		if err != nil {
			return n, err
		}
		l := language(citizen.Language)
		if _, ok := texts[l]; !ok {
			texts[l] = Render(d, citizen.Language)
		}
		if _, ok := charts[l]; !ok {
			if charts[l], err = Chart(d, citizen.Language); err != nil {
				return n, err
			}
		}
		key := DedupeKey(d, o.CitizenID)
		if err := enqueue(ctx, tx, channel, key, bot.Outgoing{
			Kind: bot.KindText, ChatID: o.ChatID, Text: texts[l], Buttons: Buttons(d),
		}); err != nil {
			return n, err
		}
		if err := enqueue(ctx, tx, channel, key+":chart", bot.Outgoing{
			Kind: bot.KindDocument, ChatID: o.ChatID, Content: charts[l],
			FileName: fmt.Sprintf("ban-tin-tuan-%s-%s.png", d.Unit.Code, d.WeekStart.Format("2006-01-02")),
			Text:     l.chartCaption(len(d.Trend)),
		}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (l *lang) chartCaption(weeks int) string {
	if l == en {
		return fmt.Sprintf("New, answered and overdue petitions over the last %d weeks", weeks)
	}
	return fmt.Sprintf("Phản ánh mới, đã trả lời và quá hạn trong %d tuần gần nhất", weeks)
}

func enqueue(ctx context.Context, tx *storage.Store, channel, key string, o bot.Outgoing) error {
	payload, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("digest: encode message: %w", err)
	}
	return tx.Enqueue(ctx, channel, storage.OutboxEntry{
		ChatID: o.ChatID, Kind: string(o.Kind), Payload: payload, DedupeKey: key,
	})
}
