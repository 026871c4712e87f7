package handlers

import "sync"

// recentChats remembers the chats named by the latest Wakes, so that a
// worker that held a batch can tell whether one of its chats got an
// update meanwhile: that update was not claimable while the batch held
// its chat, so whichever worker the Wake woke left it waiting.
type recentChats struct {
	mu  sync.Mutex
	seq uint64 // Wakes so far
	// wakes holds the chats of the latest Wakes (nil: any chat), by seq
	// modulo their number.
	wakes [64][]string
}

// add records a Wake for chats (nil for any chat).
func (r *recentChats) add(chats []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	r.wakes[r.seq%uint64(len(r.wakes))] = chats
}

// now returns a mark for namedSince.
func (r *recentChats) now() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seq
}

// namedSince reports whether a Wake after mark named one of held's chats,
// named no chat in particular, or came too long ago to be told apart.
func (r *recentChats) namedSince(mark uint64, held map[string]bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seq-mark > uint64(len(r.wakes)) {
		return true
	}
	for seq := mark + 1; seq <= r.seq; seq++ {
		chats := r.wakes[seq%uint64(len(r.wakes))]
		if chats == nil {
			return true
		}
		for _, c := range chats {
			if held[c] {
				return true
			}
		}
	}
	return false
}
