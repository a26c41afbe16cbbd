package offline

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/encounter"
)

// reviewThemes are themes a game master asks for, with the creatures and
// lands the review below reads for.
var reviewThemes = []string{
	"", "a frontier town beset by goblins", "goblins", "dragons", "a leviathan in the bay", "an old dragon of the fey wood",
	"werewolves in the dark forest", "mind flayers in the underdark", "a demon cult in the city", "a lost tomb in the desert",
	"undead rising from a crypt", "pirates on the coast", "giants of the frozen north",
}

// worldDocs builds one world per seed and returns its documents by type.
func worldDocs(t testing.TB, g *Generator, theme string, seed int, types ...string) map[string]any {
	t.Helper()
	_, docs := world(t, g, theme, seed, types...)
	return docs
}

// world builds one world per seed and returns it with its documents by
// type.
func world(t testing.TB, g *Generator, theme string, seed int, types ...string) (*campaign, map[string]any) {
	t.Helper()
	return worldOf(t, g, variedReq(dnd.TypePlot, theme, seed), types...)
}

// worldOf builds the world of a request and returns it with its documents
// by type.
func worldOf(t testing.TB, g *Generator, req dnd.CampaignRequest, types ...string) (*campaign, map[string]any) {
	t.Helper()
	req.Normalize()
	seed := *req.Seed
	c := g.newCampaign(seed, req)
	out := map[string]any{}
	for _, typ := range types {
		doc, _, err := c.content(typ)
		if err != nil {
			t.Fatalf("seed %d %s: %v", seed, typ, err)
		}
		out[typ] = doc
	}
	return c, out
}

// TestThePartyIsAnswered checks 1,000 dialogues: the party speaks in
// turns, so no line of the party follows another (one would go
// unanswered: "We're headed to the caves. What have you got?" then "What's
// in the locked case?"), and a turn calls no one by name twice.
func TestThePartyIsAnswered(t *testing.T) {
	t.Parallel()
	g := New()
	for seed := range campaignSeeds {
		theme := reviewThemes[seed%len(reviewThemes)]
		d := worldDocs(t, g, theme, seed, dnd.TypeDialogue)[dnd.TypeDialogue].(*dnd.Dialogue)
		for i, l := range d.Lines {
			if i > 0 && l.Speaker == "Party" && d.Lines[i-1].Speaker == "Party" {
				t.Fatalf("seed %d %q: the party speaks twice in a row, and %q is never answered: %q",
					seed, theme, d.Lines[i-1].Text, l.Text)
			}
			if l.Speaker != "Party" {
				continue
			}
			names := vocatives(l.Text)
			for j, n := range names {
				if slices.Contains(names[j+1:], n) {
					t.Fatalf("seed %d %q: the party calls %s twice in one turn: %q", seed, theme, n, l.Text)
				}
			}
		}
	}
}

// speciesWords are words that say what a villain is, and the stat blocks
// each allows.
var speciesWords = []struct {
	re    *regexp.Regexp
	fits  func(creature string) bool
	about string
}{
	{regexp.MustCompile(`(?i)\bhobgoblin\b`), oneOf("Hobgoblin", "Veteran", "Gladiator"), "a hobgoblin"},
	{regexp.MustCompile(`(?i)\bbugbear\b`), oneOf("Bugbear", "Veteran", "Gladiator"), "a bugbear"},
	{regexp.MustCompile(`(?i)\b(ancient wyrm|lived so long)\b`), func(c string) bool {
		return strings.HasPrefix(c, "Adult ") || strings.HasPrefix(c, "Ancient ")
	}, "an old dragon"},
	{regexp.MustCompile(`(?i)\byoung dragon\b`), func(c string) bool {
		return strings.HasPrefix(c, "Young ") || strings.HasSuffix(c, "Wyrmling")
	}, "a young dragon"},
	{regexp.MustCompile(`(?i)mistaken for an island`), oneOf("Dragon Turtle", "Kraken"), "a creature the size of an island"},
}

func oneOf(names ...string) func(string) bool {
	return func(c string) bool { return slices.Contains(names, c) }
}

// TestTheVillainIsItsStatBlock checks 1,000 plots: the villain's
// description says what its stat block is ("a scarred hobgoblin" is not a
// Bugbear; "a vain and ancient wyrm" is not a Young White Dragon).
func TestTheVillainIsItsStatBlock(t *testing.T) {
	t.Parallel()
	g := New()
	seen := map[string]bool{}
	for seed := range campaignSeeds {
		theme := reviewThemes[seed%len(reviewThemes)]
		p := worldDocs(t, g, theme, seed, dnd.TypePlot)[dnd.TypePlot].(*dnd.Plot)
		a := p.Antagonist
		for _, w := range speciesWords {
			if !w.re.MatchString(a.Description) {
				continue
			}
			seen[w.about] = true
			if !w.fits(a.Creature) {
				t.Fatalf("seed %d %q: %s is described as %s (%q) but is a %s", seed, theme, a.Name, w.about, a.Description, a.Creature)
			}
		}
	}
	for _, w := range speciesWords {
		if !seen[w.about] {
			t.Errorf("no villain in %d plots is described as %s: the test reads nothing", campaignSeeds, w.about)
		}
	}
}

// headNoun is the noun a phrase is about: the last word before its first
// preposition or clause ("keys" in "the keys to the old mine").
var headNounRE = regexp.MustCompile(` (of|to|that|which|who|from|with|whose|used|hidden|written|signed|made|carved|proving|no|behind|for|in|on|could|calms|keeps|plays|pierced|hums|predicts|writes|shows|changes|points|rallies|wakes|should|can)\b`)

// TestMacguffinsAreOneThing: the templates say "{macguffin} is a trap"
// and "bring it to me", so every McGuffin is one thing.
func TestMacguffinsAreOneThing(t *testing.T) {
	t.Parallel()
	tb, err := loadTables()
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range tb.campaign.Themes {
		for _, m := range th.Macguffins {
			words := strings.Fields(headNounRE.Split(m, 2)[0])
			head := words[len(words)-1]
			if strings.HasSuffix(head, "s") && !strings.HasSuffix(head, "ss") && !strings.HasSuffix(head, "'s") {
				t.Errorf("theme %s: McGuffin %q is %q, a plural: \"%s is a trap\" would not read", th.Key, m, head, m)
			}
		}
	}
}

// TestNoDoubledWords checks every campaign type over 1,000 seeds for
// doubled articles ("the the Drowner", "Old the Drowner").
func TestNoDoubledWords(t *testing.T) {
	t.Parallel()
	g := New()
	bad := regexp.MustCompile(`\b(?i:the|a|an) (?i:the|a|an)\b|\bOld the\b`)
	for seed := range campaignSeeds {
		theme := reviewThemes[seed%len(reviewThemes)]
		if seed%2 == 0 {
			theme = "a leviathan in the bay" // sea monsters are named by epithets: "the Drowner"
		}
		docs := worldDocs(t, g, theme, seed, dnd.TypePlot, dnd.TypeQuest, dnd.TypeDialogue)
		for typ, doc := range docs {
			for _, s := range docStrings(t, doc) {
				if m := bad.FindString(s); m != "" {
					t.Fatalf("seed %d %q %s: %q in %q", seed, theme, typ, m, s)
				}
			}
		}
	}
}

// TestEveryoneIsThemselves checks 1,000 locations and dialogues: no two
// people of one document share a look, a manner or a want ("a
// round-faced veteran smelling faintly of smoke" twice in one village).
func TestEveryoneIsThemselves(t *testing.T) {
	t.Parallel()
	g := New()
	tb, err := loadTables()
	if err != nil {
		t.Fatal(err)
	}
	part := func(desc, symbol string) string {
		for _, alt := range tb.grammar[symbol] {
			head, _, _ := strings.Cut(alt, "{")
			if tail := alt[strings.LastIndexByte(alt, '}')+1:]; strings.Contains(desc, head) && strings.Contains(desc, tail) {
				return alt
			}
		}
		return ""
	}
	for seed := range campaignSeeds {
		theme := reviewThemes[seed%len(reviewThemes)]
		docs := worldDocs(t, g, theme, seed, dnd.TypeLocation, dnd.TypeDialogue)
		for typ, people := range map[string][]dnd.NPC{
			dnd.TypeLocation: docs[dnd.TypeLocation].(*dnd.Location).NPCs,
			dnd.TypeDialogue: docs[dnd.TypeDialogue].(*dnd.Dialogue).Participants,
		} {
			for _, symbol := range npcParts {
				seen := map[string]string{}
				for _, p := range people {
					alt := part(p.Description, symbol)
					if other, ok := seen[alt]; ok && alt != "" {
						t.Fatalf("seed %d %q %s: %s and %s share %s %q", seed, theme, typ, other, p.Name, symbol, alt)
					}
					seen[alt] = p.Name
				}
			}
		}
	}
}

// TestEventsBelongToTheCampaign checks 1,000 events: each names the
// campaign's villain, its creatures, its threat or its lair, so a plague
// or a riot is part of the story rather than beside it.
func TestEventsBelongToTheCampaign(t *testing.T) {
	t.Parallel()
	g := New()
	for seed := range campaignSeeds {
		theme := reviewThemes[seed%len(reviewThemes)]
		c, docs := world(t, g, theme, seed, dnd.TypeEvent)
		ev := docs[dnd.TypeEvent].(*dnd.Event)
		v := worldVars(c)
		story := []string{v["antagonist"], v["antagonist_short"], v["creatures"], v["minions"], v["threat_short"], v["threat"], v["place"]}
		if !slices.ContainsFunc(story, func(s string) bool {
			return s != "" && strings.Contains(strings.ToLower(ev.Description), strings.ToLower(s))
		}) {
			t.Fatalf("seed %d %q: the event names none of %q: %q", seed, theme, story, ev.Description)
		}
	}
}

// TestNoFightOutclassesTheParty checks 1,000 locations: no monster in a
// fight has a challenge rating more than 3 above the party's level (the
// XP arithmetic alone calls an Adult Red Dragon "hard" for seven level-7
// characters, which its breath can kill in one round).
func TestNoFightOutclassesTheParty(t *testing.T) {
	t.Parallel()
	g := New()
	for seed := range campaignSeeds {
		theme := reviewThemes[seed%len(reviewThemes)]
		level := 1 + seed%20
		loc := worldDocs(t, g, theme, seed, dnd.TypeLocation)[dnd.TypeLocation].(*dnd.Location)
		for _, e := range loc.Encounters {
			for _, m := range e.Monsters {
				if cr, err := strconv.Atoi(m.CR); err == nil && cr > level+3 {
					t.Fatalf("seed %d %q: %s (CR %s) fights level-%d characters in %q (%s)", seed, theme, m.Name, m.CR, level, e.Name, e.Difficulty)
				}
			}
		}
	}
}

// TestNamedCreaturesAreTheRankAndFile checks 1,000 worlds: when the theme
// names a monster ("werewolves") that can fight the party in numbers at
// some fair difficulty, the prose's rank and file are that monster, not
// another of its family ("Mishthra's werebears").
func TestNamedCreaturesAreTheRankAndFile(t *testing.T) {
	t.Parallel()
	g := New()
	themes := []string{"werewolves in the dark forest", "a frontier town beset by goblins", "gnolls raiding the plains",
		"trolls under the bridge", "wererats in the sewers", "ghouls in the graveyard"}
	checked := 0
	for seed := range campaignSeeds {
		theme := themes[seed%len(themes)]
		c, _ := world(t, g, theme, seed)
		named, ok := encounter.Lookup(c.hints.Monsters[0])
		if !ok || named.Max == 1 || !slices.ContainsFunc([]string{encounter.Easy, encounter.Medium, encounter.Hard}, func(d string) bool {
			return encounter.Fits(c.party, d, named)
		}) {
			continue
		}
		checked++
		if c.minion.Name != named.Name {
			t.Fatalf("seed %d %q (%d level-%d characters): the rank and file are %s, not the %s the theme names",
				seed, theme, c.size, c.level, c.minion.Name, named.Name)
		}
	}
	if checked < campaignSeeds/2 {
		t.Errorf("only %d of %d worlds could fight the named monster: the test reads too little", checked, campaignSeeds)
	}
}

// TestBandsFitTheirLeader checks 1,000 locations: a fight named for its
// leader and its band calls the band by a word that fits the leader (a
// giant vulture leads a pack, not thralls).
func TestBandsFitTheirLeader(t *testing.T) {
	t.Parallel()
	g := New()
	bandRE := regexp.MustCompile(`and Its (\w+)$`)
	lordly := []string{"Thralls", "Servants", "Court", "Henchmen", "Followers", "War-Band"}
	seen := 0
	for seed := range campaignSeeds {
		theme := reviewThemes[seed%len(reviewThemes)]
		loc := worldDocs(t, g, theme, seed, dnd.TypeLocation)[dnd.TypeLocation].(*dnd.Location)
		for _, e := range loc.Encounters {
			m := bandRE.FindStringSubmatch(e.Name)
			if m == nil {
				continue
			}
			seen++
			var lead encounter.Monster
			for _, em := range e.Monsters {
				if srd, _ := encounter.Lookup(em.Name); srd.XP > lead.XP {
					lead = srd
				}
			}
			if !lead.Speaks && lead.Type == "beast" && slices.Contains(lordly, m[1]) {
				t.Fatalf("seed %d %q: %q: a %s (a beast) has %s", seed, theme, e.Name, lead.Name, strings.ToLower(m[1]))
			}
		}
	}
	if seen < 20 {
		t.Errorf("only %d fights are named for a leader and its band: the test reads too little", seen)
	}
}

// TestDragonsKeepToTheirColour checks 1,000 locations of dragon themes: no
// fight puts true dragons of two colours together ("a young red dragon and
// three young blue dragons bask on the warm stones").
func TestDragonsKeepToTheirColour(t *testing.T) {
	t.Parallel()
	g := New()
	themes := []string{"dragons", "a dragon's hoard", "a dragon cult", "an old dragon of the fey wood"}
	pairs := 0
	for seed := range campaignSeeds {
		theme := themes[seed%len(themes)]
		loc := worldDocs(t, g, theme, seed, dnd.TypeLocation)[dnd.TypeLocation].(*dnd.Location)
		for _, e := range loc.Encounters {
			colours := map[string]bool{}
			for _, m := range e.Monsters {
				if f := strings.Fields(m.Name); slices.Contains(f, "Dragon") && !slices.Contains(f, "Faerie") && f[0] != "Dragon" {
					colours[f[slices.Index(f, "Dragon")-1]] = true
				}
			}
			if len(colours) > 1 {
				t.Fatalf("seed %d %q: %q puts dragons of %d colours together: %q", seed, theme, e.Name, len(colours), e.Description)
			}
			if len(e.Monsters) > 1 {
				pairs++
			}
		}
	}
	if pairs < 50 {
		t.Errorf("only %d fights with two kinds of monster: the test reads too little", pairs)
	}
}
