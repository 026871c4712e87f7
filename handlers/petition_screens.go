package handlers

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

func usesReplyKeyboard(step string) bool { return step == stepArea || step == stepPhone }

// petitionScreen renders a step: the first message carries the question and
// its buttons; the area and phone steps add a phone keyboard.
func (s *Service) petitionScreen(t *turn, d *draft, step string) ([]bot.Outgoing, error) {
	btn := func(label, action string, args ...string) bot.InlineButton {
		return bot.InlineButton{Text: label, Data: data(append([]string{prefixPetition, step, action}, args...)...)}
	}
	nav := []bot.InlineButton{btn(t.text("btn.back"), "back"), btn(t.text("btn.cancel"), "cancel")}
	if step == stepKind {
		nav = nav[1:]
	}
	var rows [][]bot.InlineButton
	var text string
	switch step {
	case stepKind:
		text = t.text("petition.kind") + "\n"
		offered := s.citizenKinds()
		buttons := make([]bot.InlineButton, len(offered))
		for i, k := range offered {
			text += fmt.Sprintf("\n• <b>%s</b>: %s", t.text("kind."+k), t.text("kind_help."+k))
			buttons[i] = btn(t.text("kind."+k), "set", k)
		}
		rows = append(rows, grid(buttons, 2)...)
		for _, k := range kinds {
			if isGuidanceKind(k) && !slices.Contains(offered, k) {
				text += "\n\n" + t.text("petition.not_taken."+k)
			}
		}
	case stepLegal:
		text = t.text("legal." + d.Kind)
		rows = append(rows, []bot.InlineButton{btn(t.text("btn.continue_guidance"), "next")})
	case stepCategory:
		cats, err := t.tx.ActiveCategories(t.ctx)
		if err != nil {
			return nil, err
		}
		text = t.text("petition.category")
		buttons := make([]bot.InlineButton, len(cats))
		for i, c := range cats {
			buttons[i] = btn(categoryName(t.lang, c), "set", fmt.Sprint(c.ID))
		}
		rows = append(rows, grid(buttons, 2)...)
	case stepArea:
		return s.areaScreen(t, d, btn, nav)
	case stepDescription:
		text = t.text("petition.description", formatNumber(maxDescription))
		if d.Description != "" { // back, or to write it again: the text to copy
			text += "\n\n" + t.text("petition.description_current", bot.Escape(d.Description))
		}
	case stepPhotos:
		text = t.text("petition.photos", maxPhotos)
		label := t.text("btn.skip")
		if len(d.Photos) > 0 {
			text = t.text("petition.photos_count", len(d.Photos), maxPhotos)
			label = t.text("btn.continue")
		}
		rows = append(rows, []bot.InlineButton{btn(label, "next")})
	case stepPhone:
		d.ReplyKeyboard = true
		return []bot.Outgoing{{
			Kind: bot.KindText,
			Text: t.text("petition.phone"),
			Reply: &bot.ReplyKeyboard{Rows: [][]bot.KeyButton{
				{{Text: t.text("btn.share_phone"), RequestContact: true}},
				{{Text: t.text("btn.skip")}},
				{{Text: t.text("btn.back")}, {Text: t.text("btn.cancel")}},
			}, OneTime: true}, // a quick double tap would answer the next step too
		}}, nil
	case stepConfidential:
		text = t.text("petition.confidential")
		if d.Kind == "to_cao" {
			text = t.text("petition.confidential_denunciation")
			rows = append(rows, []bot.InlineButton{btn(t.text("btn.continue"), "set", "1")})
			break
		}
		if d.Confidential {
			text += "\n\n" + t.text("petition.confidential_suggested")
		}
		rows = append(rows, []bot.InlineButton{
			btn(mark(d.ConfidentialAsked || d.Confidential, d.Confidential, t.text("btn.keep_secret")), "set", "1"),
			btn(mark(d.ConfidentialAsked, !d.Confidential, t.text("btn.no_secret")), "set", "0"),
		})
	case stepReview:
		summary, err := s.reviewText(t, d)
		if err != nil {
			return nil, err
		}
		text = summary
		if d.Confidential && namesSender(d.Description, t.citizen.DisplayName) {
			text += "\n\n" + t.text("petition.identity_in_text")
			rows = append(rows, []bot.InlineButton{btn(t.text("btn.rewrite"), "rewrite")})
		}
		if mayBeUrgent(d.Kind) {
			text += "\n\n" + t.text("petition.urgent_hint")
			urgent := btn(t.text("btn.urgent"), "urgent", "1")
			if d.Urgent {
				urgent = btn(t.text("btn.not_urgent"), "urgent", "0")
			}
			rows = append(rows, []bot.InlineButton{urgent})
		}
		rows = append(rows, []bot.InlineButton{btn(t.text("btn.send"), "send")})
	}
	rows = append(rows, nav)
	return []bot.Outgoing{{Kind: bot.KindText, Text: text, Buttons: rows}}, nil
}

// mark ticks the current choice once there is one.
func mark(shown, chosen bool, label string) string {
	if shown && chosen {
		return "✓ " + label
	}
	return label
}

// areaScreen browses the area tree one level at a time; a second message
// offers to share the location instead.
func (s *Service) areaScreen(t *turn, d *draft, btn func(string, string, ...string) bot.InlineButton, nav []bot.InlineButton) ([]bot.Outgoing, error) {
	areas, err := t.tx.AreaChildren(t.ctx, d.AreaParent)
	if err != nil {
		return nil, err
	}
	text := t.text("petition.area")
	if d.AreaParent != 0 {
		parent, err := t.tx.AreaByID(t.ctx, d.AreaParent)
		if err != nil {
			return nil, err
		}
		text = t.text("petition.area_in", bot.Escape(parent.Name))
		nav[0] = btn(t.text("btn.back"), "up")
	}
	if len(areas) == 0 && d.AreaParent == 0 {
		text = t.text("petition.area_none")
	}
	buttons := make([]bot.InlineButton, len(areas))
	for i, a := range areas {
		if a.Children > 0 {
			buttons[i] = btn(a.Name+" ›", "open", fmt.Sprint(a.ID))
		} else {
			buttons[i] = btn(a.Name, "set", fmt.Sprint(a.ID))
		}
	}
	rows := grid(buttons, 2)
	if d.AreaParent != 0 {
		rows = append(rows, []bot.InlineButton{btn(t.text("btn.whole_area"), "set", fmt.Sprint(d.AreaParent))})
	}
	rows = append(rows, nav)
	screen := []bot.Outgoing{{Kind: bot.KindText, Text: text, Buttons: rows}}
	if !d.ReplyKeyboard {
		d.ReplyKeyboard = true
		screen = append(screen, bot.Outgoing{Kind: bot.KindText, Text: t.text("petition.area_location"),
			Reply: &bot.ReplyKeyboard{Rows: [][]bot.KeyButton{{{Text: t.text("btn.share_location"), RequestLocation: true}}}, OneTime: true}})
	}
	return screen, nil
}

// reviewText summarises the draft before it is sent.
func (s *Service) reviewText(t *turn, d *draft) (string, error) {
	var b strings.Builder
	line := func(key, value string) { fmt.Fprintf(&b, "%s: %s\n", t.text(key), value) }
	b.WriteString(t.text("petition.review") + "\n\n")
	line("field.kind", t.text("kind."+d.Kind))
	cat, err := t.tx.CategoryByID(t.ctx, d.CategoryID)
	if err != nil {
		return "", err
	}
	line("field.category", bot.Escape(categoryName(t.lang, cat)))
	place, err := s.placeText(t, d.AreaID, d.Address, d.Latitude != nil)
	if err != nil {
		return "", err
	}
	line("field.area", place)
	line("field.description", "\n<i>"+bot.Escape(d.Description)+"</i>")
	line("field.photos", fmt.Sprint(len(d.Photos)))
	phone := t.text("value.not_shared")
	if d.Phone != "" {
		phone = bot.Escape(d.Phone)
	}
	line("field.phone", phone)
	line("field.confidential", t.text(yesNo(d.Confidential)))
	if mayBeUrgent(d.Kind) {
		line("field.urgency", t.text(urgencyKey(d.Urgent)))
	}
	if isGuidanceKind(d.Kind) {
		b.WriteString("\n" + t.text("petition.review_guidance"))
	}
	b.WriteString("\n" + consentToHandle(t))
	return strings.TrimRight(b.String(), "\n"), nil
}

// placeText describes where a petition is about.
func (s *Service) placeText(t *turn, areaID int64, address string, located bool) (string, error) {
	var parts []string
	if areaID != 0 {
		a, err := t.tx.AreaByID(t.ctx, areaID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return "", err
		}
		parts = append(parts, bot.Escape(a.Name))
	}
	if address != "" {
		parts = append(parts, bot.Escape(address))
	}
	if located {
		parts = append(parts, t.text("value.location_shared"))
	}
	if len(parts) == 0 {
		return t.text("value.none"), nil
	}
	return strings.Join(parts, "; "), nil
}

func yesNo(b bool) string {
	if b {
		return "value.yes"
	}
	return "value.no"
}

func categoryName(lang string, c storage.Category) string { return localName(lang, c.Name, c.NameEN) }

// grid lays buttons out in rows of n.
func grid(buttons []bot.InlineButton, n int) [][]bot.InlineButton {
	var rows [][]bot.InlineButton
	for len(buttons) > 0 {
		k := min(n, len(buttons))
		rows = append(rows, buttons[:k])
		buttons = buttons[k:]
	}
	return rows
}

// consentToHandleKey is the text on the review screen that pressing Send
// agrees to; its wording is recorded with the consent.
const consentToHandleKey = "petition.consent"

func consentToHandle(t *turn) string { return t.text(consentToHandleKey, t.text("btn.send")) }
