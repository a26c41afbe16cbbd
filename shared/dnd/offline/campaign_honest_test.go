package offline

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/encounter"
)

// linkedDoc writes a document of type typ linked to plot, by its whole
// content or (summary) by its title, setting and antagonist alone, and
// returns it with its world and warnings.
func linkedDoc(t testing.TB, g *Generator, plot *dnd.Plot, typ string, seed int, summary bool, prompt string) (*campaign, any, []string) {
	t.Helper()
	link := &dnd.CampaignLink{Title: plot.Title, Setting: plot.Setting, Antagonist: dnd.Antagonist{Name: plot.Antagonist.Name, Creature: plot.Antagonist.Creature}}
	if !summary {
		link = &dnd.CampaignLink{Title: plot.Title, Summary: plot.Summary, Setting: plot.Setting, Acts: plot.Acts, Antagonist: plot.Antagonist,
			Hooks: plot.Hooks, Twists: plot.Twists, PartyLevel: dnd.Int(plot.PartyLevel), PartySize: dnd.Int(plot.PartySize)}
	}
	req := dnd.CampaignRequest{Type: typ, Seed: ptr(int64(seed)), Campaign: link, Prompt: prompt}
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
		_, _, warnings := linkedDoc(t, g, plot, dnd.TypeQuest, seed+7, true, "")
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

// honestThemes are DM themes whose places and villains the warnings have
// misread: sewers that became a sewer, a snowbound village in the arctic,
// a tarrasque no low-level party can face.
var honestThemes = []string{
	"a plague of rats and a wererat guild in the sewers", "werewolves in a snowbound village", "a tarrasque stirs beneath the capital",
	"orc warbands besieging a dwarven hold in the mountains", "a frontier town beset by goblins", "undead in a drowned city",
}

// TestWarningsAreHonest checks 300 plots of the DM's themes and documents
// linked to them: a warning that a theme place is unused is never about a
// place the world is (the sewer lair, the arctic land) or the plot names;
// a prompt's kind of place ("a tight crypt") is said to be read only when
// the location is of that kind; and a stand-in said to lead the story
// appears in the document.
func TestWarningsAreHonest(t *testing.T) {
	t.Parallel()
	g := New()
	unusedRE := regexp.MustCompile(`does not use the places? (.*)$`)
	kindRE := regexp.MustCompile(`read offline for .*the kind of place \("(\w+)"\)`)
	standInRE := regexp.MustCompile(`; (an? [\w' -]+) \(CR [\d/]+\) leads the story instead`)
	for seed := range 300 {
		theme := honestThemes[seed%len(honestThemes)]
		c, docs := world(t, g, theme, seed, dnd.TypePlot)
		plot := docs[dnd.TypePlot].(*dnd.Plot)
		_, warnings, err := c.content(dnd.TypePlot)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ToLower(strings.ReplaceAll(strings.Join(docStrings(t, plot), " "), theme, ""))
		for _, w := range warnings {
			m := unusedRE.FindStringSubmatch(w)
			if m == nil {
				continue
			}
			parts := strings.Split(m[1], `"`)
			for i := 1; i < len(parts); i += 2 {
				q := parts[i]
				if strings.Contains(text, strings.TrimSuffix(strings.TrimSuffix(q, "bound"), "s")) || slices.Contains(c.t.campaign.KindWords[q], c.kindKey) {
					t.Fatalf("seed %d %q: %q, but the plot is in the %s at a %s: %q", seed, theme, w, c.terrainKey, c.kindKey, plot.Acts)
				}
			}
		}
		for i, typ := range []string{dnd.TypeLocation, dnd.TypeDialogue, dnd.TypeLocation} {
			lc, doc, warnings := linkedDoc(t, g, plot, typ, seed+11*i, i == 1, "a tight crypt with low ceilings")
			text := strings.ToLower(strings.Join(docStrings(t, doc), " "))
			for _, w := range warnings {
				if m := kindRE.FindStringSubmatch(w); m != nil && !slices.Contains(lc.t.campaign.KindWords[m[1]], lc.kindKey) {
					t.Fatalf("seed %d %q %s: %q, but the place is a %s", seed, theme, typ, w, lc.kindKey)
				}
				if m := standInRE.FindStringSubmatch(w); m != nil && !strings.Contains(text, strings.SplitN(m[1], " ", 2)[1]) {
					t.Fatalf("seed %d %q %s: %q, but none is in the document", seed, theme, typ, w)
				}
			}
		}
	}
}

// TestRolesThatDealInCreaturesArePeople checks that a role naming a
// creature it trades in or hunts is a person ("camel trader", described
// as a camel that talks, was one), while a creature's own role stays the
// creature.
func TestRolesThatDealInCreaturesArePeople(t *testing.T) {
	tests := []struct {
		role     string
		creature string
	}{
		{"camel trader", ""},
		{"wolf hunter", ""},
		{"vampire hunter", ""},
		{"rat catcher", ""},
		{"horse trader", ""},
		{"kobold trader", "kobold"},
		{"captured goblin scout", "goblin"},
		{"imp secretary", "imp"},
		{"ogre doorkeeper", "ogre"},
		{"the witch's familiar", "familiar"},
	}
	for _, tc := range tests {
		k, ok := roleCreature(tc.role)
		if ok != (tc.creature != "") || k.noun != tc.creature {
			t.Errorf("roleCreature(%q) = %q, %v; want %q", tc.role, k.noun, ok, tc.creature)
		}
	}
}

// TestHugeCreaturesHaveRoom checks 1,000 locations of themes with Huge
// and Gargantuan creatures: none fights in a room (two rocs in the
// portrait gallery), a narrow way or a roofed spot, outside a giant's
// steading; and no location holds the same fight twice (a young red
// dragon and two wyverns in the walled garden and again in the cellars).
func TestHugeCreaturesHaveRoom(t *testing.T) {
	t.Parallel()
	g := New()
	themes := []string{"a roc nesting above the manor", "red dragons over the mountains", "giants raiding the hill farms after a storm",
		"a tarrasque stirs beneath the capital", "a hydra in the temple undercroft", "dinosaurs in a lost valley"}
	for seed := range campaignSeeds {
		theme := themes[seed%len(themes)]
		c, docs := world(t, g, theme, seed, dnd.TypeLocation)
		loc := docs[dnd.TypeLocation].(*dnd.Location)
		spots := map[string]spot{}
		for _, s := range c.kind.Spots {
			spots[s.Where] = s
		}
		seen := map[string]bool{}
		for _, e := range loc.Encounters {
			for _, m := range e.Monsters {
				srd, _ := encounter.Lookup(m.Name)
				for where, s := range spots {
					if srd.Huge() && strings.Contains(e.Description, " "+where+",") && c.cramped(s) {
						t.Fatalf("seed %d %q: a %s creature %s at a %s: %q", seed, theme, srd.Size, where, c.kindKey, e.Description)
					}
				}
			}
			key := fmt.Sprint(e.Monsters)
			if seen[key] {
				t.Fatalf("seed %d %q: the same fight twice at %s: %v", seed, theme, loc.Name, e.Monsters)
			}
			seen[key] = true
		}
	}
}

// TestAnimalsDoNoPersonsWork checks 1,000 plots whose rank and file are
// beasts or mindless monsters: none keeps a ledger ("Someone has been
// living there: tyrannosauruses, with a ledger"), lingers in a dead
// hermit's hut, carries sealed orders or talks where the party overhears;
// and no beast villain sends messengers or pays for news (the Purple
// Worm's heralds).
func TestAnimalsDoNoPersonsWork(t *testing.T) {
	t.Parallel()
	g := New()
	themes := []string{"dinosaurs in a lost valley", "a tarrasque stirs beneath the capital", "giant spiders in the old forest",
		"zombies rising from the graveyard", "wolves on the winter roads", "a purple worm under the mines"}
	animals := 0
	for seed := range campaignSeeds {
		theme := themes[seed%len(themes)]
		req := variedReq(dnd.TypePlot, theme, seed)
		req.Parameters.Duration = actDurations[seed%len(actDurations)]
		c, docs := worldOf(t, g, req, dnd.TypePlot)
		if !c.minion.Animal() {
			continue
		}
		animals++
		minions := strings.ToLower(c.minion.PluralName())
		for _, a := range docs[dnd.TypePlot].(*dnd.Plot).Acts {
			for _, work := range []string{minions + ", with a ledger", minions + " are still in the hut", "band of " + minions + " from"} {
				if strings.Contains(a.Summary, work) {
					t.Fatalf("seed %d %q: %q", seed, theme, a.Summary)
				}
			}
			if strings.Contains(a.Summary, "orders sealed") && strings.Contains(a.Summary, "ambushed by "+minions) {
				t.Fatalf("seed %d %q: %q", seed, theme, a.Summary)
			}
			if c.nature == beastNature && (strings.Contains(a.Summary, "'s messengers") || strings.Contains(a.Summary, " has paid for news")) {
				t.Fatalf("seed %d %q: the %s villain %q", seed, theme, c.boss.Name, a.Summary)
			}
		}
	}
	if animals < 100 {
		t.Fatalf("%d worlds of %d have animal minions, want at least 100 to check", animals, campaignSeeds)
	}
}
