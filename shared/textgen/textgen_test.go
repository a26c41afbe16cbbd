package textgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/openai"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
	"github.com/dndcc/dnd-llm-service/shared/provider"
)

// newOpenAI returns a generator on a fake with a two-model chain, no
// retries and no waits; mod changes the client's config.
func newOpenAI(t testing.TB, mods ...func(*openai.Config)) (*OpenAI, *openaitest.Server) {
	t.Helper()
	fake := openaitest.New(t)
	cfg := openai.Config{
		BaseURL: fake.URL(), Models: []string{"gpt-4o", "gpt-4o-mini"}, MaxRetries: openai.NoRetries,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	}
	for _, mod := range mods {
		mod(&cfg)
	}
	c, err := openai.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return NewOpenAI(c), fake
}

func TestOpenAIGenerateSendsTheRequestsOptions(t *testing.T) {
	t.Parallel()
	g, fake := newOpenAI(t)
	answer := openaitest.Arbitrary(1)
	var content []byte
	fake.SetDefault(func(r goopenai.ChatCompletionRequest) openaitest.Reply {
		reply := answer(r)
		var body struct {
			Choices []struct{ Message struct{ Content string } }
		}
		_ = json.Unmarshal(reply.Body, &body)
		content = []byte(body.Choices[0].Message.Content)
		return reply
	})
	temp, maxTokens, seed := 0.2, 300, int64(42)
	req := dnd.CharacterRequest{
		Type: dnd.TypePersonality, Seed: &seed,
		Model: dnd.ModelOptions{Name: "gpt-4o-mini", Temperature: &temp, MaxTokens: &maxTokens},
	}.Normalized()
	out, err := g.Generate(context.Background(), req)
	if err != nil {
		t.Fatalf("Generate(%+v) error: %v", req, err)
	}
	var got, draft map[string]any
	_ = json.Unmarshal(out.Content, &got)
	_ = json.Unmarshal(content, &draft)
	if got["traits"] == nil || fmt.Sprint(got["traits"]) != fmt.Sprint(draft["traits"]) || out.Model != "gpt-4o-mini" || out.Provider != "openai" {
		t.Errorf("Generate(personality) = %s from %s/%s, want the model's draft %s completed, from openai/gpt-4o-mini",
			out.Content, out.Provider, out.Model, content)
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
	checkInvalidAnswers(t, err, "content")
	if out.Content != nil || out.ProviderCalls != 4 {
		t.Errorf("Generate(theme with an empty draft) = %s after %d paid calls, want no content after 4", out.Content, out.ProviderCalls)
	}
}

// checkInvalidAnswers asserts that err is the final TEXT_GENERATION_FAILED
// problem of answers that did not validate, naming field, with no provider
// error inside for the queue to retry.
func checkInvalidAnswers(t testing.TB, err error, field string) {
	t.Helper()
	var p *httpapi.Problem
	if !errors.As(err, &p) || p.Code != httpapi.CodeTextGenerationFailed || !strings.Contains(p.Detail, "did not pass validation") ||
		!strings.Contains(p.Detail, field) {
		t.Errorf("Generate() error = %v, want a %s problem saying the answers did not pass validation at %s",
			err, httpapi.CodeTextGenerationFailed, field)
	}
	if pe, ok := provider.As(err); ok {
		t.Errorf("Generate() error holds provider error %v, which the queue would retry", pe)
	}
}

// TestOpenAIGenerateInvalidAnswersCostFourCalls runs a combat request
// against a model that always answers out-of-range numbers: one call and
// one repair per model, then a final failure that no one retries.
func TestOpenAIGenerateInvalidAnswersCostFourCalls(t *testing.T) {
	t.Parallel()
	g, fake := newOpenAI(t)
	fake.SetDefault(mismatched(openaitest.Arbitrary(2), "race", "Gnome"))
	req := dnd.CharacterRequest{Type: dnd.TypeCombat, Parameters: dnd.CharacterParams{CharacterRace: "Dwarf"}}.Normalized()
	out, err := g.Generate(context.Background(), req)
	checkInvalidAnswers(t, err, "character.race")
	if got := len(fake.Requests()); got != 4 {
		t.Errorf("provider calls = %d, want 4 (call and repair on each of two models)", got)
	}
	if out.ProviderCalls != 4 || len(out.Calls) != 4 || out.Usage.TotalTokens == 0 {
		t.Errorf("Generate() output = %d paid calls, %d calls, %d tokens; want 4, 4, some", out.ProviderCalls, len(out.Calls), out.Usage.TotalTokens)
	}
	for i, c := range out.Calls {
		if !c.Paid || c.Outcome != "invalid" {
			t.Errorf("Calls[%d] = %+v, want a paid invalid call", i, c)
		}
	}
}

// TestOpenAIGenerateStormThenAnswer checks that failures before an answer
// cost no paid call and no job: a storm of 429s and 5xx that ends is
// absorbed by the retries and the fallback.
func TestOpenAIGenerateStormThenAnswer(t *testing.T) {
	t.Parallel()
	g, fake := newOpenAI(t, func(c *openai.Config) { c.MaxRetries = 0 })
	fake.Push("gpt-4o", openaitest.RateLimited("1"), openaitest.Error(500, "server_error", "", "boom"), openaitest.GatewayError(502))
	fake.Push("gpt-4o-mini", openaitest.Error(503, "server_error", "", "overloaded"), openaitest.NoChoices("gpt-4o-mini"))
	fake.SetDefault(openaitest.Arbitrary(3))
	out, err := g.Generate(context.Background(), dnd.CharacterRequest{Type: dnd.TypeCombat}.Normalized())
	if err != nil {
		t.Fatalf("Generate(combat) after a storm = %v, want the answer", err)
	}
	if out.Model != "gpt-4o-mini" || out.ProviderCalls != 1 || len(out.Calls) != 6 {
		t.Errorf("Generate(combat) = model %s, %d paid calls of %d; want gpt-4o-mini, 1 of 6", out.Model, out.ProviderCalls, len(out.Calls))
	}
}

// mismatched answers as answer does, with the identity's field set to
// value: words about someone else.
func mismatched(answer func(goopenai.ChatCompletionRequest) openaitest.Reply, field, value string) func(goopenai.ChatCompletionRequest) openaitest.Reply {
	return func(r goopenai.ChatCompletionRequest) openaitest.Reply {
		reply := answer(r)
		var body struct {
			Choices []struct{ Message struct{ Content string } }
		}
		_ = json.Unmarshal(reply.Body, &body)
		var draft map[string]any
		_ = json.Unmarshal([]byte(body.Choices[0].Message.Content), &draft)
		draft["character"].(map[string]any)[field] = value
		b, _ := json.Marshal(draft)
		return openaitest.Completion(r.Model, string(b), 500, 300)
	}
}

// TestOfflineGenerateCanceled: a canceled job's generation stops as a
// cancel, not as a provider failure to retry.
func TestOfflineGenerateCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewOffline([]string{"gpt-4o"}).Generate(ctx, dnd.CharacterRequest{Type: dnd.TypeCombat})
	if pe, ok := provider.As(err); !ok || pe.Kind != provider.Canceled {
		t.Errorf("Generate(canceled) = %v, want a provider error of kind canceled", err)
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
