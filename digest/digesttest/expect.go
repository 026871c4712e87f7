package digesttest

import (
	"cmp"
	"slices"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// This file computes a fixture's digest figures the slow, obvious way,
// ticket by ticket, to check the SQL and the roll-up against.

// Subtree lists the codes of a unit and of every unit below it.
func (f Fixture) Subtree(code string) []string {
	out := []string{code}
	for i := 0; i < len(out); i++ {
		for _, u := range f.Units {
			if u.Parent == out[i] {
				out = append(out, u.Code)
			}
		}
	}
	return out
}

// Expect computes the figures of the scope (unit codes) for the week
// ending at to, as storage.DigestFigures defines them.
func (f Fixture) Expect(ids IDs, scope []string, to time.Time) storage.DigestFigures {
	const week = 7 * 24 * time.Hour
	in := map[string]bool{}
	for _, c := range scope {
		in[c] = true
	}
	var tickets []Ticket
	for _, t := range f.Tickets {
		if t.Unit != "" && in[t.Unit] {
			tickets = append(tickets, t)
		}
	}
	// period p is [to-(p+1)·week, to-p·week)
	inPeriod := func(at time.Time, p int) bool {
		end := to.Add(-time.Duration(p) * week)
		return !at.IsZero() && !at.Before(end.Add(-week)) && at.Before(end)
	}
	period := func(p int) storage.PeriodFigures {
		end := to.Add(-time.Duration(p) * week)
		var pf storage.PeriodFigures
		var times []time.Duration
		for _, t := range tickets {
			if inPeriod(t.Created, p) {
				pf.New++
				if t.Urgent {
					pf.Urgent++
				}
			}
			if inPeriod(t.Answered, p) {
				pf.Answered++
				if t.Due.IsZero() || !t.Answered.After(t.Due) {
					pf.OnTime++
				}
				times = append(times, t.Answered.Sub(t.Created))
			}
			if overdueAt(t, end) {
				pf.Overdue++
			}
			for _, e := range t.Events {
				if e.ToStatus == "reopened" && inPeriod(e.At, p) {
					pf.Reopened++
					break
				}
			}
			if last := lastRated(t); t.Rating > 0 && inPeriod(last, p) {
				pf.Rated++
				pf.RatingSum += t.Rating
				if t.Rating >= 3 {
					pf.Satisfied++
				}
			}
		}
		slices.Sort(times)
		switch n := len(times); {
		case n == 0:
		case n%2 == 1:
			pf.MedianAnswer = times[n/2]
		default:
			pf.MedianAnswer = (times[n/2-1] + times[n/2]) / 2
		}
		return pf
	}
	want := storage.DigestFigures{From: to.Add(-week), To: to, Current: period(0), Previous: period(1)}
	want.TopCategories = f.rank(tickets, ids.Categories, func(t Ticket) string { return t.Category }, Categories, inPeriod)
	areaNames := map[string]string{}
	for _, a := range f.Areas {
		areaNames[a.Code] = a.Name
	}
	want.TopAreas = f.rank(tickets, ids.Areas, func(t Ticket) string { return t.Area }, areaNames, inPeriod)

	type pair struct{ area, category string }
	counts := map[pair]*[5]int{}
	for _, t := range tickets {
		for p := range 5 {
			if t.Area != "" && t.Category != "" && inPeriod(t.Created, p) {
				k := pair{t.Area, t.Category}
				if counts[k] == nil {
					counts[k] = new([5]int)
				}
				counts[k][p]++
			}
		}
	}
	for k, c := range counts {
		base := c[1] + c[2] + c[3] + c[4]
		if c[0] >= 3 && float64(c[0]) >= 2*float64(base)/4 {
			want.HotSpots = append(want.HotSpots, storage.HotSpot{
				AreaID: ids.Areas[k.area], AreaName: areaNames[k.area],
				CategoryID: ids.Categories[k.category], CategoryName: Categories[k.category],
				Count: c[0], Baseline: base,
			})
		}
	}
	slices.SortFunc(want.HotSpots, func(a, b storage.HotSpot) int {
		return cmp.Or(b.Count-a.Count, cmp.Compare(a.AreaID, b.AreaID), cmp.Compare(a.CategoryID, b.CategoryID))
	})

	unitNames := map[string]string{}
	for _, u := range f.Units {
		unitNames[u.Code] = u.Name
	}
	for _, t := range tickets {
		if overdueAt(t, to) {
			want.OldestOverdue = append(want.OldestOverdue, storage.OverdueTicket{
				ID: ids.Tickets[t.Code], Code: t.Code, UnitID: ids.Units[t.Unit], UnitName: unitNames[t.Unit], DueAt: t.Due,
			})
		}
	}
	slices.SortFunc(want.OldestOverdue, func(a, b storage.OverdueTicket) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.ID, b.ID))
	})
	want.OldestOverdue = want.OldestOverdue[:min(10, len(want.OldestOverdue))]
	return want
}

// ExpectTrend computes the scope's counts for the weeks weeks before to,
// oldest first.
func (f Fixture) ExpectTrend(ids IDs, scope []string, to time.Time, weeks int) []storage.PeriodCounts {
	const week = 7 * 24 * time.Hour
	out := make([]storage.PeriodCounts, weeks)
	for i := range out {
		end := to.Add(-time.Duration(weeks-1-i) * week)
		start := end.Add(-week)
		out[i].From = start
		for _, t := range f.Tickets {
			if !slices.Contains(scope, t.Unit) || t.Unit == "" {
				continue
			}
			if !t.Created.Before(start) && t.Created.Before(end) {
				out[i].New++
			}
			if !t.Answered.IsZero() && !t.Answered.Before(start) && t.Answered.Before(end) {
				out[i].Answered++
			}
			if overdueAt(t, end) {
				out[i].Overdue++
			}
		}
	}
	return out
}

// overdueAt: not answered, completed or rejected, due and created before end.
func overdueAt(t Ticket, end time.Time) bool {
	settled := t.Status == "answered" || t.Status == "completed" || t.Status == "rejected"
	return !settled && !t.Due.IsZero() && t.Due.Before(end) && t.Created.Before(end)
}

func lastRated(t Ticket) time.Time {
	var last time.Time
	for _, e := range t.Events {
		if e.Kind == "rated" && e.At.After(last) {
			last = e.At
		}
	}
	return last
}

// rank counts new tickets by a key in the week and the week before and
// keeps the 3 most frequent of the week (ties by id).
func (f Fixture) rank(tickets []Ticket, ids map[string]int64, key func(Ticket) string, names map[string]string,
	inPeriod func(time.Time, int) bool) []storage.RankedCount {
	byKey := map[string]*storage.RankedCount{}
	for _, t := range tickets {
		k := key(t)
		if k == "" {
			continue
		}
		if byKey[k] == nil {
			byKey[k] = &storage.RankedCount{ID: ids[k], Name: names[k]}
		}
		if inPeriod(t.Created, 0) {
			byKey[k].Count++
		}
		if inPeriod(t.Created, 1) {
			byKey[k].Previous++
		}
	}
	var out []storage.RankedCount
	for _, r := range byKey {
		if r.Count > 0 {
			out = append(out, *r)
		}
	}
	slices.SortFunc(out, func(a, b storage.RankedCount) int { return cmp.Or(b.Count-a.Count, cmp.Compare(a.ID, b.ID)) })
	return out[:min(3, len(out))]
}
