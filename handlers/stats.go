package handlers

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// Public figures (dân kiểm tra, dân giám sát: residents check and
// supervise how the commune serves them, law.md §7): /thongke shows anyone
// how a unit and the units below it handled petitions over the last
// statsDays days — received, answered and on time, overdue, satisfaction
// — starting at the top of the organisation; "v:<unit>" moves to a unit
// below or back up. Figures only, as in the reports: no petition and no
// person.
const (
	prefixStats = "v"
	statsDays   = 90
	// Figures are computed at most this often per unit and process: a
	// screen anyone can ask for must not cost the database a report each.
	statsFresh = 10 * time.Minute
)

// statsCache keeps each unit's figures for statsFresh.
type statsCache struct {
	mu      sync.Mutex
	figures map[int64]cachedStats
}

type cachedStats struct {
	at      time.Time
	summary storage.UnitSummary
}

func (s *Service) cmdStats(t *turn) error {
	roots, err := t.tx.UnitChildren(t.ctx, 0)
	if err != nil {
		return err
	}
	if len(roots) == 1 {
		return s.showStats(t, roots[0].ID)
	}
	if len(roots) == 0 {
		return t.reply("stats.none")
	}
	return t.show(bot.Outgoing{Text: t.text("stats.choose"), Buttons: statsButtons(t, roots)})
}

func (s *Service) statsButton(t *turn, args []string) error {
	if len(args) != 1 {
		return t.answer(t.text("button.stale"), false)
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return t.answer(t.text("button.stale"), false)
	}
	return s.showStats(t, id)
}

// showStats shows a unit's figures, with buttons to the units below it
// and to the one above.
func (s *Service) showStats(t *turn, unitID int64) error {
	unit, err := t.tx.UnitByID(t.ctx, unitID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !unit.Active) {
		return t.answer(t.text("button.stale"), false)
	}
	if err != nil {
		return err
	}
	f, err := s.figures(t, unit.ID)
	if err != nil {
		return err
	}
	now := s.now()
	name := bot.Escape(localName(t.lang, unit.Name, unit.NameEN))
	var b strings.Builder
	b.WriteString(t.text("stats.title", name, formatDate(now.AddDate(0, 0, -statsDays)), formatDate(now)))
	fmt.Fprintf(&b, "\n\n%s", t.text("stats.received", formatNumber(f.Received)))
	if rate, ok := f.OnTimeRate(); ok {
		fmt.Fprintf(&b, "\n%s", t.text("stats.answered_on_time", formatNumber(f.Answered), percent(rate)))
	} else {
		fmt.Fprintf(&b, "\n%s", t.text("stats.answered", formatNumber(f.Answered)))
	}
	fmt.Fprintf(&b, "\n%s", t.text("stats.overdue", formatNumber(f.Overdue)))
	if rate, ok := f.SatisfactionRate(); ok {
		avg, _ := f.AverageRating()
		fmt.Fprintf(&b, "\n%s", t.text("stats.satisfied", percent(rate), formatNumber(f.Rated), decimal(t.lang, avg)))
	} else {
		fmt.Fprintf(&b, "\n%s", t.text("stats.unrated"))
	}
	b.WriteString("\n\n" + t.text("stats.note"))
	children, err := t.tx.UnitChildren(t.ctx, unit.ID)
	if err != nil {
		return err
	}
	rows := statsButtons(t, children)
	if unit.ParentID.Valid {
		parent, err := t.tx.UnitByID(t.ctx, unit.ParentID.Int64)
		if err != nil {
			return err
		}
		rows = append(rows, []bot.InlineButton{{Text: "⬆ " + excerpt(localName(t.lang, parent.Name, parent.NameEN), 50),
			Data: data(prefixStats, fmt.Sprint(parent.ID))}})
	}
	return t.show(bot.Outgoing{Text: b.String(), Buttons: rows})
}

func statsButtons(t *turn, units []storage.Unit) [][]bot.InlineButton {
	buttons := make([]bot.InlineButton, len(units))
	for i, u := range units {
		buttons[i] = bot.InlineButton{Text: excerpt(localName(t.lang, u.Name, u.NameEN), 40), Data: data(prefixStats, fmt.Sprint(u.ID))}
	}
	return grid(buttons, 2)
}

// figures are a unit's and its subtree's for the last statsDays days,
// from the cache when fresh.
func (s *Service) figures(t *turn, unitID int64) (storage.UnitSummary, error) {
	now := s.now()
	c := &s.stats
	c.mu.Lock()
	cached, ok := c.figures[unitID]
	c.mu.Unlock()
	if ok && now.Sub(cached.at) < statsFresh && !now.Before(cached.at) {
		return cached.summary, nil
	}
	subtree, err := t.tx.UnitSubtree(t.ctx, unitID)
	if err != nil {
		return storage.UnitSummary{}, err
	}
	units, err := t.tx.ReportSummary(t.ctx, subtree, now.AddDate(0, 0, -statsDays), now)
	if err != nil {
		return storage.UnitSummary{}, err
	}
	total := storage.TotalSummary(units)
	c.mu.Lock()
	if c.figures == nil {
		c.figures = map[int64]cachedStats{}
	}
	c.figures[unitID] = cachedStats{at: now, summary: total}
	c.mu.Unlock()
	return total, nil
}

// percent writes a share as a whole percentage. A share short of all
// never reads 100%, nor one above none 0%: 199 of 200 on time is 99%.
func percent(share float64) string {
	p := math.Round(share * 100)
	switch {
	case p == 100 && share < 1:
		p = 99
	case p == 0 && share > 0:
		p = 1
	}
	return fmt.Sprintf("%.0f%%", p)
}

// decimal writes x with one decimal, with a comma in Vietnamese: "4,3".
func decimal(lang string, x float64) string {
	out := fmt.Sprintf("%.1f", x)
	if lang == "vi" {
		out = strings.Replace(out, ".", ",", 1)
	}
	return out
}
