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
	// A reminder is one outbox row per recipient chat and slot; its dedupe
	// key (if any) makes a second copy impossible, so count by chat and
	// minute of creation.
	err = db.db.QueryRowContext(ctx, `
		SELECT coalesce(sum(n), 0), coalesce(sum(n - 1), 0) FROM (
			SELECT chat_id, date_trunc('minute', created_at), count(*) AS n FROM outbox
			WHERE payload->>'text' LIKE '%nhắc%' OR dedupe_key LIKE 'remind%'
			GROUP BY 1, 2) s`).Scan(&r.RemindersSent, &r.DuplicateReminder)
	if err != nil {
		return r, err
	}
	if r.RemindersSent == 0 {
		r.Note = "no reminder was due: reminders are skipped on days off and only list tickets due within two working days"
	}
	return r, nil
}
