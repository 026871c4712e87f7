package telegramtest

import (
	"cmp"
	"slices"
)

const maxCommands = 100

type commandKey struct {
	scope CommandScope
	lang  string
}

var scopeTypes = []string{"default", "all_private_chats", "all_group_chats", "all_chat_administrators",
	"chat", "chat_administrators", "chat_member"}

// commandTarget parses scope and language_code, shared by the three
// *MyCommands methods.
func commandTarget(p params) (commandKey, *apiError) {
	sc := CommandScope{Type: "default"}
	if _, err := p.json("scope", &sc); err != nil {
		return commandKey{}, badRequest("can't parse BotCommandScope JSON object")
	}
	if !slices.Contains(scopeTypes, sc.Type) {
		return commandKey{}, badRequest("unsupported bot command scope type")
	}
	switch sc.Type {
	case "chat", "chat_administrators":
		if sc.ChatID == 0 {
			return commandKey{}, badRequest("chat not found")
		}
		sc.UserID = 0
	case "chat_member":
		if sc.ChatID == 0 || sc.UserID == 0 {
			return commandKey{}, badRequest("chat not found")
		}
	default:
		sc.ChatID, sc.UserID = 0, 0
	}
	lang := p.str("language_code")
	if lang != "" && (len(lang) != 2 || lang[0] < 'a' || lang[0] > 'z' || lang[1] < 'a' || lang[1] > 'z') {
		return commandKey{}, badRequest("invalid language code specified")
	}
	return commandKey{scope: sc, lang: lang}, nil
}

func validCommand(c string) bool {
	if len(c) < 1 || len(c) > 32 {
		return false
	}
	for i := 0; i < len(c); i++ {
		b := c[i]
		if !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '_') {
			return false
		}
	}
	return true
}

func (s *Server) setMyCommands(c *call) (any, *apiError) {
	var cmds []BotCommand
	ok, err := c.p.json("commands", &cmds)
	if !ok {
		return nil, badRequest("parameter \"commands\" is required")
	}
	if err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > maxCommands {
		return nil, badRequest("too many commands")
	}
	for _, cmd := range cmds {
		if !validCommand(cmd.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf16Len(cmd.Description); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	key, e := commandTarget(c.p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(cmds) == 0 {
		delete(s.st.commands, key)
	} else {
		s.st.commands[key] = CommandSet{Scope: key.scope, LanguageCode: key.lang, Commands: cmds}
	}
	s.notifyLocked()
	return true, nil
}

func (s *Server) getMyCommands(c *call) (any, *apiError) {
	key, e := commandTarget(c.p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Telegram answers for the exact scope and language, without falling
	// back to broader scopes.
	cmds := slices.Clone(s.st.commands[key].Commands)
	if cmds == nil {
		cmds = []BotCommand{}
	}
	return cmds, nil
}

func (s *Server) deleteMyCommands(c *call) (any, *apiError) {
	key, e := commandTarget(c.p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.st.commands, key)
	s.notifyLocked()
	return true, nil
}

// Commands returns every command list registered with setMyCommands, in a
// stable order (scope type, chat, user, language).
func (s *Server) Commands() []CommandSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CommandSet, 0, len(s.st.commands))
	for _, set := range s.st.commands {
		set.Commands = slices.Clone(set.Commands)
		out = append(out, set)
	}
	slices.SortFunc(out, func(a, b CommandSet) int {
		return cmp.Or(cmp.Compare(a.Scope.Type, b.Scope.Type), cmp.Compare(a.Scope.ChatID, b.Scope.ChatID),
			cmp.Compare(a.Scope.UserID, b.Scope.UserID), cmp.Compare(a.LanguageCode, b.LanguageCode))
	})
	return out
}

// CommandsFor returns the commands registered for a scope type (such as
// "default") and language code ("" for all languages).
func (s *Server) CommandsFor(scope CommandScope, languageCode string) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.commands[commandKey{scope: scope, lang: languageCode}].Commands)
}
