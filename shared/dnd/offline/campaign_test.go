package offline

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/encounter"
	"github.com/dndcc/dnd-llm-service/shared/encounter/encountertest"
)

const campaignSeeds = 1000

// campaignDoc generates one campaign document and decodes it into doc.
func campaignDoc(t testing.TB, g *Generator, req dnd.CampaignRequest, doc any) Output {
	t.Helper()
	out, err := g.Campaign(context.Background(), req)
	if err != nil {
		t.Fatalf("Campaign(%+v) error: %v", req, err)
	}
	if err := json.Unmarshal(out.Content, doc); err != nil {
		t.Fatalf("decode %s: %v", req.Type, err)
	}
	return out
}

// plotAndLocation builds one world and its plot and location directly,
// without encoding (TestEveryOutputValidates covers the encoded path), and
// returns the location's warnings.
func plotAndLocation(t testing.TB, g *Generator, theme string, seed int) (*dnd.Plot, *dnd.Location, []string) {
	t.Helper()
	req := variedReq(dnd.TypePlot, theme, seed)
	req.Normalize()
	c := g.newCampaign(int64(seed), req)
	plot, _, err := c.content(dnd.TypePlot)
	if err != nil {
		t.Fatal(err)
	}
	loc, warnings, err := c.content(dnd.TypeLocation)
	if err != nil {
		t.Fatal(err)
	}
	return plot.(*dnd.Plot), loc.(*dnd.Location), warnings
}

// variedReq is a campaign request whose party and duration vary with the
// seed.
func variedReq(typ, theme string, seed int) dnd.CampaignRequest {
	return dnd.CampaignRequest{
		Type: typ,
		Parameters: dnd.CampaignParams{
			CampaignTheme: theme,
			PartyLevel:    dnd.Int(1 + seed%20),
			PartySize:     dnd.Int(1 + seed/20%8),
		},
		Seed: ptr(int64(seed)),
	}
}

// familyWords are the words that show a creature family in prose: its
// noun and the names of its SRD monsters.
func familyWords(family string) []string {
	words := []string{strings.TrimPrefix(encounter.FamilyNoun(family), "the ")}
	for _, m := range encounter.Monsters() {
		if m.HasTag(encounter.FamilyTags(family)...) {
			words = append(words, strings.ToLower(m.Name))
		}
	}
	return words
}

// withoutEcho removes the premise's verbatim echo of the theme ("A tale
// of <theme> for ...").
func withoutEcho(doc, theme string) string {
	for _, p := range []string{"A tale of ", "A story of "} {
		doc = strings.ReplaceAll(doc, p+theme+" for", "")
	}
	return doc
}

// canFight reports whether some monster of the tags, alone or in numbers up
// to those met together, lands between the party's easy threshold and
// twice its deadly one, and is not too strong for its level.
func canFight(tags []string, level, size int, th dnd.XPThresholds) bool {
	return canFightIf(tags, level, size, th, func(encounter.Monster) bool { return true })
}

// canFightIf is canFight over the monsters ok allows.
func canFightIf(tags []string, level, size int, th dnd.XPThresholds, ok func(encounter.Monster) bool) bool {
	for _, m := range encounter.Monsters() {
		// A creature of the water fights only where there is water.
		if !ok(m) || !m.HasTag(tags...) || m.HasTag("good", "metallic", "celestial") || m.Water || encounter.Outclasses(encounter.NewParty(level, size), m) {
			continue
		}
		most := min(12, 4+2*level) // a crowd is at most 12, fewer at low level
		if m.Max > 0 {
			most = min(most, m.Max)
		}
		for n := 1; n <= most; n++ {
			if adj := int(float64(n*m.XP) * encounter.Multiplier(n, size)); adj >= th.Easy && 2*adj < 3*th.Deadly {
				return true
			}
		}
	}
	return false
}

func containsAny(text string, words []string) bool {
	text = strings.ToLower(text)
	return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(text, w) })
}

// TestThemeWordsYieldTheirCreatures checks, for every creature word the
// issue lists and 1,000 seeds each, that the plot names creatures of the
// family and the location fights some of them.
func TestThemeWordsYieldTheirCreatures(t *testing.T) {
	t.Parallel()
	g := New()
	tests := []struct {
		word, family string
		prose        []string // words the plot must use, beyond a verbatim echo
	}{
		{"goblins", "goblinoid", nil},
		{"undead", "undead", nil},
		{"demons", "demon", nil},
		{"devils", "devil", nil},
		{"aberrations", "aberration", nil},
		{"mind flayers", "aberration", []string{"mind flayer"}},
		{"lycanthropes", "lycanthrope", nil},
		{"werewolves", "lycanthrope", []string{"werewol"}},
		{"giants", "giant", nil},
		{"dragons", "dragon", nil},
		{"fey", "fey", nil},
		{"a cult", "cultist", []string{"cult"}},
	}
	phrasings := []string{"%s", "a frontier town beset by %s", "%s in the hills", "trouble with %s"}
	for _, tc := range tests {
		t.Run(tc.word, func(t *testing.T) {
			t.Parallel()
			tags := encounter.FamilyTags(tc.family)
			words := append(familyWords(tc.family), tc.prose...)
			missing := 0
			for seed := range campaignSeeds {
				theme := fmt.Sprintf(phrasings[seed%len(phrasings)], tc.word)
				plot, loc, warnings := plotAndLocation(t, g, theme, seed)
				b, _ := json.Marshal(plot)
				text := withoutEcho(string(b), theme)
				if !containsAny(text, words) {
					t.Fatalf("seed %d, theme %q: the plot names no %s:\n%s", seed, theme, tc.family, b)
				}
				if tc.prose != nil && !containsAny(text, tc.prose) {
					t.Fatalf("seed %d, theme %q: the plot never says %v:\n%s", seed, theme, tc.prose, b)
				}
				if !slices.ContainsFunc(loc.Encounters, func(e dnd.Encounter) bool {
					return slices.ContainsFunc(e.Monsters, func(m dnd.EncounterMonster) bool {
						srd, _ := encounter.Lookup(m.Name)
						return srd.HasTag(tags...)
					})
				}) {
					// Allowed only when none of the family can fight this
					// party, and a warning says so.
					missing++
					if !slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, "make a fair fight") }) {
						t.Fatalf("seed %d, theme %q: no encounter has a %s and no warning says why: %+v", seed, theme, tc.family, loc.Encounters)
					}
					if canFight(tags, 1+seed%20, 1+seed/20%8, loc.Encounters[0].PartyThresholds) {
						t.Fatalf("seed %d, theme %q: no encounter has a %s, though one could fight this party", seed, theme, tc.family)
					}
				}
			}
			if missing > campaignSeeds/10 {
				t.Errorf("%d of %d locations have no %s", missing, campaignSeeds, tc.family)
			}
		})
	}
}

// TestThemeWordsSetTheLand checks, for every terrain word and 1,000 seeds
// each, that the plot's setting is that land and the location's fights
// are with creatures that live there.
func TestThemeWordsSetTheLand(t *testing.T) {
	t.Parallel()
	g := New()
	tests := []struct {
		word    string
		setting []string
	}{
		{"desert", []string{"desert"}},
		{"arctic", []string{"frozen", "snow", "ice"}},
		{"swamp", []string{"swamp", "marsh"}},
		{"coast", []string{"coast"}},
		{"underdark", []string{"underdark"}},
		{"city", []string{"city", "capital"}},
		{"frontier", []string{"frontier"}},
	}
	phrasings := []string{"the %s", "a haunted %s", "goblins in the %s", "a heist in the %s"}
	for _, tc := range tests {
		t.Run(tc.word, func(t *testing.T) {
			t.Parallel()
			envs := encounter.TerrainEnvironments(tc.word)
			for seed := range campaignSeeds {
				theme := fmt.Sprintf(phrasings[seed%len(phrasings)], tc.word)
				c, docs := world(t, g, theme, seed, dnd.TypePlot, dnd.TypeLocation)
				plot, loc := docs[dnd.TypePlot].(*dnd.Plot), docs[dnd.TypeLocation].(*dnd.Location)
				// A Huge beast of the land fights only where there is
				// dry room: at a spot the theme's own fight does not take.
				roomy := len(slices.DeleteFunc(slices.Clone(c.kind.Spots), func(s spot) bool { return c.cramped(s) || wet.MatchString(s.Name+" "+s.Where) }))
				if !containsAny(plot.Setting, tc.setting) {
					t.Fatalf("seed %d, theme %q: setting %q is not %s", seed, theme, plot.Setting, tc.word)
				}
				landFights := slices.ContainsFunc(encounter.Monsters(), func(m encounter.Monster) bool {
					return m.LivesIn(envs...) && !m.Water && !m.HasTag("good", "metallic", "celestial", "townsfolk") &&
						canFightIf([]string{m.Tags[0]}, 1+seed%20, 1+seed/20%8, loc.Encounters[0].PartyThresholds, func(x encounter.Monster) bool { return x.LivesIn(envs...) && (!x.Huge() || roomy >= 2) })
				})
				if landFights && !slices.ContainsFunc(loc.Encounters, func(e dnd.Encounter) bool {
					return slices.ContainsFunc(e.Monsters, func(m dnd.EncounterMonster) bool {
						srd, _ := encounter.Lookup(m.Name)
						return srd.LivesIn(envs...)
					})
				}) {
					t.Fatalf("seed %d, theme %q: no encounter lives in %v: %+v", seed, theme, envs, loc.Encounters)
				}
			}
		})
	}
}

func TestThemeWarnings(t *testing.T) {
	t.Parallel()
	g := New()
	tests := []struct {
		theme   string
		want    []string // substrings of the warnings, in order
		setting string   // a word the setting must contain; "city" is met by "capital" too
	}{
		{"solarpunk utopia", []string{`"solarpunk" and "utopia"`}, ""},
		{"mind flayers beneath the city", []string{"mind flayers have no SRD 5.1 stat block"}, "city"},
		{"the restless dead of Harrowmere", nil, "Harrowmere"},
		{"frontier town beset by goblins", nil, "frontier"},
	}
	for _, tc := range tests {
		var plot dnd.Plot
		out := campaignDoc(t, g, variedReq(dnd.TypePlot, tc.theme, 3), &plot)
		if len(out.Warnings) != len(tc.want) {
			t.Errorf("Campaign(%q) warnings = %q, want %d", tc.theme, out.Warnings, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(out.Warnings[i], w) {
				t.Errorf("Campaign(%q) warning %d = %q, want it to contain %q", tc.theme, i, out.Warnings[i], w)
			}
		}
		if !strings.Contains(plot.Setting, tc.setting) && !(tc.setting == "city" && strings.Contains(plot.Setting, "capital")) {
			t.Errorf("Campaign(%q) setting = %q, want it to mention %q", tc.theme, plot.Setting, tc.setting)
		}
	}
}

// TestEncounterLabelsMatchTheNumbers recomputes every encounter of 1,000
// locations from encountertest's own copy of the tables.
func TestEncounterLabelsMatchTheNumbers(t *testing.T) {
	t.Parallel()
	g := New()
	themes := []string{"", "frontier town beset by goblins", "undead", "a dragon's hoard", "a heist in the capital", "giants of the frozen north"}
	counts := map[string]int{}
	for seed := range campaignSeeds {
		req := variedReq(dnd.TypeLocation, themes[seed%len(themes)], seed)
		req.Parameters.PartySize = dnd.Int(1 + seed%10)
		var loc dnd.Location
		campaignDoc(t, g, req, &loc)
		levels := make([]int, *req.Parameters.PartySize)
		for i := range levels {
			levels[i] = *req.Parameters.PartyLevel
		}
		sum := encountertest.Thresholds(levels)
		for _, e := range loc.Encounters {
			count, base := 0, 0
			for _, m := range e.Monsters {
				srd, ok := encounter.Lookup(m.Name)
				if !ok || srd.CR != m.CR || encountertest.XP[m.CR] != m.XP {
					t.Fatalf("seed %d: monster %+v is not the SRD's", seed, m)
				}
				count += m.Count
				base += m.Count * m.XP
			}
			adjusted, label := encountertest.Label(levels, count, base)
			got := [4]int{e.PartyThresholds.Easy, e.PartyThresholds.Medium, e.PartyThresholds.Hard, e.PartyThresholds.Deadly}
			if e.BaseXP != base || e.AdjustedXP != adjusted || e.Difficulty != label || got != sum {
				t.Fatalf("seed %d, %d level-%d: %q is %d/%d XP %s with thresholds %v; the tables say %d/%d %s with %v",
					seed, len(levels), levels[0], e.Name, e.BaseXP, e.AdjustedXP, e.Difficulty, got, base, adjusted, label, sum)
			}
			if label == "trivial" || (label == "deadly" && adjusted >= 2*sum[3]) {
				t.Fatalf("seed %d: %q is %s at %d adjusted XP (deadly %d); offline fights run easy to twice deadly", seed, e.Name, label, adjusted, sum[3])
			}
			counts[label]++
		}
	}
	for _, l := range []string{"easy", "medium", "hard", "deadly"} {
		if counts[l] < 50 {
			t.Errorf("only %d %s encounters in %d locations: %v", counts[l], l, campaignSeeds, counts)
		}
	}
}

// TestNoHillGiantForSixLevelOnes is the case that was found: a medium
// fight for six level-1 characters in a goblin-beset frontier town.
func TestNoHillGiantForSixLevelOnes(t *testing.T) {
	t.Parallel()
	g := New()
	req := dnd.CampaignRequest{Type: dnd.TypeLocation, Parameters: dnd.CampaignParams{CampaignTheme: "frontier town beset by goblins", PartyLevel: dnd.Int(1), PartySize: dnd.Int(6)}}
	for seed := range campaignSeeds {
		c := g.newCampaign(int64(seed), req)
		r := rand.New(rand.NewPCG(uint64(seed), 1))
		for _, enc := range []encounter.Encounter{c.signatureEncounter(r, encounter.Medium), c.buildEncounter(r, encounter.Medium)} {
			_, label := encountertest.Label(c.party.Levels, enc.Count(), enc.BaseXP)
			if label != "medium" || slices.ContainsFunc(enc.Groups, func(gr encounter.Group) bool { return gr.Monster.XP > 600 }) {
				t.Fatalf("seed %d: a medium fight for six level-1s is %+v (%s)", seed, enc.Groups, label)
			}
		}
	}
}

var defeatRE = regexp.MustCompile(`\b(Defeat|defeated|Defeated)\b`)

// TestActsInOrder checks 1,000 plots: the act count follows the duration,
// every act template only uses what earlier acts established, and the
// antagonist falls only at the end.
func TestActsInOrder(t *testing.T) {
	t.Parallel()
	g := New()
	durations := []string{"one-shot", "two sessions", "3 sessions", "four sessions", "5 sessions", "a long campaign", "seven sessions", "8 sessions", "a short arc", ""}
	want := []int{1, 2, 3, 4, 5, 6, 7, 8, 3, 2}
	for seed := range campaignSeeds {
		req := variedReq(dnd.TypePlot, campThemes[seed%len(campThemes)], seed)
		req.Parameters.Duration = durations[seed%len(durations)]
		var plot dnd.Plot
		campaignDoc(t, g, req, &plot)
		n := want[seed%len(want)]
		if len(plot.Acts) != n {
			t.Fatalf("seed %d: duration %q gave %d acts, want %d", seed, req.Parameters.Duration, len(plot.Acts), n)
		}
		for i, a := range plot.Acts {
			if defeatRE.MatchString(a.Summary+" "+a.Goal) && i < n-2 {
				t.Fatalf("seed %d: act %d of %d defeats the antagonist before the climax: %+v", seed, i+1, n, a)
			}
		}
		c := g.newCampaign(int64(seed), req)
		facts := map[string]bool{}
		for i, tmpl := range c.planActs(rand.New(rand.NewPCG(uint64(seed), 2)), n) {
			for _, need := range tmpl.Needs {
				if !facts[need] {
					t.Fatalf("seed %d: act %d needs %q, which no earlier act gave (%v)", seed, i+1, need, tmpl.Title)
				}
			}
			for _, give := range tmpl.Gives {
				facts[give] = true
			}
		}
		if !facts["defeated"] {
			t.Fatalf("seed %d: a %d-act plot never defeats the antagonist", seed, n)
		}
	}
}

func TestDurationPhrases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		duration string
		acts     int
		warn     bool
	}{
		{"", 2, false},
		{"one-shot", 1, false}, {"a one-shot", 1, false}, {"One Shot", 1, false}, {"oneshot", 1, false},
		{"one session", 1, false}, {"a single session", 1, false}, {"1 session", 1, false},
		{"2 sessions", 2, false}, {"three sessions", 3, false}, {"3 sessions", 3, false}, {"five sessions", 5, false},
		{"eight sessions", 8, false}, {"8 sessions", 8, false}, {"12 sessions", 8, true},
		{"a short arc", 3, false}, {"short arc", 3, false}, {"a long campaign", 6, false}, {"Long Campaign.", 6, false},
		{"a weekend", 2, true}, {"forever", 2, true}, {"0 sessions", 2, true}, {"a few sessions", 2, true},
	}
	for _, tc := range tests {
		n, w := dnd.ActCount(tc.duration)
		if n != tc.acts || (w != "") != tc.warn {
			t.Errorf("ActCount(%q) = %d, %q; want %d acts, warning %v", tc.duration, n, w, tc.acts, tc.warn)
		}
	}
	g := New()
	var plot dnd.Plot
	out := campaignDoc(t, g, dnd.CampaignRequest{Type: dnd.TypePlot, Parameters: dnd.CampaignParams{Duration: "a weekend"}, Seed: ptr(int64(1))}, &plot)
	if len(plot.Acts) != 2 || len(out.Warnings) != 1 || !strings.Contains(out.Warnings[0], `"a weekend"`) {
		t.Errorf("duration %q: %d acts, warnings %q; want 2 acts and a warning naming it", "a weekend", len(plot.Acts), out.Warnings)
	}
}

// TestHazardsAndRoomsKeepTheirDescriptions checks 1,000 locations: each
// hazard is one record of the data (name, description, severity) with DMG
// numbers, and each encounter's name and description are at the same spot.
func TestHazardsAndRoomsKeepTheirDescriptions(t *testing.T) {
	t.Parallel()
	g := New()
	tb, _ := loadTables()
	byName := map[string]hazardTemplate{}
	for _, h := range tb.campaign.Hazards {
		byName[h.Name] = h
	}
	hazards := 0
	for seed := range campaignSeeds {
		req := variedReq(dnd.TypeLocation, campThemes[seed%len(campThemes)], seed)
		var loc dnd.Location
		campaignDoc(t, g, req, &loc)
		for _, h := range loc.Hazards {
			hazards++
			tmpl, ok := byName[h.Name]
			if !ok || !strings.HasPrefix(h.Description, tmpl.Description) || !slices.Contains(tmpl.Severities, h.Severity) {
				t.Fatalf("seed %d: hazard %q has description %q and severity %s; its own is %q, %v", seed, h.Name, h.Description, h.Severity, tmpl.Description, tmpl.Severities)
			}
			lo, hi, _ := encounter.TrapDC(h.Severity)
			dmg, _ := encounter.TrapDamage(*req.Parameters.PartyLevel, h.Severity)
			mech := fmt.Sprintf("DC %d %s; %s %s damage on a failure.", h.DC, tmpl.Save, h.Damage, tmpl.DamageType)
			if h.DC < lo || h.DC > hi || h.Damage != dmg || !strings.HasSuffix(h.Description, mech) {
				t.Fatalf("seed %d: hazard %+v at level %d; want DC %d-%d, %s damage, described", seed, h, *req.Parameters.PartyLevel, lo, hi, dmg)
			}
		}
		var kind *locationKind
		for _, k := range tb.campaign.Kinds {
			if k.Label == loc.Kind {
				kind = &k
			}
		}
		for _, e := range loc.Encounters {
			for _, s := range kind.Spots {
				if regexp.MustCompile(`(?i)\bthe `+regexp.QuoteMeta(s.Name)+`\b`).MatchString(e.Name) && !strings.Contains(e.Description, s.Where) {
					t.Fatalf("seed %d: encounter %q is at the %s but its description is elsewhere: %q", seed, e.Name, s.Name, e.Description)
				}
			}
		}
	}
	if hazards < campaignSeeds/2 {
		t.Errorf("only %d hazards in %d locations", hazards, campaignSeeds)
	}
}

// TestDialogueRepetition: across 50 dialogues (seeds 1-50) of one request,
// at most one line in ten repeats another.
func TestDialogueRepetition(t *testing.T) {
	t.Parallel()
	g := New()
	for _, theme := range []string{"", "frontier town beset by goblins", "undead", "a dragon's hoard", "pirates on the storm coast"} {
		seen, total := map[string]bool{}, 0
		repeats := 0
		for seed := 1; seed <= 50; seed++ {
			var d dnd.Dialogue
			campaignDoc(t, g, dnd.CampaignRequest{Type: dnd.TypeDialogue, Parameters: dnd.CampaignParams{CampaignTheme: theme}, Seed: ptr(int64(seed))}, &d)
			for _, l := range d.Lines {
				total++
				if seen[l.Text] {
					repeats++
				}
				seen[l.Text] = true
			}
		}
		if repeats*10 > total {
			t.Errorf("theme %q: %d of %d lines repeat another, more than one in ten", theme, repeats, total)
		}
	}
}

// TestSpeakersFitTheirStatBlocks checks 1,000 seeds: an antagonist who
// talks is one whose stat block can talk, only a person is met in a hall
// or at a table, and kin share a family name.
func TestSpeakersFitTheirStatBlocks(t *testing.T) {
	t.Parallel()
	g := New()
	hallRE := regexp.MustCompile(`receives the party|has been expecting the party|already seated`)
	for seed := range campaignSeeds {
		theme := campThemes[seed%len(campThemes)]
		if seed%3 == 0 {
			theme = []string{"a leviathan in the bay", "dragons", "pirates and sea monsters", "a monstrous beast", "demons"}[seed/3%5]
		}
		var plot dnd.Plot
		campaignDoc(t, g, variedReq(dnd.TypePlot, theme, seed), &plot)
		var d dnd.Dialogue
		campaignDoc(t, g, variedReq(dnd.TypeDialogue, theme, seed), &d)
		boss, _ := encounter.Lookup(plot.Antagonist.Creature)
		for _, tw := range plot.Twists {
			if strings.Contains(tw, "siblings") && boss.Type != "humanoid" && boss.Type != "undead" {
				t.Fatalf("seed %d: %s (%s) has a sibling: %q", seed, plot.Antagonist.Name, boss.Name, tw)
			}
		}
		if len(d.Participants) > 1 && (d.Participants[1].Role == "nephew" || d.Participants[1].Role == "niece") {
			a, b := strings.Fields(d.Participants[0].Name), strings.Fields(d.Participants[1].Name)
			if len(a) > 1 && a[len(a)-1] != b[len(b)-1] {
				t.Fatalf("seed %d: %s's %s is %s", seed, d.Participants[0].Name, d.Participants[1].Role, d.Participants[1].Name)
			}
		}
		if d.Participants[0].Name != plot.Antagonist.Name {
			continue
		}
		if !boss.Speaks {
			t.Fatalf("seed %d: %s (%s, which cannot talk) speaks in a dialogue", seed, plot.Antagonist.Name, boss.Name)
		}
		person := boss.Type == "humanoid" || boss.HasTag("shapechanger") || slices.Contains([]string{"undead", "fey", "giant"}, boss.Type)
		if !person && hallRE.MatchString(d.Setting) {
			t.Fatalf("seed %d: %s (%s) receives the party in %q", seed, plot.Antagonist.Name, boss.Name, d.Setting)
		}
		for _, l := range d.Lines {
			if l.Speaker == plot.Antagonist.Name && !person && strings.Contains(l.Direction, "smil") {
				t.Fatalf("seed %d: %s (%s) is %q", seed, plot.Antagonist.Name, boss.Name, l.Direction)
			}
		}
	}
}

// TestOmensAreSentences: an omen is a thing that appears, or a thing that
// happens; never a clause used as a noun ("Every candle in town gutters at
// midnight appears over ...").
func TestOmensAreSentences(t *testing.T) {
	t.Parallel()
	g := New()
	tb, _ := loadTables()
	sights := tb.grammar["omen_sight"]
	omens := 0
	for seed := range campaignSeeds {
		var ev dnd.Event
		campaignDoc(t, g, variedReq(dnd.TypeEvent, campThemes[seed%len(campThemes)], seed), &ev)
		before, _, ok := strings.Cut(ev.Description, " appears over ")
		if !ok {
			continue
		}
		omens++
		if !slices.ContainsFunc(sights, func(s string) bool { return strings.EqualFold(before, s) }) {
			t.Fatalf("seed %d: %q appears over the town", seed, before)
		}
	}
	if omens == 0 {
		t.Errorf("no omen in %d events", campaignSeeds)
	}
}

// Every creature family, terrain and kind of story the theme hints know
// has a story theme, a land or a theme set there to answer it.
func TestEveryHintHasAnAnswer(t *testing.T) {
	t.Parallel()
	tb, _ := loadTables()
	for _, f := range encounter.Families() {
		if !slices.ContainsFunc(tb.campaign.Themes, func(th campaignTheme) bool { return slices.Contains(th.Families, f) }) {
			t.Errorf("creature family %q has no story theme", f)
		}
	}
	for _, p := range encounter.Plots() {
		if !slices.ContainsFunc(tb.campaign.Themes, func(th campaignTheme) bool { return slices.Contains(th.Plots, p) }) {
			t.Errorf("kind of story %q has no story theme", p)
		}
	}
	for _, tr := range encounter.Terrains() {
		if _, ok := tb.campaign.Terrains[tr]; !ok && tr != "ruins" {
			t.Errorf("terrain %q has no land", tr)
		}
		if tr != "ruins" && !slices.ContainsFunc(tb.campaign.Themes, func(th campaignTheme) bool { return slices.Contains(th.Terrains, tr) }) {
			t.Errorf("terrain %q has no story theme set there", tr)
		}
	}
}
