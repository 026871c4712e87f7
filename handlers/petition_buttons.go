package handlers

import (
	"errors"
	"slices"
	"strconv"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// Locations farther than this from every area's centre are kept as
// coordinates only.
const nearestAreaKm = 15

// petitionButton handles "p:<step>:<action>[:<arg>]". A button from an
// earlier step, or data that does not fit the draft, changes nothing.
func (s *Service) petitionButton(t *turn, args []string) error {
	if len(args) < 2 {
		return t.answer(t.text("button.stale"), false)
	}
	step, action := args[0], args[1]
	arg := ""
	if len(args) > 2 {
		arg = args[2]
	}
	conv, err := s.currentConversation(t)
	if err != nil {
		return err
	}
	if conv == nil || conv.Flow != flowPetition {
		return t.answer(t.text("button.no_draft"), false)
	}
	// Cancel too only from the screen of the step the draft is at: one
	// under an earlier petition's screen must not drop the one being
	// written now.
	if conv.Step != step {
		return t.answer(t.text("button.stale"), false)
	}
	if action == "cancel" {
		return s.petitionCancel(t)
	}
	d, err := loadDraft(conv)
	if err != nil {
		return err
	}
	switch {
	case action == "back":
		return s.saveAndShow(t, d, d.previous(step))
	case action == actResume:
		return s.saveAndShow(t, d, step)
	case action == actRestart && len(args) == 4 && args[3] == draftMark(d):
		return s.restartDraft(t, d, arg)
	case action == "next" && step == stepLegal:
		d.LegalSeen = true
		return s.advance(t, d)
	case action == "next" && step == stepPhotos:
		d.PhotosDone = true
		return s.advance(t, d)
	case action == "send" && step == stepReview:
		return s.petitionSubmit(t, d)
	case action == "rewrite" && step == stepReview:
		return s.rewriteDescription(t, d)
	case action == "set" && step == stepKind && slices.Contains(s.citizenKinds(), arg):
		d.setKind(arg)
		return s.advance(t, d)
	case action == "urgent" && step == stepReview && mayBeUrgent(d.Kind) && (arg == "0" || arg == "1"):
		return s.markUrgent(t, d, arg == "1")
	case action == "set" && step == stepConfidential && (arg == "0" || arg == "1"):
		return s.setConfidential(t, d, arg == "1")
	case action == "set" && step == stepCategory:
		return s.chooseCategory(t, d, arg)
	case step == stepArea && (action == "set" || action == "open" || action == "up"):
		return s.areaButton(t, d, action, arg)
	}
	return t.answer(t.text("button.stale"), false)
}

func (s *Service) chooseCategory(t *turn, d draft, arg string) error {
	id, _ := strconv.ParseInt(arg, 10, 64)
	cat, err := t.tx.CategoryByID(t.ctx, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !cat.Active) {
		return t.answer(t.text("button.stale"), false)
	}
	if err != nil {
		return err
	}
	d.CategoryID = cat.ID
	return s.advance(t, d)
}

// areaButton walks the area tree: "open" goes down, "up" goes back up,
// "set" chooses. Only areas on the screen the citizen saw are accepted.
func (s *Service) areaButton(t *turn, d draft, action, arg string) error {
	if action == "up" {
		if d.AreaParent != 0 {
			parent, err := t.tx.AreaByID(t.ctx, d.AreaParent)
			if err != nil {
				return err
			}
			d.AreaParent = parent.ParentID.Int64
		}
		return s.saveAndShow(t, d, stepArea)
	}
	id, _ := strconv.ParseInt(arg, 10, 64)
	a, err := t.tx.AreaByID(t.ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return t.answer(t.text("button.stale"), false)
	}
	if err != nil {
		return err
	}
	onScreen := a.ParentID.Int64 == d.AreaParent || (action == "set" && a.ID == d.AreaParent)
	if !a.Active || !onScreen {
		return t.answer(t.text("button.stale"), false)
	}
	if action == "open" {
		d.AreaParent = a.ID
		return s.saveAndShow(t, d, stepArea)
	}
	d.clearPlace()
	d.AreaID = a.ID
	return s.advance(t, d)
}

// areaText takes a typed area name (or the label of the button choosing
// the whole area on the screen), or keeps the text as an address when no
// single area matches.
func (s *Service) areaText(t *turn, d draft, text string) error {
	areas, err := t.tx.ActiveAreas(t.ctx)
	if err != nil {
		return err
	}
	var area int64
	address := ""
	matches := byName(areas, text, func(a storage.Area) []string { return []string{a.Name} })
	switch {
	case d.AreaParent != 0 && s.typed(text, []string{"btn.whole_area"}):
		area = d.AreaParent
	case len(matches) == 1:
		area = matches[0].ID
	case len(matches) > 1: // part of several areas' names
		names := quoted(matches, func(a storage.Area) string { return a.Name })
		if err := t.reply("petition.area_ambiguous", bot.Escape(text), names); err != nil {
			return err
		}
		return s.saveAndShow(t, d, stepArea)
	case len([]rune(text)) > maxAddress:
		if _, err := t.longerThan(text, maxAddress); err != nil {
			return err
		}
		return s.saveAndShow(t, d, stepArea)
	case len([]rune(text)) >= minAddress:
		address = text
	default:
		if err := t.reply("petition.area_unknown"); err != nil {
			return err
		}
		return s.saveAndShow(t, d, stepArea)
	}
	d.clearPlace()
	d.AreaID, d.Address = area, address
	return s.advance(t, d)
}

// setLocation keeps the shared point and, when it lies near a known area,
// takes that area too.
func (s *Service) setLocation(t *turn, d *draft, loc bot.Location) error {
	if loc.Latitude < -90 || loc.Latitude > 90 || loc.Longitude < -180 || loc.Longitude > 180 {
		return nil
	}
	d.Latitude, d.Longitude = &loc.Latitude, &loc.Longitude
	if d.AreaID != 0 {
		return nil
	}
	a, err := t.tx.NearestArea(t.ctx, loc.Latitude, loc.Longitude, nearestAreaKm)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	d.AreaID = a.ID
	return nil
}
