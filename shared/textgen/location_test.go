package textgen

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/encounter/encountertest"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
)

// locationAnswer is a model's location draft whose single encounter
// picks the given monsters for a fight of the difficulty.
func locationAnswer(t testing.TB, difficulty string, picks ...string) string {
	t.Helper()
	var loc dnd.Location
	if err := json.Unmarshal(readContent(t, "campaign_location"), &loc); err != nil {
		t.Fatal(err)
	}
	d := dnd.LocationDraft{Name: loc.Name, Kind: loc.Kind, Description: loc.Description, Features: loc.Features,
		NPCs: loc.NPCs, Hazards: loc.Hazards, Secrets: loc.Secrets,
		Encounters: []dnd.EncounterDraft{{Name: "Ambush at the Palisade", Description: "Goblins pour over the palisade.", Difficulty: difficulty, Picks: picks}}}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestOpenAILocationNumbersAreTheCodes runs a location request against
// the wire-faithful fake: the prompt carries the party's budget and the
// offered monsters, a pick outside the offer costs a repair turn that
// names it, and the numbers of the final encounter are the service's,
// checked against an independent copy of the DMG tables.
func TestOpenAILocationNumbersAreTheCodes(t *testing.T) {
	t.Parallel()
	g, fake := newOpenAI(t)
	req := dnd.CampaignRequest{Type: dnd.TypeLocation, Parameters: dnd.CampaignParams{
		CampaignTheme: "a frontier town beset by goblins", PartyLevel: dnd.Int(2), PartySize: dnd.Int(4)}}.Normalized()
	brief := req.(dnd.CampaignRequest).Brief()
	hard := brief.Offered("hard")
	if len(hard) < 2 {
		t.Fatalf("brief offers %v for a hard fight, want two or more", hard)
	}
	fake.Push("gpt-4o",
		openaitest.Completion("gpt-4o", locationAnswer(t, "hard", hard[0], "Beholder"), 900, 400),
		openaitest.Completion("gpt-4o", locationAnswer(t, "hard", hard[0]), 1200, 400))
	out, err := g.Generate(context.Background(), req)
	if err != nil {
		t.Fatalf("Generate(location) error: %v", err)
	}
	sent := fake.Requests()
	if len(sent) != 2 || out.ProviderCalls != 2 {
		t.Fatalf("requests = %d, paid calls = %d; want the answer and its repair turn", len(sent), out.ProviderCalls)
	}
	prompt := sent[0].Messages[len(sent[0].Messages)-1].Content
	for _, want := range []string{
		"Party: 4 characters of level 2",
		"easy 200, medium 400, hard 600, deadly 800",
		"  - hard: " + strings.Join(hard, ", "),
		"Creatures named: \"goblins\" (the goblinoid family)",
	} {
		if !strings.Contains(prompt, want) {
			t.Errorf("prompt lacks %q:\n%s", want, prompt)
		}
	}
	if rf := sent[0].ResponseFormat; rf == nil || rf.JSONSchema == nil || !strings.Contains(string(mustJSON(t, rf.JSONSchema.Schema)), `"picks"`) {
		t.Errorf("response format %+v, want the location draft's schema with picks", rf)
	}
	repair := sent[1].Messages[len(sent[1].Messages)-1].Content
	if !strings.Contains(repair, "encounters[0].picks[1]") || !strings.Contains(repair, "must be one of the monsters offered for a hard fight") {
		t.Errorf("repair turn = %q, want it to name the pick that was not offered", repair)
	}
	var loc dnd.Location
	if err := json.Unmarshal(out.Content, &loc); err != nil {
		t.Fatal(err)
	}
	e := loc.Encounters[0]
	if len(e.Monsters) != 1 || e.Monsters[0].Name != hard[0] || e.Name != "Ambush at the Palisade" {
		t.Fatalf("encounter = %+v, want the draft's words with %s", e, hard[0])
	}
	m := e.Monsters[0]
	party := []int{2, 2, 2, 2}
	adjusted, label := encountertest.Label(party, m.Count, m.Count*encountertest.XP[m.CR])
	th := encountertest.Thresholds(party)
	if e.BaseXP != m.Count*encountertest.XP[m.CR] || e.AdjustedXP != adjusted || label != "hard" || e.Difficulty != label ||
		e.PartyThresholds != (dnd.XPThresholds{Easy: th[0], Medium: th[1], Hard: th[2], Deadly: th[3]}) {
		t.Errorf("encounter numbers = %+v; want %d × %s at %d adjusted XP, labelled hard by the DMG tables %v", e, m.Count, m.Name, adjusted, th)
	}
	if err := dnd.ValidateContent(dnd.KindCampaign, dnd.TypeLocation, out.Content); err != nil {
		t.Errorf("content does not validate: %v", err)
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readContent returns a sample content document of shared/dnd's testdata.
func readContent(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../dnd/testdata/content/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
