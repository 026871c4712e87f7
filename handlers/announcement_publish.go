package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// The leaders' side of notices: /congbo has a unit's leader (or an
// administrator) write a notice, see it as residents will, and publish it
// to the followers of the areas the unit serves. "n:p:<unit>" chooses the
// unit when the person leads several, "n:s:<version>" publishes the notice
// previewed (the version names the text, so that the button under an
// earlier preview publishes nothing), "n:x" stops.
const (
	flowNotice = "notice"
	// The steps: waiting for the notice's text, and for it to be
	// confirmed (another text replaces it).
	stepNoticeText    = "text"
	stepNoticeConfirm = "confirm"
	// How many of the unit's earlier notices the first screen recalls.
	noticesRecalled = 3
	// DefaultAnnouncementRate is how many of a notice's messages go out a
	// second: two thirds of Telegram's 30 a second, leaving the rest for
	// the replies people wait for.
	DefaultAnnouncementRate = 20
)

// Button actions after "n:" of the leaders' side.
const (
	actNoticeUnit    = "p"
	actNoticePublish = "s"
	actNoticeStop    = "x"
)

func isPublishAction(act string) bool {
	return slices.Contains([]string{actNoticeUnit, actNoticePublish, actNoticeStop}, act)
}

type noticeDraft struct {
	UnitID int64  `json:"unit_id"`
	Text   string `json:"text,omitempty"`
}

func (s *Service) cmdPublish(t *turn) error {
	if t.ev.Chat.Group {
		return t.reply("notice.publish_private")
	}
	ps, err := publishers(t)
	if err != nil {
		return err
	}
	switch len(ps) {
	case 0:
		return t.reply("notice.publish_not_allowed")
	case 1:
		return s.startNotice(t, ps[0].unit.ID)
	}
	rows := make([][]bot.InlineButton, len(ps))
	for i, p := range ps {
		rows[i] = []bot.InlineButton{{Text: excerpt(localName(t.lang, p.unit.Name, p.unit.NameEN), 60),
			Data: data(prefixNotice, actNoticeUnit, fmt.Sprint(p.unit.ID))}}
	}
	return t.show(bot.Outgoing{Text: t.text("notice.publish_choose"), Buttons: rows})
}

// publisher is a role that lets the person publish for a unit, and the
// unit.
type publisher struct {
	role storage.Officer
	unit storage.Unit
}

// publishers lists the units the person may publish for: the active ones
// they lead or administer.
func publishers(t *turn) ([]publisher, error) {
	roles, err := t.roles()
	if err != nil {
		return nil, err
	}
	var ps []publisher
	for _, r := range roles {
		if r.Role != storage.RoleLeader && r.Role != storage.RoleAdmin {
			continue
		}
		u, err := t.tx.UnitByID(t.ctx, r.UnitID)
		if err != nil {
			return nil, err
		}
		if u.Active {
			ps = append(ps, publisher{role: r, unit: u})
		}
	}
	return ps, nil
}

// publisherFor returns what lets the person publish for a unit; ok is
// false if nothing does (a forged button, a role revoked, a unit
// deactivated).
func publisherFor(t *turn, unitID int64) (publisher, bool, error) {
	ps, err := publishers(t)
	i := slices.IndexFunc(ps, func(p publisher) bool { return p.unit.ID == unitID })
	if err != nil || i < 0 {
		return publisher{}, false, err
	}
	return ps[i], true, nil
}

// startNotice asks for the text of a unit's notice, saying whom it reaches.
func (s *Service) startNotice(t *turn, unitID int64) error {
	p, ok, err := publisherFor(t, unitID)
	if err != nil || !ok {
		return errorOr(err, t.answer(t.text("button.stale"), false))
	}
	areas, followers, err := t.tx.UnitAudience(t.ctx, unitID)
	if err != nil {
		return err
	}
	unit := bot.Escape(localName(t.lang, p.unit.Name, p.unit.NameEN))
	if len(areas) == 0 {
		return t.show(bot.Outgoing{Text: t.text("notice.unit_no_areas", unit)})
	}
	names := make([]string, len(areas))
	for i, a := range areas {
		names[i] = bot.Escape(a.Name)
	}
	var b strings.Builder
	b.WriteString(t.text("notice.publish_prompt", unit, formatNumber(followers), strings.Join(names, ", "), formatNumber(maxDescription)))
	earlier, err := t.tx.UnitAnnouncements(t.ctx, unitID, noticesRecalled)
	if err != nil {
		return err
	}
	if len(earlier) > 0 {
		b.WriteString("\n\n" + t.text("notice.publish_earlier"))
		for _, n := range earlier {
			fmt.Fprintf(&b, "\n• %s · %s", formatDate(n.PublishedAt), t.text("notice.recipients", formatNumber(n.Recipients)))
		}
	}
	if err := s.saveStep(t, flowNotice, stepNoticeText, noticeDraft{UnitID: unitID}); err != nil {
		return err
	}
	return t.show(bot.Outgoing{Text: b.String(), Buttons: [][]bot.InlineButton{stopNoticeRow(t)}})
}

func stopNoticeRow(t *turn) []bot.InlineButton {
	return []bot.InlineButton{{Text: t.text("btn.cancel"), Data: data(prefixNotice, actNoticeStop)}}
}

// errorOr returns err if there is one, otherwise other's outcome.
func errorOr(err, other error) error {
	if err != nil {
		return err
	}
	return other
}

// noticeInput takes a notice's text, at either step: a new text replaces
// the one previewed.
func (s *Service) noticeInput(t *turn, conv *storage.Conversation) error {
	var d noticeDraft
	if err := json.Unmarshal(conv.Data, &d); err != nil {
		return fail("decode notice draft", err)
	}
	if done, err := s.cancelTyped(t); done || err != nil {
		return err
	}
	ev := t.ev
	text := normalize(ev.Text)
	if text == "" || ev.Photo != nil || ev.Document != nil || ev.Location != nil {
		return t.reply("notice.need_text")
	}
	p, ok, err := publisherFor(t, d.UnitID)
	if err != nil {
		return err
	}
	if !ok { // the role was revoked meanwhile, or the unit deactivated
		if err := t.tx.EndConversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID); err != nil {
			return err
		}
		return t.reply("notice.publish_not_allowed")
	}
	if long, err := s.noticeTooLong(t, p.unit, text); long || err != nil {
		return err
	}
	d.Text = text
	if err := s.saveStep(t, flowNotice, stepNoticeConfirm, d); err != nil {
		return err
	}
	_, followers, err := t.tx.UnitAudience(t.ctx, d.UnitID)
	if err != nil {
		return err
	}
	preview := t.text("notice.preview", formatNumber(followers)) + "\n\n" + s.noticeMessage(languages[0], p.unit, text)
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: preview, Buttons: [][]bot.InlineButton{
		{{Text: t.text("notice.btn_publish"), Data: data(prefixNotice, actNoticePublish, noticeVersion(text))}}, stopNoticeRow(t)}})
}

// noticeVersion names a notice's text in its publish button.
func noticeVersion(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:4])
}

// noticeTooLong tells the leader a notice's text is too long, if it is:
// over maxDescription characters, or, with the heading and the footer
// residents get, over one message in one of the languages.
func (s *Service) noticeTooLong(t *turn, unit storage.Unit, text string) (bool, error) {
	n := utf8.RuneCountInString(text)
	over := n - maxDescription
	for _, lang := range languages {
		over = max(over, bot.TextLen(s.noticeMessage(lang, unit, text))-bot.MaxTextLen)
	}
	if over <= 0 {
		return false, nil
	}
	return true, t.reply("notice.too_long", formatNumber(n), formatNumber(over))
}

// noticeMessage is a notice as its followers of a language receive it.
func (s *Service) noticeMessage(lang string, unit storage.Unit, text string) string {
	return s.texts.text(lang, "notice.message", bot.Escape(localName(lang, unit.Name, unit.NameEN)), bot.Escape(text))
}

// publishButton handles the leaders' "n:..." presses.
func (s *Service) publishButton(t *turn, args []string) error {
	if t.ev.Chat.Group {
		return t.answer(t.text("notice.publish_private"), true)
	}
	switch {
	case args[0] == actNoticeUnit && len(args) == 2:
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return t.answer(t.text("button.stale"), false)
		}
		return s.startNotice(t, id)
	case args[0] == actNoticeStop && len(args) == 1:
		return s.stopFlow(t, flowNotice)
	case args[0] == actNoticePublish && len(args) == 2:
		return s.publishNotice(t, args[1])
	}
	return t.answer(t.text("button.stale"), false)
}

// publishNotice publishes the notice previewed: it is recorded and queued
// for every follower in this transaction, paced so that replies still go
// out while it does.
func (s *Service) publishNotice(t *turn, version string) error {
	conv, err := s.currentConversation(t)
	if err != nil {
		return err
	}
	if conv == nil || conv.Flow != flowNotice || conv.Step != stepNoticeConfirm {
		return t.answer(t.text("button.stale"), false)
	}
	var d noticeDraft
	if err := json.Unmarshal(conv.Data, &d); err != nil {
		return fail("decode notice draft", err)
	}
	if version != noticeVersion(d.Text) {
		return t.answer(t.text("notice.older_preview"), true)
	}
	p, ok, err := publisherFor(t, d.UnitID)
	if err != nil || !ok {
		return errorOr(err, t.answer(t.text("notice.publish_not_allowed"), true))
	}
	messages := make(map[string]json.RawMessage, len(languages))
	for _, lang := range languages {
		messages[lang] = mustJSON(bot.Outgoing{Kind: bot.KindText, Text: s.noticeMessage(lang, p.unit, d.Text)})
	}
	rate := s.cfg.AnnouncementRate
	if rate <= 0 {
		rate = DefaultAnnouncementRate
	}
	id, recipients, err := t.tx.PublishAnnouncement(t.ctx, storage.NewAnnouncement{UnitID: d.UnitID, OfficerID: p.role.ID,
		Text: d.Text, At: s.now()}, storage.FollowerMessages{Messages: messages, Fallback: languages[0], PerSecond: rate})
	if err != nil {
		return err
	}
	ev := t.ev
	if err := t.tx.EndConversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID); err != nil {
		return err
	}
	t.logInfo("notice published", "announcement_id", id, "unit_id", d.UnitID, "recipients", recipients)
	if recipients == 0 {
		return t.show(bot.Outgoing{Text: t.text("notice.published_none")})
	}
	minutes := int(math.Ceil(float64(recipients) / rate / 60))
	if minutes <= 1 {
		return t.show(bot.Outgoing{Text: t.text("notice.published_soon", formatNumber(recipients))})
	}
	return t.show(bot.Outgoing{Text: t.text("notice.published", formatNumber(recipients), formatNumber(minutes))})
}
