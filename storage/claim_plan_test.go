package storage_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// genericPlan prepares query on one connection and returns its generic
// plan: the plan a prepared statement keeps once it is cached.
func genericPlan(t *testing.T, db *sql.DB, query, args string) string {
	t.Helper()
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, stmt := range []string{"DEALLOCATE ALL", "SET plan_cache_mode = force_generic_plan", "PREPARE q AS " + query} {
		if _, err := conn.ExecContext(t.Context(), stmt); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := conn.QueryContext(t.Context(), "EXPLAIN EXECUTE q("+args+")")
	if err != nil {
		t.Fatal(err)
	}
	return planText(t, rows)
}

// probes checks that the plan reads table (with its alias, "inbox e") by
// probing index.
func probes(t *testing.T, plan, table, index string) {
	t.Helper()
	i := strings.Index(plan, " on "+table+" ")
	if i < 0 || !strings.Contains(plan[strings.LastIndex(plan[:i], "\n")+1:i], "using "+index) {
		t.Errorf("%s is not read through %s:\n%s", table, index, plan)
	}
}

// The claims run as cached prepared statements, often planned while the
// queues are empty and never analyzed. Such plans once read a whole index
// or table on every claim; check that they probe the right indexes both
// on a fresh database and on one with history and statistics.
func TestClaimPlansProbeIndexes(t *testing.T) {
	db, err := sql.Open("postgres", storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check := func(t *testing.T) {
		inbox := genericPlan(t, db, storage.ClaimUpdatesQuery, "8")
		// Both lookups in a chat's waiting updates, of its oldest (e)
		// and of one behind the claimed (f), probe inbox_pending.
		probes(t, inbox, "inbox e", "inbox_pending")
		probes(t, inbox, "inbox f", "inbox_pending")
		outbox := genericPlan(t, db, storage.ClaimOutboxQuery, "'telegram', 16, 30, 10, '', ''")
		// A bitmap or sequential scan reads an index or the table whole.
		if strings.Contains(outbox, "Seq Scan") || strings.Contains(outbox, "Bitmap") || !strings.Contains(outbox, "using outbox_pkey") {
			t.Errorf("the claimed messages are not locked by primary key:\n%s", outbox)
		}
		probes(t, outbox, "outbox f", "outbox_chat_queue") // a message behind the claimed
	}
	t.Run("fresh", check)
	_, err = db.ExecContext(t.Context(), `
		INSERT INTO inbox (channel, update_id, chat_key, payload, processed_at)
		SELECT 'telegram', g, 'chat' || g % 300, '{}', CASE WHEN g <= 4900 THEN now() END
		FROM generate_series(1, 5000) g;
		INSERT INTO outbox (channel, chat_id, kind, payload, status, sent_at)
		SELECT 'telegram', 'chat' || g % 300, CASE WHEN g % 3 = 0 THEN 'answer' ELSE 'text' END, '{}',
		       CASE WHEN g <= 9900 THEN 'sent' ELSE 'pending' END, CASE WHEN g <= 9900 THEN now() END
		FROM generate_series(1, 10000) g;
		ANALYZE inbox, outbox`)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("with history", check)
}

// planText reads the lines of an EXPLAIN.
func planText(t *testing.T, rows *sql.Rows) string {
	t.Helper()
	defer rows.Close()
	var plan strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan.String()
}

// customPlan is the plan PostgreSQL makes for query with args, as for a
// query planned at each call.
func customPlan(t *testing.T, db *sql.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), "EXPLAIN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	return planText(t, rows)
}

// The later edit of a card's copy is looked up in an outbox of every
// message sent, by the edits' index, planned at each call.
func TestLaterEditProbesItsIndex(t *testing.T) {
	db, err := sql.Open("postgres", storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check := func(t *testing.T) {
		plan := customPlan(t, db, storage.LaterEditQuery, "telegram", "chat7", "41", 40)
		if strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "Bitmap") || !strings.Contains(plan, "using outbox_edits") {
			t.Errorf("the edit is not found by a probe of outbox_edits:\n%s", plan)
		}
	}
	t.Run("fresh", check)
	_, err = db.ExecContext(t.Context(), `
		INSERT INTO outbox (channel, chat_id, kind, payload, status, sent_at, sent_message_id)
		SELECT 'telegram', 'chat' || g % 300, CASE WHEN g % 2 = 0 THEN 'edit' ELSE 'text' END,
		       jsonb_build_object('text', 'card', 'message_id', (g - 1)::text), 'sent', now(), g::text
		FROM generate_series(1, 20000) g;
		ANALYZE outbox`)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("with history", check)
}

// The rating follow-ups run daily over a table of every petition ever
// sent; they must read only the answered ones.
func TestRatingFollowUpsReadOnlyAnsweredTickets(t *testing.T) {
	db, err := sql.Open("postgres", storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.ExecContext(t.Context(), `
		INSERT INTO citizens (channel, user_id, chat_id) VALUES ('telegram', '1', '1');
		INSERT INTO tickets (code, kind, status, citizen_id, description, answered_at)
		SELECT 'PA-2026-' || g, 'phan_anh', CASE WHEN g % 100 = 0 THEN 'answered' ELSE 'completed' END,
		       (SELECT id FROM citizens), 'x', now() - g * interval '1 minute'
		FROM generate_series(1, 20000) g;
		ANALYZE tickets`)
	if err != nil {
		t.Fatal(err)
	}
	for name, query := range map[string]string{
		"claim reminders": storage.ClaimRatingRemindersQuery,
		"unrated":         storage.UnratedAfterReminderQuery,
	} {
		args := "now(), now()"
		if name == "unrated" {
			args = "now()"
		}
		plan := genericPlan(t, db, query, args)
		if strings.Contains(plan, "Seq Scan") || !strings.Contains(plan, "tickets_awaiting_rating") {
			t.Errorf("%s does not read tickets through tickets_awaiting_rating:\n%s", name, plan)
		}
	}
}
