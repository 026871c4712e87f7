package handlers

// /report: the report of a period for leaders and administrators, as an
// XLSX file (package report) with a short summary in the chat.

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/report"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// maxReportBytes caps the file sent in the chat. It travels through the
// outbox and must upload within the sender's delivery timeout; 100,000
// tickets make about 8–10 MB (measured). Larger reports are for
// `danvan export`.
const maxReportBytes = 12 << 20

// reportScope is what a person's report covers.
type reportScope struct {
	units []int64 // nil: all units
	name  string  // for the file, in Vietnamese
	label string  // for the chat, in the person's language
}

// scopeOfReport returns the units a person reports on: everything for an
// administrator, the subtrees of the units they lead for a leader. ok is
// false for anyone else (officers report through their leaders).
func (t *turn) scopeOfReport() (reportScope, bool, error) {
	roles, err := t.roles()
	if err != nil {
		return reportScope{}, false, err
	}
	var (
		sc    reportScope
		seen  = map[int64]bool{}
		names []string
		units []string
	)
	for _, r := range roles {
		switch r.Role {
		case storage.RoleAdmin:
			return reportScope{name: report.AllUnits, label: t.text("report.scope_all")}, true, nil
		case storage.RoleLeader:
			subtree, err := t.tx.UnitSubtree(t.ctx, r.UnitID)
			if err != nil {
				return reportScope{}, false, err
			}
			for _, id := range subtree {
				if !seen[id] {
					seen[id] = true
					sc.units = append(sc.units, id)
				}
			}
			names = append(names, report.SubtreeScope(r.UnitName, len(subtree)))
			units = append(units, r.UnitName)
		}
	}
	if sc.units == nil {
		return reportScope{}, false, nil
	}
	sc.name, sc.label = strings.Join(names, "; "), strings.Join(units, ", ")
	return sc, true, nil
}

// reportDates reads "/report" (this month to date) or "/report FIRST
// LAST". ok is false for anything else, a range that ends before it
// starts, or one that starts after today.
func reportDates(args string, now time.Time) (first, last workcal.Date, ok bool) {
	today := workcal.DateOf(now)
	fields := strings.Fields(args)
	switch len(fields) {
	case 0:
		return workcal.NewDate(today.Year, today.Month, 1), today, true
	case 2:
		var err1, err2 error
		first, err1 = report.ParseDate(fields[0])
		last, err2 = report.ParseDate(fields[1])
		if err1 != nil || err2 != nil || last.Before(first) || today.Before(first) {
			return first, last, false
		}
		if today.Before(last) {
			last = today // figures are as of now
		}
		return first, last, true
	}
	return first, last, false
}

// cmdReport sends the report of a period for the person's scope: the
// XLSX file, then the main figures.
func (s *Service) cmdReport(t *turn) error {
	if t.ev.Chat.Group {
		return t.reply("report.private_only")
	}
	scope, ok, err := t.scopeOfReport()
	if err != nil {
		return err
	}
	if !ok {
		return t.reply("report.leaders_only")
	}
	now := s.now()
	first, last, ok := reportDates(t.ev.Args, now)
	if !ok {
		return t.reply("report.usage")
	}
	from, to := report.Period(first, last, now)
	period := t.text("report.period", formatDate(first.Start()), formatDate(last.Start()))
	var file bytes.Buffer
	data, err := report.Load(t.ctx, t.tx, report.FormatXLSX, scope.units, from, to)
	if err == nil {
		// Tickets made since they were counted may still overfill the sheet.
		err = data.Write(&file, report.FormatXLSX, report.Meta{Scope: scope.name, From: from, To: to, Generated: now})
	}
	var tooMany *report.TooManyRowsError
	switch {
	case errors.As(err, &tooMany):
		return t.reply("report.too_large", period, formatNumber(tooMany.Tickets))
	case err != nil:
		return fail("report", err)
	case file.Len() > maxReportBytes:
		return t.reply("report.too_large", period, formatNumber(len(data.Rows)))
	}
	t.logInfo("report", "tickets", len(data.Rows), "units", len(data.Summary), "bytes", file.Len())
	err = t.send(bot.Outgoing{
		Kind: bot.KindDocument, Content: file.Bytes(), FileName: report.FileName(first, last, report.FormatXLSX),
		Text: t.text("report.caption", period),
	})
	if err != nil {
		return err
	}
	total := data.Total()
	onTime, rating := t.text("report.not_available"), t.text("report.not_available")
	if r, ok := total.OnTimeRate(); ok {
		onTime = reportDecimal(t.lang, 100*r, 1) + "%"
	}
	if r, ok := total.AverageRating(); ok {
		rating = t.text("report.rating", reportDecimal(t.lang, r, 2), formatNumber(total.Rated))
	}
	return t.reply("report.done", period, bot.Escape(scope.label), formatNumber(total.Received),
		formatNumber(total.Answered), onTime, formatNumber(total.Overdue), rating)
}

// reportDecimal writes a number with the language's decimal separator:
// 71,3 in Vietnamese, 71.3 in English.
func reportDecimal(lang string, v float64, decimals int) string {
	s := fmt.Sprintf("%.*f", decimals, v)
	if lang == "vi" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
