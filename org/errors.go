package org

import (
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in an organisation file.
type Error struct {
	File string // as given to Parse; "" for a File built in code
	Line int    // 1-based; 0 when unknown (a File built in code)
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	case e.File != "":
		return e.File + ": " + e.Msg
	}
	return e.Msg
}

// ErrorList is every problem found in a file, by line: an administrator
// fixes them all in one go rather than one per import attempt.
type ErrorList []*Error

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// sorted orders the list by line, keeping the order of problems found on
// the same line; nil if empty, so it can be returned as an error.
func (l ErrorList) sorted() error {
	if len(l) == 0 {
		return nil
	}
	slices.SortStableFunc(l, func(a, b *Error) int { return a.Line - b.Line })
	return l
}
