package dnd

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"text/template"
)

// Message is one chat message of a prompt.
type Message struct {
	Role    string `json:"role"` // "system" or "user"
	Content string `json:"content"`
}

//go:embed prompts
var promptFS embed.FS

var promptTemplates = sync.OnceValues(func() (*template.Template, error) {
	t, err := template.New("prompts").Funcs(template.FuncMap{
		"val":         quoteOrUnspecified,
		"material":    newMaterial,
		"proficiency": ProficiencyBonus,
		"deref":       func(f *float64) float64 { return *f },
		"derefBool":   func(b *bool) bool { return *b },
		"percent":     func(f float64) string { return fmt.Sprintf("%d%%", int(math.Round(f*100))) },
		"join":        strings.Join,
		"q":           quote,
	}).ParseFS(promptFS, "prompts/"+PromptVersion+"/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse prompts %s: %w", PromptVersion, err)
	}
	return t, nil
})

// BuildMessages returns the system and user messages that ask a model for
// the content of kind. req is the request of that kind (CharacterRequest,
// CampaignRequest, ThemeRequest or FreeformRequest, by value or pointer); it
// is normalised on a copy and must be valid. Free text from the caller
// (prompt, content, context) is fenced as user material the model must not
// take instructions from.
func BuildMessages(kind string, req TextRequest) ([]Message, error) {
	zero, err := zeroRequest(kind)
	if err != nil {
		return nil, fmt.Errorf("build messages: %w", err)
	}
	if isNilRequest(req) || req.Kind() != kind {
		return nil, fmt.Errorf("build messages: %s needs a %T, not %T", kind, zero, req)
	}
	req = req.Normalized()
	if problems := req.Valid(context.Background()); len(problems) > 0 {
		return nil, fmt.Errorf("build messages: invalid %s request: %s", kind, describeProblems(problems))
	}
	if cr, ok := req.(CharacterRequest); ok {
		// A character prompt states the character's sheet; without a seed
		// it is the sheet of seed 0.
		var seed int64
		if cr.Seed != nil {
			seed = *cr.Seed
		}
		ch, err := ResolveCharacter(cr, seed)
		if err != nil {
			return nil, fmt.Errorf("build messages: %w", err)
		}
		return ch.Messages()
	}
	return renderMessages(kind, req, nil)
}

// Messages returns the system and user messages that ask a model for the
// words of the character's request: they state the character's identity
// and the facts of its sheet, so the words agree with the numbers.
func (c *Character) Messages() ([]Message, error) {
	v := c.view()
	return renderMessages(KindCharacter, c.Request, &v)
}

// promptView is what the templates see.
type promptView struct {
	Req          any
	Ch           *characterView // character prompts only
	Brief        *CampaignBrief // campaign prompts only
	Instructions string
}

// renderMessages renders the system and user templates of kind.
func renderMessages(kind string, req TextRequest, ch *characterView) ([]Message, error) {
	tmpl, err := promptTemplates()
	if err != nil {
		return nil, err
	}
	// Templates are named for the kind without its "text." prefix; a kind
	// with several content types has instructions for each.
	prefix := strings.TrimPrefix(kind, "text.")
	view := promptView{Req: req, Ch: ch}
	if c, ok := req.(CampaignRequest); ok {
		b := c.Brief()
		view.Brief = &b
	}
	if len(Types(kind)) > 1 {
		if view.Instructions, err = render(tmpl, prefix+"."+req.ContentType(), view); err != nil {
			return nil, err
		}
	}
	system, err := render(tmpl, prefix+".system", view)
	if err != nil {
		return nil, err
	}
	user, err := render(tmpl, prefix+".user", view)
	if err != nil {
		return nil, err
	}
	return []Message{{Role: "system", Content: system}, {Role: "user", Content: user}}, nil
}

func render(t *template.Template, name string, data any) (string, error) {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render prompt %s/%s: %w", PromptVersion, name, err)
	}
	return strings.TrimSpace(b.String()), nil
}

// describeProblems lists field problems in a stable order.
func describeProblems(problems map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(problems)) {
		parts = append(parts, k+" "+problems[k])
	}
	return strings.Join(parts, "; ")
}

// quoteOrUnspecified renders a caller's short value as a JSON string, so it
// reads as data, or "unspecified" when empty.
func quoteOrUnspecified(s string) string {
	if s == "" {
		return "unspecified"
	}
	return quote(s)
}

// quote renders a value as a JSON string, "" included.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// material is a fenced block of caller text. Its ID is derived from the text
// itself, so the text cannot contain its own closing fence.
type material struct {
	ID   string
	Text string
}

func newMaterial(s string) material {
	sum := sha256.Sum256([]byte(s))
	return material{ID: hex.EncodeToString(sum[:6]), Text: s}
}

// ProficiencyBonus is the proficiency bonus at a character level (1–20):
// +2 at levels 1–4, rising by one every four levels to +6 at 17–20.
func ProficiencyBonus(level int) int {
	level = min(max(level, 1), MaxLevel)
	return 2 + (level-1)/4
}
