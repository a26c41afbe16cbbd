package offline

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/encounter"
)

// TestNoFightPastTheDeadlyBand checks the fights of 1,000 locations: none
// is past half again the party's deadly threshold (labelled just
// "deadly", it would hide a massacre), and none is a crowd: at most 12
// monsters, 6 for level-1 characters and two more per level.
func TestNoFightPastTheDeadlyBand(t *testing.T) {
	t.Parallel()
	g := New()
	for seed := range campaignSeeds {
		theme := reviewThemes[seed%len(reviewThemes)]
		c, docs := world(t, g, theme, seed, dnd.TypeLocation)
		crowd := min(12, 4+2*c.level)
		for _, e := range docs[dnd.TypeLocation].(*dnd.Location).Encounters {
			n := 0
			for _, m := range e.Monsters {
				n += m.Count
			}
			if 2*e.AdjustedXP >= 3*e.PartyThresholds.Deadly {
				t.Errorf("seed %d %q: %q is %d adjusted XP, past 1.5 × the deadly threshold %d", seed, theme, e.Name, e.AdjustedXP, e.PartyThresholds.Deadly)
			}
			if n > crowd {
				t.Errorf("seed %d %q: %q has %d monsters for level-%d characters, more than %d", seed, theme, e.Name, n, c.level, crowd)
			}
		}
	}
}

// TestSummaryLinksAssumeTheDefaultParty checks 1,000 locations and quests
// linked to a plot by its title, setting and antagonist alone, which
// carry no party: they are built for dnd.DefaultPartyLevel and
// dnd.DefaultPartySize, never a party drawn at random, a warning names
// that party, and the location's read-aloud description does not (it is
// for the players).
func TestSummaryLinksAssumeTheDefaultParty(t *testing.T) {
	t.Parallel()
	g := New()
	want := encounter.Budget(encounter.NewParty(dnd.DefaultPartyLevel, dnd.DefaultPartySize).Levels)
	party := partyDesc(dnd.DefaultPartySize, dnd.DefaultPartyLevel)
	for seed := range campaignSeeds {
		theme := reviewThemes[seed%len(reviewThemes)]
		plot := worldDocs(t, g, theme, seed, dnd.TypePlot)[dnd.TypePlot].(*dnd.Plot)
		for _, typ := range []string{dnd.TypeLocation, dnd.TypeQuest} {
			req := dnd.CampaignRequest{Type: typ, Seed: ptr(int64(seed + 7)), Campaign: &dnd.CampaignLink{
				Title: plot.Title, Setting: plot.Setting, Antagonist: dnd.Antagonist{Name: plot.Antagonist.Name, Creature: plot.Antagonist.Creature}}}
			req.Normalize()
			c := g.newCampaign(int64(seed+7), req)
			doc, warnings, err := c.content(typ)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, "assumed "+strings.TrimPrefix(party, "a ")) }) {
				t.Fatalf("seed %d %s: no warning names the assumed party %q: %q", seed, typ, party, warnings)
			}
			switch d := doc.(type) {
			case *dnd.Location:
				if got := d.Encounters[0].PartyThresholds; got != dnd.XPThresholds(want) {
					t.Fatalf("seed %d: a summary-linked location's fights are sized for %+v, want the default party's %+v", seed, got, want)
				}
				if strings.Contains(d.Description, "assumed") || strings.Contains(d.Description, party) {
					t.Fatalf("seed %d: the read-aloud description speaks of the assumed party: %q", seed, d.Description)
				}
			case *dnd.Quest:
				if d.RecommendedLevel != dnd.DefaultPartyLevel {
					t.Fatalf("seed %d: a summary-linked quest recommends level %d, want %d", seed, d.RecommendedLevel, dnd.DefaultPartyLevel)
				}
				if !strings.Contains(d.Rewards[0], strings.TrimPrefix(party, "a ")) {
					t.Fatalf("seed %d: the quest's reward does not say it is for %s: %q", seed, party, d.Rewards[0])
				}
			}
		}
	}
}

// TestThePromptIsReadOrWarnedAbout checks 1,000 locations with a prompt:
// one that asks for the fights' difficulty gets fights of it, one that
// names a kind of place gets that place where the land allows it, and
// every one is named in a warning, so none is ignored silently.
func TestThePromptIsReadOrWarnedAbout(t *testing.T) {
	t.Parallel()
	g := New()
	prompts := []struct{ prompt, diff, kind string }{
		{"Make the fights hard.", encounter.Hard, ""},
		{"Keep it easy, new players.", encounter.Easy, ""},
		{"Make it deadly.", encounter.Deadly, ""},
		{"a tight crypt with low ceilings", "", "crypt"},
		{"the villain's lair", "", ""},
	}
	for seed := range campaignSeeds {
		p := prompts[seed%len(prompts)]
		theme := reviewThemes[seed%len(reviewThemes)]
		req := variedReq(dnd.TypeLocation, theme, seed)
		req.Prompt = p.prompt
		req.Normalize()
		c := g.newCampaign(int64(seed), req)
		doc, warnings, err := c.content(dnd.TypeLocation)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(warnings, func(w string) bool { return strings.HasPrefix(w, "prompt:") }) {
			t.Fatalf("seed %d: the prompt %q is in no warning: %q", seed, p.prompt, warnings)
		}
		loc := doc.(*dnd.Location)
		for _, e := range loc.Encounters {
			if p.diff != "" && e.Difficulty != p.diff && canMake(c, p.diff) {
				t.Fatalf("seed %d: %q asked for %s fights, got %q %s", seed, p.prompt, p.diff, e.Name, e.Difficulty)
			}
		}
		if p.kind != "" && c.t.campaign.Kinds[p.kind].allows(c.terrainKey) && c.kindKey != p.kind {
			t.Fatalf("seed %d: %q asked for a %s in the %s, got a %s", seed, p.prompt, p.kind, c.terrainKey, c.kindKey)
		}
	}
}

// canMake reports whether any monster can make a fight of the difficulty
// for the world's party.
func canMake(c *campaign, diff string) bool {
	return len(encounter.Candidates(c.party, diff, nil, nil)) > 0
}

// villainThemes name SRD monsters a villain may be.
var villainThemes = []string{
	"werewolves in a snowbound village", "a plague of rats and a wererat guild in the sewers", "a tarrasque stirs beneath the capital",
	"desert tomb of a mummy lord", "a vampire lord ruling a misty valley", "red dragons over the mountains", "a frontier town beset by goblins",
	"pirates hunting a sunken treasure in shark-filled reefs", "a tournament at the duke's castle goes wrong", "devils bargaining in a city",
}

// TestTheVillainFitsTheParty checks 1,000 plots: the villain's challenge
// rating is between half the party's level less one and 3 above it (one
// more per ten levels), unless a warning says no villain of the story
// can be; a monster the theme names is the villain whenever it fits, and
// else a warning says what stands in; a werewolf's or wererat's story
// never has a werebear villain.
func TestTheVillainFitsTheParty(t *testing.T) {
	t.Parallel()
	g := New()
	for seed := range campaignSeeds {
		theme := villainThemes[seed%len(villainThemes)]
		req := variedReq(dnd.TypePlot, theme, seed)
		req.Normalize()
		c := g.newCampaign(int64(seed), req)
		doc, warnings, err := c.content(dnd.TypePlot)
		if err != nil {
			t.Fatal(err)
		}
		plot := doc.(*dnd.Plot)
		boss, _ := encounter.Lookup(plot.Antagonist.Creature)
		cr, level := encounter.CRValue(boss.CR), float64(plot.PartyLevel)
		warned := func(s string) bool {
			return slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, s) })
		}
		if (cr < level/2-1 || cr > level+3+float64(plot.PartyLevel/10)) && !warned("leads it") {
			t.Fatalf("seed %d %q: a %s (CR %s) is the villain for level %d, with no warning: %q", seed, theme, boss.Name, boss.CR, plot.PartyLevel, warnings)
		}
		if strings.Contains(theme, "were") && boss.Name == "Werebear" {
			t.Fatalf("seed %d %q: a werebear villain", seed, theme)
		}
		h := encounter.ThemeHints(theme)
		if len(h.Monsters) == 0 || slices.Contains(h.Monsters, boss.Name) {
			continue
		}
		named, _ := encounter.Lookup(h.Monsters[0])
		ofFamily := len(h.Families) > 0 && boss.HasTag(encounter.FamilyTags(h.Families[0])...) && !boss.HasTag("lycanthrope")
		if !ofFamily && !warned("cannot be the villain") && !warned("leads it") {
			t.Fatalf("seed %d %q: the theme names %s (CR %s), the villain is a %s, and no warning says why: %q", seed, theme, named.Name, named.CR, boss.Name, warnings)
		}
	}
}

// TestThemePlacesAreUsedOrWarnedAbout checks 1,000 plots: each place the
// theme names (a lighthouse, the jungle, a capital) is in the plot beyond
// the echo of the theme, or a warning names it.
func TestThemePlacesAreUsedOrWarnedAbout(t *testing.T) {
	t.Parallel()
	g := New()
	themes := []string{"a haunted lighthouse where smugglers vanish", "yuan-ti serpent temple in the jungle", "elemental cultists awakening a volcano",
		"undead in a drowned city", "a tarrasque stirs beneath the capital", "orc warbands besieging a dwarven hold in the mountains",
		"githyanki raiders on red dragons over the astral sea", "a tournament at the duke's castle goes wrong"}
	places := []string{"lighthouse", "jungle", "volcano", "drowned", "capital", "hold", "astral", "tournament", "castle", "temple"} // a land ("city") is used by being the land
	for seed := range campaignSeeds {
		theme := themes[seed%len(themes)]
		req := variedReq(dnd.TypePlot, theme, seed)
		req.Normalize()
		out, err := g.Campaign(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ToLower(strings.ReplaceAll(string(out.Content), theme, ""))
		for _, p := range places {
			if strings.Contains(theme, p) && !strings.Contains(text, strings.TrimSuffix(p, "s")) &&
				!slices.ContainsFunc(out.Warnings, func(w string) bool { return strings.Contains(w, strconv.Quote(p)) }) {
				t.Fatalf("seed %d %q: the plot never names %q and no warning says so: %q", seed, theme, p, out.Warnings)
			}
		}
	}
}

// TestNoColdIronAgainstTheDead checks 1,000 locations: no fight offers
// cold iron, which is fey lore, against anything but fey.
func TestNoColdIronAgainstTheDead(t *testing.T) {
	t.Parallel()
	g := New()
	for seed := range campaignSeeds {
		theme := reviewThemes[seed%len(reviewThemes)]
		for _, e := range worldDocs(t, g, theme, seed, dnd.TypeLocation)[dnd.TypeLocation].(*dnd.Location).Encounters {
			fey := slices.ContainsFunc(e.Monsters, func(m dnd.EncounterMonster) bool { srd, _ := encounter.Lookup(m.Name); return srd.Type == "fey" })
			if strings.Contains(strings.ToLower(e.Description), "cold iron") && !fey {
				t.Fatalf("seed %d %q: cold iron against %+v: %q", seed, theme, e.Monsters, e.Description)
			}
		}
	}
}

// waterThemes bring creatures of the water into the story.
var waterThemes = []string{"pirates hunting a sunken treasure in shark-filled reefs", "a leviathan in the bay", "a drowned mind beneath the harbour",
	"a tournament at the duke's castle goes wrong", "a haunted temple in the hills", "dragons"}

// TestCreaturesOfTheWaterStayInIt checks 1,000 worlds: a creature of the
// water (a shark, an aboleth, a dragon turtle) fights only at a spot with
// water and is the villain only of a land with water (a coast, the
// underdark's lakes, a swamp) or of a theme that names it,
// and nothing circles overhead under a roof.
func TestCreaturesOfTheWaterStayInIt(t *testing.T) {
	t.Parallel()
	g := New()
	for seed := range campaignSeeds {
		theme := waterThemes[seed%len(waterThemes)]
		c, docs := world(t, g, theme, seed, dnd.TypeLocation)
		if c.boss.Water && !slices.Contains([]string{"coast", "underdark", "swamp"}, c.terrainKey) && !slices.Contains(c.hints.Monsters, c.boss.Name) {
			t.Fatalf("seed %d %q: a %s is the villain in the %s", seed, theme, c.boss.Name, c.terrainKey)
		}
		for _, e := range docs[dnd.TypeLocation].(*dnd.Location).Encounters {
			for _, m := range e.Monsters {
				if srd, _ := encounter.Lookup(m.Name); srd.Water && !wet.MatchString(e.Description) {
					t.Fatalf("seed %d %q: a %s out of the water: %q", seed, theme, m.Name, e.Description)
				}
			}
			if openAir.MatchString(e.Description) && (!c.kind.Outdoor || roofed.MatchString(e.Description)) {
				t.Fatalf("seed %d %q: open sky under a roof in a %s: %q", seed, theme, c.kind.Label, e.Description)
			}
		}
	}
}

// TestLowLevelFightsCanBeWon checks 1,000 locations for level 1–4
// parties: no monster that shrugs off ordinary weapons fights them unless
// the theme asked for its kind, and when one does, the fight says what
// hurts it; silver never stands in for magic against a specter.
func TestLowLevelFightsCanBeWon(t *testing.T) {
	t.Parallel()
	g := New()
	themes := append([]string{"werewolves in a snowbound village", "a haunted lighthouse where smugglers vanish", "devils bargaining in a city"}, reviewThemes...)
	for seed := range campaignSeeds {
		theme := themes[seed%len(themes)]
		req := variedReq(dnd.TypeLocation, theme, seed)
		req.Parameters.PartyLevel = dnd.Int(1 + seed%4)
		req.Normalize()
		c := g.newCampaign(int64(seed), req)
		doc, _, err := c.content(dnd.TypeLocation)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range doc.(*dnd.Location).Encounters {
			for _, m := range e.Monsters {
				srd, _ := encounter.Lookup(m.Name)
				if srd.Weapons == "" {
					continue
				}
				asked := slices.Contains(c.hints.Monsters, srd.Name) || c.themeFamily(srd)
				if !asked {
					t.Fatalf("seed %d %q: a %s (%s weapons) fights level-%d characters, though the theme did not ask for it", seed, theme, m.Name, srd.Weapons, c.level)
				}
				if !strings.Contains(strings.ToLower(e.Description), srd.Weapons) || strings.Contains(e.Description, "cold iron") {
					t.Fatalf("seed %d %q: nothing says %s weapons hurt the %s: %q", seed, theme, srd.Weapons, m.Name, e.Description)
				}
			}
		}
	}
}

// TestLinkedLairsKeepTheVillainsKind checks 1,000 locations linked to a
// whole plot: no true dragon of another colour than the villain's, and
// the first fight has the villain's own kind (a mummy lord's mummies) or
// a creature the plot names, whenever one of them can fight the party.
func TestLinkedLairsKeepTheVillainsKind(t *testing.T) {
	t.Parallel()
	g := New()
	themes := []string{"desert tomb of a mummy lord", "red dragons over the mountains", "fey court intrigue", "a dragon cult on the coast", "werewolves in a snowbound village"}
	for seed := range campaignSeeds {
		theme := themes[seed%len(themes)]
		plot := worldDocs(t, g, theme, seed, dnd.TypePlot)[dnd.TypePlot].(*dnd.Plot)
		link := dnd.CampaignLink{Title: plot.Title, Summary: plot.Summary, Setting: plot.Setting, Acts: plot.Acts, Antagonist: plot.Antagonist,
			Hooks: plot.Hooks, Twists: plot.Twists, PartyLevel: dnd.Int(plot.PartyLevel), PartySize: dnd.Int(plot.PartySize)}
		req := dnd.CampaignRequest{Type: dnd.TypeLocation, Seed: ptr(int64(seed + 3)), Campaign: &link}
		req.Normalize()
		c := g.newCampaign(int64(seed+3), req)
		doc, _, err := c.content(dnd.TypeLocation)
		if err != nil {
			t.Fatal(err)
		}
		loc := doc.(*dnd.Location)
		boss, _ := encounter.Lookup(plot.Antagonist.Creature)
		for _, e := range loc.Encounters {
			for _, m := range e.Monsters {
				srd, _ := encounter.Lookup(m.Name)
				if a, b := dragonColour(boss), dragonColour(srd); a != "" && b != "" && a != b {
					t.Fatalf("seed %d %q: a %s in the lair of a %s", seed, theme, m.Name, boss.Name)
				}
			}
		}
		kin := c.linkKin()
		canFight := slices.ContainsFunc(encounter.Monsters(), func(m encounter.Monster) bool {
			return slices.Contains(kin, m.Name) && slices.ContainsFunc(difficulties, func(d string) bool { return encounter.Fits(c.party, d, m) })
		})
		if canFight && !slices.ContainsFunc(loc.Encounters[0].Monsters, func(m dnd.EncounterMonster) bool { return slices.Contains(kin, m.Name) }) {
			t.Fatalf("seed %d %q: the lair of a %s opens with %+v, none of %v", seed, theme, boss.Name, loc.Encounters[0].Monsters, kin)
		}
	}
}
