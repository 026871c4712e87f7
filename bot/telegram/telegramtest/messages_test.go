package telegramtest

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestSendMessageReturnsTelegramShapedMessage(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	srv.PushText(citizen, "xin chào")
	m1 := mustSend(t, bot, tgbotapi.NewMessage(citizen.ID, "Chào bạn"))
	m2 := mustSend(t, bot, tgbotapi.NewMessage(citizen.ID, "Bạn cần gì?"))
	if m1.MessageID != 2 || m2.MessageID != 3 {
		t.Fatalf("message ids %d, %d (the user's message is #1)", m1.MessageID, m2.MessageID)
	}
	if m1.From == nil || !m1.From.IsBot || m1.From.ID != srv.Bot().ID {
		t.Fatalf("from %+v", m1.From)
	}
	if m1.Chat.ID != citizen.ID || m1.Chat.Type != "private" || m1.Chat.FirstName != "Lan" {
		t.Fatalf("chat %+v", m1.Chat)
	}
	if d := time.Now().Unix() - int64(m1.Date); d < 0 || d > 5 {
		t.Fatalf("date %d is not Unix seconds", m1.Date)
	}
	// Another chat has its own message ids.
	other := mustSend(t, bot, tgbotapi.NewMessage(officer.ID, "x"))
	if other.MessageID != 1 {
		t.Fatalf("other chat id %d", other.MessageID)
	}
	sent := srv.Sent(citizen.ID)
	if len(sent) != 2 || sent[0].Text != "Chào bạn" || sent[1].Method != "sendMessage" || !sent[0].FromBot {
		t.Fatalf("sent %+v", sent)
	}
}

func TestSendMessageValidation(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	bad := func(text, parseMode, want string) {
		t.Helper()
		c := tgbotapi.NewMessage(citizen.ID, text)
		c.ParseMode = parseMode
		_, err := bot.Send(c)
		wantAPIError(t, err, 400, want)
	}
	bad("", "", "Bad Request: message text is empty")
	bad("  \n ", "", "Bad Request: message text is empty")
	bad(strings.Repeat("a", 4097), "", "Bad Request: message is too long")
	// Vietnamese letters are one UTF-16 unit each: 4096 of them fit.
	mustSend(t, bot, tgbotapi.NewMessage(citizen.ID, strings.Repeat("ệ", 4096)))
	// An emoji is two UTF-16 units.
	bad(strings.Repeat("a", 4095)+"🙂", "", "Bad Request: message is too long")
	// Tags do not count towards the limit.
	c := tgbotapi.NewMessage(citizen.ID, "<b>"+strings.Repeat("a", 4096)+"</b>")
	c.ParseMode = tgbotapi.ModeHTML
	mustSend(t, bot, c)

	bad("<b>open", "HTML", `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`)
	bad("<script>x</script>", "HTML", `Bad Request: can't parse entities: Unsupported start tag "script" at byte offset 0`)
	bad("a < b", "HTML", `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`)
	bad("<b>x</i>", "HTML", `Bad Request: can't parse entities: Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`)
	bad("x</b>", "HTML", "Bad Request: can't parse entities: Unexpected end tag at byte offset 1")
	bad("Tom & Jerry", "HTML", "Bad Request: can't parse entities: Unsupported HTML entity at byte offset 4; escape '&' as &amp;")
	bad("Giá 1.000đ", "MarkdownV2", `Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\'`)
	bad("*bold", "MarkdownV2", "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0")
	bad("x", "Shouting", "Bad Request: unsupported parse_mode")

	_, err := bot.Send(tgbotapi.NewMessage(0, "x"))
	wantAPIError(t, err, 400, "Bad Request: chat_id is empty")
}

func TestHTMLEntities(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	c := tgbotapi.NewMessage(citizen.ID, `Hồ sơ <b>PA-2026-000001</b> 🙂 <a href="https://dichvucong.gov.vn">xem</a> &lt;ok&gt;`)
	c.ParseMode = tgbotapi.ModeHTML
	m := mustSend(t, bot, c)
	if m.Text != "Hồ sơ PA-2026-000001 🙂 xem <ok>" {
		t.Fatalf("text %q", m.Text)
	}
	if len(m.Entities) != 2 {
		t.Fatalf("entities %+v", m.Entities)
	}
	if e := m.Entities[0]; e.Type != "bold" || e.Offset != 6 || e.Length != 14 {
		t.Fatalf("bold %+v", e)
	}
	// The emoji counts as two UTF-16 units.
	if e := m.Entities[1]; e.Type != "text_link" || e.Offset != 24 || e.Length != 3 || e.URL != "https://dichvucong.gov.vn/" {
		t.Fatalf("link %+v", e)
	}
	got, _ := srv.LastSent(citizen.ID)
	if got.RawText != c.Text || got.ParseMode != "HTML" {
		t.Fatalf("raw %q mode %q", got.RawText, got.ParseMode)
	}
}

func TestBareAmpersandCanBeAllowed(t *testing.T) {
	srv := start(t, Config{HTMLAllowBareAmpersand: true})
	bot := newBot(t, srv)
	c := tgbotapi.NewMessage(citizen.ID, "Tom & Jerry &amp; co")
	c.ParseMode = tgbotapi.ModeHTML
	if m := mustSend(t, bot, c); m.Text != "Tom & Jerry & co" {
		t.Fatalf("text %q", m.Text)
	}
}

func TestCallbackDataLimitIsInBytes(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	_, err := bot.Send(withKeyboard(tgbotapi.NewMessage(citizen.ID, "x"), "Chọn", strings.Repeat("a", 65)))
	wantAPIError(t, err, 400, "Bad Request: BUTTON_DATA_INVALID")
	// 22 Vietnamese letters of 3 bytes each = 66 bytes, although 22 characters.
	_, err = bot.Send(withKeyboard(tgbotapi.NewMessage(citizen.ID, "x"), "Chọn", strings.Repeat("ữ", 22)))
	wantAPIError(t, err, 400, "Bad Request: BUTTON_DATA_INVALID")
	m := mustSend(t, bot, withKeyboard(tgbotapi.NewMessage(citizen.ID, "x"), "Chọn", strings.Repeat("a", 64)))
	if m.ReplyMarkup == nil || *m.ReplyMarkup.InlineKeyboard[0][0].CallbackData != strings.Repeat("a", 64) {
		t.Fatalf("markup %+v", m.ReplyMarkup)
	}
	// A button without an action is rejected too.
	a := rawJSON(t, srv, "sendMessage", `{"chat_id":1001,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"no action"}]]}}`)
	if a.Status != 400 {
		t.Fatalf("got %+v", a)
	}
	if a := rawJSON(t, srv, "sendMessage", `{"chat_id":1001,"text":"x","reply_markup":"{nope"}`); a.Desc != "Bad Request: can't parse reply keyboard markup JSON object" {
		t.Fatalf("got %+v", a)
	}
}

func TestReplyKeyboards(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	c := tgbotapi.NewMessage(citizen.ID, "Gửi vị trí hoặc số điện thoại")
	c.ReplyMarkup = tgbotapi.NewOneTimeReplyKeyboard(tgbotapi.NewKeyboardButtonRow(
		tgbotapi.NewKeyboardButtonLocation("📍 Vị trí"), tgbotapi.NewKeyboardButtonContact("📞 Số điện thoại")))
	m := mustSend(t, bot, c)
	if m.ReplyMarkup != nil {
		t.Fatal("reply keyboards are not echoed in Message.reply_markup")
	}
	kb := srv.ReplyKeyboard(citizen.ID)
	if kb == nil || !kb.OneTimeKeyboard || !kb.Rows[0][0].RequestLocation || !kb.Rows[0][1].RequestContact {
		t.Fatalf("keyboard %+v", kb)
	}
	if last, _ := srv.LastSent(citizen.ID); last.ReplyKeyboard == nil {
		t.Fatal("message does not record its keyboard")
	}
	rm := tgbotapi.NewMessage(citizen.ID, "Cảm ơn")
	rm.ReplyMarkup = tgbotapi.NewRemoveKeyboard(false)
	mustSend(t, bot, rm)
	if srv.ReplyKeyboard(citizen.ID) != nil {
		t.Fatal("keyboard not removed")
	}
	if last, _ := srv.LastSent(citizen.ID); !last.RemoveKeyboard {
		t.Fatal("RemoveKeyboard not recorded")
	}
}

func TestEditMessageText(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	m := mustSend(t, bot, withKeyboard(tgbotapi.NewMessage(citizen.ID, "Đang xử lý"), "Huỷ", "cancel"))

	// Same text and same keyboard: not modified.
	same := tgbotapi.NewEditMessageTextAndMarkup(citizen.ID, m.MessageID, "Đang xử lý", *m.ReplyMarkup)
	_, err := bot.Send(same)
	wantAPIError(t, err, 400, "Bad Request: "+errNotModified)

	edited := mustSend(t, bot, tgbotapi.NewEditMessageTextAndMarkup(citizen.ID, m.MessageID, "Đã tiếp nhận", *m.ReplyMarkup))
	if edited.Text != "Đã tiếp nhận" || edited.EditDate == 0 || edited.MessageID != m.MessageID {
		t.Fatalf("edited %+v", edited)
	}
	// Editing the text without reply_markup removes the keyboard.
	mustSend(t, bot, tgbotapi.NewEditMessageText(citizen.ID, m.MessageID, "Đã xong"))
	got, _ := srv.Message(citizen.ID, m.MessageID)
	if got.Text != "Đã xong" || got.InlineKeyboard != nil || got.EditCount != 2 {
		t.Fatalf("stored %+v", got)
	}
	if sent := srv.Sent(citizen.ID); len(sent) != 1 {
		t.Fatalf("edits must not add messages: %d", len(sent))
	}

	_, err = bot.Send(tgbotapi.NewEditMessageText(citizen.ID, 999, "x"))
	wantAPIError(t, err, 400, "Bad Request: message to edit not found")

	user := srv.PushText(citizen, "tin của tôi")
	_, err = bot.Send(tgbotapi.NewEditMessageText(citizen.ID, user.MessageID, "x"))
	wantAPIError(t, err, 400, "Bad Request: message can't be edited")
}

func TestEditMessageReplyMarkup(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	m := mustSend(t, bot, withKeyboard(tgbotapi.NewMessage(citizen.ID, "Chọn"), "A", "a"))
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("B", "b")))
	mustSend(t, bot, tgbotapi.NewEditMessageReplyMarkup(citizen.ID, m.MessageID, kb))
	_, err := bot.Send(tgbotapi.NewEditMessageReplyMarkup(citizen.ID, m.MessageID, kb))
	wantAPIError(t, err, 400, "Bad Request: "+errNotModified)
	got, _ := srv.Message(citizen.ID, m.MessageID)
	if b, ok := got.Button("B"); !ok || b.CallbackData != "b" || got.EditCount != 1 {
		t.Fatalf("stored %+v", got)
	}
	// Removing the keyboard: reply_markup omitted.
	if a := rawCall(t, srv, "editMessageReplyMarkup", url.Values{"chat_id": {"1001"}, "message_id": {"1"}}); !a.OK {
		t.Fatalf("remove: %+v", a)
	}
	if a := rawCall(t, srv, "editMessageReplyMarkup", url.Values{"chat_id": {"1001"}, "message_id": {"1"}}); a.Status != 400 {
		t.Fatalf("second removal should be not modified: %+v", a)
	}
	_, err = bot.Send(tgbotapi.NewEditMessageReplyMarkup(citizen.ID, 42, kb))
	wantAPIError(t, err, 400, "Bad Request: message to edit not found")
}

func TestDeleteMessage(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	m := mustSend(t, bot, tgbotapi.NewMessage(citizen.ID, "tạm"))
	if _, err := bot.Request(tgbotapi.NewDeleteMessage(citizen.ID, m.MessageID)); err != nil {
		t.Fatal(err)
	}
	if len(srv.Sent(citizen.ID)) != 0 {
		t.Fatal("deleted message still in Sent")
	}
	if h := srv.History(citizen.ID); len(h) != 1 || !h[0].Deleted {
		t.Fatalf("history %+v", h)
	}
	_, err := bot.Request(tgbotapi.NewDeleteMessage(citizen.ID, m.MessageID))
	wantAPIError(t, err, 400, "Bad Request: message to delete not found")
}

// WaitChange reports every change the bot makes in a chat, deletions
// included, and nothing in other chats.
func TestWaitChangeSeesDeletions(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m := mustSend(t, bot, tgbotapi.NewMessage(citizen.ID, "tạm"))
	cur, err := srv.WaitChange(ctx, 0, citizen.ID)
	if err != nil || cur != srv.Cursor() {
		t.Fatalf("after a send: cursor %d, %v (server at %d)", cur, err, srv.Cursor())
	}
	mustSend(t, bot, tgbotapi.NewMessage(officer.ID, "khác"))
	quick, stop := context.WithTimeout(ctx, 50*time.Millisecond)
	defer stop()
	if _, err := srv.WaitChange(quick, srv.Cursor()-1, citizen.ID); err == nil {
		t.Fatal("a message in another chat woke the citizen's waiter")
	}
	if _, err := bot.Request(tgbotapi.NewDeleteMessage(citizen.ID, m.MessageID)); err != nil {
		t.Fatal(err)
	}
	if next, err := srv.WaitChange(ctx, cur, citizen.ID); err != nil || next <= cur {
		t.Fatalf("after a deletion: cursor %d, %v", next, err)
	}
}

func TestCopyAndForward(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	group := GroupChat(-4001, "Cán bộ phường")
	if err := srv.AddChat(group); err != nil {
		t.Fatal(err)
	}
	p := srv.PushText(citizen, "Đèn đường hỏng ở ngõ 5")

	id, err := bot.CopyMessage(tgbotapi.NewCopyMessage(group.ID, citizen.ID, p.MessageID))
	if err != nil {
		t.Fatal(err)
	}
	cp, _ := srv.Message(group.ID, id.MessageID)
	if cp.Text != "Đèn đường hỏng ở ngõ 5" || !cp.FromBot || cp.ForwardFrom != nil {
		t.Fatalf("copy %+v", cp)
	}
	fw := mustSend(t, bot, tgbotapi.NewForward(group.ID, citizen.ID, p.MessageID))
	if fw.ForwardFrom == nil || fw.ForwardFrom.ID != citizen.ID || fw.Chat.Type != "group" || fw.Chat.Title != "Cán bộ phường" {
		t.Fatalf("forward %+v", fw)
	}
	_, err = bot.CopyMessage(tgbotapi.NewCopyMessage(group.ID, citizen.ID, 77))
	wantAPIError(t, err, 400, "Bad Request: message to copy not found")
	_, err = bot.Send(tgbotapi.NewForward(group.ID, citizen.ID, 77))
	wantAPIError(t, err, 400, "Bad Request: message to forward not found")
}

func TestSendChatAction(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	if _, err := bot.Request(tgbotapi.NewChatAction(citizen.ID, tgbotapi.ChatTyping)); err != nil {
		t.Fatal(err)
	}
	_, err := bot.Request(tgbotapi.NewChatAction(citizen.ID, "dancing"))
	wantAPIError(t, err, 400, "Bad Request: wrong parameter action in request")
	if a := srv.ChatActions(citizen.ID); len(a) != 1 || a[0].Action != "typing" {
		t.Fatalf("actions %+v", a)
	}
}

func TestMyCommands(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	vi := []tgbotapi.BotCommand{{Command: "start", Description: "Bắt đầu"}, {Command: "status", Description: "Tra cứu hồ sơ"}}
	if _, err := bot.Request(tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeAllPrivateChats(), "vi", vi...)); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "help", Description: "Help"})); err != nil {
		t.Fatal(err)
	}
	got, err := bot.GetMyCommandsWithConfig(tgbotapi.NewGetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeAllPrivateChats(), "vi"))
	if err != nil || len(got) != 2 || got[1].Command != "status" {
		t.Fatalf("got %+v, %v", got, err)
	}
	// No fallback between scopes.
	if got, _ := bot.GetMyCommandsWithConfig(tgbotapi.NewGetMyCommandsWithScope(tgbotapi.NewBotCommandScopeAllGroupChats())); len(got) != 0 {
		t.Fatalf("group scope %+v", got)
	}
	sets := srv.Commands()
	if len(sets) != 2 || sets[0].Scope.Type != "all_private_chats" || sets[0].LanguageCode != "vi" || sets[1].Scope.Type != "default" {
		t.Fatalf("sets %+v", sets)
	}
	if cmds := srv.CommandsFor(CommandScope{Type: "default"}, ""); len(cmds) != 1 || cmds[0].Command != "help" {
		t.Fatalf("default %+v", cmds)
	}
	_, err = bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "Bad-Command", Description: "x"}))
	wantAPIError(t, err, 400, "Bad Request: BOT_COMMAND_INVALID")
	if _, err := bot.Request(tgbotapi.NewDeleteMyCommands()); err != nil {
		t.Fatal(err)
	}
	if len(srv.Commands()) != 1 {
		t.Fatalf("after delete %+v", srv.Commands())
	}
}

func TestRequireKnownChat(t *testing.T) {
	srv := start(t, Config{RequireKnownChat: true})
	bot := newBot(t, srv)
	_, err := bot.Send(tgbotapi.NewMessage(424242, "hello?"))
	wantAPIError(t, err, 400, "Bad Request: chat not found")
	srv.PushText(citizen, "hi")
	mustSend(t, bot, tgbotapi.NewMessage(citizen.ID, "hello"))

	// Without the option, unknown chats are accepted.
	open := start(t, Config{})
	mustSend(t, newBot(t, open), tgbotapi.NewMessage(424242, "hello"))
}

func TestBlockedUser(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	srv.PushText(citizen, "hi")
	srv.BlockBot(citizen.ID)
	_, err := bot.Send(tgbotapi.NewMessage(citizen.ID, "are you there?"))
	wantAPIError(t, err, 403, "Forbidden: bot was blocked by the user")
	ups := poll(t, bot, 0, 0)
	last := ups[len(ups)-1]
	if last.MyChatMember == nil || last.MyChatMember.NewChatMember.Status != "kicked" {
		t.Fatalf("no my_chat_member update: %+v", last)
	}
	// Writing to the bot again unblocks it.
	srv.PushText(citizen, "tôi quay lại")
	mustSend(t, bot, tgbotapi.NewMessage(citizen.ID, "chào mừng trở lại"))
}

func TestGroupMessagesAndMigration(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	group := GroupChat(-4001, "Cán bộ phường")
	p := srv.PushGroupText(group, officer, "/assign PA-2026-000001")
	ups := poll(t, bot, 0, 0)
	m := ups[0].Message
	if m.Chat.ID != group.ID || m.Chat.Type != "group" || m.From.ID != officer.ID || m.Command() != "assign" || p.ChatID != group.ID {
		t.Fatalf("group message %+v", m)
	}
	if err := srv.MigrateChat(group.ID, -1001234567890); err != nil {
		t.Fatal(err)
	}
	_, err := bot.Send(tgbotapi.NewMessage(group.ID, "x"))
	e := tgError(t, err)
	if e.Code != 400 || e.MigrateToChatID != -1001234567890 {
		t.Fatalf("migration error %+v", e)
	}
	mustSend(t, bot, tgbotapi.NewMessage(-1001234567890, "ok"))
}

// Group privacy mode is on by default, as on Telegram: in a group the bot
// receives commands not meant for another bot, replies to its messages and
// mentions of its @username, and nothing else.
func TestPrivacyMode(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	if bot.Self.CanReadAllGroupMessages {
		t.Fatal("getMe: can_read_all_group_messages must be false in privacy mode")
	}
	group := GroupChat(-4001, "Cán bộ")
	other := User{ID: 2003, FirstName: "Hoa", Username: "hoa_can_bo"}
	for _, c := range []struct {
		text string
		want bool
	}{
		{"chào mọi người", false},
		{"/status", true},
		{"/status PA-2026-000001", true},
		{"/status@danvan_test_bot", true},
		{"/status@Danvan_Test_Bot PA-2026-000001", true},
		{"/status@other_bot", false},
		{"hỏi @danvan_test_bot", true},
		{"hỏi @DANVAN_TEST_BOT nhé", true},
		{"hỏi @danvan_test_bot2", false},
		{"hỏi @" + other.Username, false},
		{"danvan_test_bot", false},
	} {
		if p := srv.PushGroupText(group, officer, c.text); p.Queued != c.want {
			t.Errorf("%q queued = %v, want %v", c.text, p.Queued, c.want)
		}
	}
	if p := srv.PushText(officer, "chào bot"); !p.Queued {
		t.Error("private messages always reach the bot")
	}

	prompt := mustSend(t, bot, tgbotapi.NewMessage(group.ID, "Lý do?"))
	plain := srv.PushGroupText(group, officer, "Đã xử lý.")
	if p, err := srv.PushMessage(Incoming{Chat: &group, From: officer, Text: "Đã xử lý.", ReplyTo: prompt.MessageID}); err != nil || !p.Queued {
		t.Errorf("a reply to the bot must reach it (%v)", err)
	}
	if p, err := srv.PushMessage(Incoming{Chat: &group, From: other, Text: "Đúng rồi", ReplyTo: plain.MessageID}); err != nil || p.Queued {
		t.Errorf("a reply to a person must not reach the bot (%v)", err)
	}
	if p, err := srv.PushMessage(Incoming{Chat: &group, From: officer, Photo: SamplePhoto(10, 10), Caption: "/photo"}); err != nil || !p.Queued {
		t.Errorf("a command in a caption must reach the bot (%v)", err)
	}
	if p, err := srv.PushEdit(officer, group.ID, plain.MessageID, "@danvan_test_bot Đã xử lý."); err != nil || p.Queued {
		t.Errorf("the edit of a message the bot never got must not reach it (%v)", err)
	}
	if err := srv.MigrateChat(group.ID, -1004001); err != nil {
		t.Fatal(err)
	}
	ups := poll(t, bot, 0, 0)
	last := ups[len(ups)-1].Message
	if last == nil || last.MigrateToChatID != -1004001 {
		t.Errorf("service messages always reach the bot: last update %+v", ups[len(ups)-1])
	}
}

// Turning privacy mode off, as BotFather's /setprivacy does, gives the bot
// every group message.
func TestReadAllGroupMessages(t *testing.T) {
	srv := start(t, Config{ReadAllGroupMessages: true})
	bot := newBot(t, srv)
	if !bot.Self.CanReadAllGroupMessages {
		t.Fatal("getMe: can_read_all_group_messages must be true with privacy mode off")
	}
	if p := srv.PushGroupText(GroupChat(-4001, "Cán bộ"), officer, "chào mọi người"); !p.Queued {
		t.Fatal("plain group text must reach a bot with privacy mode off")
	}
}

// A Telegram app opens the reply box on a force_reply message meant for
// its user; ForceReplyFor tells which message that is.
func TestForceReplyFor(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	group := GroupChat(-4001, "Cán bộ")
	other := User{ID: 2003, FirstName: "Hoa", Username: "hoa_can_bo"}
	if err := srv.AddChat(group); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.ForceReplyFor(group.ID, officer); ok {
		t.Fatal("no prompt yet")
	}
	ask := func(text string, selective bool) int {
		m := tgbotapi.NewMessage(group.ID, text)
		m.ParseMode = tgbotapi.ModeHTML
		m.ReplyMarkup = tgbotapi.ForceReply{ForceReply: true, Selective: selective}
		return mustSend(t, bot, m).MessageID
	}
	want := func(u User, id int) {
		t.Helper()
		m, ok := srv.ForceReplyFor(group.ID, u)
		if got := map[bool]int{true: m.ID}[ok]; got != id {
			t.Fatalf("ForceReplyFor(%s) = %d, want %d", u.FirstName, got, id)
		}
	}

	id := ask(`<a href="tg://user?id=2002">Minh</a> Lý do?`, true)
	want(officer, id)
	want(other, 0)
	// Messages without reply markup leave the reply box open.
	mustSend(t, bot, tgbotapi.NewMessage(group.ID, "Phiếu mới"))
	want(officer, id)
	// Once the person has written, the box is closed.
	if _, err := srv.PushMessage(Incoming{Chat: &group, From: officer, Text: "Hỏng đèn", ReplyTo: id}); err != nil {
		t.Fatal(err)
	}
	want(officer, 0)

	id = ask("@hoa_can_bo Lý do?", true)
	want(other, id)
	want(officer, 0)
	id = ask("Ai trả lời?", false)
	want(officer, id)
	want(other, id)
	// A newer keyboard for everyone replaces the reply box.
	kb := tgbotapi.NewMessage(group.ID, "Chọn")
	kb.ReplyMarkup = tgbotapi.NewReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButton("Có")))
	mustSend(t, bot, kb)
	want(officer, 0)
}
