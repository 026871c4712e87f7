package org

import "go.yaml.in/yaml/v3"

// positions remembers where a parsed file wrote each section, item and
// field, so that validation errors can name their line. A nil *positions
// (a File built in code) answers 0 everywhere.
type positions struct {
	sections map[string]*yaml.Node   // section name → its key
	items    map[string][]*yaml.Node // section name → its items, in order
}

func newPositions(doc *yaml.Node) *positions {
	p := &positions{sections: map[string]*yaml.Node{}, items: map[string][]*yaml.Node{}}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return p // the typed decode reports the wrong shape
	}
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, value := top.Content[i], top.Content[i+1]
		p.sections[key.Value] = key
		if value.Kind == yaml.SequenceNode {
			p.items[key.Value] = value.Content
		}
	}
	return p
}

// section returns the line of a section's key, or 1 if it is missing.
func (p *positions) section(name string) int {
	if p == nil {
		return 0
	}
	if n := p.sections[name]; n != nil {
		return n.Line
	}
	return 1
}

// item returns the line where the i-th item of a section starts.
func (p *positions) item(section string, i int) int {
	if n := p.node(section, i); n != nil {
		return n.Line
	}
	return p.section(section)
}

// field returns the line of a field's value in the i-th item of a
// section, or the item's line if the field is absent.
func (p *positions) field(section string, i int, field string) int {
	if n := p.value(section, i, field); n != nil {
		return n.Line
	}
	return p.item(section, i)
}

// element returns the line of the j-th element of a list-valued field.
func (p *positions) element(section string, i int, field string, j int) int {
	if n := p.value(section, i, field); n != nil && n.Kind == yaml.SequenceNode && j < len(n.Content) {
		return n.Content[j].Line
	}
	return p.field(section, i, field)
}

func (p *positions) node(section string, i int) *yaml.Node {
	if p == nil || i >= len(p.items[section]) {
		return nil
	}
	return p.items[section][i]
}

func (p *positions) value(section string, i int, field string) *yaml.Node {
	n := p.node(section, i)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for k := 0; k+1 < len(n.Content); k += 2 {
		if n.Content[k].Value == field {
			return n.Content[k+1]
		}
	}
	return nil
}
