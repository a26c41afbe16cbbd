package offline

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/encounter"
)

// multiWordMonster matches the SRD monster names of two words or more.
var multiWordMonster = func() *regexp.Regexp {
	var alts []string
	for _, m := range encounter.Monsters() {
		for _, n := range []string{m.PluralName(), m.Name} {
			if strings.Contains(n, " ") {
				alts = append(alts, regexp.QuoteMeta(strings.ToLower(n)))
			}
		}
	}
	return regexp.MustCompile(`\b(` + strings.Join(alts, "|") + `)\b`)
}()

// nonsense are rewrites of idioms that mean nothing.
var nonsense = regexp.MustCompile(`(?i)\bfor grim\b|wedding darkness|on the darkness|decaying friends|\bcap'ns\b|goes bone-chilling|to deckhand\b|sleeps an? \w+ night`)

// TestRestyleKeepsNamesAndIdioms restyles 1,000 generated documents in
// every known genre, tone and style: each SRD monster name in them comes
// through whole ("Night Hag", never "darkness hag"; "Bandit Captains",
// never "bandit cap'ns"), the campaign theme the plot echoes is kept as
// written, and no idiom turns to nonsense ("for grim").
func TestRestyleKeepsNamesAndIdioms(t *testing.T) {
	t.Parallel()
	g := New()
	themes := knownThemes()
	lost, broken := 0, 0
	for seed := range campaignSeeds {
		theme := reviewThemes[seed%len(reviewThemes)]
		typ := campaignTypes[seed%len(campaignTypes)]
		c, docs := world(t, g, theme, seed, typ)
		before := docStrings(t, docs[typ])
		lexs, _ := g.t.restyle.resolveTheme(themes[seed%len(themes)])
		b, _ := json.Marshal(docs[typ])
		doc := docs[typ]
		if err := json.Unmarshal(b, doc); err != nil {
			t.Fatal(err)
		}
		restyleDoc(g.t.restyle, newRand(int64(seed), "test/restyle"), lexs, doc, c.req.Parameters.CampaignTheme)
		after := docStrings(t, doc)
		for i, s := range before {
			want := multiWordMonster.FindAllString(strings.ToLower(s), -1)
			got := multiWordMonster.FindAllString(strings.ToLower(after[i]), -1)
			echo := theme != "" && strings.Contains(s, "theme: "+theme) && !strings.Contains(after[i], "theme: "+theme)
			if len(got) < len(want) || echo {
				lost++
				t.Logf("seed %d %+v: %q → %q", seed, themes[seed%len(themes)], s, after[i])
			}
			if nonsense.MatchString(after[i]) {
				broken++
				t.Logf("seed %d %+v: %q → %q", seed, themes[seed%len(themes)], s, after[i])
			}
		}
	}
	if lost+broken > 0 {
		t.Errorf("restyle lost a monster's name or the theme in %d fields and made nonsense of %d, want 0", lost, broken)
	}
}
