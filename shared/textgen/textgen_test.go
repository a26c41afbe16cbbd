package textgen

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/openai"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
	"github.com/dndcc/dnd-llm-service/shared/provider"
)

func newOpenAI(t testing.TB) (*OpenAI, *openaitest.Server) {
	t.Helper()
	fake := openaitest.New(t)
	c, err := openai.New(openai.Config{
		BaseURL: fake.URL(), Models: []string{"gpt-4o", "gpt-4o-mini"}, MaxRetries: openai.NoRetries,
	})
	if err != nil {
		t.Fatal(err)
	}
	return NewOpenAI(c), fake
}

func TestOpenAIGenerateSendsTheRequestsOptions(t *testing.T) {
	t.Parallel()
	g, fake := newOpenAI(t)
	content, err := os.ReadFile("../dnd/testdata/content/character_personality.json")
	if err != nil {
		t.Fatal(err)
	}
	fake.Push("gpt-4o-mini", openaitest.Completion("gpt-4o-mini", string(content), 100, 50))
	temp, maxTokens, seed := 0.2, 300, int64(42)
	req := dnd.CharacterRequest{
		Type: dnd.TypePersonality, Seed: &seed,
		Model: dnd.ModelOptions{Name: "gpt-4o-mini", Temperature: &temp, MaxTokens: &maxTokens},
	}.Normalized()
	out, err := g.Generate(context.Background(), req)
	if err != nil {
		t.Fatalf("Generate(%+v) error: %v", req, err)
	}
	content = bytes.TrimSpace(content)
	if !bytes.Equal(out.Content, content) || out.Model != "gpt-4o-mini" || out.Provider != "openai" || out.Usage.TotalTokens != 150 {
		t.Errorf("Generate(personality) = %s from %s/%s using %+v, want the model's answer from openai/gpt-4o-mini using 150 tokens",
			out.Content, out.Provider, out.Model, out.Usage)
	}
	sent := fake.Requests()
	if len(sent) != 1 {
		t.Fatalf("requests sent = %d, want 1", len(sent))
	}
	s := sent[0]
	if s.Model != "gpt-4o-mini" || s.Temperature != 0.2 || s.MaxTokens != 300 || s.Seed == nil || *s.Seed != 42 {
		t.Errorf("sent model %s, temperature %v, max_tokens %d, seed %v; want gpt-4o-mini, 0.2, 300, 42",
			s.Model, s.Temperature, s.MaxTokens, s.Seed)
	}
	wantName, _, _ := dnd.Schema(dnd.KindCharacter, dnd.TypePersonality)
	if s.ResponseFormat == nil || s.ResponseFormat.JSONSchema == nil || s.ResponseFormat.JSONSchema.Name != wantName {
		t.Errorf("sent response format %+v, want json schema %s", s.ResponseFormat, wantName)
	}
}

// TestOpenAIGenerateCompletesDrafts checks that a theme request's content is
// the model's draft completed by the request.
func TestOpenAIGenerateCompletesDrafts(t *testing.T) {
	t.Parallel()
	g, fake := newOpenAI(t)
	draft := `{"content":"The marine flew to Castle Vey.","preserved_elements":["Castle Vey"]}`
	fake.Push("gpt-4o", openaitest.Completion("gpt-4o", draft, 10, 10))
	req := dnd.ThemeRequest{Content: "Sir Aldric rode to Castle Vey.", Theme: dnd.Theme{Genre: "sci-fi"}}.Normalized()
	out, err := g.Generate(context.Background(), req)
	if err != nil {
		t.Fatalf("Generate(theme) error: %v", err)
	}
	want, err := dnd.CompleteTheme(req.(dnd.ThemeRequest), []byte(draft))
	if err != nil {
		t.Fatal(err)
	}
	if string(out.Content) != string(want) {
		t.Errorf("Generate(theme) content = %s, want %s", out.Content, want)
	}
}

func TestOpenAIGenerateRefusesADraftThatCannotComplete(t *testing.T) {
	t.Parallel()
	g, fake := newOpenAI(t)
	bad := openaitest.Completion("gpt-4o", `{"content":"","preserved_elements":[]}`, 10, 10)
	// Each model gets one repair turn after an invalid answer.
	fake.Push("gpt-4o", bad, bad)
	fake.Push("gpt-4o-mini", bad, bad)
	req := dnd.ThemeRequest{Content: "Sir Aldric rode to Castle Vey.", Theme: dnd.Theme{Genre: "sci-fi"}}.Normalized()
	out, err := g.Generate(context.Background(), req)
	if pe, ok := provider.As(err); !ok || pe.Code != "invalid_answer" || out.Content != nil {
		t.Errorf("Generate(theme with an empty draft) = %s, %v, want no content and an invalid_answer error", out.Content, err)
	}
}

func TestOfflineGenerateEveryKind(t *testing.T) {
	t.Parallel()
	g := NewOffline([]string{"gpt-4o"})
	seed := int64(7)
	reqs := []dnd.TextRequest{
		dnd.CharacterRequest{Type: dnd.TypeCombat, Seed: &seed},
		&dnd.CampaignRequest{Type: dnd.TypeQuest, Seed: &seed},
		dnd.ThemeRequest{Content: "Thorin strode into Millbrook.", Theme: dnd.Theme{Tone: "dark"}, Seed: &seed},
		dnd.FreeformRequest{Prompt: "Name a tavern.", Seed: &seed},
	}
	for _, req := range reqs {
		t.Run(req.Kind(), func(t *testing.T) {
			t.Parallel()
			out, err := g.Generate(context.Background(), req.Normalized())
			if err != nil {
				t.Fatalf("Generate(%T) error: %v", req, err)
			}
			if out.Model != OfflineModel || out.Provider != "offline" || out.Seed == nil || *out.Seed != seed || !json.Valid(out.Content) {
				t.Errorf("Generate(%T) = %+v, want valid offline content with seed %d", req, out, seed)
			}
			if err := dnd.ValidateContent(req.Kind(), req.ContentType(), out.Content); err != nil {
				t.Errorf("Generate(%T) content invalid: %v", req, err)
			}
		})
	}
}
