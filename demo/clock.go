package demo

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/danvan-vn/danvan/workcal"
)

// clock is the sandbox's time: the real time plus an offset that only
// grows. It is kept in a file beside the database, because the tickets'
// timestamps and deadlines were computed with it.
type clock struct {
	mu     sync.Mutex
	file   string // "" keeps it in memory only
	state  clockState
	wallFn func() time.Time
}

type clockState struct {
	// Shifts record when the offset changed, so that messages sent before
	// an advance keep the time they were sent at.
	Shifts   []shift `json:"shifts"`
	Workdays int     `json:"workdays"` // advanced so far, for the page
}

type shift struct {
	At     time.Time     `json:"at"` // real time of the change
	Offset time.Duration `json:"offset"`
}

func loadClock(file string) (*clock, error) {
	c := &clock{file: file, wallFn: time.Now}
	if file == "" {
		return c, nil
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, err
	}
	return c, json.Unmarshal(data, &c.state)
}

// Now is the service's clock.
func (c *clock) Now() time.Time {
	now := c.wallFn()
	return now.Add(c.offsetAt(now))
}

// At converts a real instant (such as a message's date) to sandbox time.
func (c *clock) At(real time.Time) time.Time { return real.Add(c.offsetAt(real)) }

func (c *clock) offsetAt(real time.Time) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var off time.Duration
	for _, s := range c.state.Shifts {
		if s.At.After(real) {
			break
		}
		off = s.Offset
	}
	return off
}

// Workdays is how many working days the clock was advanced.
func (c *clock) Workdays() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state.Workdays
}

// Advance moves the clock n working days ahead, to the same time of day,
// and returns the new time.
func (c *clock) Advance(cal *workcal.Calendar, n int) (time.Time, error) {
	real := c.wallFn()
	now := c.Now().In(workcal.Location())
	day := cal.AddWorkdays(now, n).In(workcal.Location())
	target := time.Date(day.Year(), day.Month(), day.Day(), now.Hour(), now.Minute(), now.Second(), now.Nanosecond(), now.Location())
	c.mu.Lock()
	next := c.state
	next.Shifts = append(append([]shift(nil), c.state.Shifts...), shift{At: real, Offset: target.Sub(real)})
	next.Workdays += n
	c.mu.Unlock()
	if err := c.save(next); err != nil {
		return time.Time{}, err
	}
	c.mu.Lock()
	c.state = next
	c.mu.Unlock()
	return target, nil
}

func (c *clock) save(st clockState) error {
	if c.file == "" {
		return nil
	}
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp := c.file + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Clean(c.file))
}
