package handlers_test

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/org"
)

// The DB-backed fuzz targets share one database per worker process: the
// sample organisation is imported once, and each iteration points the
// world at its own *testing.T. Their iterations are transactions, so
// fuzz them one worker at a time and keep minimisation short:
//
//	go test -run '^$' -fuzz '^FuzzConversation$' -fuzztime 5m -fuzzminimizetime 10s -parallel 1 ./handlers/

// sampleWorld opens a world with examples/org.yaml imported.
func sampleWorld(f *testing.F) *world {
	w := openWorld(f)
	data, err := os.ReadFile("../examples/org.yaml")
	if err != nil {
		f.Fatal(err)
	}
	file, err := org.Parse("examples/org.yaml", bytes.NewReader(data))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := org.Apply(w.ctx, w.store, file); err != nil {
		f.Fatal(err)
	}
	return w
}

// ticketState sums up every ticket, its timeline and its attachments. A
// co-signing invitation is left out: its sender may ask for one at any
// press (k:share), which changes nothing else.
func (w *world) ticketState() string {
	w.t.Helper()
	var s string
	err := w.raw.Get(&s, `SELECT
		(SELECT md5(coalesce(string_agg((to_jsonb(t) - 'share_token')::text, '|' ORDER BY t.id), '')) FROM tickets t) || ' ' ||
		(SELECT count(*) FROM ticket_events) || ' ' || (SELECT count(*) FROM ticket_attachments)`)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

// bookingState sums up the reception bookings and closures.
func (w *world) bookingState() string {
	w.t.Helper()
	var s string
	err := w.raw.Get(&s, `SELECT
		(SELECT md5(coalesce(string_agg(to_jsonb(b)::text, '|' ORDER BY b.id), '')) FROM reception_bookings b) || ' ' ||
		(SELECT count(*) FROM reception_closures)`)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

// maxButtonData is Telegram's limit on a button's callback data, in bytes.
const maxButtonData = 64

// checkOutgoing asserts that Telegram would accept every queued message:
// non-empty, valid UTF-8 texts within the limits, HTML it can parse, and
// buttons with a label and at most 64 bytes of data.
func checkOutgoing(t *testing.T, out []bot.Outgoing) {
	t.Helper()
	for _, o := range out {
		if o.ChatID == "" {
			t.Fatalf("no chat: %+v", o)
		}
		if !utf8.ValidString(o.Text) {
			t.Fatalf("invalid UTF-8 in %q", o.Text)
		}
		switch o.Kind {
		case bot.KindText, bot.KindEdit:
			if strings.TrimSpace(o.Text) == "" {
				t.Fatalf("empty %s: %+v", o.Kind, o)
			}
			if n := bot.TextLen(o.Text); n > bot.MaxTextLen {
				t.Fatalf("%s of %d UTF-16 units, over %d: %.200q…", o.Kind, n, bot.MaxTextLen, o.Text)
			}
		case bot.KindPhoto, bot.KindDocument, bot.KindDelete:
			// A delete's text is the caption of the cover of a photo too old
			// to delete.
			if n := bot.TextLen(o.Text); n > bot.MaxCaptionLen {
				t.Fatalf("caption of %d UTF-16 units, over %d: %.200q…", n, bot.MaxCaptionLen, o.Text)
			}
			if o.Kind == bot.KindDelete && o.MessageID == "" {
				t.Fatalf("a delete without its message: %+v", o)
			}
			if o.Kind != bot.KindDelete && o.FileID == "" && len(o.Content) == 0 {
				t.Fatalf("%s without a file", o.Kind)
			}
		case bot.KindAnswer:
			// The messenger truncates answers to Telegram's 200 characters;
			// the text is plain, not HTML.
			continue
		case bot.KindCommands:
			continue
		default:
			t.Fatalf("unknown kind %q", o.Kind)
		}
		if err := checkHTML(o.Text); err != nil {
			t.Fatalf("Telegram cannot parse the HTML of %q: %v", o.Text, err)
		}
		for _, row := range o.Buttons {
			for _, b := range row {
				if strings.TrimSpace(b.Text) == "" || !utf8.ValidString(b.Text) || (b.Data == "") == (b.URL == "") {
					t.Fatalf("bad button %+v", b)
				}
				if len(b.Data) > maxButtonData || !utf8.ValidString(b.Data) {
					t.Fatalf("button data %q: over %d bytes or invalid", b.Data, maxButtonData)
				}
			}
		}
	}
}

var (
	htmlTag    = regexp.MustCompile(`^<(/?)([a-z-]+)(?:\s[^<>]*)?>`)
	htmlEntity = regexp.MustCompile(`^&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);`)
	// telegramTags are the tags Telegram's HTML parse mode knows.
	telegramTags = []string{"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
		"span", "tg-spoiler", "tg-emoji", "blockquote"}
)

// checkHTML applies Telegram's HTML parse mode rules: every < and & starts
// a known tag or an entity, and tags nest.
func checkHTML(s string) error {
	var open []string
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '>':
			return fmt.Errorf("a bare > at byte %d", i)
		case '&':
			if !htmlEntity.MatchString(s[i:]) {
				return fmt.Errorf("a bare & at byte %d", i)
			}
		case '<':
			m := htmlTag.FindStringSubmatch(s[i:])
			if m == nil || !slices.Contains(telegramTags, m[2]) {
				return fmt.Errorf("a bare < or an unknown tag at byte %d", i)
			}
			if m[1] == "" {
				open = append(open, m[2])
			} else if len(open) == 0 || open[len(open)-1] != m[2] {
				return fmt.Errorf("</%s> closes nothing at byte %d", m[2], i)
			} else {
				open = open[:len(open)-1]
			}
			i += len(m[0]) - 1
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("unclosed %q", open)
	}
	return nil
}

// FuzzButtonData presses arbitrary button data as people who may not
// change the ticket in the world: its owner (the ticket is not answered,
// so there is nothing to rate), a stranger, and an officer of another
// unit. Every press must be handled without an error, answered exactly
// once, with messages Telegram accepts, and change no ticket.
func FuzzButtonData(f *testing.F) {
	for i, d := range []string{
		"m:new", "m:my", "m:help", "m:", "l:en", "l:vi", "l:fr", "s:PA-2026-000001", "s:pa20261", "s:PA-2026-000001:x",
		"o:accept:1", "o:ask:1", "o:answer:1", "o:reject:1", "o:note:1", "o:transfer:1", "o:to:1:3", "o:to:1:1", "o:to:1:999",
		"k:share:1", "k:share:x", "k:join:aaaaaaaaaa", "k:join", "k:x:1",
		"g:1", "g:x", "g:999", "g:-1", "g:1:2", "g:",
		"t:u:1", "t:u:30", "t:u:x", "t:d:30:2026-11-26", "t:d:30:2026-11-27", "t:d:30:2026-02-30", "t:c:1", "t:x",
		"t:o:1", "t:m:1", "t:a:1", "t:f:1", "t:f:-1", "t:m:1:2", "t:", "t", "t:g:1:3", "t:g:1:4", "t:g:1", "t:w:1",
		"v:1", "v:2", "v:x", "v:0", "v:1:2", "v:",
		"n:l", "n:a:0", "n:a:1", "n:f:1", "n:f:2", "n:u:1", "n:r:1", "n:p:1", "n:p:2", "n:s", "n:s:0000", "n:x", "n:f:x", "n:g:1", "n:g:x", "n:",
		"o:kind:1", "o:rk:1:hoi_dap", "o:rk:1:x", "o:rc:1:to_cao:0", "o:rc:1:hoi_dap:3", "o:rc:1:hoi_dap:-3", "o:rc:1:gop_y:999",
		"c:1", "c:1 2", "c:-1", "c:0x1", "r:1:5", "r:1:+5", "r:1:0", "r:1:05", "a:1", "a:skip", "a:-1", "a:x",
		"p:kind:set:phan_anh", "p:category:set:moi-truong", "p:area:set:hai-chau", "p:review:send", "p:x:cancel", "p:legal:next",
		"", ":", "x", "p", "o:accept:99999999999999999999", "o:accept:+1", strings.Repeat("o:", 32), "ừ:😀",
	} {
		f.Add(d, uint8(i))
	}
	f.Add("k:share:1", uint8(0)) // the sender asks for a co-signing invitation

	w := sampleWorld(f)
	var owner, stranger, outsider *citizen
	f.Fuzz(func(t *testing.T, data string, who uint8) {
		w.t = t
		if owner == nil { // the first iteration sets the world up
			owner, stranger = w.citizen(4001), w.citizen(4002)
			outsider = w.staff(4003, "ubnd-hai-chau", "officer")
			owner.file("Phường Hòa Cường", "Rác thải tồn đọng ở kiệt 25 Núi Thành")
			w.consultation("Kế hoạch chỉnh trang vỉa hè", -day, 20*day) // open: "g:1" prompts for a comment
			// Someone else's booking of the ward's Thursday reception.
			w.receptionHours("ubnd-hoa-cuong", 5)
			w.citizen(4004).book("26/11", "Đề nghị xem xét cấp giấy phép xây dựng")
			w.sent()
		}
		before, booked := w.ticketState(), w.bookingState()

		presser := []*citizen{owner, stranger, outsider}[int(who)%3]
		ev := presser.event()
		ev.Button = &bot.Button{QueryID: fmt.Sprintf("fuzz-%d", ev.UpdateID), Data: strings.ToValidUTF8(data, "\uFFFD")}
		if who&4 != 0 {
			ev.Button.MessageID = "1" // an edit in place
		}
		w.handle(ev)
		out := w.sent()
		checkOutgoing(t, out)
		answers := 0
		for _, o := range out {
			if o.Kind == bot.KindAnswer {
				answers++
				if o.QueryID != ev.Button.QueryID {
					t.Fatalf("answered query %q, pressed %q", o.QueryID, ev.Button.QueryID)
				}
			}
		}
		if answers != 1 {
			t.Fatalf("%q answered %d times", data, answers)
		}
		if after := w.ticketState(); after != before {
			t.Fatalf("pressing %q as %s changed a ticket", data, presser.name)
		}
		if after := w.bookingState(); after != booked {
			t.Fatalf("pressing %q as %s changed a reception booking", data, presser.name)
		}
		// Each press starts from the same state.
		w.exec(`DELETE FROM conversations`)
		w.exec(`UPDATE citizens SET language = 'vi'`)
	})
}

// conversationTexts are what citizens type: answers to each step, the
// words the form understands, and texts at and past every limit.
var conversationTexts = []string{
	"Đèn đường hỏng cả tuần nay trên đường Bạch Đằng", "Rác thải tồn đọng nhiều ngày ở kiệt 25 Núi Thành", "Trước nhà số 45 Núi Thành",
	"phan anh", "kien nghi", "khiếu nại", "to cao", "hỏi đáp", "moi truong", "giao thong", "y tế",
	"hai chau", "Phường Hòa Cường", "Thành phố Đà Nẵng", "xã hòa vang",
	"quay lại", "bỏ qua", "tiếp tục", "gửi", "có", "không", "hủy", "huỷ", "1", "0",
	"0905 111 222", "+84905111222", "090", "PA-2026-000001", "pa-2026-1", "/start",
	"ngắn", " ", "\n\n", "<b>đậm</b> & <i>", "&lt;", "a\x00b", "\u202eRTL\u202c", "e\u0301\u0301\u0301\u0301",
	strings.Repeat("Rác thải ", 333), strings.Repeat("x", 3000), strings.Repeat("x", 3001),
	strings.Repeat("<", 3000), strings.Repeat("&", 2999) + "<", strings.Repeat("😀", 3000),
	strings.Repeat("ừ ", 1500), strings.Repeat("a\n", 1500), strings.Repeat("🇻🇳", 1000), strings.Repeat("x", 5000),
}

var conversationCommands = []string{
	"start", "start a_hai-chau", "start a_nowhere", "start " + strings.Repeat("a_", 40), "new", "my", "status",
	"status PA-2026-000001", "status pa 2026 2", "status <b>", "help", "cancel", "lang", "join", "join CODE-1",
	"inbox", "mine", "ticket 1", "reply", "report", "linkgroup", "nosuchcommand", "Start", "tiepdan", "lichtiep", "thongke",
	"thongbao", "congbo",
}

// conversationPlaces are shared locations: in a ward, in the city, far
// away, and at the ends of the map.
var conversationPlaces = [][2]float64{
	{16.0678, 108.2208}, {16.038, 108.214}, {16.0544, 108.2022}, {21.0285, 105.8542},
	{0, 0}, {-90, -180}, {90, 180}, {1e308, -1e308},
}

// script reads a fuzz input as a sequence of choices.
type script []byte

func (s *script) next() int {
	if len(*s) == 0 {
		return 0
	}
	b := (*s)[0]
	*s = (*s)[1:]
	return int(b)
}

// chunk takes up to a length byte's worth of bytes as text, made valid
// UTF-8 as the decoder makes every text.
func (s *script) chunk() string {
	n := min(s.next(), len(*s))
	c := string((*s)[:n])
	*s = (*s)[n:]
	return strings.ToValidUTF8(c, "\uFFFD")
}

func pick[T any](s *script, from []T) T { return from[s.next()%len(from)] }

// offered is a button the bot sent to a chat, with the message carrying it.
type offered struct {
	messageID string
	label     string
	data      string
}

// conversationLabels name buttons to press: a script can follow the form
// whatever the layout of the screen.
var conversationLabels = []string{
	"Gửi phản ánh", "Phản ánh", "Kiến nghị", "Khiếu nại", "Vẫn gửi", "Môi trường", "Thành phố Đà Nẵng",
	"Phường Hòa Cường", "Phường Hải Châu", "toàn bộ khu vực", "Tiếp tục", "Bỏ qua", "Giữ bí mật", "Không cần",
	"Quay lại", "Hủy", "English", "Tra cứu", "Xem tình trạng", "Bổ sung", "PA-",
}

// Script operations: the byte's low seven bits choose one (modulo their
// number), the high bit the second citizen. The bytes after it choose
// what, as the switch in FuzzConversation reads them.
const (
	opText = iota
	opRawText
	opCommand
	opPress
	opForged
	opPhoto
	opPlace
	opContact
	opDocument
	opUnsupported
	opReplyKey
	opPressLabel
	ops
)

// Seed scripts are built with these.
func say(text string) []byte  { return []byte{opText, indexOf(conversationTexts, text)} }
func cmd(c string) []byte     { return []byte{opCommand, indexOf(conversationCommands, c)} }
func tap(label string) []byte { return []byte{opPressLabel, indexOf(conversationLabels, label)} }
func forge(data string) []byte {
	return append([]byte{opForged, byte(len(data))}, data...)
}
func indexOf(list []string, s string) byte {
	i := slices.Index(list, s)
	if i < 0 {
		panic(fmt.Sprintf("seed: %q is not in the list", s))
	}
	return byte(i)
}

func second(op []byte) []byte { return append([]byte{op[0] | 0x80}, op[1:]...) }

// maxConversationSteps bounds an iteration: each step is a transaction.
const maxConversationSteps = 30

// FuzzConversation plays a fuzz input as what one or two citizens do on the
// sample organisation: commands, texts of every shape, presses of the
// buttons the bot offered or of forged data, photos, locations, contacts,
// documents and stickers, each handled in its own transaction. Nothing may
// fail, and everything queued must be acceptable to Telegram.
func FuzzConversation(f *testing.F) {
	desc := say("Đèn đường hỏng cả tuần nay trên đường Bạch Đằng")
	toReview := slices.Concat(tap("Phản ánh"), tap("Môi trường"), tap("Thành phố Đà Nẵng"), tap("Phường Hòa Cường"))
	finish := slices.Concat(tap("Bỏ qua"), say("bỏ qua"), tap("Không cần")) // no photo, no phone
	for _, seed := range [][]byte{
		slices.Concat(cmd("start"), tap("Gửi phản ánh"), toReview, desc, []byte{opPhoto, 0}, tap("Tiếp tục"), say("bỏ qua"),
			tap("Không cần"), tap("Gửi phản ánh"),
			cmd("my"), tap("PA-"), tap("Bổ sung"), say("Trước nhà số 45 Núi Thành"), cmd("status PA-2026-000001")),
		slices.Concat(desc, say("kien nghi"), say("giao thong"), say("hai chau"), say("quay lại"), desc,
			say("bỏ qua"), say("0905 111 222"), say("có"), say("gửi")),
		slices.Concat(cmd("new"), toReview, say(strings.Repeat("<", 3000)), finish, tap("Quay lại"), tap("Quay lại")),
		slices.Concat(cmd("new"), toReview, say(strings.Repeat("😀", 3000)), tap("Bỏ qua"), say("0905 111 222"), tap("Giữ bí mật")),
		slices.Concat(cmd("new"), toReview, say(strings.Repeat("&", 2999)+"<"), []byte{opPhoto, 1}, tap("Tiếp tục"), say("0905 111 222"),
			say("không"), say("gửi")),
		slices.Concat(cmd("start a_hai-chau"), say(strings.Repeat("Rác thải ", 333)), tap("Phản ánh"), tap("Môi trường"),
			[]byte{opPlace, 0, opPhoto, 1, opPhoto, 2, opContact, 0, 0, opDocument, 3, 'a', '.', 'b', opUnsupported, 2}, finish),
		slices.Concat([]byte{opPlace, 1}, []byte{opReplyKey, 0}, tap("Khiếu nại"), tap("Vẫn gửi"), tap("Hủy"), cmd("cancel")),
		slices.Concat(cmd("start"), second(cmd("start")), tap("English"), second(tap("Gửi phản ánh")), forge("p:kind:set:to_cao"),
			second(forge("p:kind:set:to_cao")), forge("a:1"), forge("r:1:5"), second(desc), cmd("lang"), cmd("help")),
		slices.Concat(cmd("new"), []byte{opRawText, 4, 0xff, 'a', 0xc3, 0x28}, tap("Phản ánh"), say("a\x00b"), say("\u202eRTL\u202c"),
			say(strings.Repeat("x", 3001)), say("e\u0301\u0301\u0301\u0301"), say("<b>đậm</b> & <i>")),
	} {
		f.Add(seed)
	}

	w := sampleWorld(f)
	base := 100_000
	f.Fuzz(func(t *testing.T, input []byte) {
		w.t = t
		w.sent() // skip what earlier iterations queued
		base += 2
		people := []*citizen{w.citizen(base), w.citizen(base + 1)}
		keyboards := map[string][]offered{} // chat → buttons of the newest message with some
		replies := map[string][]string{}    // chat → texts of its reply keyboard
		s := script(input)
		for step := 0; step < maxConversationSteps && len(s) > 0; step++ {
			op := s.next()
			c := people[op>>7]
			ev := c.event()
			press := func(b offered) {
				ev.Button = &bot.Button{QueryID: "q" + fmt.Sprint(ev.UpdateID), Data: b.data, MessageID: b.messageID}
			}
			switch buttons := keyboards[c.id]; op & 0x7f % ops {
			case opText:
				ev.Text = pick(&s, conversationTexts)
			case opRawText:
				ev.Text = s.chunk()
			case opCommand:
				ev.Command, ev.Args, _ = strings.Cut(pick(&s, conversationCommands), " ")
				ev.Command = strings.ToLower(ev.Command)
			case opPress:
				if len(buttons) == 0 {
					buttons = []offered{{data: "m:new"}}
				}
				press(pick(&s, buttons))
			case opPressLabel:
				label := pick(&s, conversationLabels)
				b := offered{data: "p:x:" + label} // a label not on the screen: a forged press
				if i := slices.IndexFunc(buttons, func(b offered) bool { return strings.Contains(b.label, label) }); i >= 0 {
					b = buttons[i]
				}
				press(b)
			case opForged:
				press(offered{data: s.chunk()})
			case opPhoto:
				ev.Photo = &bot.File{ID: fmt.Sprintf("photo-%d", ev.UpdateID), UniqueID: fmt.Sprint(ev.UpdateID)}
				if n := s.next(); n%2 == 1 {
					ev.Text = conversationTexts[n%len(conversationTexts)]
				}
			case opPlace:
				p := pick(&s, conversationPlaces)
				ev.Location = &bot.Location{Latitude: p[0], Longitude: p[1]}
			case opContact:
				ev.Contact = &bot.Contact{Phone: pick(&s, []string{"0905123456", "+84 905 123 456", "", "12", "x"}), UserID: c.id}
				if s.next()%2 == 1 {
					ev.Contact.UserID = "" // someone else's card
				}
			case opDocument:
				ev.Document = &bot.File{ID: "doc", Name: s.chunk(), MIME: "application/pdf"}
			case opUnsupported:
				ev.Unsupported = pick(&s, []string{"sticker", "voice", "edited_message", "other"})
			case opReplyKey:
				ev.Text = pick(&s, slices.Concat(replies[c.id], []string{"📍 Gửi vị trí hiện tại"}))
			}
			w.handle(ev)
			out := w.sent()
			checkOutgoing(t, out)
			if ev.Button != nil && !slices.ContainsFunc(out, func(o bot.Outgoing) bool { return o.Kind == bot.KindAnswer }) {
				t.Fatalf("press of %q not answered", ev.Button.Data)
			}
			remember(w, out, keyboards, replies)
		}
	})
}

// remember notes the newest buttons and reply keyboard each chat was
// offered. Message ids are the outbox row's, as findButton has them.
func remember(w *world, out []bot.Outgoing, keyboards map[string][]offered, replies map[string][]string) {
	for i, o := range out {
		if o.Reply != nil {
			replies[o.ChatID] = nil
			for _, row := range o.Reply.Rows {
				for _, b := range row {
					replies[o.ChatID] = append(replies[o.ChatID], b.Text)
				}
			}
		}
		if o.RemoveReply {
			delete(replies, o.ChatID)
		}
		if len(o.Buttons) == 0 {
			continue
		}
		id := fmt.Sprint(w.lastOut - int64(len(out)-1-i))
		if o.Kind == bot.KindEdit {
			id = o.MessageID
		}
		keyboards[o.ChatID] = nil
		for _, row := range o.Buttons {
			for _, b := range row {
				keyboards[o.ChatID] = append(keyboards[o.ChatID], offered{id, b.Text, b.Data})
			}
		}
	}
}
