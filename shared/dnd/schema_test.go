package dnd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// allKinds lists every kind and type pair.
func allKinds() [][2]string {
	var out [][2]string
	for _, k := range []string{KindCharacter, KindCampaign, KindTheme, KindFreeform} {
		for _, typ := range Types(k) {
			out = append(out, [2]string{k, typ})
		}
	}
	return out
}

var schemaName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

func TestSchemaStrict(t *testing.T) {
	t.Parallel()
	for _, kt := range allKinds() {
		t.Run(kt[0]+"/"+kt[1], func(t *testing.T) {
			t.Parallel()
			name, raw, err := Schema(kt[0], kt[1])
			if err != nil {
				t.Fatalf("Schema(%q, %q) error: %v", kt[0], kt[1], err)
			}
			if !schemaName.MatchString(name) {
				t.Errorf("Schema(%q, %q) name = %q, want ^[a-zA-Z0-9_-]{1,64}$", kt[0], kt[1], name)
			}
			var tree map[string]any
			if err := json.Unmarshal(raw, &tree); err != nil {
				t.Fatalf("schema is not JSON: %v", err)
			}
			if tree["type"] != "object" {
				t.Errorf("root type = %v, want object", tree["type"])
			}
			checkStrict(t, "$", tree)
			if _, err := jsonschema.CompileString(name+".json", string(raw)); err != nil {
				t.Errorf("schema does not compile as JSON Schema: %v", err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, raw, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			golden(t, "schema_"+name, pretty.Bytes())
		})
	}
}

// checkStrict walks a schema and fails on anything OpenAI's strict mode
// rejects (unknown keywords, objects without additionalProperties false or
// with properties missing from required) and on numbers and lists without
// bounds.
func checkStrict(t *testing.T, path string, n map[string]any) {
	t.Helper()
	allowed := []string{"type", "description", "enum", "properties", "required", "additionalProperties", "items",
		"minimum", "maximum", "minItems", "maxItems"}
	for k := range n {
		if !slices.Contains(allowed, k) {
			t.Errorf("%s: keyword %q is not in the strict subset", path, k)
		}
	}
	switch n["type"] {
	case "object":
		if n["additionalProperties"] != false {
			t.Errorf("%s: additionalProperties = %v, want false", path, n["additionalProperties"])
		}
		props, _ := n["properties"].(map[string]any)
		req, _ := n["required"].([]any)
		// Descriptions keyed by name get their properties per request.
		keyed := strings.HasPrefix(fmt.Sprint(n["description"]), "One property per")
		if len(props) == 0 && !keyed || len(req) != len(props) {
			t.Errorf("%s: %d properties, %d required; want all required", path, len(props), len(req))
		}
		for _, r := range req {
			p, ok := props[r.(string)].(map[string]any)
			if !ok {
				t.Errorf("%s: required %v is not a property", path, r)
				continue
			}
			checkStrict(t, path+"."+r.(string), p)
		}
	case "array":
		items, ok := n["items"].(map[string]any)
		if !ok {
			t.Fatalf("%s: array without items", path)
		}
		lo, okLo := n["minItems"].(float64)
		hi, okHi := n["maxItems"].(float64)
		if !okLo || !okHi || lo < 0 || hi < lo || hi == 0 {
			t.Errorf("%s: minItems %v, maxItems %v; want 0 <= minItems <= maxItems, maxItems > 0", path, n["minItems"], n["maxItems"])
		}
		checkStrict(t, path+"[]", items)
	case "integer", "number":
		lo, okLo := n["minimum"].(float64)
		hi, okHi := n["maximum"].(float64)
		if !okLo || !okHi || hi < lo {
			t.Errorf("%s: minimum %v, maximum %v; want both, minimum <= maximum", path, n["minimum"], n["maximum"])
		}
	case "string", "boolean":
		if _, ok := n["properties"]; ok {
			t.Errorf("%s: scalar with properties", path)
		}
	default:
		t.Errorf("%s: type %v", path, n["type"])
	}
}

func TestSchemaMatchesSamples(t *testing.T) {
	t.Parallel()
	for _, kt := range allKinds() {
		t.Run(kt[0]+"/"+kt[1], func(t *testing.T) {
			t.Parallel()
			name, raw, err := Schema(kt[0], kt[1])
			if err != nil {
				t.Fatal(err)
			}
			sch, err := jsonschema.CompileString(name+".json", string(raw))
			if err != nil {
				t.Fatal(err)
			}
			s, _, err := lookup(kt[0], kt[1])
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(sampleOf(t, kt[0], kt[1], s.model)); err != nil {
				t.Errorf("sample does not match schema %s: %v", name, err)
			}
		})
	}
}

func TestSchemaTypeAliases(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ kind, typ, want string }{
		{KindTheme, "", "dnd_text_theme_theme_v3"},
		{KindTheme, "theme", "dnd_text_theme_theme_v3"},
		{KindFreeform, "", "dnd_text_freeform_freeform_v3"},
		{KindCampaign, "quest", "dnd_text_campaign_quest_v3"},
	} {
		name, _, err := Schema(tc.kind, tc.typ)
		if err != nil || name != tc.want {
			t.Errorf("Schema(%q, %q) = %q, %v; want %q, nil", tc.kind, tc.typ, name, err, tc.want)
		}
	}
	for _, tc := range [][2]string{{"text.image", ""}, {KindCharacter, ""}, {KindCharacter, "plot"}, {KindCampaign, "Plot"}} {
		if _, _, err := Schema(tc[0], tc[1]); !errors.Is(err, ErrUnknownType) {
			t.Errorf("Schema(%q, %q) error = %v, want ErrUnknownType", tc[0], tc[1], err)
		}
	}
}

func TestSchemaReturnsCopy(t *testing.T) {
	t.Parallel()
	_, a, _ := Schema(KindFreeform, "")
	a[0] = 'X'
	_, b, _ := Schema(KindFreeform, "")
	if b[0] != '{' {
		t.Errorf("Schema returned shared storage")
	}
}

// sample reads the hand-written example document for kind and type.
func sample(t testing.TB, kind, typ string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "content", fmt.Sprintf("%s_%s.json", kind[len("text."):], typ)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sampleOf is the sample document of kind and typ as the content type typ:
// a theme's draft is cut from its result, and so is a character's draft
// (its identity without the level, its words, and its descriptions keyed
// by nothing, as in the schema without a character).
func sampleOf(t *testing.T, kind, typ string, ct reflect.Type) any {
	t.Helper()
	raw := sample(t, kind, typ)
	if ct == typeOf[ThemeDraft]() {
		var r ThemeResult
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		raw, _ = json.Marshal(ThemeDraft{Content: r.Content, PreservedElements: r.PreservedElements})
	}
	if ct == typeOf[LocationDraft]() {
		var l Location
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Fatal(err)
		}
		raw, _ = json.Marshal(draftOf(l))
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if kind == KindCharacter && strings.HasSuffix(ct.Name(), "Draft") {
		return draftSample(doc.(map[string]any), ct)
	}
	return doc
}

// draftSample cuts a character draft from a character document.
func draftSample(doc map[string]any, ct reflect.Type) map[string]any {
	id, ok := doc["character"].(map[string]any)
	if !ok {
		id = doc // a sheet's identity is at its top
	}
	echo := map[string]any{}
	for _, k := range identityKeys {
		if k != "level" {
			echo[k] = id[k]
		}
	}
	out := map[string]any{}
	for f := range ct.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "character":
			out[name] = echo
		case f.Type == keyedType:
			out[name] = map[string]any{}
		default:
			out[name] = doc[name]
		}
	}
	return out
}

func TestMaxTokensFor(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("The knight rode on. ", 300) // 6,000 bytes: 1,500 tokens
	tests := []struct {
		name string
		req  TextRequest
		want int
	}{
		{"sheet", CharacterRequest{Type: TypeSheet}, 1000},
		{"personality", CharacterRequest{Type: TypePersonality}, 600},
		{"backstory", CharacterRequest{Type: TypeBackstory}, 900},
		{"combat", CharacterRequest{Type: TypeCombat}, 600},
		{"equipment", CharacterRequest{Type: TypeEquipment}, 900},
		{"plot", &CampaignRequest{Type: TypePlot}, 800},
		{"location", CampaignRequest{Type: TypeLocation}, 1100},
		{"quest", CampaignRequest{Type: TypeQuest}, 500},
		{"dialogue", CampaignRequest{Type: TypeDialogue}, 700},
		{"event", CampaignRequest{Type: TypeEvent}, 500},
		{"freeform", FreeformRequest{Prompt: "x"}, 1000},
		{"short theme", ThemeRequest{Content: "Sir X rode home."}, 500},
		{"long theme", ThemeRequest{Content: long}, 100 + 3*1500},
		{"long theme by pointer", &ThemeRequest{Content: long}, 100 + 3*1500},
		{"longest theme", ThemeRequest{Content: strings.Repeat("é", MaxContentLen)}, MaxTokensLimit},
		{"unknown type", CharacterRequest{Type: "plot"}, 0},
	}
	for _, tc := range tests {
		if got := MaxTokensFor(tc.req); got != tc.want {
			t.Errorf("MaxTokensFor(%s) = %d, want %d", tc.name, got, tc.want)
		}
	}
	// The largest model.max_tokens is the largest default cap.
	if got := MaxTokensFor(ThemeRequest{Content: strings.Repeat("a", MaxContentLen)}); got != MaxTokensLimit {
		t.Errorf("MaxTokensFor(theme of MaxContentLen ASCII characters) = %d, want MaxTokensLimit %d", got, MaxTokensLimit)
	}
}
