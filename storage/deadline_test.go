package storage_test

import (
	"errors"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// Removing a calendar exception that is not recorded says so, rather than
// looking like success; removing a recorded one takes it out.
func TestDeleteCalendarDay(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	day := workcal.Date{Year: 2027, Month: 1, Day: 9}
	if err := s.DeleteCalendarDay(ctx, day); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("no exception yet: %v, want ErrNotFound", err)
	}
	if err := s.SetCalendarDay(ctx, day, true, "làm bù"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCalendarDay(ctx, day); err != nil {
		t.Fatal(err)
	}
	days, err := s.CalendarDays(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 0 {
		t.Errorf("after removal: %v", days)
	}
	if err := s.DeleteCalendarDay(ctx, day); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("removed twice: %v, want ErrNotFound", err)
	}
}

// The government announces Tết's days every year (law.md §11: an
// admin-edited calendar_days table, lunar computation only pre-fills it).
// Tết 2025: the announced break was Sat 25 Jan – Sun 2 Feb 2025 and work
// resumed on Mon 3 Feb, which the default span (with 1 Feb on a Saturday)
// would give off as compensation. The days recorded for Tết replace it.
func TestCalendarTakesTheAnnouncedTetBreak(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	for d := (workcal.Date{Year: 2025, Month: 1, Day: 25}); !d.After(workcal.Date{Year: 2025, Month: 2, Day: 2}); d = d.AddDays(1) {
		if err := s.SetCalendarDay(ctx, d, false, "Nghỉ Tết Ất Tỵ"); err != nil {
			t.Fatal(err)
		}
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := (workcal.Date{Year: 2025, Month: 2, Day: 3}); !cal.IsWorkday(d) {
		_, why := cal.Day(d)
		t.Errorf("Mon 3 Feb 2025 (mùng 6, back to work) is a day off: %q", why)
	}
}

// The shipped rules for phản ánh, kiến nghị and góp ý allow one extension
// of at most their own limit, the others none; a rule allowing extensions
// must say by how much.
func TestShippedRulesExtensions(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	for _, tc := range []struct {
		kind       string
		remote     bool
		max, limit int
	}{
		{"phan_anh", false, 1, 10}, {"phan_anh", true, 1, 15}, {"kien_nghi", false, 1, 10}, {"gop_y", false, 1, 10},
		{"hoi_dap", false, 0, 0}, {"khieu_nai", false, 0, 0}, {"to_cao", false, 0, 0}, {"tiep_dan", false, 0, 0},
	} {
		var r storage.DeadlineRule
		err := s.DB().QueryRowContext(ctx, `SELECT max_extensions, extension_limit FROM deadline_rules
			WHERE kind = $1 AND remote_only = $2 AND category_id IS NULL AND area_id IS NULL`, tc.kind, tc.remote).
			Scan(&r.MaxExtensions, &r.ExtensionLimit)
		if err != nil || r.MaxExtensions != tc.max || r.ExtensionLimit != tc.limit {
			t.Errorf("%s (remote %v): %d extensions of %d (%v), want %d of %d", tc.kind, tc.remote,
				r.MaxExtensions, r.ExtensionLimit, err, tc.max, tc.limit)
		}
	}
	if _, err := s.DB().ExecContext(ctx, `UPDATE deadline_rules SET max_extensions = 1 WHERE kind = 'hoi_dap'`); err == nil {
		t.Error("a rule allowing an extension of 0 was accepted")
	}
}

// Whether a statutory clock may pause while the unit waits for the citizen
// is an open question (law.md §11, §12.2): the shipped rules of the periods
// the law sets run on.
func TestStatutoryClocksDoNotPauseByDefault(t *testing.T) {
	s := openStore(t)
	filed := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for kind, basis := range map[string]string{
		"tiep_dan":  "Citizen Reception Law Art. 28 (10 WD)",
		"to_cao":    "Denunciations Law Art. 24 (forward within 5 WD)",
		"khieu_nai": "Decree 20 Art. 9.1.d / Complaints Law Art. 27 (forward within 5 WD, accept within 10 days)",
	} {
		r, err := s.DeadlineRuleFor(t.Context(), kind, 0, 0, false, filed)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if r.PauseOnInfo {
			t.Errorf("the shipped %s rule (%s) pauses while waiting for the citizen; whether a statutory clock may pause is an open question (law.md §12.2)", kind, basis)
		}
	}
}
