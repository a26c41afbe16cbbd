package dnd

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// samplePlot is the sample plot content (two acts, a Ghost), changed by
// edit.
func samplePlot(t testing.TB, edit func(*Plot)) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/content/campaign_plot.json")
	if err != nil {
		t.Fatal(err)
	}
	var p Plot
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	edit(&p)
	if b, err = json.Marshal(p); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCompletePlotKeepsTheCodesPlan checks a model's plot: it must have
// the acts the duration gives (ActCount) and a villain with an SRD 5.1
// stat block, spelt as the SRD spells it; a duration not understood is
// planned as two acts with a warning.
func TestCompletePlotKeepsTheCodesPlan(t *testing.T) {
	t.Parallel()
	act := Act{Title: "T", Summary: "S.", Goal: "G."}
	tests := []struct {
		name     string
		duration string
		edit     func(*Plot)
		field    string // of the refusal, or "" for none
		creature string // as completed
	}{
		{"two acts for no duration", "", func(*Plot) {}, "", "Ghost"},
		{"two acts for three sessions", "three sessions", func(*Plot) {}, "acts", ""},
		{"three acts for three sessions", "three sessions", func(p *Plot) { p.Acts = append(p.Acts, act) }, "", "Ghost"},
		{"one act for a one-shot", "a one-shot", func(p *Plot) { p.Acts = p.Acts[:1] }, "", "Ghost"},
		{"two acts for a weekend", "a weekend", func(*Plot) {}, "", "Ghost"},
		{"a creature with no SRD stat block", "", func(p *Plot) { p.Antagonist.Creature = "Mind Flayer" }, "antagonist.creature", ""},
		{"an SRD creature in lower case", "", func(p *Plot) { p.Antagonist.Creature = "adult red dragon" }, "", "Adult Red Dragon"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := CampaignRequest{Type: TypePlot, Parameters: CampaignParams{Duration: tc.duration}}
			out, err := req.Complete(samplePlot(t, tc.edit))
			if tc.field != "" {
				var ce *ContentError
				if !errors.As(err, &ce) || ce.Field != tc.field {
					t.Fatalf("Complete(%s) = %v, want a content error at %s", tc.name, err, tc.field)
				}
				return
			}
			var p Plot
			if err != nil || json.Unmarshal(out, &p) != nil || p.Antagonist.Creature != tc.creature {
				t.Fatalf("Complete(%s) = creature %q, %v; want %q", tc.name, p.Antagonist.Creature, err, tc.creature)
			}
		})
	}
	plan, err := PlanFor(CampaignRequest{Type: TypePlot, Parameters: CampaignParams{Duration: "a weekend"}}.Normalized(), func() int64 { return 1 })
	if err != nil || len(plan.Warnings) != 1 || !strings.Contains(plan.Warnings[0], `"a weekend"`) {
		t.Errorf("PlanFor(duration \"a weekend\") warnings = %q, %v; want one naming the duration", plan.Warnings, err)
	}
	if !strings.Contains(plan.Messages[1].Content, "exactly 2 acts") {
		t.Errorf("plot prompt does not ask for the 2 acts planned:\n%s", plan.Messages[1].Content)
	}
}
