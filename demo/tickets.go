package demo

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// The timeline panel: the sandbox shows what `danvan ticket show` prints,
// names resolved. It is an operator's view, so it includes internal notes.

type ticketSummary struct {
	Code      string    `json:"code"`
	Kind      string    `json:"kind"`
	Status    string    `json:"status"`
	Unit      string    `json:"unit,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

type ticketView struct {
	ticketSummary
	Category    string      `json:"category,omitempty"`
	Area        string      `json:"area,omitempty"`
	Description string      `json:"description"`
	DueAt       *time.Time  `json:"due_at,omitempty"`
	AnsweredAt  *time.Time  `json:"answered_at,omitempty"`
	ClosedAt    *time.Time  `json:"closed_at,omitempty"`
	Rating      int         `json:"rating,omitempty"`
	Events      []eventView `json:"events"`
}

type eventView struct {
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`                // citizen, officer, system
	ActorName  string    `json:"actor_name,omitempty"` // the officer and their unit
	Kind       string    `json:"kind"`
	FromStatus string    `json:"from_status,omitempty"`
	ToStatus   string    `json:"to_status,omitempty"`
	FromUnit   string    `json:"from_unit,omitempty"`
	ToUnit     string    `json:"to_unit,omitempty"`
	Body       string    `json:"body,omitempty"`
	Internal   bool      `json:"internal,omitempty"`
}

// unitNames resolves unit ids once per request.
type unitNames struct {
	ctx   context.Context
	store *storage.Store
	names map[int64]string
}

func (u *unitNames) name(id int64) string {
	if id == 0 {
		return ""
	}
	if n, ok := u.names[id]; ok {
		return n
	}
	unit, err := u.store.UnitByID(u.ctx, id)
	if err != nil {
		return ""
	}
	u.names[id] = unit.Name
	return unit.Name
}

func (s *server) tickets(w http.ResponseWriter, r *http.Request) {
	store := s.running.Store
	list, err := store.ListTickets(r.Context(), storage.TicketFilter{Limit: 50})
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	units := &unitNames{ctx: r.Context(), store: store, names: map[int64]string{}}
	out := []ticketSummary{}
	for _, t := range list {
		out = append(out, summarise(t, units))
	}
	writeJSON(w, http.StatusOK, out)
}

func summarise(t storage.Ticket, units *unitNames) ticketSummary {
	return ticketSummary{Code: t.Code, Kind: t.Kind, Status: t.Status, Unit: units.name(t.UnitID.Int64), CreatedAt: t.CreatedAt}
}

func (s *server) ticket(w http.ResponseWriter, r *http.Request) {
	ctx, store := r.Context(), s.running.Store
	code, ok := storage.ParseCode(strings.TrimSpace(r.PathValue("code")))
	if !ok {
		writeError(w, http.StatusNotFound, coded(errTicketNotFound, errors.New("not a ticket code")))
		return
	}
	t, err := store.TicketByCode(ctx, code)
	if errors.Is(err, storage.ErrNotFound) {
		writeError(w, http.StatusNotFound, coded(errTicketNotFound, errors.New("no ticket has this code")))
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	events, err := store.Events(ctx, t.ID)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	staff, err := store.Officers(ctx)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	staffNames := map[int64]string{}
	for _, o := range staff {
		staffNames[o.ID] = o.DisplayName + " — " + o.UnitName
	}
	units := &unitNames{ctx: ctx, store: store, names: map[int64]string{}}
	v := ticketView{ticketSummary: summarise(t, units), Description: t.Description, Events: []eventView{},
		DueAt: timePtr(t.DueAt.Time, t.DueAt.Valid), AnsweredAt: timePtr(t.AnsweredAt.Time, t.AnsweredAt.Valid),
		ClosedAt: timePtr(t.ClosedAt.Time, t.ClosedAt.Valid), Rating: int(t.Rating.Int16)}
	if t.CategoryID.Valid {
		if c, err := store.CategoryByID(ctx, t.CategoryID.Int64); err == nil {
			v.Category = c.Name
			if pageLang(r, s.lang) == "en" && c.NameEN != "" {
				v.Category = c.NameEN
			}
		}
	}
	if t.AreaID.Valid {
		if a, err := store.AreaByID(ctx, t.AreaID.Int64); err == nil {
			v.Area = a.Name
		}
	}
	for _, e := range events {
		v.Events = append(v.Events, eventView{
			At: e.At, Actor: e.ActorKind, ActorName: staffNames[e.ActorID], Kind: e.Kind,
			FromStatus: e.FromStatus, ToStatus: e.ToStatus, FromUnit: units.name(e.FromUnit), ToUnit: units.name(e.ToUnit),
			Body: e.Body, Internal: e.Internal,
		})
	}
	writeJSON(w, http.StatusOK, v)
}

// pageLang is the language the page asks for (?lang=vi or en), else the
// sandbox's: the page may speak another than the one it started in.
func pageLang(r *http.Request, fallback string) string {
	if lang := r.URL.Query().Get("lang"); lang == "vi" || lang == "en" {
		return lang
	}
	return fallback
}

func timePtr(t time.Time, valid bool) *time.Time {
	if !valid {
		return nil
	}
	return &t
}
