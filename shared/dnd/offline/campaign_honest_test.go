package offline

import (
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// summaryLinked writes a document of type typ linked to plot by its title,
// setting and antagonist alone, and returns it with its warnings.
func summaryLinked(t testing.TB, g *Generator, plot *dnd.Plot, typ string, seed int) (*campaign, any, []string) {
	t.Helper()
	req := dnd.CampaignRequest{Type: typ, Seed: ptr(int64(seed)), Campaign: &dnd.CampaignLink{
		Title: plot.Title, Setting: plot.Setting, Antagonist: dnd.Antagonist{Name: plot.Antagonist.Name, Creature: plot.Antagonist.Creature}}}
	req.Normalize()
	c := g.newCampaign(int64(seed), req)
	doc, warnings, err := c.content(typ)
	if err != nil {
		t.Fatalf("seed %d %s: %v", seed, typ, err)
	}
	return c, doc, warnings
}

// badGrammar are slips a reader stops at: a doubled article, and "spawns"
// (the plural of spawn is spawn).
var badGrammar = regexp.MustCompile(`(?i)\b(an? (an?|the) |spawns\b)`)

// actDurations are plot lengths of one to six acts.
var actDurations = []string{"a one-shot", "two sessions", "a short arc", "four sessions", "five sessions", "a long campaign"}

// TestCampaignGrammar checks 400 worlds of the DM's themes, and
// documents linked to them by summary: no doubled article ("an assumed a
// party"), no "vampire spawns", and act titles in headline case ("Where
// Blue Dragon Wyrmlings Gather", "Dawn Over Castle Redwell").
func TestCampaignGrammar(t *testing.T) {
	t.Parallel()
	g := New()
	for seed := range 400 {
		theme := dmThemes[seed%len(dmThemes)]
		req := variedReq(dnd.TypePlot, theme, seed)
		req.Parameters.Duration = actDurations[seed%len(actDurations)]
		_, docs := worldOf(t, g, req, campaignTypes...)
		plot := docs[dnd.TypePlot].(*dnd.Plot)
		_, _, warnings := summaryLinked(t, g, plot, dnd.TypeQuest, seed+7)
		texts := warnings
		for _, doc := range docs {
			texts = append(texts, docStrings(t, doc)...)
		}
		for _, s := range texts {
			if m := badGrammar.FindString(s); m != "" {
				t.Fatalf("seed %d %q: %q in %q", seed, theme, m, s)
			}
		}
		for _, a := range plot.Acts {
			for _, w := range strings.Fields(a.Title) {
				if first := []rune(w)[0]; unicode.IsLower(first) && !smallWords[w] {
					t.Fatalf("seed %d %q: act title %q has the lower-case word %q", seed, theme, a.Title, w)
				}
			}
		}
	}
}
