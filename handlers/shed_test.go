package handlers_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
)

// Presses shed in a flood: the first one shed is answered (its button
// stops spinning) and the chat is told once; the later ones are left,
// the chat told already. A group that is not a unit's has its press
// answered but is not told: the bot does not talk there. The processor
// finds the notices owed at its start, as it does after a restart.
func TestShedPressesAreAnsweredAndTheChatToldOnce(t *testing.T) {
	t.Parallel()
	r := newProcessorRig(t, handlers.ProcessorOptions{Workers: 1, Idle: time.Hour})
	var updates []storage.IncomingUpdate
	press := func(id int64, chat bot.Chat, from string) {
		ev := bot.Event{Channel: "test", UpdateID: id, Chat: chat, From: bot.User{ID: from},
			Button: &bot.Button{QueryID: fmt.Sprint("q", id), Data: "m:help"}}
		payload, _ := json.Marshal(ev)
		updates = append(updates, storage.IncomingUpdate{UpdateID: id, ChatKey: chat.ID, ChatID: chat.ID, UserID: from, Payload: payload})
	}
	for i := int64(1); i <= 4; i++ {
		press(i, bot.Chat{ID: "1000"}, "1000")
		press(10+i, bot.Chat{ID: "-2000", Group: true}, "1001")
	}
	recorded, err := r.store.RecordUpdates(r.ctx, "test", updates, 2)
	if err != nil || recorded != (storage.Recorded{New: 4, Shed: 4}) {
		t.Fatalf("recorded %+v (%v), want 4 new and 4 shed", recorded, err)
	}
	r.start()

	type sent struct {
		Kind, Query, Text string
	}
	var notices, answers []sent
	deadline := time.Now().Add(10 * time.Second)
	for len(notices) == 0 || len(answers) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: notices %v, answers %v", notices, answers)
		}
		time.Sleep(20 * time.Millisecond)
		notices, answers = nil, nil
		var rows []struct {
			Kind    string `db:"kind"`
			Payload []byte `db:"payload"`
		}
		if err := r.raw.Select(&rows, `SELECT kind, payload FROM outbox WHERE chat_id = '1000' ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			var o bot.Outgoing
			if err := json.Unmarshal(row.Payload, &o); err != nil {
				t.Fatal(err)
			}
			switch {
			case o.Kind == bot.KindAnswer:
				answers = append(answers, sent{string(o.Kind), o.QueryID, o.Text})
			case o.Kind == bot.KindText && strings.Contains(o.Text, "quá nhiều tin nhắn"):
				notices = append(notices, sent{string(o.Kind), o.QueryID, o.Text})
			}
		}
	}
	if len(notices) != 1 {
		t.Fatalf("%d notices, want 1: %v", len(notices), notices)
	}
	var inGroup []string
	if err := r.raw.Select(&inGroup, `SELECT payload->>'query_id' FROM outbox WHERE chat_id = '-2000' AND payload->>'text' LIKE '%quá nhanh%'`); err != nil {
		t.Fatal(err)
	}
	var told int
	if err := r.raw.Get(&told, `SELECT count(*) FROM outbox WHERE chat_id = '-2000' AND kind = 'text'`); err != nil {
		t.Fatal(err)
	}
	if len(inGroup) != 1 || inGroup[0] != "q13" || told != 0 {
		t.Fatalf("in the group: presses answered as shed %v, texts %d; want q13 answered and nothing said", inGroup, told)
	}
	byQuery := map[string]string{}
	for _, a := range answers {
		byQuery[a.Query] = a.Text
	}
	if len(byQuery) != 3 || !strings.Contains(byQuery["q3"], "quá nhanh") {
		t.Fatalf("answers %v: want q1 and q2 answered by their handling, q3 told it was shed, q4 not", byQuery)
	}
	if _, ok := byQuery["q4"]; ok {
		t.Fatal("the second press shed was answered too")
	}
}
