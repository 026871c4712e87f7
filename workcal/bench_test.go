package workcal

import (
	"math/rand/v2"
	"testing"
	"time"
)

// benchStarts returns receipt instants spread over 2024–2026, as in a
// digest over current tickets.
func benchStarts(n int) []time.Time {
	r := rand.New(rand.NewPCG(11, 12))
	lo := at(2024, 1, 1, 0, 0).Unix()
	hi := at(2026, 12, 1, 0, 0).Unix()
	ts := make([]time.Time, n)
	for i := range ts {
		ts[i] = time.Unix(lo+r.Int64N(hi-lo), 0)
	}
	return ts
}

func BenchmarkAddWorkdays(b *testing.B) {
	cal := officialCalendar()
	ts := benchStarts(1024)
	for _, t := range ts {
		cal.AddWorkdays(t, 30) // warm the per-year cache
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		cal.AddWorkdays(ts[i&1023], 10)
		i++
	}
}

func BenchmarkAddWorkdaysParallel(b *testing.B) {
	cal := officialCalendar()
	ts := benchStarts(1024)
	for _, t := range ts {
		cal.AddWorkdays(t, 30)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			cal.AddWorkdays(ts[i&1023], 10)
			i++
		}
	})
}

func BenchmarkWorkdaysBetween(b *testing.B) {
	cal := officialCalendar()
	ts := benchStarts(1024)
	now := at(2026, 12, 15, 9, 0)
	cal.WorkdaysBetween(ts[0], now)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		cal.WorkdaysBetween(ts[i&1023], now)
		i++
	}
}

func BenchmarkAddWorkingHours(b *testing.B) {
	cal := officialCalendar()
	ts := benchStarts(1024)
	oh := DefaultOfficeHours()
	cal.AddWorkdays(ts[0], 1000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		cal.AddWorkingHours(ts[i&1023], 8, oh)
		i++
	}
}

// The cost of a new Calendar's first question about a year (one year of
// holidays and prefix counts).
func BenchmarkColdYear(b *testing.B) {
	vietnamTable()
	b.ReportAllocs()
	for b.Loop() {
		NewCalendar(Rules{}, nil).IsWorkday(d(2025, 6, 2))
	}
}

func BenchmarkToLunar(b *testing.B) {
	vietnamTable()
	x := d(2025, 6, 2)
	b.ReportAllocs()
	for b.Loop() {
		ToLunar(x)
	}
}

// The one-time cost of the 1898–2102 lunar table.
func BenchmarkBuildLunarTable(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		buildLunarTable(vnTZHours, firstSuiYear, lastSuiYear)
	}
}
