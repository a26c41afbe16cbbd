package textgen

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
)

// plotAnswer is the sample plot with n acts and the villain's creature.
func plotAnswer(t testing.TB, acts int, creature string) string {
	t.Helper()
	var p dnd.Plot
	if err := json.Unmarshal(readContent(t, "campaign_plot"), &p); err != nil {
		t.Fatal(err)
	}
	for len(p.Acts) < acts {
		p.Acts = append(p.Acts, dnd.Act{Title: "The Palisade", Summary: "The goblins come at night.", Goal: "Hold the gate."})
	}
	p.Acts = p.Acts[:acts]
	p.Antagonist.Creature = creature
	return string(mustJSON(t, p))
}

// TestOpenAIPlotKeepsTheCodesPlan runs a plot request against the
// wire-faithful fake: the prompt carries the party, its budget, the
// offered monsters, the theme's creatures and land, and the acts the
// duration gives; a plot with another number of acts, or a villain with
// no SRD stat block, costs a repair turn that names the field; the
// party's numbers in the plot are the service's.
func TestOpenAIPlotKeepsTheCodesPlan(t *testing.T) {
	t.Parallel()
	req := dnd.CampaignRequest{Type: dnd.TypePlot, Parameters: dnd.CampaignParams{
		CampaignTheme: "a frontier town beset by goblins", PartyLevel: dnd.Int(1), PartySize: dnd.Int(6), Duration: "three sessions"}}.Normalized()
	brief := req.(dnd.CampaignRequest).Brief()
	tests := []struct {
		name, first, field string
	}{
		{"too few acts", plotAnswer(t, 2, "Hobgoblin"), "acts"},
		{"a villain with no SRD stat block", plotAnswer(t, 3, "Goblin Boss"), "antagonist.creature"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, fake := newOpenAI(t)
			fake.Push("gpt-4o",
				openaitest.Completion("gpt-4o", tc.first, 900, 400),
				openaitest.Completion("gpt-4o", plotAnswer(t, 3, "hobgoblin"), 900, 400))
			out, err := g.Generate(context.Background(), req)
			if err != nil {
				t.Fatalf("Generate(plot) error: %v", err)
			}
			sent := fake.Requests()
			if len(sent) != 2 || out.ProviderCalls != 2 {
				t.Fatalf("requests = %d, paid calls = %d; want the answer and its repair turn", len(sent), out.ProviderCalls)
			}
			prompt := sent[0].Messages[len(sent[0].Messages)-1].Content
			for _, want := range []string{
				"Party: 6 characters of level 1",
				"easy 150, medium 300, hard 450, deadly 600",
				"  - deadly: " + strings.Join(brief.Offered("deadly"), ", "),
				"Creatures named: \"goblins\" (the goblinoid family)",
				"Lands: frontier",
				"exactly 3 acts",
			} {
				if !strings.Contains(prompt, want) {
					t.Errorf("prompt lacks %q:\n%s", want, prompt)
				}
			}
			if repair := sent[1].Messages[len(sent[1].Messages)-1].Content; !strings.Contains(repair, tc.field) {
				t.Errorf("repair turn = %q, want it to name %s", repair, tc.field)
			}
			var p dnd.Plot
			if err := json.Unmarshal(out.Content, &p); err != nil {
				t.Fatal(err)
			}
			if len(p.Acts) != 3 || p.Antagonist.Creature != "Hobgoblin" || p.PartyLevel != 1 || p.PartySize != 6 {
				t.Errorf("plot = %d acts, creature %q, party %d×%d; want 3 acts, Hobgoblin, 6 level-1 characters",
					len(p.Acts), p.Antagonist.Creature, p.PartySize, p.PartyLevel)
			}
		})
	}
}
