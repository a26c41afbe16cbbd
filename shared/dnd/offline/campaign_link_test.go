package offline

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// worldVars is a campaign's world as a map.
func worldVars(c *campaign) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(c.vars); i += 2 {
		m[c.vars[i]] = c.vars[i+1]
	}
	return m
}

// TestLinkedDocumentsStayInThePlotsWorld writes a plot for many themes and
// seeds, then a location, quest, dialogue and event from another seed
// linked to it, and checks that they share its world: the villain and
// its stat block, the town, region and setting, and the main location
// and McGuffin wherever the plot's text names them.
func TestLinkedDocumentsStayInThePlotsWorld(t *testing.T) {
	t.Parallel()
	g := New()
	themes := []string{"", "frontier town beset by goblins", "undead", "a dragon's hoard", "a heist in the capital",
		"giants of the frozen north", "werewolves", "a desert cult", "pirates of the coast", "mind flayers"}
	found := map[string]int{}
	n := 0
	for i, theme := range themes {
		for s := range 60 {
			seed := i*1000 + s
			req := variedReq(dnd.TypePlot, theme, seed)
			req.Normalize()
			src := g.newCampaign(int64(seed), req)
			doc, _, err := src.content(dnd.TypePlot)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(doc)
			var link dnd.CampaignLink
			if err := json.Unmarshal(b, &link); err != nil {
				t.Fatal(err)
			}
			want := worldVars(src)
			story := link
			story.Title = ""
			text := story.Text()
			for _, typ := range []string{dnd.TypeLocation, dnd.TypeQuest, dnd.TypeDialogue, dnd.TypeEvent} {
				lreq := dnd.CampaignRequest{Type: typ, Campaign: &link, Seed: ptr(int64(seed + 7))}
				lreq.Normalize()
				if p := lreq.Valid(t.Context()); p != nil {
					t.Fatalf("linked %s request invalid: %v", typ, p)
				}
				got := worldVars(g.newCampaign(int64(seed+7), lreq))
				n++
				for _, k := range []string{"antagonist", "creature", "town", "region", "setting"} {
					if got[k] != want[k] {
						t.Errorf("theme %q seed %d %s: %s = %q, want the plot's %q", theme, seed, typ, k, got[k], want[k])
					}
				}
				for _, k := range []string{"place_name", "macguffin"} {
					if !strings.Contains(strings.ToLower(text), strings.ToLower(midSentence(want[k]))) {
						continue // the plot never names it; the seed chooses
					}
					found[k]++
					if !strings.EqualFold(got[k], want[k]) {
						t.Errorf("theme %q seed %d %s: %s = %q, want the plot's %q", theme, seed, typ, k, got[k], want[k])
					}
				}
				if dnd.Value(lreq.Parameters.PartyLevel) != dnd.Value(link.PartyLevel) {
					t.Errorf("linked request party level %v, want the plot's %v", lreq.Parameters.PartyLevel, link.PartyLevel)
				}
			}
		}
	}
	// Most plots name their main location; few name their McGuffin.
	if found["place_name"] < n/2 {
		t.Errorf("the plot named its main location in %d of %d linked documents, want at least half", found["place_name"], n)
	}
	t.Logf("%d linked documents; the plot named the place in %d, the McGuffin in %d", n, found["place_name"], found["macguffin"])
}

// TestLinkedSummary links a plot the offline generator did not write, by
// its title, antagonist and setting.
func TestLinkedSummary(t *testing.T) {
	t.Parallel()
	g := New()
	link := &dnd.CampaignLink{
		Title:   "The Drowned Bells",
		Setting: "The fishing port of Saltmarsh, on a foggy coast of smugglers' coves and sea caves.",
		Antagonist: dnd.Antagonist{Name: "Captain Morvane Hale", Creature: "Bandit Captain",
			Description: "A smuggler queen who rings the drowned bells to call in her ships.", Motivation: "To own every cove on the coast."},
	}
	for seed := range int64(50) {
		req := dnd.CampaignRequest{Type: dnd.TypeDialogue, Campaign: link, Seed: &seed, Parameters: dnd.CampaignParams{PartyLevel: dnd.Int(4)}}
		req.Normalize()
		c := g.newCampaign(seed, req)
		v := worldVars(c)
		if v["town"] != "Saltmarsh" || c.terrainKey != "coast" || v["antagonist"] != "Captain Morvane Hale" || c.boss.Name != "Bandit Captain" {
			t.Errorf("seed %d: town %q, land %q, villain %q as %s; want Saltmarsh, coast, Captain Morvane Hale as Bandit Captain",
				seed, v["town"], c.terrainKey, v["antagonist"], c.boss.Name)
		}
		if v["motivation"] != "to own every cove on the coast" || v["motivation_first"] != "to own every cove on the coast" {
			t.Errorf("seed %d: motivation %q / %q, want the plot's", seed, v["motivation"], v["motivation_first"])
		}
		if v["antagonist_desc"] != link.Antagonist.Description || v["setting"] != link.Setting {
			t.Errorf("seed %d: description and setting are not the plot's: %q, %q", seed, v["antagonist_desc"], v["setting"])
		}
	}
	// A creature outside the SRD keeps the name and warns.
	seed := int64(1)
	out := campaignDoc(t, g, dnd.CampaignRequest{Type: dnd.TypeQuest, Seed: &seed, Campaign: &dnd.CampaignLink{
		Title: "T", Setting: "Somewhere.", Antagonist: dnd.Antagonist{Name: "Xal the Unmade", Creature: "Mind Flayer Arcanist"}}}, &dnd.Quest{})
	if len(out.Warnings) != 2 || !strings.Contains(out.Warnings[0], `campaign.antagonist.creature "Mind Flayer Arcanist" is not an SRD 5.1 monster`) ||
		!strings.Contains(out.Warnings[1], "assumed party of 4 level-3 adventurers") {
		t.Errorf("warnings = %q, want one about the creature outside the SRD and one about the assumed party", out.Warnings)
	}
}

func TestFirstPerson(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"to take Wickbrook's walls for their own warren": "to take Wickbrook's walls for my own warren",
		"to make them pay for what they did":             "to make me pay for what I did",
		"to free themself":                               "to free myself",
		"to rule":                                        "to rule",
	} {
		if got := firstPerson(in); got != want {
			t.Errorf("firstPerson(%q) = %q, want %q", in, got, want)
		}
	}
}
