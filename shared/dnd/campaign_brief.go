package dnd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/encounter"
)

// The party a campaign request is written for when it names none and
// links no plot: encounter budgets need one.
const (
	DefaultPartyLevel = 3
	DefaultPartySize  = 4
)

// MaxOffered caps the monster names offered for one difficulty.
const MaxOffered = 12

// CampaignBrief is what the service works out for a campaign request
// before a model writes: the party, its XP thresholds, the SRD monsters
// offered for each difficulty, what the words of the campaign theme ask
// for, and the linked plot. The prompt shows it to the model, and the
// numbers of a location's encounters come from it (CompleteLocation), not
// from the model.
type CampaignBrief struct {
	Party        encounter.Party
	PartyLevel   int
	PartySize    int
	PartyAssumed bool // the request named no party: DefaultPartyLevel and DefaultPartySize
	Thresholds   encounter.Thresholds
	Offers       []Offer         // easy to deadly
	Hints        encounter.Hints // of the campaign theme, else of the linked plot
	HintSource   string          // says what the hints were read from, for the prompt
	Link         *CampaignLink
	// Acts is the number of acts a plot has, read from the duration
	// (ActCount); ActsWarning says why, when the duration was not
	// understood or asked for more than MaxActs.
	Acts        int
	ActsWarning string
}

// Offer is the monsters offered for fights of one difficulty: each can
// make one on its own, in numbers the service chooses.
type Offer struct {
	Difficulty string
	Monsters   []string
}

// offeredDifficulties are the labels a model may ask a fight to have.
var offeredDifficulties = []string{encounter.Easy, encounter.Medium, encounter.Hard, encounter.Deadly}

// Brief works out the brief of a normalised, valid campaign request.
func (r CampaignRequest) Brief() CampaignBrief {
	b := CampaignBrief{PartyLevel: Value(r.Parameters.PartyLevel), PartySize: Value(r.Parameters.PartySize), Link: r.Campaign}
	if b.PartyLevel == 0 || b.PartySize == 0 {
		b.PartyAssumed = true
		b.PartyLevel = cmpOr(b.PartyLevel, DefaultPartyLevel)
		b.PartySize = cmpOr(b.PartySize, DefaultPartySize)
	}
	b.Acts, b.ActsWarning = ActCount(r.Parameters.Duration)
	b.Party = encounter.NewParty(b.PartyLevel, b.PartySize)
	b.Thresholds = encounter.Budget(b.Party.Levels)
	switch {
	case r.Parameters.CampaignTheme != "":
		b.Hints, b.HintSource = encounter.ThemeHints(r.Parameters.CampaignTheme), "What the campaign theme asks for"
	case r.Campaign != nil:
		b.Hints = LinkHints(*r.Campaign)
		b.HintSource = "What the earlier plot's villain and setting suggest"
	}
	for _, d := range offeredDifficulties {
		b.Offers = append(b.Offers, Offer{Difficulty: d, Monsters: b.offer(d)})
	}
	return b
}

// LinkHints reads what a linked plot asks for: its creatures from the
// villain's creature and description and the plot's summary, the villain
// first; its land from the setting alone, whose place names ("the Wolf
// Marches") would otherwise name creatures. Words it does not know are the
// plot's prose, not the caller's choice, and are dropped.
func LinkHints(l CampaignLink) encounter.Hints {
	a := l.Antagonist
	h := encounter.ThemeHints(strings.Join([]string{a.Creature, a.Description, l.Summary}, ". "))
	land := encounter.ThemeHints(l.Setting)
	for _, t := range land.Terrains {
		if !slices.Contains(h.Terrains, t) {
			h.Terrains = append(h.Terrains, t)
		}
	}
	for _, e := range land.Environments {
		if !slices.Contains(h.Environments, e) {
			h.Environments = append(h.Environments, e)
		}
	}
	h.Unknown = nil
	return h
}

func cmpOr(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// peaceable tags mark monsters that are rarely anyone's enemy; they are
// offered only when the theme names them.
var peaceable = []string{"townsfolk", "celestial", "metallic", "good"}

// offer lists up to MaxOffered SRD monsters that can make a fight of the
// difficulty for the party on their own: those the theme names first,
// then those of its creature families, in its lands before elsewhere;
// when that gives fewer than three, creatures of its lands, then any.
// Each group starts with the monsters that make the fight in a band of
// about three (a lone ogre for a hard fight before a horde of twenty
// goblins), the stronger first, and a monster that is rarely an enemy is
// offered only when named.
func (b CampaignBrief) offer(difficulty string) []string {
	h := b.Hints
	if b.Link != nil {
		if m, ok := encounter.Lookup(b.Link.Antagonist.Creature); ok && !slices.Contains(h.Monsters, m.Name) {
			h.Monsters = append(slices.Clone(h.Monsters), m.Name) // the villain may fight
		}
	}
	var out []string
	add := func(ms []encounter.Monster) {
		byBand := func(m encounter.Monster) int { return abs(countFor(b.Party, difficulty, m) - 3) }
		slices.SortStableFunc(ms, func(a, c encounter.Monster) int {
			if d := byBand(a) - byBand(c); d != 0 {
				return d
			}
			return c.XP - a.XP
		})
		for _, m := range ms {
			if len(out) < MaxOffered && !slices.Contains(out, m.Name) && (!m.HasTag(peaceable...) || slices.Contains(h.Monsters, m.Name)) {
				out = append(out, m.Name)
			}
		}
	}
	var named []encounter.Monster
	for _, n := range h.Monsters {
		if m, ok := encounter.Lookup(n); ok && encounter.Fits(b.Party, difficulty, m) {
			named = append(named, m)
		}
	}
	add(named)
	if len(h.Tags) > 0 {
		add(encounter.Candidates(b.Party, difficulty, h.Tags, h.Environments))
		add(encounter.Candidates(b.Party, difficulty, h.Tags, nil))
	}
	if len(out) < 3 && len(h.Environments) > 0 {
		add(encounter.Candidates(b.Party, difficulty, nil, h.Environments))
	}
	if len(out) < 3 {
		add(encounter.Candidates(b.Party, difficulty, nil, nil))
	}
	return out
}

// countFor is the fewest of m that make a fight of the difficulty for the
// party, as encounter.Build means it, or encounter.MaxCreatures+1.
func countFor(p encounter.Party, difficulty string, m encounter.Monster) int {
	t := encounter.Budget(p.Levels)
	for n := 1; n <= encounter.CrowdLimit(p); n++ {
		e := encounter.Evaluate(p, []encounter.Group{{Monster: m, Count: n}})
		if encounter.InBand(e.AdjustedXP, t, difficulty) {
			return n
		}
	}
	return encounter.MaxCreatures + 1
}

func abs(n int) int { return max(n, -n) }

// Offered returns the monster names offered for a difficulty, or nil.
func (b CampaignBrief) Offered(difficulty string) []string {
	for _, o := range b.Offers {
		if o.Difficulty == difficulty {
			return o.Monsters
		}
	}
	return nil
}

// HintLines are the hints as lines of the prompt: the creatures named and
// their families, creatures without an SRD stat block, the SRD monsters
// named, the lands and kinds of story, factions and set pieces that fit,
// and the words the service did not recognise, as written.
func (b CampaignBrief) HintLines() []string {
	h := b.Hints
	var out []string
	if len(h.Creatures) > 0 {
		var fams []string
		for _, f := range h.Families {
			fams = append(fams, FamilyName(f))
		}
		out = append(out, "Creatures named: "+quoted(h.Creatures)+" ("+strings.Join(fams, "; ")+")")
	}
	if len(h.NotInSRD) > 0 {
		out = append(out, "Without an SRD 5.1 stat block: "+strings.Join(h.NotInSRD, ", ")+
			"; the offered SRD monsters of their family stand in for them in fights, while the prose may name them")
	}
	for _, l := range []struct {
		label string
		items []string
		most  int
	}{
		{"SRD monsters named", h.Monsters, 6}, {"Lands", h.Terrains, 4}, {"Kinds of story", h.Plots, 4},
		{"Factions that fit", h.Factions, 4}, {"Set pieces that fit", h.SetPieces, 4},
	} {
		if len(l.items) > 0 {
			out = append(out, l.label+": "+strings.Join(l.items[:min(len(l.items), l.most)], "; "))
		}
	}
	if len(h.Unknown) > 0 {
		out = append(out, "Other words of the theme, for you to read as you see fit: "+quoted(h.Unknown))
	}
	return out
}

// FamilyName names a creature family for the prompt: "the goblinoid
// family".
func FamilyName(family string) string { return "the " + family + " family" }

func quoted(ws []string) string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = quoteOrUnspecified(w)
	}
	return strings.Join(out, ", ")
}

// Describe writes the link out for a prompt: everything the plot says,
// one part a line.
func (l CampaignLink) Describe() string {
	var b strings.Builder
	line := func(label, text string) {
		if text != "" {
			b.WriteString(label + ": " + text + "\n")
		}
	}
	line("Title", l.Title)
	line("Setting", l.Setting)
	a := l.Antagonist
	line("Antagonist", a.Name)
	line("Antagonist's creature", a.Creature)
	line("Antagonist's description", a.Description)
	line("Antagonist's motivation", a.Motivation)
	line("Summary", l.Summary)
	for i, act := range l.Acts {
		line(fmt.Sprintf("Act %d", i+1), strings.TrimSpace(act.Title+". "+act.Summary+" Goal: "+act.Goal))
	}
	for _, h := range l.Hooks {
		line("Hook", h)
	}
	for _, t := range l.Twists {
		line("Twist", t)
	}
	if l.PartyLevel != nil && l.PartySize != nil {
		line("Built for", fmt.Sprintf("%d characters of level %d", *l.PartySize, *l.PartyLevel))
	}
	return strings.TrimSuffix(b.String(), "\n")
}
