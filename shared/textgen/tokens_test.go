package textgen

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"slices"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/openai"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
)

// measuredSeeds is how many offline answers per content type the token
// table is checked against (levels and party sizes cycle through their
// ranges).
const measuredSeeds = 400

// minHeadroom is the least room a type's default token cap must leave above
// the 99th percentile of its offline answers. The caps were set at 1.5
// times it (dnd's table); below 1.25 they need measuring again.
const minHeadroom = 1.25

// TestMaxTokensCoverOfflineAnswers measures the offline generator's answers
// as compact JSON, in EstimateTokens, and checks each content type's
// default cap against their 99th percentile: enough room above it, and not
// so much that the table no longer follows the answers (free-form text,
// whose length the caller's prompt decides, excepted).
func TestMaxTokensCoverOfflineAnswers(t *testing.T) {
	t.Parallel()
	g := NewOffline(nil)
	builders := map[string]func(seed int64) dnd.TextRequest{
		dnd.KindFreeform: func(s int64) dnd.TextRequest {
			return dnd.FreeformRequest{Prompt: "Describe a tavern in the city.", Seed: &s}
		},
	}
	for _, typ := range dnd.Types(dnd.KindCharacter) {
		builders[dnd.KindCharacter+"/"+typ] = func(s int64) dnd.TextRequest {
			return dnd.CharacterRequest{Type: typ, Seed: &s, Parameters: dnd.CharacterParams{CharacterLevel: dnd.Int(int(1 + s%dnd.MaxLevel))}}
		}
	}
	for _, typ := range dnd.Types(dnd.KindCampaign) {
		builders[dnd.KindCampaign+"/"+typ] = func(s int64) dnd.TextRequest {
			return dnd.CampaignRequest{Type: typ, Seed: &s,
				Parameters: dnd.CampaignParams{PartyLevel: dnd.Int(int(1 + s%dnd.MaxLevel)), PartySize: dnd.Int(int(1 + s%dnd.MaxPartySize))}}
		}
	}
	for name, build := range builders {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var sizes []int
			var limit int
			for s := range int64(measuredSeeds) {
				req := build(s + 1).Normalized()
				limit = dnd.MaxTokensFor(req)
				out, err := g.Generate(context.Background(), req)
				if err != nil {
					t.Fatal(err)
				}
				sizes = append(sizes, compactTokens(t, modelAnswer(t, req, out.Content)))
			}
			slices.Sort(sizes)
			p99 := sizes[len(sizes)*99/100]
			if float64(limit) < minHeadroom*float64(p99) {
				t.Errorf("MaxTokensFor(%s) = %d, want at least %.2f x the 99th percentile %d of offline answers", name, limit, minHeadroom, p99)
			}
			if name != dnd.KindFreeform && float64(limit) > math.Max(600, 2.5*float64(p99)) {
				t.Errorf("MaxTokensFor(%s) = %d, more than 2.5 x the 99th percentile %d of offline answers: measure again", name, limit, p99)
			}
			t.Logf("%s: p99 %d tokens (bytes/4), cap %d", name, p99, limit)
		})
	}
}

// TestThemeMaxTokensFollowTheInput restyles texts of many lengths offline
// and checks that every draft fits its request's cap with room to spare.
func TestThemeMaxTokensFollowTheInput(t *testing.T) {
	t.Parallel()
	g := NewOffline(nil)
	for s := range int64(measuredSeeds / 4) {
		seed := s + 1
		story, err := g.Generate(context.Background(), dnd.CharacterRequest{Type: dnd.TypeBackstory, Seed: &seed}.Normalized())
		if err != nil {
			t.Fatal(err)
		}
		var b dnd.Backstory
		if err := json.Unmarshal(story.Content, &b); err != nil {
			t.Fatal(err)
		}
		text := b.Backstory
		for range s % 7 {
			text += "\n\n" + b.Backstory
		}
		req := dnd.ThemeRequest{Content: text, Theme: dnd.Theme{Genre: "horror", Tone: "dark"}, Seed: &seed}.Normalized()
		out, err := g.Generate(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		var r dnd.ThemeResult
		if err := json.Unmarshal(out.Content, &r); err != nil {
			t.Fatal(err)
		}
		draft, _ := json.Marshal(dnd.ThemeDraft{Content: r.Content, PreservedElements: r.PreservedElements})
		if n, limit := compactTokens(t, draft), dnd.MaxTokensFor(req); float64(limit) < 1.5*float64(n) {
			t.Errorf("theme of %d bytes: draft of %d tokens, cap %d; want the cap at least 1.5 x the draft", len(text), n, limit)
		}
	}
}

// modelAnswer is what a model writes for req's content: for a character,
// the draft of words the content was completed from.
func modelAnswer(t testing.TB, req dnd.TextRequest, content []byte) []byte {
	t.Helper()
	if req.Kind() != dnd.KindCharacter {
		return content
	}
	var draft any
	switch req.ContentType() {
	case dnd.TypeSheet:
		var s dnd.Sheet
		mustUnmarshal(t, content, &s)
		d := &dnd.SheetDraft{Character: echoOf(s.Identity()), Appearance: s.Appearance, Personality: s.Personality}
		attacks, items := map[string]string{}, map[string]string{}
		for _, a := range s.Attacks {
			attacks[a.Name] = a.Description
		}
		for _, it := range s.Equipment {
			items[it.Name] = it.Description
		}
		d.Attacks, d.Equipment = dnd.DescriptionsOf(attacks), dnd.DescriptionsOf(items)
		draft = d
	case dnd.TypePersonality:
		var p dnd.Personality
		mustUnmarshal(t, content, &p)
		draft = dnd.PersonalityDraft{Character: echoOf(p.Character), Traits: p.Traits, Ideals: p.Ideals, Bonds: p.Bonds, Flaws: p.Flaws, Mannerisms: p.Mannerisms, Voice: p.Voice}
	case dnd.TypeBackstory:
		var b dnd.Backstory
		mustUnmarshal(t, content, &b)
		draft = dnd.BackstoryDraft{Character: echoOf(b.Character), Title: b.Title, Summary: b.Summary, Backstory: b.Backstory, KeyEvents: b.KeyEvents, Hooks: b.Hooks, Secrets: b.Secrets}
	case dnd.TypeCombat:
		var c dnd.Combat
		mustUnmarshal(t, content, &c)
		moves := map[string]string{}
		for _, m := range c.SignatureMoves {
			moves[m.Name] = m.Description
		}
		draft = dnd.CombatDraft{Character: echoOf(c.Character), Tactics: c.Tactics, SignatureMoves: dnd.DescriptionsOf(moves), Weaknesses: c.Weaknesses}
	case dnd.TypeEquipment:
		var e dnd.Equipment
		mustUnmarshal(t, content, &e)
		items := map[string]string{}
		for _, it := range e.Items {
			items[it.Name] = it.Description
		}
		draft = dnd.EquipmentDraft{Character: echoOf(e.Character), Items: dnd.DescriptionsOf(items), Notes: e.Notes}
	}
	b, err := json.Marshal(draft)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func echoOf(id dnd.CharacterInfo) dnd.IdentityEcho {
	return dnd.IdentityEcho{Name: id.Name, Pronouns: id.Pronouns, Race: id.Race, Subrace: id.Subrace, Class: id.Class,
		Subclass: id.Subclass, Background: id.Background, Alignment: id.Alignment}
}

func mustUnmarshal(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// compactTokens is the EstimateTokens of a JSON document written compactly,
// as a model writes it.
func compactTokens(t testing.TB, doc []byte) int {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, doc); err != nil {
		t.Fatal(err)
	}
	return dnd.EstimateTokens(buf.String())
}

// TestOpenAIGenerateTokenCaps checks the caps on the wire: a request
// without max_tokens gets its content type's, and a cut-off answer its
// repair turn under twice that; the caller's cap holds for every call.
func TestOpenAIGenerateTokenCaps(t *testing.T) {
	t.Parallel()
	caller := 900
	tests := []struct {
		name      string
		maxTokens *int
		want      []int
	}{
		{"the type's cap, doubled after a cut-off", nil, []int{dnd.MaxTokensFor(dnd.CharacterRequest{Type: dnd.TypeEquipment}), 2 * dnd.MaxTokensFor(dnd.CharacterRequest{Type: dnd.TypeEquipment})}},
		{"the caller's cap for every call", &caller, []int{900, 900}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, fake := newOpenAI(t)
			fake.Push("gpt-4o", openaitest.CutOff("gpt-4o", `{"character":{"name":"Bre`, 400, 1200))
			fake.SetDefault(openaitest.Arbitrary(4))
			req := dnd.CharacterRequest{Type: dnd.TypeEquipment, Model: dnd.ModelOptions{MaxTokens: tc.maxTokens}}.Normalized()
			out, err := g.Generate(context.Background(), req)
			if err != nil {
				t.Fatalf("Generate(equipment) = %v", err)
			}
			var got []int
			for _, r := range fake.Requests() {
				got = append(got, r.MaxTokens)
			}
			if !slices.Equal(got, tc.want) || out.ProviderCalls != 2 {
				t.Errorf("max_tokens per call = %v after %d paid calls, want %v after 2", got, out.ProviderCalls, tc.want)
			}
		})
	}
}

// TestOpenAIGenerateCapsOnReasoningModels checks that the default cap goes
// out as max_completion_tokens to a model that refuses max_tokens.
func TestOpenAIGenerateCapsOnReasoningModels(t *testing.T) {
	t.Parallel()
	g, fake := newOpenAI(t, func(c *openai.Config) { c.Models = []string{"o4-mini"} })
	fake.SetDefault(openaitest.Arbitrary(5))
	if _, err := g.Generate(context.Background(), dnd.CharacterRequest{Type: dnd.TypeCombat}.Normalized()); err != nil {
		t.Fatalf("Generate(combat) = %v", err)
	}
	want := dnd.MaxTokensFor(dnd.CharacterRequest{Type: dnd.TypeCombat})
	if r := fake.Requests()[0]; r.MaxCompletionTokens != want || r.MaxTokens != 0 {
		t.Errorf("sent max_completion_tokens %d, max_tokens %d; want %d and none", r.MaxCompletionTokens, r.MaxTokens, want)
	}
}
