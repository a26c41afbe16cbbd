package dnd

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sashabaranov/go-openai/jsonschema"
)

// TestBoundsMatchValidation checks, for every content type (what the model
// writes and what the service returns), that each bound its schema states
// is the bound validation enforces: a sample document with the value or
// list just outside a bound is refused at that field with the bound's
// message, and one at the bound is not refused for it.
func TestBoundsMatchValidation(t *testing.T) {
	t.Parallel()
	for _, kt := range allKinds() {
		s, _, err := lookup(kt[0], kt[1])
		if err != nil {
			t.Fatal(err)
		}
		for _, typ := range []reflect.Type{s.model, s.result} {
			if typ == s.model && s.model == s.result {
				continue // the result run covers it
			}
			t.Run(kt[0]+"/"+kt[1]+"/"+typ.Name(), func(t *testing.T) {
				t.Parallel()
				root, err := compiled(typ)
				if err != nil {
					t.Fatal(err)
				}
				doc := sampleOf(t, kt[0], kt[1], typ)
				p := &prober{t: t, typ: typ, doc: doc}
				p.walk(root, "", func() any { return p.doc }, func(v any) { p.doc = v })
				// Free text, and the character drafts made only of words,
				// have nothing to bound.
				wordsOnly := []reflect.Type{typeOf[FreeformText](), typeOf[SheetDraft](), typeOf[EquipmentDraft]()}
				if p.bounded == 0 && !slices.Contains(wordsOnly, typ) {
					t.Errorf("%s has no bounded field", typ.Name())
				}
			})
		}
	}
}

type prober struct {
	t       *testing.T
	typ     reflect.Type
	doc     any
	bounded int
}

// walk visits n at path, read by get and replaced by set in p.doc.
func (p *prober) walk(n *node, path string, get func() any, set func(any)) {
	switch n.Type {
	case jsonschema.Object:
		m := get().(map[string]any)
		for _, pr := range n.Props {
			name := pr.name
			p.walk(pr.node, join(path, name), func() any { return m[name] }, func(v any) { m[name] = v })
		}
	case jsonschema.Array:
		p.bounded++
		list := get().([]any)
		fill := func(k int) []any {
			out := make([]any, k)
			for i := range out {
				out[i] = "x"
				if len(list) > 0 {
					out[i] = list[i%len(list)]
				}
			}
			return out
		}
		noun := func(k int) string { return fmt.Sprintf("%d entr%s", k, plural(k, "y", "ies")) }
		if n.MinItems > 0 {
			p.expect(path, set, fill(n.MinItems-1), "must have at least "+noun(n.MinItems), true)
		}
		p.expect(path, set, fill(n.MaxItems+1), "must have at most "+noun(n.MaxItems), true)
		set(list)
		if len(list) == 0 {
			if n.Items.Type == jsonschema.Object {
				p.t.Errorf("%s: the sample's list is empty; its items' bounds go untested", path)
			}
			return
		}
		p.walk(n.Items, path+"[0]", func() any { return list[0] }, func(v any) { list[0] = v })
	case jsonschema.Integer, jsonschema.Number:
		p.bounded++
		old := get()
		step := 1.0
		if n.Type == jsonschema.Number {
			step = 0.001
		}
		msg := "must be between " + number(n.Min) + " and " + number(n.Max)
		p.expect(path, set, n.Min-step, msg, true)
		p.expect(path, set, n.Max+step, msg, true)
		p.expect(path, set, n.Min, msg, false)
		p.expect(path, set, n.Max, msg, false)
		set(old)
	}
}

// expect sets the value at path to v and checks whether validation refuses
// the document at path with msg.
func (p *prober) expect(path string, set func(any), v any, msg string, refused bool) {
	p.t.Helper()
	set(v)
	b, err := json.Marshal(p.doc)
	if err != nil {
		p.t.Fatal(err)
	}
	err = validateAs(p.typ, b)
	var ce *ContentError
	got := errors.As(err, &ce) && ce.Field == path && ce.Message == msg
	if got != refused {
		p.t.Errorf("%s = %s: ValidateContent() = %v; want refused at %s with %q: %v",
			path, strings.TrimSpace(fmt.Sprint(v)), err, path, msg, refused)
	}
}

// TestBoundsFollowRequestLimits checks that the levels and party sizes a
// model writes share the request's limits.
func TestBoundsFollowRequestLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ      reflect.Type
		field    string
		min, max float64
	}{
		{typeOf[CharacterInfo](), "level", 1, MaxLevel},
		{typeOf[Plot](), "party_level", 1, MaxLevel},
		{typeOf[Plot](), "party_size", 1, MaxPartySize},
		{typeOf[Quest](), "recommended_level", 1, MaxLevel},
	}
	for _, tc := range tests {
		f, ok := fieldByJSON(tc.typ, tc.field)
		if !ok {
			t.Errorf("%s has no field %s", tc.typ.Name(), tc.field)
			continue
		}
		if got := f.Tag.Get(tagMin) + "-" + f.Tag.Get(tagMax); got != fmt.Sprintf("%v-%v", tc.min, tc.max) {
			t.Errorf("%s.%s bounds = %s, want %v-%v", tc.typ.Name(), tc.field, got, tc.min, tc.max)
		}
	}
}

func fieldByJSON(t reflect.Type, name string) (reflect.StructField, bool) {
	for f := range t.Fields() {
		if n, _, _ := strings.Cut(f.Tag.Get("json"), ","); n == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// TestBoundTagsAreChecked checks that a content type whose number or list
// lacks bounds, or carries the wrong kind, has no schema.
func TestBoundTagsAreChecked(t *testing.T) {
	t.Parallel()
	type noBounds struct {
		N int `json:"n"`
	}
	type halfBounds struct {
		L []string `json:"l" minItems:"1"`
	}
	type wrongKind struct {
		S string `json:"s" minimum:"1" maximum:"2"`
	}
	type itemsOnNumber struct {
		N int `json:"n" minItems:"1" maxItems:"2"`
	}
	type inverted struct {
		N int `json:"n" minimum:"5" maximum:"1"`
	}
	type fraction struct {
		N int `json:"n" minimum:"0.5" maximum:"1"`
	}
	type numberList struct {
		L []int `json:"l" minItems:"0" maxItems:"2"`
	}
	for _, v := range []any{noBounds{}, halfBounds{}, wrongKind{}, itemsOnNumber{}, inverted{}, fraction{}, numberList{}} {
		typ := reflect.TypeOf(v)
		if _, err := buildSchema(typ, "test"); err == nil {
			t.Errorf("buildSchema(%s) = nil error, want one naming the bad bounds", typ.Name())
		}
	}
	type ok struct {
		N int      `json:"n" minimum:"0" maximum:"3"`
		F float64  `json:"f" minimum:"0" maximum:"0.5"`
		L []string `json:"l" minItems:"0" maxItems:"2"`
	}
	n, err := buildSchema(typeOf[ok](), "test")
	if err != nil {
		t.Fatalf("buildSchema(ok) = %v", err)
	}
	want := `{"type":"object","description":"test","properties":{` +
		`"n":{"type":"integer","minimum":0,"maximum":3},` +
		`"f":{"type":"number","minimum":0,"maximum":0.5},` +
		`"l":{"type":"array","minItems":0,"maxItems":2,"items":{"type":"string"}}},` +
		`"required":["n","f","l"],"additionalProperties":false}`
	if string(n.raw) != want {
		t.Errorf("buildSchema(ok) = %s, want %s", n.raw, want)
	}
}
