package offline

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// TestLinkedLocationsNameTheTown links a location to plots of many themes
// and seeds and checks that its text says where in the plot's world it is:
// the plot's town is named somewhere in it.
func TestLinkedLocationsNameTheTown(t *testing.T) {
	t.Parallel()
	g := New()
	themes := []string{"", "a frontier town beset by goblins", "undead", "werewolves", "pirates of the coast", "a desert cult"}
	missing, n := 0, 0
	for i, theme := range themes {
		for s := range 40 {
			seed := i*1000 + s
			src, docs := world(t, g, theme, seed, dnd.TypePlot)
			b, _ := json.Marshal(docs[dnd.TypePlot])
			var link dnd.CampaignLink
			if err := json.Unmarshal(b, &link); err != nil {
				t.Fatal(err)
			}
			town := worldVars(src)["town"]
			if town == "" {
				continue
			}
			_, linked := worldOf(t, g, dnd.CampaignRequest{Type: dnd.TypeLocation, Campaign: &link, Seed: ptr(int64(seed + 1))}, dnd.TypeLocation)
			loc := linked[dnd.TypeLocation]
			lb, _ := json.Marshal(loc)
			n++
			if !strings.Contains(string(lb), town) {
				missing++
				if missing <= 3 {
					t.Logf("theme %q seed %d: the location never names %s: %s", theme, seed, town, lb)
				}
			}
		}
	}
	if n == 0 || missing > 0 {
		t.Errorf("%d of %d linked locations never name the plot's town, want 0", missing, n)
	}
}
