package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/config"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// A notice is one text an administrator sends to many people at once,
// above all to tell them their personal data was exposed (law.md §6;
// docs/breach-runbook.md §4.5). It goes through the outbox like any
// message, once per person: its dedupe key is the texts' hash and the
// person's id.

// maxNoticeLen bounds a notice's text once escaped, in UTF-16 units as
// Telegram counts them: three messages' worth. A text over one message
// is split by the outbox (bot.Outgoing.Parts).
const maxNoticeLen = 3 * bot.MaxTextLen

// noticeShownLines is how many lines of each text a run prints.
const noticeShownLines = 3

// notice is a text and whom it is for.
type notice struct {
	audience storage.NoticeAudience
	kind     string // "all", "unit" or "ids": all the log says of the audience
	unit     string // -unit's code
	idsFile  string
	since    string // -since as given, "" without
	vi, en   string // plain text; en is "" when there is no English text
}

func runAdminNotify(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("admin notify", flag.ContinueOnError)
	all := fs.Bool("all", false, "everyone who has written to the bot")
	unit := fs.String("unit", "", "those who filed or co-signed a ticket of this unit or of a unit below it, or booked its reception")
	ids := fs.String("ids", "", "file of citizen ids, one a line (the breach runbook's Q13 writes it)")
	since := fs.String("since", "", "with -all or -unit: only those with such a ticket created, or such a reception booked, on or after this day, YYYY-MM-DD")
	vi := fs.String("vi", "", "file with the text in Vietnamese, with full diacritics (required)")
	en := fs.String("en", "", "file with the text in English, for those who chose English")
	send := fs.Bool("send", false, "queue the messages; without it, only say whom they would reach")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	n, err := noticeFromFlags(*all, *unit, *ids, *since, *vi, *en)
	if err != nil {
		return err
	}
	return withStore(ctx, func(cfg *config.Config, store *storage.Store, logger *slog.Logger) error {
		audience := "everyone who has written to the bot"
		if n.unit != "" {
			// An inactive unit's tickets still hold people's data.
			u, err := store.AnyUnitByCode(ctx, strings.ToLower(n.unit))
			if errors.Is(err, storage.ErrNotFound) {
				return fmt.Errorf("no unit %q (see danvan admin export)", n.unit)
			}
			if err != nil {
				return err
			}
			n.audience.UnitID = u.ID
			audience = fmt.Sprintf("those who filed or co-signed a ticket of %s (%s) or of a unit below it, or booked one's reception", u.Name, u.Code)
		}
		if n.idsFile != "" {
			audience = fmt.Sprintf("the %d citizens listed in %s", len(n.audience.IDs), n.idsFile)
		}
		switch {
		case n.since != "" && n.unit != "":
			audience += ", the ticket created or the booking made on or after " + n.since
		case n.since != "":
			audience = "those who filed or co-signed a ticket created, or booked a reception, on or after " + n.since
		}
		if !*send {
			p, err := planNotice(ctx, store, n)
			if err != nil {
				return err
			}
			fmt.Printf("Dry run: nothing is queued (-send to queue).\nAudience: %s.\n", audience)
			p.print("Would message", true)
			return nil
		}
		var p noticePlan
		err := store.InTx(ctx, func(tx *storage.Store) error {
			plan, err := planNotice(ctx, tx, n)
			if err != nil {
				return err
			}
			p = plan
			for _, r := range p.to {
				if err := handlers.QueueNotice(ctx, tx, r.Citizen, n.textFor(r.Language), n.key()+strconv.FormatInt(r.ID, 10)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		logger.Info("notice queued", "audience", n.kind, "people", len(p.to), "messages", p.messages,
			"vi", p.vi, "en", p.en, "blocked", p.blocked, "already_told", p.told)
		fmt.Printf("Audience: %s.\n", audience)
		p.print("Queued for", false)
		if p.messages > 0 {
			fmt.Printf("At SEND_RATE %g/s the sender needs about %s for them, after the messages already waiting.\n",
				cfg.SendRate, drainTime(p.messages, cfg.SendRate))
		}
		return nil
	})
}

// noticeFromFlags checks the audience and reads the texts.
func noticeFromFlags(all bool, unit, idsFile, since, viFile, enFile string) (notice, error) {
	n := notice{kind: "all", unit: unit, idsFile: idsFile, since: since}
	audiences := 0
	for _, given := range []bool{all, unit != "", idsFile != ""} {
		if given {
			audiences++
		}
	}
	switch {
	case audiences == 0:
		return n, errors.New("say whom the notice is for: -all, -unit CODE or -ids FILE")
	case audiences > 1:
		return n, errors.New("give one of -all, -unit CODE and -ids FILE, not several")
	case since != "" && idsFile != "":
		return n, errors.New("-since applies to -all and -unit; an -ids file names the people already")
	case viFile == "":
		return n, errors.New("-vi FILE is required: the text in Vietnamese, which every citizen can be sent")
	}
	if unit != "" {
		n.kind = "unit"
	}
	if since != "" {
		d, err := workcal.ParseDate(since)
		if err != nil {
			return n, fmt.Errorf("-since: %w", err)
		}
		n.audience.Since = d.Start()
	}
	if idsFile != "" {
		ids, err := readCitizenIDs(idsFile)
		if err != nil {
			return n, err
		}
		n.kind, n.audience.IDs = "ids", ids
	}
	var err error
	if n.vi, err = noticeText("vi", viFile); err != nil {
		return n, err
	}
	if !hasVietnameseLetter(n.vi) {
		return n, fmt.Errorf("-vi %s: the text has no Vietnamese diacritics: write it in Vietnamese with full diacritics (is it the English text?)", viFile)
	}
	if enFile != "" {
		if n.en, err = noticeText("en", enFile); err != nil {
			return n, err
		}
	}
	return n, nil
}

// noticeText reads the text of flag name from path and checks it.
func noticeText(name, path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("-%s: %w", name, err)
	}
	text := strings.TrimSpace(strings.ReplaceAll(string(b), "\r\n", "\n"))
	switch size := bot.TextLen(bot.Escape(text)); {
	case !utf8.ValidString(text):
		return "", fmt.Errorf("-%s %s: the text is not UTF-8", name, path)
	case text == "":
		return "", fmt.Errorf("-%s %s: the text is empty", name, path)
	case size > maxNoticeLen:
		return "", fmt.Errorf("-%s %s: the text is %d characters long; a notice may have %d (three messages)", name, path, size, maxNoticeLen)
	}
	return text, nil
}

// vietnameseLetters are the letters with diacritics Vietnamese writes
// outside Latin Extended Additional (U+1EA0–U+1EF9), and the combining
// tone marks of a decomposed text.
const vietnameseLetters = "àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝăĂđĐĩĨũŨơƠưƯ\u0300\u0301\u0303\u0309\u0323"

// hasVietnameseLetter reports whether text has a letter with a diacritic
// Vietnamese uses: a Vietnamese text without any is unaccented, or is not
// Vietnamese.
func hasVietnameseLetter(text string) bool {
	return strings.ContainsFunc(text, func(r rune) bool {
		return (r >= 'Ạ' && r <= 'ỹ') || strings.ContainsRune(vietnameseLetters, r)
	})
}

// readCitizenIDs reads a file of citizen ids, one a line; blank lines and
// lines starting with # are skipped, an id listed twice counts once.
func readCitizenIDs(path string) ([]int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("-ids: %w", err)
	}
	seen := map[int64]bool{}
	ids := []int64{}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, err := strconv.ParseInt(line, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("-ids %s:%d: %q is not a citizen id (one a line, as the breach runbook's Q13 writes them)", path, i+1, line)
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("-ids %s: the file lists no citizen ids", path)
	}
	return ids, nil
}

// key is the dedupe key of the notice's message to a person, but for the
// person's id: the same texts reach a person once, however often the
// command runs and whatever the audience.
func (n notice) key() string {
	h := sha256.New()
	fmt.Fprintf(h, "%d:%s\n%d:%s", len(n.vi), n.vi, len(n.en), n.en)
	return "notice:" + hex.EncodeToString(h.Sum(nil)) + ":"
}

// english reports whether a person of the language is sent the English
// text: they chose English and there is one. Everyone else is sent the
// Vietnamese.
func (n notice) english(language string) bool { return language == "en" && n.en != "" }

// textFor is the text for a person of the language.
func (n notice) textFor(language string) string {
	if n.english(language) {
		return n.en
	}
	return n.vi
}

// noticePlan is who gets a notice and who does not.
type noticePlan struct {
	n          notice
	to         []storage.NoticeRecipient // those to queue it for
	vi, en     int                       // of them, in each language
	messages   int                       // in all
	blocked    int                       // left out: they blocked the bot
	told       int                       // left out: an earlier run queued it for them
	denouncers int                       // of to, those who sent a tố cáo
}

// planNotice finds the notice's audience and sorts it out.
func planNotice(ctx context.Context, store *storage.Store, n notice) (noticePlan, error) {
	people, err := store.NoticeRecipients(ctx, n.audience, n.key())
	if err != nil {
		return noticePlan{}, err
	}
	if n.audience.IDs != nil && len(people) != len(n.audience.IDs) {
		found := make(map[int64]bool, len(people))
		for _, r := range people {
			found[r.ID] = true
		}
		var missing []string
		for _, id := range n.audience.IDs {
			if !found[id] {
				missing = append(missing, strconv.FormatInt(id, 10))
			}
		}
		return noticePlan{}, fmt.Errorf("-ids %s: no citizen has the id %s (is the file from another database?)", n.idsFile, strings.Join(missing, ", "))
	}
	p := noticePlan{n: n}
	viParts, enParts := handlers.NoticeMessages(n.vi), 0
	if n.en != "" {
		enParts = handlers.NoticeMessages(n.en)
	}
	for _, r := range people {
		switch {
		case r.UnreachableAt.Valid:
			p.blocked++
			continue
		case r.Told:
			p.told++
			continue
		case r.Denouncer:
			p.denouncers++
		}
		p.to = append(p.to, r)
		if n.english(r.Language) {
			p.en++
			p.messages += enParts
		} else {
			p.vi++
			p.messages += viParts
		}
	}
	return p, nil
}

// print says whom the notice reaches, verb first ("Would message"), and
// how its texts begin; before sending, it warns of denouncers.
func (p noticePlan) print(verb string, before bool) {
	fmt.Printf("%s %s: %d in Vietnamese, %d in English (%d messages).\n", verb, people(len(p.to)), p.vi, p.en, p.messages)
	fmt.Printf("Left out: %d who blocked the bot, %d who were sent this notice already.\n", p.blocked, p.told)
	switch {
	case p.denouncers > 0 && before:
		fmt.Printf("Warning: %s sent a denunciation (tố cáo): a message may expose them to whoever shares their phone. "+
			"The body handling denunciations decides for each (docs/breach-runbook.md §4.5); to leave them out, use -ids.\n", people(p.denouncers))
	case p.denouncers > 0:
		fmt.Printf("Of them, %s sent a denunciation (tố cáo).\n", people(p.denouncers))
	}
	printNoticeText("Vietnamese", p.n.vi)
	if p.n.en != "" {
		printNoticeText("English", p.n.en)
	} else {
		fmt.Println("No English text: everyone is sent the Vietnamese.")
	}
}

// people is "1 person" or "n people".
func people(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}

// printNoticeText prints the first lines of a text.
func printNoticeText(language, text string) {
	lines := strings.Split(text, "\n")
	fmt.Printf("%s text, %d message(s) a person:\n", language, handlers.NoticeMessages(text))
	for _, l := range lines[:min(len(lines), noticeShownLines)] {
		fmt.Printf("    %s\n", l)
	}
	if len(lines) > noticeShownLines {
		fmt.Printf("    … (%d more lines)\n", len(lines)-noticeShownLines)
	}
}

// drainTime is how long the sender takes over n messages at SEND_RATE,
// which it keeps 1.5% below (bot.SenderOptions); 30/s when unset.
func drainTime(n int, rate float64) time.Duration {
	if rate <= 0 {
		rate = 30
	}
	return max(time.Second, time.Duration(float64(n)/(rate*0.985)*float64(time.Second)).Round(time.Second))
}
