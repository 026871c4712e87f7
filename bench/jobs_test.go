package bench

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// Two runners that both claim a slot before either finishes (what the
// job lock exists to prevent) leave one job_runs row: the check must see
// two runs of the slot done twice. It must also see a slot whose run was
// cut off and never done, one claimed again after a cut-off and done
// once (no failure), and a minute no run claimed.
func TestJobsCheckSeesASlotRunTwice(t *testing.T) {
	ctx, db := testDatabase(t)
	if err := storage.MigrateQuiet(ctx, db.db); err != nil {
		t.Fatal(err)
	}
	rec, err := installJobRecorder(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	store, err := storage.Open(ctx, db.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	base := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	minute := func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }
	once, twice, resumed, cut, missed := minute(1), minute(2), minute(3), minute(4), minute(5)
	// Each claim and finish takes the job's lock on its own, so two claims
	// of a slot can both be made before either finishes.
	locked := func(fn func(ctx context.Context, lock *storage.JobLock) error) {
		t.Helper()
		if held, err := store.WithJobLock(ctx, "reminders", fn); err != nil || !held {
			t.Fatalf("under the job's lock: %v %v", held, err)
		}
	}
	claim := func(slot time.Time) {
		locked(func(ctx context.Context, lock *storage.JobLock) error {
			if ok, err := lock.Claim(ctx, slot); err != nil || !ok {
				t.Fatalf("claim %v: %v %v", slot, ok, err)
			}
			return nil
		})
	}
	finish := func(slot time.Time) {
		locked(func(ctx context.Context, lock *storage.JobLock) error { return lock.Finish(ctx, slot, nil) })
	}
	claim(once)
	finish(once)
	claim(twice) // replica A
	claim(twice) // replica B, while A's run is unfinished
	finish(twice)
	finish(twice)
	claim(resumed) // cut off
	claim(resumed) // run again
	finish(resumed)
	claim(cut)

	var r jobsReport
	if err := rec.runs(ctx, &r, "reminders", base.Add(30*time.Second), missed.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	want := jobsReport{Slots: 4, Runs: 6, RunsPerSlotMax: 2, SuccessesPerSlotMax: 2, SlotsRunAgain: 2, SlotsUnfinished: 1,
		SlotsExpected: 5, SlotsMissed: 1}
	if r != want {
		t.Fatalf("report %+v; want %+v", r, want)
	}
	if why := (Result{Jobs: &r}).Failure(); !strings.Contains(why, "jobs not run exactly once") {
		t.Fatalf("Failure() = %q", why)
	}
	for _, bad := range []jobsReport{
		{Slots: 1, Runs: 1, RunsPerSlotMax: 1, SuccessesPerSlotMax: 0, SlotsUnfinished: 1, SlotsExpected: 1},
		{Slots: 1, Runs: 2, RunsPerSlotMax: 2, SuccessesPerSlotMax: 1, SlotsRunAgain: 1, SlotsExpected: 1,
			Strike: &jobStrike{Error: "no run of the reminders job queued a reminder"}},
	} {
		if why := (Result{Jobs: &bad}).Failure(); why == "" {
			t.Errorf("%+v passed", bad)
		}
	}
	if why := (Result{Jobs: &jobsReport{Slots: 2, Runs: 3, RunsPerSlotMax: 2, SuccessesPerSlotMax: 1, SlotsRunAgain: 1, SlotsExpected: 2,
		Strike: &jobStrike{Replica: 1}}}).Failure(); why != "" {
		t.Fatalf("jobs done once, one of them run again after a cut-off, fail: %q", why)
	}
	rec.remove(ctx)
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM pg_trigger WHERE tgname = 'bench_job_runs_log'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("trigger left behind: %d %v", n, err)
	}
}

// duplicate_reminders counted the outbox rows per unit, chat and day,
// which the bot's dedupe key (the same three) keeps to one: it could not
// rise above 0. It now counts what the chats received: a reminder sent
// again (a delivery whose record was lost) or a second one for the same
// unit and day, whatever it lists, is seen twice there.
func TestAReminderDeliveredTwiceIsCounted(t *testing.T) {
	s := newTestStage(t)
	const other, another = officerBaseID + 1, officerBaseID + 2
	unitOf := map[string]int64{"PA-2026-000001": 1, "PA-2026-000002": 2, "PA-2026-000003": 1}
	reminder := func(chat int64, codes ...string) {
		text := "🔔 Nhắc việc: 1 phản ánh sắp đến hạn, 0 phản ánh quá hạn."
		for _, c := range codes {
			text += "\n• " + c + " · Hạn 08/12/2026 · sắp đến hạn"
		}
		s.bot.send(chat, text, codes...)
	}
	reminder(testOfficer, "PA-2026-000001")
	reminder(testOfficer, "PA-2026-000001") // sent again
	reminder(testOfficer, "PA-2026-000002") // another unit's
	reminder(other, "PA-2026-000001")       // another chat's
	reminder(other, "PA-2026-000003", "PA-2026-000001")
	s.bot.send(testOfficer, "📥 Phản ánh mới\nPA-2026-000001") // not a reminder

	delivered, duplicates, err := deliveredReminders(s.api, []int64{testOfficer, other, another}, func(code string) (int64, error) {
		return unitOf[code], nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if delivered != 5 || duplicates != 2 {
		t.Fatalf("%d reminders delivered, %d twice; want 5, 2", delivered, duplicates)
	}
	r := jobsReport{Slots: 1, Runs: 1, RunsPerSlotMax: 1, SuccessesPerSlotMax: 1, SlotsExpected: 1,
		RemindersSent: 3, RemindersDelivered: delivered, DuplicateReminder: duplicates}
	if why := (Result{Jobs: &r}).Failure(); !strings.Contains(why, "duplicate_reminders 2") {
		t.Fatalf("Failure() = %q", why)
	}
}
