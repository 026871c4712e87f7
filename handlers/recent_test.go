package handlers

import "testing"

func TestRecentChatsNamedSince(t *testing.T) {
	var r recentChats
	held := map[string]bool{"7": true}
	mark := r.now()
	r.add([]string{"1", "2"})
	if r.namedSince(mark, held) {
		t.Fatal("Wakes of other chats named a held one")
	}
	r.add([]string{"3", "7"})
	if !r.namedSince(mark, held) {
		t.Fatal("a Wake of a held chat was missed")
	}
	if mark = r.now(); r.namedSince(mark, held) {
		t.Fatal("a Wake before the mark counted")
	}
	r.add(nil)
	if !r.namedSince(mark, held) {
		t.Fatal("a Wake of any chat did not count")
	}
	mark = r.now()
	for range len(r.wakes) + 1 {
		r.add([]string{"1"})
	}
	if !r.namedSince(mark, held) {
		t.Fatal("more Wakes than remembered must count, as any of them might have named it")
	}
}
