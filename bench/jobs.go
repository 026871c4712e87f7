package bench

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// jobsReport checks that scheduled jobs ran once per slot across replicas.
//
// job_runs cannot tell: its primary key (job, slot) keeps one row per slot
// however many runs claimed it, since a claim of a slot whose run has not
// finished (or failed) updates that row. So the bench records every claim
// and every finish with a trigger of its own on job_runs (jobRecorder),
// from before the replicas start to the check.
type jobsReport struct {
	Job   string `json:"job"`
	Slots int64  `json:"slots"`
	// Runs counts the claims of a slot (runs started) over every job;
	// RunsPerSlotMax the most of one slot: 1 when each ran once.
	Runs           int64 `json:"runs"`
	RunsPerSlotMax int64 `json:"runs_per_slot_max"`
	// SuccessesPerSlotMax is the most runs of one slot that finished
	// without error: more than 1 means a slot's work was done twice.
	SuccessesPerSlotMax int64 `json:"successes_per_slot_max"`
	// SlotsRunAgain are the slots claimed more than once: a run cut off
	// (the strike's) and run again by another replica.
	SlotsRunAgain int64 `json:"slots_run_again"`
	// SlotsUnfinished are the slots claimed, until 10 s before the check,
	// that no run finished without error.
	SlotsUnfinished int64 `json:"slots_unfinished"`
	// SlotsExpected are the minutes of the reminders job, scheduled every
	// minute, from when every replica was up to 10 s before the check;
	// SlotsMissed those of them that no run claimed.
	SlotsExpected int64 `json:"slots_expected"`
	SlotsMissed   int64 `json:"slots_missed"`
	// RemindersSent and UnitsReminded count the reminders in the outbox
	// and their units; RemindersDelivered the reminders the fake received,
	// and DuplicateReminder those of them beyond one per chat, unit and
	// day (the job runs every minute here but reminds once a day).
	RemindersSent      int64      `json:"reminders_queued"`
	RemindersDelivered int64      `json:"reminders_delivered"`
	DuplicateReminder  int64      `json:"duplicate_reminders"`
	UnitsReminded      int64      `json:"units_reminded"`
	Strike             *jobStrike `json:"strike,omitempty"`
}

// failure is why the jobs did not run exactly once, "" if they did: a
// slot done twice or not at all, a reminder delivered twice, or no run
// cut off as the strike intended.
func (r *jobsReport) failure() string {
	if r == nil {
		return ""
	}
	if r.SuccessesPerSlotMax > 1 || r.SlotsUnfinished > 0 || r.SlotsMissed > 0 || r.DuplicateReminder > 0 {
		return fmt.Sprintf("jobs not run exactly once: successes_per_slot_max %d, slots_unfinished %d, slots_missed %d, duplicate_reminders %d",
			r.SuccessesPerSlotMax, r.SlotsUnfinished, r.SlotsMissed, r.DuplicateReminder)
	}
	if r.Strike != nil && r.Strike.Error != "" {
		return "the jobs check cut off no run: " + r.Strike.Error
	}
	return ""
}

// jobRecorder is the bench's trigger on job_runs: it logs every claim (a
// row inserted, or updated back to unfinished) and every finish (a new
// finished_at, also over a run that another already finished) into
// bench_job_runs.
type jobRecorder struct{ db *database }

func installJobRecorder(ctx context.Context, db *database) (*jobRecorder, error) {
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS bench_job_runs (job text NOT NULL, slot timestamptz NOT NULL, event text NOT NULL,
			at timestamptz NOT NULL DEFAULT clock_timestamp())`,
		`TRUNCATE bench_job_runs`,
		`CREATE OR REPLACE FUNCTION bench_job_runs_log() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.finished_at IS NULL THEN
				INSERT INTO bench_job_runs (job, slot, event) VALUES (NEW.job, NEW.slot, 'claim');
			ELSIF TG_OP = 'UPDATE' AND NEW.finished_at IS DISTINCT FROM OLD.finished_at THEN
				INSERT INTO bench_job_runs (job, slot, event)
				VALUES (NEW.job, NEW.slot, CASE WHEN NEW.error IS NULL THEN 'ok' ELSE 'error' END);
			END IF;
			RETURN NULL;
		END $$`,
		`DROP TRIGGER IF EXISTS bench_job_runs_log ON job_runs`,
		`CREATE TRIGGER bench_job_runs_log AFTER INSERT OR UPDATE ON job_runs FOR EACH ROW EXECUTE FUNCTION bench_job_runs_log()`,
	} {
		if _, err := db.db.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("job recorder: %w", err)
		}
	}
	return &jobRecorder{db: db}, nil
}

// remove drops the trigger and its table.
func (j *jobRecorder) remove(ctx context.Context) {
	for _, q := range []string{`DROP TRIGGER IF EXISTS bench_job_runs_log ON job_runs`,
		`DROP FUNCTION IF EXISTS bench_job_runs_log()`, `DROP TABLE IF EXISTS bench_job_runs`} {
		_, _ = j.db.db.ExecContext(ctx, q)
	}
}

// runs reads what the trigger recorded: runs per slot, and which minutes
// in (from, to] no run of job claimed.
func (j *jobRecorder) runs(ctx context.Context, r *jobsReport, job string, from, to time.Time) error {
	err := j.db.db.QueryRowContext(ctx, `
		SELECT count(*), coalesce(sum(claims), 0), coalesce(max(claims), 0), coalesce(max(oks), 0),
			count(*) FILTER (WHERE claims > 1), count(*) FILTER (WHERE oks = 0 AND slot <= $1) FROM (
			SELECT slot, count(*) FILTER (WHERE event = 'claim') AS claims, count(*) FILTER (WHERE event = 'ok') AS oks
			FROM bench_job_runs GROUP BY job, slot) s`, to).Scan(&r.Slots, &r.Runs, &r.RunsPerSlotMax, &r.SuccessesPerSlotMax,
		&r.SlotsRunAgain, &r.SlotsUnfinished)
	if err != nil {
		return err
	}
	claimed := map[int64]bool{}
	err = j.db.scan(ctx, `SELECT DISTINCT slot FROM bench_job_runs WHERE job = $1 AND event = 'claim'`, func(rows *sql.Rows) error {
		var slot time.Time
		err := rows.Scan(&slot)
		claimed[slot.Unix()] = true
		return err
	}, job)
	if err != nil {
		return err
	}
	for m := from.Truncate(time.Minute).Add(time.Minute); !m.After(to); m = m.Add(time.Minute) {
		r.SlotsExpected++
		if !claimed[m.Unix()] {
			r.SlotsMissed++
		}
	}
	return nil
}

// resumeWait is how long after the strike the check goes on at least: a
// cut-off run is run again within a minute (jobs.Runner).
const resumeWait = 90 * time.Second

// checkJobs lets the replicas (started with REMINDER_CRON every minute)
// run for d, or until resumeWait after the strike if later, cutting off
// a run of the reminders job on the way (prepareStrike, strike); then it
// reads the runs recorded since up (when every replica was running), the
// reminders queued and those the fake delivered to chats (the staff's).
func checkJobs(ctx context.Context, db *database, rec *jobRecorder, up time.Time, f *fleet, api *tg.Server, chats []int64, d time.Duration, logger *slog.Logger) (jobsReport, error) {
	logger.Info("letting the replicas run scheduled jobs, one of them killed in a run", "for", d, "replicas", len(f.live()))
	r := jobsReport{Job: "reminders", Strike: &jobStrike{}}
	begin := time.Now()
	reopened, err := prepareStrike(ctx, db)
	defer removeStrike(context.WithoutCancel(ctx), db)
	if err != nil {
		return r, err
	}
	r.Strike.ReopenedTickets = reopened
	strikeCtx, cancel := context.WithTimeout(ctx, d)
	r.Strike.Replica, err = strike(strikeCtx, db, f)
	cancel()
	r.Strike.AtS = time.Since(begin).Seconds()
	if err != nil {
		r.Strike.Error = err.Error()
	} else {
		logger.Info("killed the replica running the reminders job mid-run", "replica", r.Strike.Replica)
	}
	select {
	case <-time.After(max(d-time.Since(begin), resumeWait)):
	case <-ctx.Done():
		return r, ctx.Err()
	}
	if err := rec.runs(ctx, &r, "reminders", up, time.Now().Add(-10*time.Second)); err != nil {
		return r, err
	}
	err = db.db.QueryRowContext(ctx, `
		SELECT count(*), count(DISTINCT split_part(dedupe_key, ':', 3)) FROM outbox WHERE dedupe_key LIKE 'remind:%'`).
		Scan(&r.RemindersSent, &r.UnitsReminded)
	if err != nil {
		return r, err
	}
	r.RemindersDelivered, r.DuplicateReminder, err = deliveredReminders(api, chats, func(code string) (int64, error) {
		var unit int64
		err := db.db.QueryRowContext(ctx, `SELECT coalesce(unit_id, 0) FROM tickets WHERE code = $1`, code).Scan(&unit)
		return unit, err
	})
	return r, err
}

// reminderTitle starts every reminder of units' staff («🔔 Nhắc việc: …»).
const reminderTitle = "Nhắc việc"

// vietnam is Asia/Ho_Chi_Minh, where the reminders' days are counted (no
// daylight saving time).
var vietnam = time.FixedZone("ICT", 7*60*60)

// deliveredReminders counts the reminders the fake delivered to chats,
// and those beyond one per chat, unit and day: what the staff would see
// twice. The outbox cannot tell, since the bot's dedupe key (unit, chat,
// day) lets it hold only one; a second delivery of that row (a send whose
// record was lost) or a reminder queued under another key shows only
// here. unitOf finds the unit of a ticket a reminder lists first (all it
// lists are the unit's).
func deliveredReminders(api *tg.Server, chats []int64, unitOf func(code string) (int64, error)) (delivered, duplicates int64, err error) {
	type slot struct {
		chat, unit int64
		day        string
	}
	seen := map[slot]bool{}
	for _, chat := range chats {
		for _, m := range api.Sent(chat) {
			if !strings.Contains(m.Text, reminderTitle) {
				continue
			}
			unit, err := unitOf(codeIn(m.Text))
			if err != nil {
				return delivered, duplicates, fmt.Errorf("the unit of a reminder: %w", err)
			}
			delivered++
			s := slot{chat, unit, m.Date.In(vietnam).Format(time.DateOnly)}
			if seen[s] {
				duplicates++
			}
			seen[s] = true
		}
	}
	return delivered, duplicates, nil
}
