package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/danvan-vn/danvan/config"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

func runTicket(ctx context.Context, args []string) error {
	return runGroup(ctx, "ticket", `Usage: danvan ticket <command>

  show CODE [-json]                                  one ticket with its timeline
  list [-status S] [-unit CODE] [-limit N] [-json]   tickets, newest first (1,000 at most by default)`, subcommands{
		"show": runTicketShow,
		"list": runTicketList,
	}, args)
}

// ticketStatuses are the values of -status, as in the JSON "status" field.
var ticketStatuses = []string{
	storage.StatusReceived, storage.StatusAccepted, storage.StatusInProgress, storage.StatusAwaitingInfo,
	storage.StatusTransferred, storage.StatusAnswered, storage.StatusCompleted, storage.StatusRejected, storage.StatusReopened,
	storage.StatusMerged,
}

// ticketJSON is the stable JSON form of a ticket (documented in the README).
// It carries no personal data: no name, phone or chat of the citizen.
type ticketJSON struct {
	Code          string           `json:"code"`
	Kind          string           `json:"kind"`
	Status        string           `json:"status"`
	Category      string           `json:"category,omitempty"`
	Area          string           `json:"area,omitempty"`
	Unit          string           `json:"unit,omitempty"`
	Description   string           `json:"description"`
	Address       string           `json:"address,omitempty"`
	Latitude      *float64         `json:"latitude,omitempty"`
	Longitude     *float64         `json:"longitude,omitempty"`
	Confidential  bool             `json:"confidential"`
	CreatedAt     time.Time        `json:"created_at"`
	UpdatedAt     time.Time        `json:"updated_at"`
	AnsweredAt    *time.Time       `json:"answered_at,omitempty"`
	ClosedAt      *time.Time       `json:"closed_at,omitempty"`
	Rating        *int16           `json:"rating,omitempty"`
	RatingComment string           `json:"rating_comment,omitempty"`
	Attachments   []attachmentJSON `json:"attachments,omitempty"`
	Events        []eventJSON      `json:"events,omitempty"`
}

type attachmentJSON struct {
	Kind      string    `json:"kind"`
	FileID    string    `json:"file_id"`
	AddedBy   string    `json:"added_by"`
	CreatedAt time.Time `json:"created_at"`
}

type eventJSON struct {
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	ActorID    int64     `json:"actor_id,omitempty"`
	Kind       string    `json:"kind"`
	FromStatus string    `json:"from_status,omitempty"`
	ToStatus   string    `json:"to_status,omitempty"`
	FromUnit   string    `json:"from_unit,omitempty"`
	ToUnit     string    `json:"to_unit,omitempty"`
	Body       string    `json:"body,omitempty"`
	Internal   bool      `json:"internal"`
}

// inVietnam is t in Vietnam's time, as the reports give it, whatever the
// database session's time zone.
func inVietnam(t time.Time) time.Time { return t.In(workcal.Location()) }

// codes resolves ids to codes, caching what it has looked up.
type codes struct {
	ctx   context.Context
	store *storage.Store
	units map[int64]string
}

func (c *codes) unit(id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	if code, ok := c.units[id]; ok {
		return code, nil
	}
	u, err := c.store.UnitByID(c.ctx, id)
	if err != nil {
		return "", err
	}
	c.units[id] = u.Code
	return u.Code, nil
}

func (c *codes) ticket(t storage.Ticket, full bool) (ticketJSON, error) {
	out := ticketJSON{
		Code: t.Code, Kind: t.Kind, Status: t.Status, Description: t.Description, Address: t.Address,
		Confidential: t.Confidential, CreatedAt: inVietnam(t.CreatedAt), UpdatedAt: inVietnam(t.UpdatedAt),
		RatingComment: t.RatingComment.String,
	}
	if t.Latitude.Valid {
		out.Latitude, out.Longitude = &t.Latitude.Float64, &t.Longitude.Float64
	}
	if t.AnsweredAt.Valid {
		at := inVietnam(t.AnsweredAt.Time)
		out.AnsweredAt = &at
	}
	if t.ClosedAt.Valid {
		at := inVietnam(t.ClosedAt.Time)
		out.ClosedAt = &at
	}
	if t.Rating.Valid {
		out.Rating = &t.Rating.Int16
	}
	var err error
	if out.Unit, err = c.unit(t.UnitID.Int64); err != nil {
		return out, err
	}
	if t.CategoryID.Valid {
		cat, err := c.store.CategoryByID(c.ctx, t.CategoryID.Int64)
		if err != nil {
			return out, err
		}
		out.Category = cat.Code
	}
	if t.AreaID.Valid {
		a, err := c.store.AreaByID(c.ctx, t.AreaID.Int64)
		if err != nil {
			return out, err
		}
		out.Area = a.Code
	}
	if !full {
		return out, nil
	}
	atts, err := c.store.Attachments(c.ctx, t.ID)
	if err != nil {
		return out, err
	}
	for _, a := range atts {
		out.Attachments = append(out.Attachments, attachmentJSON{Kind: a.Kind, FileID: a.FileID, AddedBy: a.AddedBy, CreatedAt: inVietnam(a.CreatedAt)})
	}
	events, err := c.store.Events(c.ctx, t.ID)
	if err != nil {
		return out, err
	}
	for _, e := range events {
		ej := eventJSON{At: inVietnam(e.At), Actor: e.ActorKind, ActorID: e.ActorID, Kind: e.Kind, FromStatus: e.FromStatus,
			ToStatus: e.ToStatus, Body: e.Body, Internal: e.Internal}
		if ej.FromUnit, err = c.unit(e.FromUnit); err != nil {
			return out, err
		}
		if ej.ToUnit, err = c.unit(e.ToUnit); err != nil {
			return out, err
		}
		if e.ActorKind == storage.ActorCitizen {
			ej.ActorID = 0 // the citizen's identity stays out of operator output
		}
		out.Events = append(out.Events, ej)
	}
	return out, nil
}

func runTicketShow(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ticket show", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: danvan ticket show CODE [-json]")
	}
	code, ok := storage.ParseCode(fs.Arg(0))
	if !ok {
		return fmt.Errorf("ticket show: %q is not a ticket code (PA-2026-000123)", fs.Arg(0))
	}
	return withStore(ctx, func(_ *config.Config, store *storage.Store, _ *slog.Logger) error {
		t, err := store.TicketByCode(ctx, code)
		if err != nil {
			return lookupFailed("ticket "+code, err)
		}
		c := &codes{ctx: ctx, store: store, units: map[int64]string{}}
		tj, err := c.ticket(t, true)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(tj)
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(w, "%s\t%s · %s\n", tj.Code, tj.Kind, tj.Status)
		fmt.Fprintf(w, "category\t%s\narea\t%s\nunit\t%s\ncreated\t%s\nconfidential\t%t\n", tj.Category, tj.Area, tj.Unit,
			tj.CreatedAt.Format(time.RFC3339), tj.Confidential)
		fmt.Fprintf(w, "\n%s\n\n", tj.Description)
		for _, e := range tj.Events {
			move := ""
			if e.FromStatus != "" || e.ToStatus != "" {
				move = e.FromStatus + "→" + e.ToStatus
			}
			if e.FromUnit != "" || e.ToUnit != "" {
				move += " " + e.FromUnit + "→" + e.ToUnit
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", e.At.Format(time.RFC3339), e.Actor, e.Kind, strings.TrimSpace(move), e.Body)
		}
		return w.Flush()
	})
}

func runTicketList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ticket list", flag.ContinueOnError)
	status := fs.String("status", "", "only tickets in this status")
	unit := fs.String("unit", "", "only tickets of this unit (code)")
	limit := fs.Int("limit", 1000, "at most this many")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *status != "" && !slices.Contains(ticketStatuses, *status) {
		return fmt.Errorf("ticket list: -status %q is not one of %s", *status, strings.Join(ticketStatuses, ", "))
	}
	return withStore(ctx, func(_ *config.Config, store *storage.Store, _ *slog.Logger) error {
		f := storage.TicketFilter{Status: *status, Limit: *limit}
		if *unit != "" {
			// Active or not: a unit the organisation file dropped keeps its tickets.
			u, err := store.AnyUnitByCode(ctx, strings.ToLower(strings.TrimSpace(*unit)))
			if err != nil {
				return lookupFailed(fmt.Sprintf("unit %q", *unit), err)
			}
			f.UnitID = u.ID
		}
		tickets, err := store.ListTickets(ctx, f)
		if err != nil {
			return err
		}
		c := &codes{ctx: ctx, store: store, units: map[int64]string{}}
		list := make([]ticketJSON, 0, len(tickets))
		for _, t := range tickets {
			tj, err := c.ticket(t, false)
			if err != nil {
				return err
			}
			list = append(list, tj)
		}
		if *asJSON {
			return printJSON(list)
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "CODE\tKIND\tSTATUS\tUNIT\tCREATED")
		for _, t := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", t.Code, t.Kind, t.Status, t.Unit, t.CreatedAt.Format("2006-01-02 15:04"))
		}
		return w.Flush()
	})
}

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
