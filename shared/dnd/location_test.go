package dnd

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/encounter"
	"github.com/dndcc/dnd-llm-service/shared/encounter/encountertest"
)

// draftOf is the draft a model would have written for a location: its
// encounters as words, a difficulty and picks.
func draftOf(l Location) LocationDraft {
	d := LocationDraft{Name: l.Name, Kind: l.Kind, Description: l.Description, Features: l.Features, NPCs: l.NPCs,
		Hazards: l.Hazards, Secrets: l.Secrets}
	for _, e := range l.Encounters {
		ed := EncounterDraft{Name: e.Name, Description: e.Description, Difficulty: e.Difficulty}
		if ed.Difficulty == encounter.Trivial {
			ed.Difficulty = encounter.Easy
		}
		for _, m := range e.Monsters {
			ed.Picks = append(ed.Picks, m.Name)
		}
		d.Encounters = append(d.Encounters, ed)
	}
	return d
}

// goblinLocation is a location request whose brief offers goblinoids.
func goblinLocation() CampaignRequest {
	return CampaignRequest{Type: TypeLocation, Parameters: CampaignParams{CampaignTheme: "a frontier town beset by goblins", PartyLevel: Int(2), PartySize: Int(4)}}
}

func locationDraft(t testing.TB, encounters ...EncounterDraft) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/content/campaign_location.json")
	if err != nil {
		t.Fatal(err)
	}
	var l Location
	if err := json.Unmarshal(raw, &l); err != nil {
		t.Fatal(err)
	}
	d := draftOf(l)
	d.Encounters = encounters
	b, _ := json.Marshal(d)
	return b
}

// TestCompleteLocationBuildsTheNumbers completes drafts and checks every
// number against encountertest's own copy of the DMG tables: the code,
// not the model, sets the counts, XP and labels, at the asked difficulty.
func TestCompleteLocationBuildsTheNumbers(t *testing.T) {
	t.Parallel()
	req := goblinLocation()
	brief := req.Normalized().(CampaignRequest).Brief()
	var drafts []EncounterDraft
	for _, o := range brief.Offers {
		if len(o.Monsters) == 0 {
			t.Fatalf("brief offers no monster for a %s fight", o.Difficulty)
		}
		drafts = append(drafts, EncounterDraft{Name: "Fight " + o.Difficulty, Description: "Goblins attack.", Difficulty: o.Difficulty, Picks: o.Monsters[:1]})
	}
	out, err := req.Complete(locationDraft(t, drafts...))
	if err != nil {
		t.Fatalf("Complete(location draft) error: %v", err)
	}
	var loc Location
	if err := json.Unmarshal(out, &loc); err != nil {
		t.Fatal(err)
	}
	for i, e := range loc.Encounters {
		want := drafts[i]
		if e.Name != want.Name || e.Description != want.Description || e.Difficulty != want.Difficulty {
			t.Errorf("encounter %d = %q, %q, %s; want the draft's words and its difficulty %s", i, e.Name, e.Description, e.Difficulty, want.Difficulty)
		}
		base, count := 0, 0
		for _, m := range e.Monsters {
			base += m.Count * encountertest.XP[m.CR]
			count += m.Count
		}
		party := []int{2, 2, 2, 2}
		th := encountertest.Thresholds(party)
		adjusted, label := encountertest.Label(party, count, base)
		if e.BaseXP != base || e.AdjustedXP != adjusted || e.PartyThresholds != (XPThresholds{th[0], th[1], th[2], th[3]}) || e.Difficulty != label {
			t.Errorf("encounter %d numbers = %+v; want base %d, adjusted %d, thresholds %v, label %s", i, e, base, adjusted, th, label)
		}
	}
	again, _ := req.Complete(locationDraft(t, drafts...))
	if string(again) != string(out) {
		t.Errorf("Complete is not deterministic for one request and draft")
	}
}

func TestCompleteLocationRefusesPicks(t *testing.T) {
	t.Parallel()
	req := goblinLocation()
	brief := req.Normalized().(CampaignRequest).Brief()
	easy := brief.Offered(encounter.Easy)
	deadly := brief.Offered(encounter.Deadly)
	tests := []struct {
		name  string
		draft EncounterDraft
		field string
		msg   string
	}{
		{"a monster not offered", EncounterDraft{Name: "N", Description: "D", Difficulty: encounter.Easy, Picks: []string{"Tarrasque"}},
			"encounters[0].picks[0]", "must be one of the monsters offered for a easy fight: " + strings.Join(easy, ", ")},
		{"a monster offered for another difficulty", EncounterDraft{Name: "N", Description: "D", Difficulty: encounter.Easy, Picks: notIn(deadly, easy)},
			"encounters[0].picks[0]", "must be one of the monsters offered for a easy fight"},
		{"a monster twice", EncounterDraft{Name: "N", Description: "D", Difficulty: encounter.Easy, Picks: []string{easy[0], strings.ToUpper(easy[0])}},
			"encounters[0].picks[1]", "repeats a monster already picked; the service chooses how many"},
		{"picks too strong together", EncounterDraft{Name: "N", Description: "D", Difficulty: encounter.Easy, Picks: strongest(easy, 3)},
			"encounters[0].picks", "cannot make a easy fight together for the party, one of each at least; pick fewer or weaker monsters"},
		{"a blank pick", EncounterDraft{Name: "N", Description: "D", Difficulty: encounter.Easy, Picks: []string{" "}},
			"encounters[0].picks[0]", "must not be empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := req.Complete(locationDraft(t, tc.draft))
			var ce *ContentError
			if !errors.As(err, &ce) || ce.Field != tc.field || !strings.HasPrefix(ce.Message, tc.msg) {
				t.Errorf("Complete(%s) = %v, want a content error at %s: %s", tc.name, err, tc.field, tc.msg)
			}
		})
	}
}

func notIn(from, not []string) []string {
	for _, n := range from {
		if !slices.Contains(not, n) {
			return []string{n}
		}
	}
	return []string{"Tarrasque"}
}

// strongest are the n strongest of names.
func strongest(names []string, n int) []string {
	out := slices.Clone(names)
	slices.SortFunc(out, func(a, b string) int {
		ma, _ := encounter.Lookup(a)
		mb, _ := encounter.Lookup(b)
		return mb.XP - ma.XP
	})
	return out[:min(n, len(out))]
}

// TestBriefOffersTheTheme checks the offer: monsters of the theme's
// families, each able to make the difficulty alone, none rarely an enemy
// unless named; the party assumed when none is given.
func TestBriefOffersTheTheme(t *testing.T) {
	t.Parallel()
	tests := []struct {
		theme  string
		family string
	}{
		{"a frontier town beset by goblins", "goblinoid"}, {"restless undead", "undead"}, {"demons from the abyss", "demon"},
		{"werewolves in the woods", "lycanthrope"}, {"giants of the frozen north", "giant"}, {"a dragon's hoard", "dragon"},
	}
	for _, tc := range tests {
		for _, level := range []int{1, 5, 11, 17} {
			req := CampaignRequest{Type: TypeLocation, Parameters: CampaignParams{CampaignTheme: tc.theme, PartyLevel: Int(level), PartySize: Int(4)}}
			b := req.Brief()
			family := 0
			for _, o := range b.Offers {
				if len(o.Monsters) == 0 || len(o.Monsters) > MaxOffered {
					t.Errorf("%s level %d: %d monsters offered for %s, want 1 to %d", tc.theme, level, len(o.Monsters), o.Difficulty, MaxOffered)
				}
				for _, n := range o.Monsters {
					m, _ := encounter.Lookup(n)
					if !encounter.Fits(b.Party, o.Difficulty, m) {
						t.Errorf("%s level %d: %s offered for %s, which it cannot make alone", tc.theme, level, n, o.Difficulty)
					}
					if m.HasTag(encounter.FamilyTags(tc.family)...) {
						family++
					}
					if m.HasTag("townsfolk", "celestial", "metallic", "good") {
						t.Errorf("%s level %d: %s offered, which is rarely an enemy", tc.theme, level, n)
					}
				}
			}
			canFight := slices.ContainsFunc(encounter.Monsters(), func(m encounter.Monster) bool {
				return m.HasTag(encounter.FamilyTags(tc.family)...) && slices.ContainsFunc(offeredDifficulties, func(d string) bool { return encounter.Fits(b.Party, d, m) })
			})
			if family == 0 && canFight {
				t.Errorf("%s level %d: no %s offered: %+v", tc.theme, level, tc.family, b.Offers)
			}
		}
	}
	b := CampaignRequest{Type: TypeLocation}.Brief()
	if !b.PartyAssumed || b.PartyLevel != DefaultPartyLevel || b.PartySize != DefaultPartySize {
		t.Errorf("Brief() of a request with no party = level %d, size %d, assumed %v; want the defaults, assumed", b.PartyLevel, b.PartySize, b.PartyAssumed)
	}
}

// TestCompleteKeepsThePartysNumbers checks that a plot records the
// brief's party and a quest its level, whatever the model wrote.
func TestCompleteKeepsThePartysNumbers(t *testing.T) {
	t.Parallel()
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/content/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	req := CampaignRequest{Type: TypePlot, Parameters: CampaignParams{PartyLevel: Int(9), PartySize: Int(6)}}
	out, err := req.Complete(read("campaign_plot"))
	var p Plot
	if err != nil || json.Unmarshal(out, &p) != nil || p.PartyLevel != 9 || p.PartySize != 6 {
		t.Errorf("Complete(plot) = party %d/%d, %v; want the request's 9/6", p.PartyLevel, p.PartySize, err)
	}
	out, err = CampaignRequest{Type: TypePlot}.Complete(read("campaign_plot"))
	if err != nil || json.Unmarshal(out, &p) != nil || p.PartyLevel != DefaultPartyLevel || p.PartySize != DefaultPartySize {
		t.Errorf("Complete(plot without a party) = party %d/%d, %v; want the defaults", p.PartyLevel, p.PartySize, err)
	}
	req.Type = TypeQuest
	out, err = req.Complete(read("campaign_quest"))
	var q Quest
	if err != nil || json.Unmarshal(out, &q) != nil || q.RecommendedLevel != 9 {
		t.Errorf("Complete(quest) = recommended level %d, %v; want the party's 9", q.RecommendedLevel, err)
	}
	req.Type = TypeEvent
	if out, err := req.Complete(read("campaign_event")); err != nil || string(out) != string(read("campaign_event")) {
		t.Errorf("Complete(event) changed a valid event or refused it: %v", err)
	}
	if _, err := req.Complete([]byte(`{"title":""}`)); !errors.Is(err, ErrInvalidContent) {
		t.Errorf("Complete(invalid event) = %v, want ErrInvalidContent", err)
	}
}
