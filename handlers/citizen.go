package handlers

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// Deep-link payloads (t.me/<bot>?start=<payload>): "a_<area code>" preselects
// an area, so a commune can print a QR poster for its own residents.
const areaPayloadPrefix = "a_"

func (s *Service) cmdStart(t *turn) error {
	payload := strings.TrimSpace(t.ev.Args)
	if code, ok := strings.CutPrefix(payload, joinPayloadPrefix); ok {
		return s.join(t, code)
	}
	if token, ok := strings.CutPrefix(payload, cosignPayloadPrefix); ok {
		return s.cosign(t, token, false)
	}
	if code, ok := strings.CutPrefix(payload, areaPayloadPrefix); ok {
		area, err := t.tx.AreaByCode(t.ctx, code)
		if err == nil {
			if err := t.reply("start.area", bot.Escape(area.Name)); err != nil {
				return err
			}
			return s.petitionStart(t, draft{AreaID: area.ID, Source: payload})
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	return t.show(bot.Outgoing{Text: t.text("start"), Buttons: s.menu(t)})
}

func (s *Service) menu(t *turn) [][]bot.InlineButton {
	other := "en"
	if t.lang == "en" {
		other = "vi"
	}
	return [][]bot.InlineButton{
		{{Text: t.text("btn.new"), Data: data(prefixMenu, "new")}, {Text: t.text("btn.my"), Data: data(prefixMenu, "my")}},
		{{Text: t.text("btn.consultations"), Data: data(prefixMenu, "gopy")}, {Text: t.text("btn.reception"), Data: data(prefixMenu, "tiepdan")}},
		{{Text: t.text("btn.notices"), Data: data(prefixMenu, "thongbao")}, {Text: t.text("btn.stats"), Data: data(prefixMenu, "thongke")}},
		{{Text: t.text("btn.help"), Data: data(prefixMenu, "help")}, {Text: t.s.texts.text(other, "language.name"), Data: data(prefixLanguage, other)}},
	}
}

func (s *Service) menuButton(t *turn, args []string) error {
	if len(args) != 1 {
		return t.answer(t.text("button.stale"), false)
	}
	if t.ev.Chat.Group { // the menu is a person's own, for a private chat
		return t.answer(t.text("group.command_private"), true)
	}
	switch args[0] {
	case "new":
		return s.cmdNew(t)
	case "my":
		return s.cmdMy(t)
	case "help":
		return s.cmdHelp(t)
	case "mydata":
		return s.showMyData(t)
	case "gopy":
		return s.cmdConsultations(t)
	case "tiepdan":
		return s.cmdReception(t)
	case "thongke":
		return s.cmdStats(t)
	case "thongbao":
		return s.cmdNotices(t)
	}
	return t.answer(t.text("button.stale"), false)
}

func (s *Service) cmdLang(t *turn) error {
	var row []bot.InlineButton
	for _, lang := range languages {
		row = append(row, bot.InlineButton{Text: s.texts.text(lang, "language.name"), Data: data(prefixLanguage, lang)})
	}
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: t.text("language.choose"), Buttons: [][]bot.InlineButton{row}})
}

func (s *Service) languageButton(t *turn, args []string) error {
	if len(args) != 1 || (args[0] != "vi" && args[0] != "en") {
		return t.answer(t.text("button.stale"), false)
	}
	if err := t.tx.SetCitizenLanguage(t.ctx, t.citizen.ID, args[0]); err != nil {
		return err
	}
	t.lang = args[0]
	if t.ev.Chat.Group { // the menu is a person's own, for a private chat
		return t.answer(t.text("language.switched"), false)
	}
	return t.show(bot.Outgoing{Text: t.text("language.set"), Buttons: s.menu(t)})
}

// How many tickets /my lists.
const myTicketsLimit = 10

func (s *Service) cmdMy(t *turn) error {
	tickets, err := t.tx.TicketsByCitizen(t.ctx, t.citizen.ID, myTicketsLimit)
	if err != nil {
		return err
	}
	if len(tickets) == 0 {
		return t.show(bot.Outgoing{Text: t.text("my.none"),
			Buttons: [][]bot.InlineButton{{{Text: t.text("btn.new"), Data: data(prefixMenu, "new")}}}})
	}
	var b strings.Builder
	b.WriteString(t.text("my.title") + "\n")
	var rows [][]bot.InlineButton
	for _, tk := range tickets {
		fmt.Fprintf(&b, "\n<b>%s</b> · %s · %s\n%s", tk.Code, t.text("kind."+tk.Kind),
			t.text("status."+tk.Status), bot.Escape(excerpt(tk.Description, 80)))
		rows = append(rows, []bot.InlineButton{{Text: tk.Code, Data: data(prefixStatus, tk.Code)}})
	}
	return t.show(bot.Outgoing{Text: b.String(), Buttons: rows})
}

func (s *Service) cmdStatus(t *turn) error {
	if strings.TrimSpace(t.ev.Args) == "" {
		return t.reply("status.usage")
	}
	return s.showStatus(t, t.ev.Args)
}

func (s *Service) statusButton(t *turn, args []string) error {
	if len(args) != 1 {
		return t.answer(t.text("button.stale"), false)
	}
	return s.showStatus(t, args[0])
}

// showStatus shows a ticket and its public timeline to its owner. Anyone
// else gets the same answer as for a code that does not exist.
func (s *Service) showStatus(t *turn, input string) error {
	code, ok := storage.ParseCode(input)
	if !ok {
		return t.reply("status.bad_code", bot.Escape(excerpt(input, 40)))
	}
	tk, err := t.tx.TicketByCode(t.ctx, code)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && tk.CitizenID != t.citizen.ID) {
		return t.reply("status.not_found", code)
	}
	if err != nil {
		return err
	}
	events, err := t.tx.Events(t.ctx, tk.ID)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(t.text("status.title", tk.Code) + "\n")
	fmt.Fprintf(&b, "%s: <b>%s</b>\n", t.text("field.status"), t.text("status."+tk.Status))
	fmt.Fprintf(&b, "%s: %s\n", t.text("field.kind"), t.text("kind."+tk.Kind))
	if tk.Urgent {
		fmt.Fprintf(&b, "%s: %s\n", t.text("field.urgency"), t.text(urgencyKey(true)))
	}
	fmt.Fprintf(&b, "%s: %s\n", t.text("field.submitted"), formatTime(tk.CreatedAt))
	if tk.DueAt.Valid && isOpen(tk.Status) {
		fmt.Fprintf(&b, "%s: %s", t.text("field.expected"), formatDate(tk.DueAt.Time))
		if paused, err := pausedAt(t, tk); err != nil {
			return err
		} else if paused.Valid {
			b.WriteString(" " + t.text("value.paused"))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s: <i>%s</i>\n\n", t.text("field.description"), bot.Escape(excerpt(tk.Description, 300)))
	b.WriteString(t.text("status.timeline"))
	for _, e := range events {
		if e.Internal {
			continue
		}
		fmt.Fprintf(&b, "\n• %s — %s", formatTime(e.At), t.text("event."+e.Kind))
		if body := shownBody(e); body != "" {
			fmt.Fprintf(&b, ": %s", bot.Escape(excerpt(body, 500)))
		}
	}
	out := bot.Outgoing{Kind: bot.KindText, Text: b.String()}
	if isOpen(tk.Status) {
		out.Buttons = [][]bot.InlineButton{{{Text: t.text("btn.add_info"), Data: data(prefixAdd, fmt.Sprint(tk.ID))}}}
	}
	shareable, err := s.cosignableNow(t, tk)
	if err != nil {
		return err
	}
	if shareable {
		out.Buttons = append(out.Buttons, []bot.InlineButton{{Text: t.text("btn.share"), Data: data(prefixCosign, "share", fmt.Sprint(tk.ID))}})
	}
	return t.send(out)
}

// Dates are shown as Vietnamese readers expect: dd/mm/yyyy hh:mm, local time.
var displayZone = workcal.Location()

func formatTime(at time.Time) string { return at.In(displayZone).Format("02/01/2006 15:04") }

// excerpt shortens text to at most n characters, on a rune boundary.
func excerpt(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// formatNumber writes 1234 as "1.234", the Vietnamese way.
func formatNumber(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}
