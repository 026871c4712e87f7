package org

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// maxFileSize bounds what Parse reads; a real organisation file is tens of
// kilobytes.
const maxFileSize = 8 << 20

// Parse reads and validates an organisation file. name is used in error
// messages only. An invalid file yields an ErrorList whose every entry
// names a line: "org.yaml:42: unit "x": unknown parent "y"".
func Parse(name string, r io.Reader) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("org: read %s: %w", name, err)
	}
	if len(data) > maxFileSize {
		return nil, ErrorList{{File: name, Line: 1, Msg: fmt.Sprintf("file larger than %d bytes", maxFileSize)}}
	}

	// Two passes over the same bytes: into a node tree, for the line of
	// every item and field, and into the structs with KnownFields, so that
	// a misspelt field is an error rather than silently ignored (Node.Decode
	// cannot check fields).
	root, err := parseTree(name, data)
	if err != nil {
		return nil, withLines(err, data)
	}
	f := &File{name: name, pos: newPositions(root)}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(f); err != nil {
		return nil, yamlErrors(name, err, root)
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return f, nil
}

// parseTree decodes the one YAML document in data.
func parseTree(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return nil, ErrorList{{File: name, Line: 1, Msg: "the file is empty"}}
	case err != nil:
		return nil, yamlErrors(name, err, nil)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
		return &doc, nil
	case err != nil:
		return nil, yamlErrors(name, err, nil)
	}
	return nil, ErrorList{{File: name, Line: next.Line, Msg: "a second YAML document; the file must hold exactly one"}}
}

// withLines gives a line to the yaml package's encoding errors, which
// have none ("invalid leading UTF-8 octet", "control characters are not
// allowed"): the line of the first byte YAML does not accept.
func withLines(err error, data []byte) error {
	var list ErrorList
	if !errors.As(err, &list) {
		return err
	}
	for _, e := range list {
		if e.Line == 0 {
			e.Line = badByteLine(data)
		}
	}
	return list
}

func badByteLine(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		switch {
		case r == '\n':
			line++
		case r == utf8.RuneError && size == 1, r < 0x20 && r != '\t' && r != '\r', r == 0x7f:
			return line
		}
		data = data[size:]
	}
	return 1
}

// yamlLine matches the "line N: " the yaml package puts in its messages;
// the rest may span lines (a type error quotes the value it refused).
var yamlLine = regexp.MustCompile(`(?s)^(?:yaml: )?line (\d+): (.*)$`)

// yamlErrors turns the yaml package's syntax and type errors into an
// ErrorList with proper lines. root, the file's node tree (nil for a
// syntax error), names the field of a value of the wrong type.
func yamlErrors(name string, err error, root *yaml.Node) error {
	var msgs []string
	if te := (*yaml.TypeError)(nil); errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	var list ErrorList
	for _, msg := range msgs {
		e := &Error{File: name, Msg: strings.TrimPrefix(msg, "yaml: ")}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			e.Msg = explainTypeError(explainUnknownField(m[2]), e.Line, root)
		}
		list = append(list, e)
	}
	return list.sorted()
}

var unknownField = regexp.MustCompile(`^field (\S+) not found in type org\.(\w+)$`)

// explainUnknownField rewrites the yaml package's "field x not found in
// type org.Unit" for an administrator, listing the fields that exist.
func explainUnknownField(msg string) string {
	m := unknownField.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	what, t := "field", map[string]reflect.Type{
		"File":     reflect.TypeFor[File](),
		"Area":     reflect.TypeFor[Area](),
		"Category": reflect.TypeFor[Category](),
		"Unit":     reflect.TypeFor[Unit](),
		"Rule":     reflect.TypeFor[Rule](),
	}[m[2]]
	if t == nil {
		return msg
	}
	where := " in " + strings.ToLower(m[2])
	if m[2] == "File" {
		what, where = "section", ""
	}
	return fmt.Sprintf("unknown %s %q%s; known: %s", what, m[1], where, strings.Join(yamlFields(t), ", "))
}

var wrongType = regexp.MustCompile("(?s)^cannot unmarshal !!\\w+ `(.*)` into (\\S+)$")

// explainTypeError rewrites the yaml package's "cannot unmarshal !!str
// `16,03` into float64" for an administrator: the field, what it takes
// and the value given.
func explainTypeError(msg string, line int, root *yaml.Node) string {
	m := wrongType.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	value, goType := m[1], m[2]
	var takes string
	switch {
	case strings.HasPrefix(goType, "float"):
		takes = "a number, with a decimal point (16.0544)"
		if strings.Contains(value, ",") {
			takes = fmt.Sprintf("a number with a decimal point: %s", strings.ReplaceAll(value, ",", "."))
		}
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		takes = "a whole number"
	case goType == "bool":
		takes = "true or false"
	case strings.HasPrefix(goType, "[]"):
		takes = "a list: [a, b] or one \"- item\" a line"
	case goType == "string":
		takes = "text"
	default:
		takes = "a block of fields"
	}
	field := "this value"
	if key := keyOfValue(root, line, value); key != "" {
		field = key
	}
	return fmt.Sprintf("%s must be %s, not %q", field, takes, value)
}

// keyOfValue finds, in the tree under n, the key of the scalar value on the
// given line.
func keyOfValue(n *yaml.Node, line int, value string) string {
	if n == nil {
		return ""
	}
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 1 && c.Kind == yaml.ScalarNode && c.Line == line && c.Value == value {
			return n.Content[i-1].Value
		}
		if key := keyOfValue(c, line, value); key != "" {
			return key
		}
	}
	return ""
}

// yamlFields lists the YAML names of a struct's fields.
func yamlFields(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}
