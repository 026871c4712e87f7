package bench

import (
	"context"
	"log/slog"
	"time"
)

// jobsReport checks that scheduled jobs ran once per slot across replicas.
type jobsReport struct {
	Job               string `json:"job"`
	Slots             int64  `json:"slots"`
	RowsPerSlotMax    int64  `json:"rows_per_slot_max"`
	RemindersSent     int64  `json:"reminders_queued"`
	DuplicateReminder int64  `json:"duplicate_reminders"`
	UnitsReminded     int64  `json:"units_reminded"`
	Note              string `json:"note,omitempty"`
}

// checkJobs lets the replicas (started with REMINDER_CRON every minute)
// run for d, then reads job_runs and the reminders queued.
func checkJobs(ctx context.Context, db *database, f *fleet, d time.Duration, logger *slog.Logger) (jobsReport, error) {
	logger.Info("letting the replicas run scheduled jobs", "for", d, "replicas", len(f.live()))
	select {
	case <-time.After(d):
	case <-ctx.Done():
		return jobsReport{}, ctx.Err()
	}
	r := jobsReport{Job: "reminders"}
	err := db.db.QueryRowContext(ctx, `
		SELECT count(DISTINCT slot), coalesce(max(n), 0) FROM (
			SELECT slot, count(*) AS n FROM job_runs WHERE job = 'reminders' GROUP BY slot) s`).Scan(&r.Slots, &r.RowsPerSlotMax)
	if err != nil {
		return r, err
	}
	// The bot queues a reminder with the dedupe key remind:DAY:UNIT:CHAT
	// (handlers/scheduled.go): one per unit, recipient and day, whatever
	// the slot. Count what was queued and any copies per unit and chat
	// within a minute's slot.
	err = db.db.QueryRowContext(ctx, `
		SELECT coalesce(sum(n), 0), coalesce(sum(n - 1), 0), count(DISTINCT unit) FROM (
			SELECT split_part(dedupe_key, ':', 3) AS unit, chat_id, date_trunc('minute', created_at), count(*) AS n
			FROM outbox WHERE dedupe_key LIKE 'remind:%' GROUP BY 1, 2, 3) s`).Scan(&r.RemindersSent, &r.DuplicateReminder, &r.UnitsReminded)
	if err != nil {
		return r, err
	}
	if r.RemindersSent == 0 {
		r.Note = "no reminder was due: reminders are skipped on days off and only list tickets due within two working days"
	}
	return r, nil
}
