package handlers

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

const flowPetition = "petition"

// Steps of the petition form, in order. A step is skipped on the way
// forward once it has an answer (e.g. the area from a QR poster, or the
// description typed before /new), and Back always returns to the step
// before, so every answer can be changed.
const (
	stepKind         = "kind"
	stepLegal        = "legal" // khiếu nại, tố cáo: what the law requires
	stepCategory     = "category"
	stepArea         = "area"
	stepDescription  = "description"
	stepPhotos       = "photos"
	stepPhone        = "phone"
	stepConfidential = "confidential"
	stepReview       = "review"
)

var petitionSteps = []string{
	stepKind, stepLegal, stepCategory, stepArea, stepDescription,
	stepPhotos, stepPhone, stepConfidential, stepReview,
}

// Limits on what a citizen can send.
const (
	maxDescription = 3000 // characters
	minDescription = 10
	maxAddress     = 300 // characters of an address typed at the area step
	minAddress     = 5
	maxPhotos      = 10
)

// Kinds of petition (law.md §2). Complaints and denunciations cannot be
// filed by chat; they are recorded so the citizen gets guidance.
var kinds = []string{"phan_anh", "kien_nghi", "gop_y", "hoi_dap", "khieu_nai", "to_cao"}

func isGuidanceKind(kind string) bool { return kind == "khieu_nai" || kind == "to_cao" }

// mayBeUrgent: a sender may mark a phản ánh urgent, a danger to people or
// property that needs handling at once (migration 00030); proposals,
// comments and questions are not emergencies.
func mayBeUrgent(kind string) bool { return kind == "phan_anh" }

// CheckCitizenKinds checks a deployment's choice of the kinds citizens may
// pick (law.md §3: some channels take no complaints or denunciations):
// known kinds, each once, at least one that units handle.
func CheckCitizenKinds(list []string) error {
	handled := false
	for i, k := range list {
		switch {
		case !slices.Contains(kinds, k):
			return fmt.Errorf("unknown kind %q (known: %s)", k, strings.Join(kinds, ", "))
		case slices.Contains(list[:i], k):
			return fmt.Errorf("kind %q given twice", k)
		}
		handled = handled || !isGuidanceKind(k)
	}
	if !handled {
		return errors.New("no kind that units handle (phan_anh, kien_nghi, gop_y or hoi_dap)")
	}
	return nil
}

// citizenKinds are the kinds citizens may pick, in the catalogue's order.
func (s *Service) citizenKinds() []string {
	if s.cfg.CitizenKinds == nil {
		return kinds
	}
	return slices.DeleteFunc(slices.Clone(kinds), func(k string) bool { return !slices.Contains(s.cfg.CitizenKinds, k) })
}

// draft is a petition being written; it is the conversation's data.
type draft struct {
	Kind              string       `json:"kind,omitempty"`
	LegalSeen         bool         `json:"legal_seen,omitempty"`
	CategoryID        int64        `json:"category_id,omitempty"`
	AreaID            int64        `json:"area_id,omitempty"`
	AreaParent        int64        `json:"area_parent,omitempty"` // where the area browser is
	Address           string       `json:"address,omitempty"`
	Latitude          *float64     `json:"lat,omitempty"`
	Longitude         *float64     `json:"lon,omitempty"`
	Description       string       `json:"description,omitempty"`
	Photos            []draftPhoto `json:"photos,omitempty"`
	PhotosDone        bool         `json:"photos_done,omitempty"`
	Phone             string       `json:"phone,omitempty"`
	PhoneDone         bool         `json:"phone_done,omitempty"`
	Confidential      bool         `json:"confidential,omitempty"`
	ConfidentialAsked bool         `json:"confidential_asked,omitempty"`
	Urgent            bool         `json:"urgent,omitempty"` // a phản ánh's only (mayBeUrgent)
	Source            string       `json:"source,omitempty"`
	// NextDescription is the text of a "/new TEXT" that asked whether to
	// go on with this draft: starting again takes it as the description.
	NextDescription string `json:"next_description,omitempty"`
	// ReplyKeyboard is set while a phone keyboard (share location or
	// contact) is up, so the next screen removes it.
	ReplyKeyboard bool `json:"reply_keyboard,omitempty"`
}

type draftPhoto struct {
	ID       string `json:"id"`
	UniqueID string `json:"uid,omitempty"`
	Document bool   `json:"doc,omitempty"`
}

// needs reports whether a step still waits for an answer.
func (d *draft) needs(step string) bool {
	switch step {
	case stepKind:
		return d.Kind == ""
	case stepLegal:
		return isGuidanceKind(d.Kind) && !d.LegalSeen
	case stepCategory:
		return d.CategoryID == 0
	case stepArea:
		return d.AreaID == 0 && d.Latitude == nil && d.Address == ""
	case stepDescription:
		return d.Description == ""
	case stepPhotos:
		return !d.PhotosDone
	case stepPhone:
		return !d.PhoneDone
	case stepConfidential:
		return !d.ConfidentialAsked
	}
	return true
}

// next is the first step without an answer.
func (d *draft) next() string {
	for _, step := range petitionSteps {
		if d.needs(step) {
			return step
		}
	}
	return stepReview
}

// previous is the step Back leads to.
func (d *draft) previous(step string) string {
	i := slices.Index(petitionSteps, step)
	for i--; i > 0; i-- {
		if petitionSteps[i] != stepLegal || isGuidanceKind(d.Kind) {
			return petitionSteps[i]
		}
	}
	return stepKind
}

// clearPlace forgets where the petition is about: an answer at the area
// step (where Back leads to change it) replaces the one given before.
func (d *draft) clearPlace() { d.AreaID, d.Address, d.Latitude, d.Longitude = 0, "", nil, nil }

// setKind records the kind; a denunciation is always confidential.
func (d *draft) setKind(kind string) {
	if d.Kind == "to_cao" && kind != "to_cao" {
		// A denunciation's secrecy was not the person's choice: they are
		// asked once it is something else.
		d.ConfidentialAsked = false
	}
	d.Kind = kind
	d.LegalSeen = false
	d.Urgent = d.Urgent && mayBeUrgent(kind)
	if kind == "to_cao" {
		d.Confidential = true
	}
}

// setDescription records the text, and makes content that reads like a
// denunciation confidential by default (law.md §5): the citizen can still
// choose otherwise at the confidentiality step.
func (d *draft) setDescription(text string) {
	d.Description = text
	if !d.ConfidentialAsked && looksLikeDenunciation(text) {
		d.Confidential = true
	}
}

// Words that suggest a denunciation of wrongdoing, folded.
var denunciationWords = []string{
	"to cao", "tham nhung", "hoi lo", "nhan hoi lo", "dua hoi lo", "tham o",
	"lam dung chuc vu", "lam dung quyen", "nhung nhieu", "sach nhieu", "bao ke",
	"an chan", "rut ruot", "vi pham phap luat", "bao che",
}

func looksLikeDenunciation(text string) bool {
	f := " " + fold(text) + " "
	for _, w := range denunciationWords {
		if strings.Contains(f, " "+w+" ") {
			return true
		}
	}
	return false
}
