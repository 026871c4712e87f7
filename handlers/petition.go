package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
		forgot, err := t.tx.ForgetExpiredConversation(t.ctx, conv)
		if err != nil || !forgot { // housekeeping's purge took it, and told them
			return nil, err
		}
		return nil, t.dropKeyboard(conv, "petition.expired")
	}
	return &conv, nil
}

// leaveDraft takes down the phone keyboard of a petition the person was
// writing, which what they do now (a staff member's task) drops.
func (s *Service) leaveDraft(t *turn) error {
	conv, err := s.currentConversation(t)
	if err != nil || conv == nil || !keyboardLeft(*conv) {
		return err
	}
	staff, err := t.isStaff()
	if err != nil {
		return err
	}
	key := "petition.dropped"
	if staff {
		key = "petition.dropped_staff"
	}
	return t.send(keyboardDown("", t.text(key)))
}

// keyboardLeft reports whether conv is a petition draft that left a phone
// keyboard (share location or contact) up: Telegram keeps it on screen
// until a message takes it down.
func keyboardLeft(conv storage.Conversation) bool {
	if conv.Flow != flowPetition {
		return false
	}
	d, err := loadDraft(&conv)
	return err == nil && d.ReplyKeyboard
}

// keyboardDown is a message that takes the phone keyboard down, the way
// every path leaving a step with one does.
func keyboardDown(chatID, text string) bot.Outgoing {
	return bot.Outgoing{Kind: bot.KindText, ChatID: chatID, Text: text, RemoveReply: true}
}

// dropKeyboard takes down the phone keyboard of a petition draft (conv)
// that ends without a next screen of its own, saying why (key).
func (t *turn) dropKeyboard(conv storage.Conversation, key string) error {
	if !keyboardLeft(conv) {
		return nil
	}
	return t.send(keyboardDown("", t.text(key)))
}

// ExpireConversations forgets, in tx, the flows untouched since before
// (they would have expired anyway), taking down the phone keyboard an
// expired petition draft left up.
func ExpireConversations(ctx context.Context, tx *storage.Store, before time.Time) error {
	texts, err := catalogOnce()
	if err != nil {
		return err
	}
	expired, err := tx.PurgeConversations(ctx, before)
	if err != nil {
		return err
	}
	for _, c := range expired {
		if !keyboardLeft(c.Conversation) {
			continue
		}
		o := keyboardDown(c.ChatID, texts.text(c.Language, "petition.expired"))
		o.Silent = true // housekeeping runs at night
		if err := enqueue(ctx, tx, c.Channel, o, ""); err != nil {
			return err
		}
	}
	return nil
}

// draftInProgress reports whether the person is writing a petition.
func (s *Service) draftInProgress(t *turn) (bool, error) {
	conv, err := s.currentConversation(t)
	return conv != nil && conv.Flow == flowPetition, err
}

// draftFirst tells a person writing a petition that it must be sent or
// cancelled before what they asked for (the text key says what), which
// would take their next message from it; it reports whether they are.
func (s *Service) draftFirst(t *turn, key string, args ...any) (bool, error) {
	busy, err := s.draftInProgress(t)
	if !busy || err != nil {
		return busy, err
	}
	return true, t.reply(key, args...)
}

// saveStep stores the step of a flow the person is at, with its data.
func (s *Service) saveStep(t *turn, flow, step string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fail("encode "+flow+" step", err)
	}
	ev := t.ev
	if flow == flowOfficer || flow == flowNotice {
		// A staff member's task replaces the petition being written. The
		// citizens' flows are not started while one is (draftFirst): they
		// have none to leave, and no second read of the conversation.
		if err := s.leaveDraft(t); err != nil {
			return err
		}
	}
	return t.tx.SaveConversation(t.ctx, storage.Conversation{UpdatedAt: s.now(),
		Channel: ev.Channel, ChatID: ev.Chat.ID, UserID: ev.From.ID, Flow: flow, Step: step, Data: raw})
}

// cancelTyped ends the person's flow if they typed a word for cancelling
// it; done reports whether they did.
func (s *Service) cancelTyped(t *turn) (done bool, err error) {
	if s.matchNavigation(t.ev.Text) != "cancel" {
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
		screen = append([]bot.Outgoing{keyboardDown("", t.text("petition.noted"))}, screen...)
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
	text := ""
	if t.ev.Command == "new" {
		text = normalize(t.ev.Args) // "/new TEXT": the description
	}
	// Too long to be one, it is dropped with a word, and /new goes on as
	// without it: a draft being written is not kept with it, to be lost
	// for a text then refused.
	if over, err := t.tooLong(text); err != nil {
		return err
	} else if over {
		text = ""
	}
	if asked, err := s.askAboutDraft(t, &d, text); asked || err != nil {
		return err
	}
	if d.Description == "" && text != "" {
		if err := takeDescription(t, &d, text); err != nil {
			return err
		}
	}
	return s.advance(t, d)
}

// askAboutDraft asks someone who starts a petition while writing one with
// content whether to go on with it or start again, rather than drop it
// unasked, and reports whether it asked; a draft without content is
// replaced by d. Starting again keeps the area a link chose (d's) and the
// description /new gave (text, kept with the draft: button data is too
// short for it).
func (s *Service) askAboutDraft(t *turn, d *draft, text string) (bool, error) {
	conv, err := s.currentConversation(t)
	if err != nil || conv == nil || conv.Flow != flowPetition {
		return false, err
	}
	old, err := loadDraft(conv)
	if err != nil {
		return false, err
	}
	if old.Description == "" && len(old.Photos) == 0 {
		d.ReplyKeyboard = old.ReplyKeyboard // the new draft's first screen takes it down
		return false, nil
	}
	if old.NextDescription != text {
		old.NextDescription = text
		if err := s.saveStep(t, flowPetition, conv.Step, old); err != nil {
			return false, err
		}
	}
	what := t.text("petition.draft_photos", len(old.Photos))
	if old.Description != "" {
		what = "«" + bot.Escape(excerpt(old.Description, draftExcerpt)) + "»"
	}
	return true, t.send(bot.Outgoing{Kind: bot.KindText, Text: t.text("petition.draft_exists", what), Buttons: [][]bot.InlineButton{
		{{Text: t.text("btn.draft_resume"), Data: data(prefixPetition, conv.Step, actResume)}},
		{{Text: t.text("btn.draft_restart"), Data: data(prefixPetition, conv.Step, actRestart, fmt.Sprint(d.AreaID), draftMark(old))}},
	}})
}

// draftExcerpt is how much of a draft's description recalls it.
const draftExcerpt = 80

// Buttons of askAboutDraft.
const (
	actResume  = "resume"
	actRestart = "restart"
)

// draftMark tells drafts apart in a button's data, so that the button
// offering to drop one drops no other. It covers the "/new TEXT" kept with
// the draft too: only the latest question's text is kept, so an earlier
// question's button, which offered another text (or none), is refused as
// stale rather than start the new petition with words it did not offer.
func draftMark(d draft) string {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s\x00%d", d.Description, len(d.Photos))
	if d.NextDescription != "" {
		// Only then, so that buttons already sent without a text still work.
		fmt.Fprintf(h, "\x00%s", d.NextDescription)
	}
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

// restartDraft drops the draft old for a new one, in the area the link
// that started it chose if that area is still there, with the description
// /new gave if any.
func (s *Service) restartDraft(t *turn, old draft, arg string) error {
	d := draft{ReplyKeyboard: old.ReplyKeyboard} // its first screen takes it down
	if id, _ := strconv.ParseInt(arg, 10, 64); id != 0 {
		area, err := t.tx.AreaByID(t.ctx, id)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		if err == nil && area.Active {
			d.AreaID, d.Source = area.ID, areaPayloadPrefix+area.Code
		}
	}
	if old.NextDescription != "" {
		if err := takeDescription(t, &d, old.NextDescription); err != nil {
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
// content: the description, a photo (or an image sent as a file) or a
// location.
func (s *Service) petitionStartWith(t *turn, ev bot.Event) error {
	if refused, err := t.refuseFile(); refused || err != nil {
		return err
	}
	photo := mediaOf(ev, false)
	if photo == nil && ev.Location == nil && slices.Contains(greetings, strings.Trim(fold(ev.Text), "!.?, ")) {
		return s.cmdStart(t)
	}
	var d draft
	if ev.Text != "" {
		// Text alone that cannot be a description starts nothing; a photo
		// or a place with it starts the petition all the same.
		if photo == nil && ev.Location == nil {
			if msg := descriptionProblem(t, normalize(ev.Text)); msg != "" {
				return t.send(bot.Outgoing{Kind: bot.KindText, Text: msg})
			}
		}
		if err := takeDescription(t, &d, normalize(ev.Text)); err != nil {
			return err
		}
	}
	if photo != nil {
		d.Photos = append(d.Photos, photo.draftPhoto())
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
	if refused, err := t.refuseFile(); refused || err != nil {
		return err
	}
	photo := mediaOf(ev, false)
	if ev.Text != "" && photo == nil {
		switch s.matchNavigation(ev.Text) {
		case "cancel":
			return s.petitionCancel(t)
		case "back":
			return s.saveAndShow(t, d, d.previous(step))
		}
	}
	switch {
	case photo != nil:
		return s.addPhoto(t, d, step, photo.draftPhoto())
	case ev.Location != nil:
		if step == stepArea {
			d.clearPlace()
		}
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
			if err := t.send(bot.Outgoing{Kind: bot.KindText, Text: notTaken(t, kind)}); err != nil {
				return err
			}
			return s.saveAndShow(t, d, step)
		case kind != "":
			d.setKind(kind)
			return s.advance(t, d)
		}
		// Someone who starts typing their problem has answered the
		// description, not the kind; one over the limit is told so.
		if d.Description == "" && descriptionProblem(t, text) == "" {
			d.setDescription(text)
			if err := t.reply("petition.description_saved"); err != nil {
				return err
			}
			return s.saveAndShow(t, d, step)
		}
		over, err := t.tooLong(text)
		if err != nil {
			return err
		}
		if over {
			return s.saveAndShow(t, d, step)
		}
	case stepLegal:
		if s.typed(text, []string{"btn.continue_guidance", "btn.continue"}, "van gui", "ok", "dong y") {
			d.LegalSeen = true
			return s.advance(t, d)
		}
	case stepCategory:
		cats, err := s.matchCategory(t, text)
		if err != nil {
			return err
		}
		switch {
		case len(cats) == 1:
			d.CategoryID = cats[0].ID
			return s.advance(t, d)
		case len(cats) > 1:
			names := quoted(cats, func(c storage.Category) string { return categoryName(t.lang, c) })
			if err := t.reply("petition.category_ambiguous", bot.Escape(text), names); err != nil {
				return err
			}
			return s.saveAndShow(t, d, step)
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
		if s.typed(text, []string{"btn.skip", "btn.continue"}, "xong", "khong", "done", "next") {
			d.PhotosDone = true
			return s.advance(t, d)
		}
	case stepPhone:
		if s.typed(text, []string{"btn.skip"}, "khong", "no") {
			d.Phone, d.PhoneDone = "", true
			return s.advance(t, d)
		}
		if phone, ok := parsePhone(text); ok {
			d.Phone, d.PhoneDone = phone, true
			return s.advance(t, d)
		}
	case stepConfidential:
		switch {
		// A denunciation's only button is Continue: it is kept secret.
		case s.typed(text, []string{"btn.keep_secret"}, "co", "bi mat", "yes", "keep"),
			d.Kind == "to_cao" && s.typed(text, []string{"btn.continue"}):
			return s.setConfidential(t, d, true)
		case s.typed(text, []string{"btn.no_secret"}, "khong", "no"):
			return s.setConfidential(t, d, false)
		}
	case stepReview:
		switch {
		case s.typed(text, []string{"btn.send"}, "gui", "xac nhan", "dong y", "send", "confirm", "ok"):
			return s.petitionSubmit(t, d)
		case s.typed(text, []string{"btn.rewrite"}, "viet lai", "sua noi dung", "rewrite"):
			return s.rewriteDescription(t, d)
		case mayBeUrgent(d.Kind) && s.typed(text, []string{"btn.urgent"}, "khan", "khan cap", "urgent"):
			return s.markUrgent(t, d, true)
		case mayBeUrgent(d.Kind) && s.typed(text, []string{"btn.not_urgent"}, "khong khan cap", "not urgent"):
			return s.markUrgent(t, d, false)
		}
	}
	if err := t.reply("input.choose_button"); err != nil {
		return err
	}
	return s.saveAndShow(t, d, step)
}

// matchNavigation recognises typed Back and Cancel, in either language.
func (s *Service) matchNavigation(text string) string {
	switch {
	case s.typed(text, []string{"btn.cancel"}, "huy bo"):
		return "cancel"
	case s.typed(text, []string{"btn.back"}, "tro lai"):
		return "back"
	}
	return ""
}

// typed reports whether text is the label of one of the buttons (by their
// text keys), in either language since people type what they know, or one
// of the words (as answerKey gives them).
func (s *Service) typed(text string, buttons []string, words ...string) bool {
	key := answerKey(text)
	if slices.Contains(words, key) {
		return true
	}
	for _, b := range buttons {
		for _, lang := range languages {
			if answerKey(s.texts.text(lang, b)) == key {
				return true
			}
		}
	}
	return false
}

// matchKind reads a typed kind: the number of its button, or its name in
// either language. A kind citizens may not pick is still recognised, to
// say so.
func (s *Service) matchKind(text string) string {
	if n, err := strconv.Atoi(answerKey(text)); err == nil && n >= 1 && n <= len(s.citizenKinds()) {
		return s.citizenKinds()[n-1]
	}
	for _, k := range kinds {
		if s.typed(text, []string{"kind." + k}) {
			return k
		}
	}
	return ""
}

// notTaken tells why a kind cannot be picked here: complaints and
// denunciations with where to turn instead.
func notTaken(t *turn, kind string) string {
	if isGuidanceKind(kind) {
		return t.text("petition.not_taken." + kind)
	}
	return t.text("petition.not_taken", t.text("kind."+kind))
}

// matchCategory reads a typed field: the number of its button, or its name
// in either language. Several fields are returned when the text could mean
// any of them, so that the person is asked again rather than guessed for.
func (s *Service) matchCategory(t *turn, text string) ([]storage.Category, error) {
	cats, err := t.tx.ActiveCategories(t.ctx)
	if err != nil {
		return nil, err
	}
	if n, err := strconv.Atoi(answerKey(text)); err == nil && n >= 1 && n <= len(cats) {
		return cats[n-1 : n], nil
	}
	return byName(cats, text, func(c storage.Category) []string { return []string{c.Name, c.NameEN} }), nil
}

// byName finds what a typed name means among items: those with a name that
// is the text, or else those with a name containing it when it is long
// enough (3 letters) to mean something.
func byName[T any](items []T, text string, names func(T) []string) []T {
	key := answerKey(text)
	if key == "" {
		return nil
	}
	var exact, partial []T
	for _, item := range items {
		is, contains := false, false
		for _, n := range names(item) {
			n = answerKey(n)
			is = is || n == key
			contains = contains || (len(key) >= 3 && strings.Contains(n, key))
		}
		switch {
		case is:
			exact = append(exact, item)
		case contains:
			partial = append(partial, item)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return partial
}

// quoted lists the names of items, each in «», for a message.
func quoted[T any](items []T, name func(T) string) string {
	names := make([]string, len(items))
	for i, item := range items {
		names[i] = "«" + bot.Escape(name(item)) + "»"
	}
	return strings.Join(names, ", ")
}

// Vietnamese phone numbers: 0 or +84 followed by 9 digits (10 for some
// older landlines).
var phonePattern = regexp.MustCompile(`^(?:\+?84|0)\d{9,10}$`)

// numberSeparators are what people group a number's digits with.
var numberSeparators = strings.NewReplacer(" ", "", ".", "", "-", "")

func parsePhone(text string) (string, bool) {
	p := numberSeparators.Replace(text)
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

// markUrgent marks a phản ánh urgent or not on its review screen.
func (s *Service) markUrgent(t *turn, d draft, urgent bool) error {
	d.Urgent = urgent
	return s.saveAndShow(t, d, stepReview)
}

// rewriteDescription takes a petition back from its review to its text,
// which the next text replaces and brings the review back. The text stays
// until then: Back, or starting another petition, finds it.
func (s *Service) rewriteDescription(t *turn, d draft) error {
	return s.saveAndShow(t, d, stepDescription)
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
	// At the description step (the text written again, or gone back to),
	// a caption is the answer, as a text would be.
	if caption != "" && (d.Description == "" || step == stepDescription) && descriptionProblem(t, caption) == "" {
		d.setDescription(caption)
		return s.advance(t, d)
	}
	// A caption on a later photo adds to the description rather than
	// being lost; the review shows it.
	if caption != "" && d.Description != "" && !strings.Contains(d.Description, caption) {
		if joined := d.Description + "\n" + caption; utf8.RuneCountInString(joined) <= maxDescription {
			d.setDescription(joined)
			if err := t.reply("petition.caption_added"); err != nil {
				return err
			}
		} else if err := t.reply("petition.caption_too_long", formatNumber(maxDescription)); err != nil {
			return err
		}
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
	return t.send(keyboardDown("", t.text("petition.cancelled")))
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
