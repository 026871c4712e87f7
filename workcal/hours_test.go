package workcal

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestAddWorkingHours(t *testing.T) {
	cal := officialCalendar()
	oh := DefaultOfficeHours() // 07:30–11:30, 13:30–17:00
	for _, tc := range []struct {
		name  string
		start time.Time
		h     int
		want  time.Time
	}{
		{"within the morning", at(2025, 3, 3, 8, 0), 2, at(2025, 3, 3, 10, 0)},
		{"ends exactly at 11:30", at(2025, 3, 3, 8, 30), 3, at(2025, 3, 3, 11, 30)},
		{"over lunch", at(2025, 3, 3, 10, 0), 4, at(2025, 3, 3, 16, 0)},
		// Mon 10:00–11:30 and 13:30–17:00 give 5 h; 3 h more on Tuesday.
		{"8 h from Monday 10:00", at(2025, 3, 3, 10, 0), 8, at(2025, 3, 4, 10, 30)},
		{"start before office hours", at(2025, 3, 3, 6, 0), 4, at(2025, 3, 3, 11, 30)},
		{"start at lunch", at(2025, 3, 3, 12, 0), 1, at(2025, 3, 3, 14, 30)},
		{"start after office hours", at(2025, 3, 3, 18, 0), 1, at(2025, 3, 4, 8, 30)},
		{"Friday afternoon, 4 h", at(2025, 3, 7, 16, 0), 4, at(2025, 3, 10, 10, 30)},
		{"Saturday", at(2025, 3, 8, 9, 0), 4, at(2025, 3, 10, 11, 30)},
		{"over Tết 2025", at(2025, 1, 24, 15, 0), 4, at(2025, 2, 3, 9, 30)},
		{"make-up Saturday 26/4/2025", at(2025, 4, 25, 16, 0), 2, at(2025, 4, 26, 8, 30)},
		// Four full days of 7 h 30 min: ends at 17:00 on Thursday, not at
		// 07:30 on Friday.
		{"four full days", at(2025, 3, 3, 7, 30), 30, at(2025, 3, 6, 17, 0)},
		{"zero", at(2025, 3, 8, 9, 0), 0, at(2025, 3, 8, 9, 0)},
	} {
		got := cal.AddWorkingHours(tc.start, tc.h, oh)
		if !got.Equal(tc.want) {
			t.Errorf("%s: AddWorkingHours(%v, %d) = %v, want %v", tc.name, tc.start, tc.h, got, tc.want)
		}
	}
}

func TestOfficeHours(t *testing.T) {
	if got := DefaultOfficeHours().Daily(); got != 7*time.Hour+30*time.Minute {
		t.Errorf("Daily() = %v", got)
	}
	if err := DefaultOfficeHours().Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
	hn := OfficeHours{Sessions: []Session{{8 * time.Hour, 12 * time.Hour}, {13 * time.Hour, 17 * time.Hour}}}
	if got := hn.Daily(); got != 8*time.Hour {
		t.Errorf("8–12, 13–17: Daily() = %v", got)
	}
	bad := OfficeHours{Sessions: []Session{{13 * time.Hour, 17 * time.Hour}, {8 * time.Hour, 14 * time.Hour}, {20 * time.Hour, 30 * time.Hour}}}
	if bad.Validate() == nil {
		t.Error("Validate accepted unordered, overlapping sessions")
	}
	// Normalized to 08:00–17:00 and 20:00–24:00.
	if got := bad.Daily(); got != 13*time.Hour {
		t.Errorf("normalized Daily() = %v, want 13h", got)
	}
	cal := NewCalendar(Rules{}, nil)
	// 09:00–17:00 gives 8 h, then 20:00–22:00.
	if got := cal.AddWorkingHours(at(2025, 3, 3, 9, 0), 10, bad); !got.Equal(at(2025, 3, 3, 22, 0)) {
		t.Errorf("with normalized hours: %v", got)
	}
	none := OfficeHours{}
	if none.Validate() == nil {
		t.Error("Validate accepted no sessions")
	}
	start := at(2025, 3, 3, 9, 0)
	if got := cal.AddWorkingHours(start, 8, none); !got.Equal(start) {
		t.Errorf("no office hours: %v, want start", got)
	}
}

// naiveAddWorking steps minute by minute.
func naiveAddWorking(cal *Calendar, start time.Time, d time.Duration, oh OfficeHours) time.Time {
	tm := start
	for d > 0 {
		day := DateOf(tm)
		tod := tm.Sub(day.Start())
		in := false
		for _, s := range oh.Sessions {
			if tod >= s.Start && tod < s.End {
				in = true
			}
		}
		step := time.Minute - time.Duration(tm.Nanosecond())%time.Minute - time.Duration(tm.Second())*time.Second
		if step <= 0 {
			step = time.Minute
		}
		if in && cal.IsWorkday(day) {
			step = min(step, d)
			d -= step
		}
		tm = tm.Add(step)
	}
	return tm
}

func TestWorkingTimeProperties(t *testing.T) {
	cal := officialCalendar()
	oh := DefaultOfficeHours()
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 3000 {
		start := randomInstant(r)
		dur := time.Duration(r.Int64N(int64(60*time.Hour))) + time.Nanosecond
		got := cal.AddWorkingTime(start, dur, oh)
		if back := cal.WorkingTimeBetween(start, got, oh); back != dur {
			t.Fatalf("WorkingTimeBetween(%v, AddWorkingTime(…, %v)) = %v", start, dur, back)
		}
		if back := cal.WorkingTimeBetween(got, start, oh); back != -dur {
			t.Fatalf("reversed WorkingTimeBetween = %v, want %v", back, -dur)
		}
		if i < 300 {
			dur = dur.Truncate(time.Minute) + time.Minute
			start = start.Truncate(time.Minute)
			if got, want := cal.AddWorkingTime(start, dur, oh), naiveAddWorking(cal, start, dur, oh); !got.Equal(want) {
				t.Fatalf("AddWorkingTime(%v, %v) = %v, reference %v", start, dur, got, want)
			}
		}
	}
}

// Office hours are written as a locality publishes them, and read back the
// same; what is not a session, or sessions out of order, are refused.
func TestParseOfficeHours(t *testing.T) {
	h, err := ParseOfficeHours([]string{"07:00-11:00", "13:00–17:00"})
	if err != nil {
		t.Fatal(err)
	}
	if h.Daily() != 8*time.Hour || h.String() != "07:00-11:00, 13:00-17:00" {
		t.Errorf("parsed %v, %v a day", h, h.Daily())
	}
	if again, err := ParseOfficeHours(strings.Split(h.String(), ", ")); err != nil || !again.Equal(h) {
		t.Errorf("read back %v, %v", again, err)
	}
	if h.Equal(DefaultOfficeHours()) {
		t.Error("different hours compared equal")
	}
	for _, bad := range [][]string{nil, {"7h30-11h30"}, {"07:30"}, {"07:30-11:61"}, {"13:30-17:00", "07:30-11:30"}, {"11:00-07:00"}, {"07:30-24:30"}} {
		if _, err := ParseOfficeHours(bad); err == nil {
			t.Errorf("%q was taken", bad)
		}
	}
}

// A calendar counts working hours in its rules' office hours, the default
// ones when its rules name none.
func TestCalendarOfficeHours(t *testing.T) {
	if got := NewCalendar(Rules{}, nil).OfficeHours(); !got.Equal(DefaultOfficeHours()) {
		t.Errorf("default calendar: %v", got)
	}
	eight, _ := ParseOfficeHours([]string{"08:00-12:00", "13:00-17:00"})
	if got := NewCalendar(Rules{OfficeHours: eight}, nil).OfficeHours(); !got.Equal(eight) {
		t.Errorf("calendar with its hours: %v", got)
	}
}
