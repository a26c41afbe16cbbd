package offline

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// proseThemes are the campaign themes whose documents TestCampaignProse
// reads, with and without a restyle.
var proseThemes = []string{"", "a haunted lighthouse on the storm coast", "kobolds in the old mine", "a vampire lord's castle",
	"cultists summoning a demon in the desert", "an orc horde on the frontier", "a heist in the capital",
	"a hag bargaining for children in the swamp", "frost giants raid the northern villages", "a beholder beneath the city",
	"a murder mystery at a noble's ball", "sahuagin raiding a fishing village", "a lich's tomb in the ruins"}

var (
	doubledThe    = regexp.MustCompile(`(?i)\bthe the\b`)
	squashedDots  = regexp.MustCompile(`[!?.]\.\.\.\S|\.\.\.\.`)
	vocativeThe   = regexp.MustCompile(`, the [A-Z][\p{L}'-]*(?: (?:of |the )?[A-Z][\p{L}'-]*)*[.!?]$`)
	bareEpithet   = regexp.MustCompile(`\b(?:in|of|from|to|into) (?:dying|shadowed|rebuilding|storybook|ravaged|grim|rotting|veiled) town\b`)
	theseDetermin = regexp.MustCompile(`(?i)\b(?:the|a|an) (?:this|that|these|those)\b`)
)

// TestCampaignProse writes every campaign type for many themes, parties
// and seeds, some restyled, and checks the slips a game master reading
// them once found: "the the", squashed ellipses ("Hush!...Fine"), the
// villain addressed with an article ("No, the Lantern Maid."), an epithet
// without its article ("out of dying town"), "the this town", and a quest
// whose title, objective and steps name different recipients.
func TestCampaignProse(t *testing.T) {
	t.Parallel()
	g := New()
	tb, _ := loadTables()
	recipients := tb.grammar["recipient"]
	themes := []dnd.Theme{{}, {Genre: "horror", Tone: "grim"}, {Genre: "noir"}, {Genre: "steampunk", Tone: "whimsical"}}
	for seed := range 400 {
		req := variedReq("", proseThemes[seed%len(proseThemes)], seed)
		req.Theme = themes[seed%len(themes)]
		for _, typ := range []string{dnd.TypePlot, dnd.TypeLocation, dnd.TypeQuest, dnd.TypeDialogue, dnd.TypeEvent} {
			req.Type = typ
			out, err := g.Campaign(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			var doc any
			if err := json.Unmarshal(out.Content, &doc); err != nil {
				t.Fatal(err)
			}
			for _, s := range stringsOf(doc) {
				for _, re := range []*regexp.Regexp{doubledThe, squashedDots, vocativeThe, bareEpithet, theseDetermin} {
					if m := re.FindString(s); m != "" {
						t.Errorf("seed %d %s %+v: %q in %q", seed, typ, req.Theme, m, s)
					}
				}
			}
			if typ == dnd.TypeQuest && req.Theme == (dnd.Theme{}) {
				named := 0
				for _, r := range recipients {
					if strings.Contains(string(out.Content), r) {
						named++
					}
				}
				if named > 1 {
					t.Errorf("seed %d: quest names %d different recipients: %s", seed, named, out.Content)
				}
			}
		}
	}
}

// stringsOf lists every string in a decoded JSON document.
func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, stringsOf(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, k := range sortedKeys(x) {
			out = append(out, stringsOf(x[k])...)
		}
		return out
	}
	return nil
}

// TestCampaignThemeWordsPickTheVillain checks what the theme names: a
// vampire lord is a vampire when the party can face one, a lone lich is
// not spoken of in the plural, and an orc horde is fought as orcs, not
// under the war story's "soldiers".
func TestCampaignThemeWordsPickTheVillain(t *testing.T) {
	t.Parallel()
	g := New()
	for seed := range 100 {
		p := dnd.CampaignParams{CampaignTheme: "a vampire lord's castle", PartyLevel: dnd.Int(7 + seed%8), PartySize: dnd.Int(4 + seed%3)}
		var plot dnd.Plot
		campaignDoc(t, g, dnd.CampaignRequest{Type: dnd.TypePlot, Parameters: p, Seed: ptr(int64(seed))}, &plot)
		if !slices.Contains([]string{"Vampire", "Vampire Spawn"}, plot.Antagonist.Creature) {
			t.Errorf("seed %d: a vampire lord's castle at level %d has a %s for its villain", seed, *p.PartyLevel, plot.Antagonist.Creature)
		}
		p = dnd.CampaignParams{CampaignTheme: "a lich's tomb in the ruins", PartyLevel: dnd.Int(1 + seed%20), PartySize: dnd.Int(4)}
		campaignDoc(t, g, dnd.CampaignRequest{Type: dnd.TypePlot, Parameters: p, Seed: ptr(int64(seed))}, &plot)
		if b, _ := json.Marshal(plot); strings.Contains(strings.ToLower(string(b)), "liches") {
			t.Errorf("seed %d: a lone lich spoken of in the plural: %s", seed, plot.Summary)
		}
		p = dnd.CampaignParams{CampaignTheme: "an orc horde on the frontier", PartyLevel: dnd.Int(1 + seed%20), PartySize: dnd.Int(4)}
		var d dnd.Dialogue
		campaignDoc(t, g, dnd.CampaignRequest{Type: dnd.TypeDialogue, Parameters: p, Seed: ptr(int64(seed))}, &d)
		campaignDoc(t, g, dnd.CampaignRequest{Type: dnd.TypePlot, Parameters: p, Seed: ptr(int64(seed))}, &plot)
		if b, _ := json.Marshal([]any{d, plot}); regexp.MustCompile(`(?:guarded by|through|ambushed by|sent the) soldiers`).Match(b) {
			t.Errorf("seed %d: an orc horde fought as soldiers: %s", seed, b)
		}
	}
}

// TestLocationFightsDiffer checks that a location's fights are not the
// same line-up twice when other monsters can make a fight.
func TestLocationFightsDiffer(t *testing.T) {
	t.Parallel()
	g := New()
	same := 0
	for seed := range campaignSeeds {
		var loc dnd.Location
		campaignDoc(t, g, variedReq(dnd.TypeLocation, proseThemes[seed%len(proseThemes)], seed), &loc)
		seen := map[string]bool{}
		for _, e := range loc.Encounters {
			var names []string
			for _, m := range e.Monsters {
				names = append(names, m.Name)
			}
			key := fmt.Sprint(names)
			if seen[key] {
				same++
				t.Logf("seed %d: %s twice in %s", seed, key, loc.Name)
			}
			seen[key] = true
		}
	}
	if same > 0 {
		t.Errorf("%d locations of %d repeat a line-up", same, campaignSeeds)
	}
}

// TestCampaignThemeWordsWarn checks that a campaign document restyled to
// a genre the restyler does not know says what it read it as.
func TestCampaignThemeWordsWarn(t *testing.T) {
	t.Parallel()
	g := New()
	req := dnd.CampaignRequest{Type: dnd.TypeLocation, Theme: dnd.Theme{Genre: "solarpunk"}, Seed: ptr(int64(3))}
	out := campaignDoc(t, g, req, &dnd.Location{})
	if !slices.ContainsFunc(out.Warnings, func(w string) bool { return strings.Contains(w, `theme.genre "solarpunk"`) }) {
		t.Errorf("warnings = %q, want one saying what solarpunk was read as", out.Warnings)
	}
}
