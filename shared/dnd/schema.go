package dnd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/sashabaranov/go-openai/jsonschema"
)

// SchemaVersion names the shape of the content types and their schemas;
// PromptVersion names the prompt templates in prompts/<PromptVersion>. Cache
// keys include both, so changing either never serves a stale document.
const (
	SchemaVersion = "v3"
	PromptVersion = "v3"
)

// ErrUnknownType is returned for a kind or type this package does not know.
var ErrUnknownType = errors.New("dnd: unknown content kind or type")

// spec ties a kind and type to its content types: model is what the model
// returns (and Schema describes); result is what is stored and returned (and
// ValidateContent checks). They differ for themes, where the service adds
// the original text and the similarity score itself; for locations, whose
// encounters the model drafts as words and picks and the service builds by
// the numbers; and for characters, where the model writes only words (a
// draft) and the service adds the identity and the numbers from the
// character's sheet.
type spec struct {
	model     reflect.Type
	result    reflect.Type
	about     string // root description of the schema
	maxTokens int    // the answer's token cap when the caller names none (MaxTokensFor)
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// The token caps below come from the offline generator's answers, 2,000
// seeds per type at levels 1-20, as compact JSON: the 99th percentile of
// their length in tokens (o200k_base, the gpt-4o tokenizer; EstimateTokens,
// bytes/4, is within 10% of it and above it for all but free-form text),
// times 1.5, rounded up to 100, and at least minMaxTokens. A cap is not
// billed, only what is written is: it stops runaway answers, and an answer
// it cuts off gets its repair turn under twice the cap. For a character
// the answer is the draft of words the service completes, measured as the
// offline generator's drafts (400 seeds, bytes/4 only).
//
//	type          p99 tokens  bytes/4  cap
//	sheet         -           643      1000 (a line per attack and item)
//	personality   -           340      600
//	backstory     -           539      900
//	combat        -           397      600
//	equipment     -           536      900
//	plot          481         515      800
//	location      -           681      1100 (encounters with their numbers and hazards; bytes/4 only)
//	quest         243         261      500
//	dialogue      -           459      700 (answering lines; bytes/4 only)
//	event         182         200      500
//	freeform      339         332      1000 (the prompt decides the length: the former default stays)
//	theme         1.73 x input at p99  max(500, 100 + 3 x input tokens), at most MaxTokensLimit
const (
	minMaxTokens = 500
	// A restyled draft (text and preserved elements) runs to 1.73 times
	// its input's tokens at the 99th percentile offline, whose sentence
	// rewrites add openers, closers and asides (1.50 at the median).
	themeTokensBase     = 100
	themeTokensPerInput = 3
)

var specs = map[string]map[string]spec{
	KindCharacter: {
		TypeSheet:       {typeOf[SheetDraft](), typeOf[Sheet](), "The words of a D&D 5e player character's sheet.", 1000},
		TypePersonality: {typeOf[PersonalityDraft](), typeOf[Personality](), "Personality of a D&D 5e player character.", 600},
		TypeBackstory:   {typeOf[BackstoryDraft](), typeOf[Backstory](), "Backstory of a D&D 5e player character.", 900},
		TypeCombat:      {typeOf[CombatDraft](), typeOf[Combat](), "Combat profile of a D&D 5e player character.", 600},
		TypeEquipment:   {typeOf[EquipmentDraft](), typeOf[Equipment](), "Equipment carried by a D&D 5e player character.", 900},
	},
	KindCampaign: {
		TypePlot:     {typeOf[Plot](), typeOf[Plot](), "Plot outline for a D&D 5e adventure.", 800},
		TypeLocation: {typeOf[LocationDraft](), typeOf[Location](), "A location for a D&D 5e adventure.", 1100},
		TypeQuest:    {typeOf[Quest](), typeOf[Quest](), "A quest for a D&D 5e party.", 500},
		TypeDialogue: {typeOf[Dialogue](), typeOf[Dialogue](), "A scripted conversation for a D&D 5e session.", 700},
		TypeEvent:    {typeOf[Event](), typeOf[Event](), "A world or story event for a D&D 5e campaign.", 500},
	},
	KindTheme: {
		TypeTheme: {typeOf[ThemeDraft](), typeOf[ThemeResult](), "A text restyled to a genre, tone and style.", minMaxTokens},
	},
	KindFreeform: {
		TypeFreeform: {typeOf[FreeformText](), typeOf[FreeformText](), "Free-form text for a tabletop role-playing game.", 1000},
	},
}

// MaxTokensFor is the token cap of the answer to req when its model options
// name none: sized per content type from measured answers (see the table
// above), and for a theme from the length of the text to restyle. It is 0
// for an unknown kind or type.
func MaxTokensFor(req TextRequest) int {
	s, _, err := lookup(req.Kind(), req.ContentType())
	if err != nil {
		return 0
	}
	n := s.maxTokens
	var content string
	switch r := req.(type) {
	case ThemeRequest:
		content = r.Content
	case *ThemeRequest:
		content = r.Content
	}
	if content != "" {
		n = max(n, themeTokensBase+themeTokensPerInput*EstimateTokens(content))
	}
	return min(n, MaxTokensLimit)
}

// EstimateTokens estimates the tokens of s as its bytes / 4, rounded up.
// For English prose and JSON it is within 10% of OpenAI's o200k_base count.
func EstimateTokens(s string) int { return (len(s) + 3) / 4 }

// lookup resolves kind and type. Theme and free-form kinds accept an empty
// type as well as their single type name.
func lookup(kind, typ string) (spec, string, error) {
	types, ok := specs[kind]
	if !ok {
		return spec{}, "", fmt.Errorf("%w: kind %q", ErrUnknownType, kind)
	}
	if typ == "" && len(types) == 1 {
		for t := range types {
			typ = t
		}
	}
	s, ok := types[typ]
	if !ok {
		return spec{}, "", fmt.Errorf("%w: %s type %q", ErrUnknownType, kind, typ)
	}
	return s, typ, nil
}

// Schema returns the name and strict JSON schema of the content a model must
// produce for kind and typ, ready for an OpenAI json_schema response format
// with strict set. For text.theme it describes a ThemeDraft: the service adds
// the original text and similarity itself (CompleteTheme).
//
// The schema uses only keywords strict mode accepts: type, description,
// enum, properties, required (every property), additionalProperties
// (false), items, minimum and maximum (every number), and minItems and
// maxItems (every list). The bounds come from the content types' tags,
// which ValidateContent enforces too, so the model is held to the same
// limits validation checks.
func Schema(kind, typ string) (name string, schema json.RawMessage, err error) {
	s, typ, err := lookup(kind, typ)
	if err != nil {
		return "", nil, err
	}
	n, err := compiled(s.model)
	if err != nil {
		return "", nil, err
	}
	name = "dnd_" + strings.ReplaceAll(kind, ".", "_") + "_" + typ + "_" + SchemaVersion
	return name, slices.Clone(n.raw), nil
}

// ResultSchema returns the JSON schema of the content a request of kind and
// typ yields: what ValidateContent checks and the API returns. It is
// Schema's for the types a model writes whole; for a theme, a location and a character
// it describes the completed content, which may hold null where a value
// does not apply (a sheet's spellcasting for a character who casts no
// spells).
func ResultSchema(kind, typ string) (json.RawMessage, error) {
	s, _, err := lookup(kind, typ)
	if err != nil {
		return nil, err
	}
	n, err := compiled(s.result)
	if err != nil {
		return nil, err
	}
	return slices.Clone(n.raw), nil
}

// node is a schema in the strict subset, with properties kept in struct
// field order so a model writes e.g. a title before the prose.
type node struct {
	Type        jsonschema.DataType
	Description string
	Enum        []string
	Props       []prop // objects
	Items       *node  // arrays
	// Min and Max bound a number (minimum, maximum); MinItems and MaxItems
	// a list. Every number and list has both (see bounds).
	Min, Max           float64
	MinItems, MaxItems int
	// Nullable admits null besides the type (a result field such as a
	// sheet's spellcasting; never in a model's schema).
	Nullable bool
	// Keyed is an object whose properties are named per request (one
	// description per attack of a character): without them it has none.
	Keyed bool
	raw   []byte // encoded root, set by compiled
}

type prop struct {
	name string
	node *node
}

// compiledSchemas builds the schema tree of every content type once.
var compiledSchemas = sync.OnceValues(func() (map[reflect.Type]*node, error) {
	out := map[reflect.Type]*node{}
	for _, types := range specs {
		for _, s := range types {
			for _, t := range []reflect.Type{s.model, s.result} {
				if _, ok := out[t]; ok {
					continue
				}
				n, err := buildSchema(t, s.about)
				if err != nil {
					return nil, err
				}
				out[t] = n
			}
		}
	}
	return out, nil
})

// compiled returns the strict schema tree for a registered content type.
func compiled(t reflect.Type) (*node, error) {
	all, err := compiledSchemas()
	if err != nil {
		return nil, err
	}
	n, ok := all[t]
	if !ok {
		return nil, fmt.Errorf("%w: content type %s", ErrUnknownType, t)
	}
	return n, nil
}

// buildSchema reflects t with go-openai's generator and converts the result
// to the strict subset: $refs are inlined, every object lists all its
// properties as required and forbids others, and item enums are added.
func buildSchema(t reflect.Type, about string) (*node, error) {
	def, err := jsonschema.GenerateSchemaForType(reflect.New(t).Elem().Interface())
	if err != nil {
		return nil, fmt.Errorf("schema for %s: %w", t.Name(), err)
	}
	n, err := convert(*def, def.Defs, t, 0)
	if err != nil {
		return nil, fmt.Errorf("schema for %s: %w", t.Name(), err)
	}
	if n.Type != jsonschema.Object {
		return nil, fmt.Errorf("schema for %s: root must be an object", t.Name())
	}
	n.Description = about
	var buf bytes.Buffer
	n.encode(&buf)
	n.raw = buf.Bytes()
	return n, nil
}

func convert(d jsonschema.Definition, defs map[string]jsonschema.Definition, t reflect.Type, depth int) (*node, error) {
	if depth > 16 {
		return nil, errors.New("schema nests too deeply or is recursive")
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if d.Ref != "" {
		target, ok := defs[strings.TrimPrefix(d.Ref, "#/$defs/")]
		if !ok {
			return nil, fmt.Errorf("unresolved reference %s", d.Ref)
		}
		desc, nullable := d.Description, d.Nullable
		d = target
		d.Nullable = nullable
		if desc != "" {
			d.Description = desc
		}
	}
	if len(d.AnyOf) > 0 {
		return nil, fmt.Errorf("%s: anyOf is not used in strict schemas", t)
	}
	n := &node{Type: d.Type, Description: d.Description, Enum: d.Enum, Nullable: d.Nullable, Keyed: t == keyedType}
	switch d.Type {
	case jsonschema.Object:
		if t.Kind() != reflect.Struct {
			return nil, fmt.Errorf("%s: object schema for a non-struct", t)
		}
		seen := 0
		for f := range t.Fields() {
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero") {
				return nil, fmt.Errorf("%s.%s: strict content fields must not be omitempty", t, f.Name)
			}
			pd, ok := d.Properties[name]
			if !ok {
				return nil, fmt.Errorf("%s.%s: property %q missing from generated schema", t, f.Name, name)
			}
			child, err := convert(pd, defs, f.Type, depth+1)
			if err != nil {
				return nil, err
			}
			if e := f.Tag.Get("itemenum"); e != "" {
				if child.Items == nil {
					return nil, fmt.Errorf("%s.%s: itemenum on a non-list", t, f.Name)
				}
				child.Items.Enum = strings.Split(e, ",")
			}
			if err := child.bounds(f.Tag); err != nil {
				return nil, fmt.Errorf("%s.%s: %w", t, f.Name, err)
			}
			n.Props = append(n.Props, prop{name, child})
			seen++
		}
		if seen != len(d.Properties) {
			return nil, fmt.Errorf("%s: generated schema has properties the struct lacks", t)
		}
	case jsonschema.Array:
		if d.Items == nil || (t.Kind() != reflect.Slice && t.Kind() != reflect.Array) {
			return nil, fmt.Errorf("%s: array schema without items", t)
		}
		items, err := convert(*d.Items, defs, t.Elem(), depth+1)
		if err != nil {
			return nil, err
		}
		if items.Type == jsonschema.Integer || items.Type == jsonschema.Number || items.Type == jsonschema.Array {
			return nil, fmt.Errorf("%s: a list of %ss has no tags to bound its items", t, items.Type)
		}
		n.Items = items
	case jsonschema.String, jsonschema.Integer, jsonschema.Number, jsonschema.Boolean:
	default:
		return nil, fmt.Errorf("%s: unsupported schema type %q", t, d.Type)
	}
	if len(n.Enum) > 0 && n.Type != jsonschema.String {
		return nil, fmt.Errorf("%s: enum on a non-string", t)
	}
	return n, nil
}

// Tags that bound a field: minimum and maximum for a number, minItems and
// maxItems for a list.
const (
	tagMin      = "minimum"
	tagMax      = "maximum"
	tagMinItems = "minItems"
	tagMaxItems = "maxItems"
)

// bounds reads the field tags that bound n. A number must carry minimum and
// maximum, a list minItems and maxItems, and nothing else may carry them:
// every number and list the model writes is bounded in its schema, and
// check enforces the same bounds.
func (n *node) bounds(tag reflect.StructTag) error {
	has := func(keys ...string) bool {
		for _, k := range keys {
			if _, ok := tag.Lookup(k); ok {
				return true
			}
		}
		return false
	}
	switch n.Type {
	case jsonschema.Integer, jsonschema.Number:
		if has(tagMinItems, tagMaxItems) {
			return errors.New("minItems and maxItems are for lists")
		}
		lo, err1 := strconv.ParseFloat(tag.Get(tagMin), 64)
		hi, err2 := strconv.ParseFloat(tag.Get(tagMax), 64)
		if err1 != nil || err2 != nil || lo > hi || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
			return errors.New(`a number needs minimum:"lo" maximum:"hi" tags with lo <= hi`)
		}
		if n.Type == jsonschema.Integer && (lo != math.Trunc(lo) || hi != math.Trunc(hi)) {
			return errors.New("an integer's bounds must be integers")
		}
		n.Min, n.Max = lo, hi
	case jsonschema.Array:
		if has(tagMin, tagMax) {
			return errors.New("minimum and maximum are for numbers")
		}
		lo, err1 := strconv.Atoi(tag.Get(tagMinItems))
		hi, err2 := strconv.Atoi(tag.Get(tagMaxItems))
		if err1 != nil || err2 != nil || lo < 0 || lo > hi || hi == 0 {
			return errors.New(`a list needs minItems:"lo" maxItems:"hi" tags with 0 <= lo <= hi, hi > 0`)
		}
		n.MinItems, n.MaxItems = lo, hi
	default:
		if has(tagMin, tagMax, tagMinItems, tagMaxItems) {
			return fmt.Errorf("bounds on a %s", n.Type)
		}
	}
	return nil
}

// encode writes the node as JSON with a fixed key order.
func (n *node) encode(b *bytes.Buffer) {
	str := func(s string) {
		var v bytes.Buffer
		enc := json.NewEncoder(&v)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s) // a string always encodes
		b.Write(bytes.TrimSuffix(v.Bytes(), []byte("\n")))
	}
	b.WriteString(`{"type":`)
	if n.Nullable {
		b.WriteByte('[')
		str(string(n.Type))
		b.WriteString(`,"null"]`)
	} else {
		str(string(n.Type))
	}
	if n.Description != "" {
		b.WriteString(`,"description":`)
		str(n.Description)
	}
	if len(n.Enum) > 0 {
		b.WriteString(`,"enum":[`)
		for i, e := range n.Enum {
			if i > 0 {
				b.WriteByte(',')
			}
			str(e)
		}
		b.WriteByte(']')
	}
	switch n.Type {
	case jsonschema.Integer, jsonschema.Number:
		fmt.Fprintf(b, `,"minimum":%s,"maximum":%s`, number(n.Min), number(n.Max))
	case jsonschema.Array:
		fmt.Fprintf(b, `,"minItems":%d,"maxItems":%d`, n.MinItems, n.MaxItems)
	}
	if n.Type == jsonschema.Object {
		b.WriteString(`,"properties":{`)
		for i, p := range n.Props {
			if i > 0 {
				b.WriteByte(',')
			}
			str(p.name)
			b.WriteByte(':')
			p.node.encode(b)
		}
		b.WriteString(`},"required":[`)
		for i, p := range n.Props {
			if i > 0 {
				b.WriteByte(',')
			}
			str(p.name)
		}
		b.WriteString(`],"additionalProperties":false`)
	}
	if n.Items != nil {
		b.WriteString(`,"items":`)
		n.Items.encode(b)
	}
	b.WriteByte('}')
}

// number writes a bound as JSON: integers without a fraction.
func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
