package handlers

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// DraftLifetime is how long a conversation (a draft petition, a pending
// action) waits untouched before it is dropped: a message days later is a
// new matter, not the answer to an old question.
const DraftLifetime = 72 * time.Hour

// currentConversation returns the person's flow in progress, or nil.
func (s *Service) currentConversation(t *turn) (*storage.Conversation, error) {
	ev := t.ev
	conv, err := t.tx.Conversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if s.now().Sub(conv.UpdatedAt) > lifetimeOf(conv.Flow) {
		return nil, t.tx.EndConversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID)
	}
	return &conv, nil
}

// saveStep stores the step of a flow the person is at, with its data.
func (s *Service) saveStep(t *turn, flow, step string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fail("encode "+flow+" step", err)
	}
	ev := t.ev
	return t.tx.SaveConversation(t.ctx, storage.Conversation{UpdatedAt: s.now(),
		Channel: ev.Channel, ChatID: ev.Chat.ID, UserID: ev.From.ID, Flow: flow, Step: step, Data: raw})
}

// cancelTyped ends the person's flow if they typed a word for cancelling
// it; done reports whether they did.
func (s *Service) cancelTyped(t *turn) (done bool, err error) {
	if s.matchNavigation(t, t.ev.Text) != "cancel" {
		return false, nil
	}
	ev := t.ev
	if err := t.tx.EndConversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID); err != nil {
		return true, err
	}
	return true, t.reply("task.cancelled")
}

func loadDraft(conv *storage.Conversation) (draft, error) {
	var d draft
	if err := json.Unmarshal(conv.Data, &d); err != nil {
		return d, fail("decode draft", err)
	}
	return d, nil
}

// saveAndShow stores the draft at a step and presents that step.
func (s *Service) saveAndShow(t *turn, d draft, step string) error {
	screen, err := s.petitionScreen(t, &d, step)
	if err != nil {
		return err
	}
	if d.ReplyKeyboard && !usesReplyKeyboard(step) {
		// Telegram allows one keyboard per message: take the phone
		// keyboard down with a short acknowledgement of its own.
		screen = append([]bot.Outgoing{{Kind: bot.KindText, Text: t.text("petition.noted"), RemoveReply: true}}, screen...)
		d.ReplyKeyboard = false
	}
	if err := s.saveStep(t, flowPetition, step, d); err != nil {
		return err
	}
	for i, o := range screen {
		if i == 0 {
			err = t.show(o)
		} else {
			err = t.send(o)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// advance moves to the first step still waiting for an answer.
func (s *Service) advance(t *turn, d draft) error { return s.saveAndShow(t, d, d.next()) }

func (s *Service) cmdNew(t *turn) error { return s.petitionStart(t, draft{}) }

func (s *Service) petitionStart(t *turn, d draft) error {
	if d.Description == "" && strings.TrimSpace(t.ev.Args) != "" && t.ev.Command == "new" {
		if err := takeDescription(t, &d, normalize(t.ev.Args)); err != nil {
			return err
		}
	}
	return s.advance(t, d)
}

// takeDescription makes text the draft's description if it can be one,
// and otherwise tells the person why: the description step asks again.
func takeDescription(t *turn, d *draft, text string) error {
	if msg := descriptionProblem(t, text); msg != "" {
		return t.send(bot.Outgoing{Kind: bot.KindText, Text: msg})
	}
	d.setDescription(text)
	return nil
}

// Short greetings start a conversation, not a petition.
var greetings = []string{"hi", "hello", "chao", "xin chao", "alo", "menu", "bat dau", "start", "help", "giup"}

// petitionStartWith starts a petition from a first message that is already
// content: the description, a photo or a location.
func (s *Service) petitionStartWith(t *turn, ev bot.Event) error {
	if ev.Photo == nil && ev.Location == nil && slices.Contains(greetings, strings.Trim(fold(ev.Text), "!.?, ")) {
		return s.cmdStart(t)
	}
	var d draft
	if ev.Text != "" {
		// Text alone that cannot be a description starts nothing; a photo
		// or a place with it starts the petition all the same.
		if ev.Photo == nil && ev.Location == nil {
			if msg := descriptionProblem(t, normalize(ev.Text)); msg != "" {
				return t.send(bot.Outgoing{Kind: bot.KindText, Text: msg})
			}
		}
		if err := takeDescription(t, &d, normalize(ev.Text)); err != nil {
			return err
		}
	}
	if ev.Photo != nil {
		d.Photos = append(d.Photos, draftPhoto{ID: ev.Photo.ID, UniqueID: ev.Photo.UniqueID})
	}
	if ev.Location != nil {
		if err := s.setLocation(t, &d, *ev.Location); err != nil {
			return err
		}
	}
	if err := t.reply("petition.started"); err != nil {
		return err
	}
	return s.advance(t, d)
}

// descriptionProblem explains why a text cannot be the description, or "".
func descriptionProblem(t *turn, text string) string {
	n := len([]rune(text))
	switch {
	case n > maxDescription:
		return t.text("input.too_long", formatNumber(n), formatNumber(maxDescription))
	case n < minDescription:
		return t.text("petition.description_short")
	}
	return ""
}

// petitionInput handles a message sent while a petition is being written.
func (s *Service) petitionInput(t *turn, conv *storage.Conversation) error {
	d, err := loadDraft(conv)
	if err != nil {
		return err
	}
	ev, step := t.ev, conv.Step
	if ev.Text != "" && ev.Photo == nil && ev.Document == nil {
		switch s.matchNavigation(t, ev.Text) {
		case "cancel":
			return s.petitionCancel(t)
		case "back":
			return s.saveAndShow(t, d, d.previous(step))
		}
	}
	switch {
	case ev.Photo != nil:
		return s.addPhoto(t, d, step, draftPhoto{ID: ev.Photo.ID, UniqueID: ev.Photo.UniqueID})
	case ev.Document != nil && strings.HasPrefix(ev.Document.MIME, "image/"):
		return s.addPhoto(t, d, step, draftPhoto{ID: ev.Document.ID, UniqueID: ev.Document.UniqueID, Document: true})
	case ev.Location != nil:
		if err := s.setLocation(t, &d, *ev.Location); err != nil {
			return err
		}
		if step == stepArea {
			return s.advance(t, d)
		}
		if err := t.reply("petition.location_saved"); err != nil {
			return err
		}
		return s.saveAndShow(t, d, step)
	case ev.Contact != nil:
		if step != stepPhone {
			return t.reply("contact.not_now")
		}
		return s.setPhoneFromContact(t, d, *ev.Contact)
	case ev.Text != "":
		return s.petitionText(t, d, step, normalize(ev.Text))
	case ev.Document != nil:
		return t.reply("input.document_unsupported")
	}
	if err := t.reply("input.unsupported"); err != nil {
		return err
	}
	return s.saveAndShow(t, d, step)
}

// petitionText understands a typed answer at any step.
func (s *Service) petitionText(t *turn, d draft, step, text string) error {
	switch step {
	case stepKind:
		switch kind := s.matchKind(text); {
		case kind != "" && !slices.Contains(s.citizenKinds(), kind):
			if err := t.reply("petition.not_taken." + kind); err != nil {
				return err
			}
			return s.saveAndShow(t, d, step)
		case kind != "":
			d.setKind(kind)
			return s.advance(t, d)
		}
		// Someone who starts typing their problem has answered the
		// description, not the kind.
		if d.Description == "" && descriptionProblem(t, text) == "" {
			d.setDescription(text)
			if err := t.reply("petition.description_saved"); err != nil {
				return err
			}
			return s.saveAndShow(t, d, step)
		}
	case stepLegal:
		if matchAny(text, "tiep tuc", "van gui", "continue", "ok", "dong y") {
			d.LegalSeen = true
			return s.advance(t, d)
		}
	case stepCategory:
		id, err := s.matchCategory(t, text)
		if err != nil {
			return err
		}
		if id != 0 {
			d.CategoryID = id
			return s.advance(t, d)
		}
	case stepArea:
		return s.areaText(t, d, text)
	case stepDescription:
		if msg := descriptionProblem(t, text); msg != "" {
			return t.send(bot.Outgoing{Kind: bot.KindText, Text: msg})
		}
		d.setDescription(text)
		return s.advance(t, d)
	case stepPhotos:
		if matchAny(text, "xong", "tiep tuc", "bo qua", "khong", "done", "skip", "next", "continue") {
			d.PhotosDone = true
			return s.advance(t, d)
		}
	case stepPhone:
		if matchAny(text, fold(t.text("btn.skip")), "bo qua", "khong", "skip", "no") {
			d.Phone, d.PhoneDone = "", true
			return s.advance(t, d)
		}
		if phone, ok := parsePhone(text); ok {
			d.Phone, d.PhoneDone = phone, true
			return s.advance(t, d)
		}
	case stepConfidential:
		switch {
		case matchAny(text, "co", "giu bi mat", "bi mat", "yes", "keep"):
			return s.setConfidential(t, d, true)
		case matchAny(text, "khong", "khong can", "no"):
			return s.setConfidential(t, d, false)
		}
	case stepReview:
		if matchAny(text, "gui", "xac nhan", "dong y", "send", "confirm", "ok") {
			return s.petitionSubmit(t, d)
		}
	}
	if err := t.reply("input.choose_button"); err != nil {
		return err
	}
	return s.saveAndShow(t, d, step)
}

// matchNavigation recognises typed Back and Cancel, in either language.
func (s *Service) matchNavigation(t *turn, text string) string {
	f := fold(text)
	switch {
	case slices.Contains([]string{"huy", "cancel", "/cancel", fold(t.text("btn.cancel"))}, f):
		return "cancel"
	case slices.Contains([]string{"quay lai", "back", "tro lai", fold(t.text("btn.back"))}, f):
		return "back"
	}
	return ""
}

func matchAny(text string, options ...string) bool {
	return slices.Contains(options, strings.Trim(fold(text), " .!"))
}

// matchKind recognises a typed kind: its name or its number on the screen.
// matchKind reads a typed kind: the number of its button, or its name. A
// kind citizens may not pick is still recognised, to say so.
func (s *Service) matchKind(text string) string {
	f := strings.Trim(fold(text), " .")
	if n, err := strconv.Atoi(f); err == nil && n >= 1 && n <= len(s.citizenKinds()) {
		return s.citizenKinds()[n-1]
	}
	for _, k := range kinds {
		if f == strings.ReplaceAll(k, "_", " ") {
			return k
		}
	}
	return ""
}

func (s *Service) matchCategory(t *turn, text string) (int64, error) {
	cats, err := t.tx.ActiveCategories(t.ctx)
	if err != nil {
		return 0, err
	}
	f := strings.Trim(fold(text), " .")
	if n, err := strconv.Atoi(f); err == nil && n >= 1 && n <= len(cats) {
		return cats[n-1].ID, nil
	}
	for _, c := range cats {
		if f != "" && (fold(c.Name) == f || fold(c.NameEN) == f || strings.Contains(fold(c.Name), f)) {
			return c.ID, nil
		}
	}
	return 0, nil
}

// Vietnamese phone numbers: 0 or +84 followed by 9 digits (10 for some
// older landlines).
var phonePattern = regexp.MustCompile(`^(?:\+?84|0)\d{9,10}$`)

func parsePhone(text string) (string, bool) {
	p := strings.NewReplacer(" ", "", ".", "", "-", "").Replace(text)
	if !phonePattern.MatchString(p) {
		return "", false
	}
	return p, true
}

func (s *Service) setPhoneFromContact(t *turn, d draft, c bot.Contact) error {
	// Only the citizen's own number, shared with the button, counts as
	// their consent to be called about this petition.
	if c.UserID != t.ev.From.ID {
		return t.reply("petition.phone_not_own")
	}
	d.Phone, d.PhoneDone = normalize(c.Phone), true
	return s.advance(t, d)
}

func (s *Service) setConfidential(t *turn, d draft, keep bool) error {
	d.Confidential = keep || d.Kind == "to_cao"
	d.ConfidentialAsked = true
	return s.advance(t, d)
}

func (s *Service) addPhoto(t *turn, d draft, step string, p draftPhoto) error {
	if len(d.Photos) >= maxPhotos {
		return t.reply("petition.photos_full", maxPhotos)
	}
	d.Photos = append(d.Photos, p)
	caption := normalize(t.ev.Text)
	if caption != "" && d.Description == "" && descriptionProblem(t, caption) == "" {
		d.setDescription(caption)
		return s.advance(t, d)
	}
	if step == stepPhotos {
		return s.saveAndShow(t, d, step)
	}
	if err := t.reply("petition.photo_saved", len(d.Photos)); err != nil {
		return err
	}
	return s.saveAndShow(t, d, step)
}

func (s *Service) petitionCancel(t *turn) error {
	ev := t.ev
	if err := t.tx.EndConversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID); err != nil {
		return err
	}
	// A new message, not an edit: it must also take down a phone keyboard
	// (share location or contact) that may be up.
	if err := t.answer("", false); err != nil {
		return err
	}
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: t.text("petition.cancelled"), RemoveReply: true})
}

func (s *Service) cmdCancel(t *turn) error {
	conv, err := s.currentConversation(t)
	if err != nil {
		return err
	}
	switch {
	case conv == nil:
		return t.reply("cancel.nothing")
	case conv.Flow == flowPetition:
		return s.petitionCancel(t)
	}
	ev := t.ev
	if err := t.tx.EndConversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID); err != nil {
		return err
	}
	return t.reply("task.cancelled")
}
