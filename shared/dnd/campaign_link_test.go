package dnd

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dndcc/dnd-llm-service/shared/httpapi"
)

// linkedPlot is the plot content of testdata as a campaign link.
func linkedPlot(t testing.TB) *CampaignLink {
	t.Helper()
	b, err := os.ReadFile("testdata/content/campaign_plot.json")
	if err != nil {
		t.Fatal(err)
	}
	var l CampaignLink
	if err := httpapi.Unmarshal(b, &l); err != nil {
		t.Fatalf("the plot content does not decode as a campaign link: %v", err)
	}
	return &l
}

func shortLink() *CampaignLink {
	return &CampaignLink{
		Title: "The Crooked Warren", Setting: "Wickbrook, a frontier town of log houses behind a palisade.",
		Antagonist: Antagonist{Name: "Rixbit Ratlicker", Creature: "Bugbear"},
	}
}

func TestCampaignLinkValid(t *testing.T) {
	t.Parallel()
	plot := linkedPlot(t)
	level, size := Value(plot.PartyLevel), Value(plot.PartySize)
	withPlot := func(mod func(l *CampaignLink)) *CampaignLink {
		l := *linkedPlot(t)
		mod(&l)
		return &l
	}
	tests := []struct {
		name string
		req  CampaignRequest
		want map[string]string
	}{
		{"a plot's content", CampaignRequest{Type: TypeLocation, Campaign: plot}, nil},
		{"a plot with the same party", CampaignRequest{Type: TypeQuest, Campaign: plot,
			Parameters: CampaignParams{PartyLevel: Int(level), PartySize: Int(size)}}, nil},
		{"title, antagonist and setting", CampaignRequest{Type: TypeDialogue, Campaign: shortLink()}, nil},
		{"the short form names any party", CampaignRequest{Type: TypeEvent, Campaign: shortLink(),
			Parameters: CampaignParams{PartyLevel: Int(level + 1), PartySize: Int(1)}}, nil},
		{"a party level that contradicts the plot's", CampaignRequest{Type: TypeLocation, Campaign: plot,
			Parameters: CampaignParams{PartyLevel: Int(level + 2)}}, map[string]string{
			"parameters.party_level": "is " + itoa(level+2) + ", but the linked plot was built for " + itoa(level) +
				" (campaign.party_level); leave parameters.party_level out to use the plot's, or link the plot by its title, antagonist and setting alone to write for another party",
			"campaign.party_level": "is " + itoa(level) + ", which contradicts parameters.party_level (" + itoa(level+2) + ")",
		}},
		{"a party size that contradicts the plot's", CampaignRequest{Type: TypeQuest, Campaign: plot,
			Parameters: CampaignParams{PartySize: Int(size%10 + 1)}}, map[string]string{
			"parameters.party_size": "is " + itoa(size%10+1) + ", but the linked plot was built for " + itoa(size) +
				" (campaign.party_size); leave parameters.party_size out to use the plot's, or link the plot by its title, antagonist and setting alone to write for another party",
			"campaign.party_size": "is " + itoa(size) + ", which contradicts parameters.party_size (" + itoa(size%10+1) + ")",
		}},
		{"a plot request links nothing", CampaignRequest{Type: TypePlot, Campaign: shortLink()}, map[string]string{
			"campaign": "is for location, quest, event, dialogue requests, which stay in an earlier plot's world",
		}},
		{"the short form without its villain", CampaignRequest{Type: TypeQuest, Campaign: &CampaignLink{Title: "T", Setting: "S"}}, map[string]string{
			"campaign.antagonist.name": "is required: the villain the request stays with",
		}},
		{"the short form without title and setting", CampaignRequest{Type: TypeQuest, Campaign: &CampaignLink{Antagonist: Antagonist{Name: "X"}}}, map[string]string{
			"campaign.title":   "is required",
			"campaign.setting": "is required",
		}},
		{"a plot missing its acts", CampaignRequest{Type: TypeLocation, Campaign: withPlot(func(l *CampaignLink) { l.Acts = nil })}, map[string]string{
			"campaign.acts": "must have at least 1 entry (a plot's content, as a plot request answered it)",
		}},
		{"half a plot", CampaignRequest{Type: TypeLocation, Campaign: &CampaignLink{Title: "T", Setting: "S", Summary: "S", Antagonist: Antagonist{Name: "X"}}},
			map[string]string{"campaign.acts": "must have at least 1 entry (a plot's content, as a plot request answered it)"}},
		{"a plot with a blank antagonist", CampaignRequest{Type: TypeEvent, Campaign: withPlot(func(l *CampaignLink) { l.Antagonist.Motivation = " " })}, map[string]string{
			"campaign.antagonist.motivation": "must not be empty (a plot's content, as a plot request answered it)",
		}},
		{"text too long", CampaignRequest{Type: TypeEvent, Campaign: &CampaignLink{Title: "T", Setting: strings.Repeat("s", 2001), Antagonist: Antagonist{Name: "X"}}}, map[string]string{
			"campaign.setting": "must be at most 2000 characters",
		}},
		{"a link too large", CampaignRequest{Type: TypeEvent, Campaign: withPlot(func(l *CampaignLink) { l.Summary = strings.Repeat("s ", 10001) })}, map[string]string{
			"campaign": "must be at most 20000 bytes as JSON",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, tc.req.Valid(context.Background())); diff != "" {
				t.Errorf("Valid(%s) mismatch (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestCampaignLinkDecodesStrictly decodes requests with a campaign object
// as the route does: unknown fields, nulls and wrong types are refused
// naming the field, and both shapes decode.
func TestCampaignLinkDecodesStrictly(t *testing.T) {
	t.Parallel()
	plot, err := os.ReadFile("testdata/content/campaign_plot.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, body string
		field      string // the field the error names, or "" for none
	}{
		{"a plot", `{"type":"location","campaign":` + string(plot) + `}`, ""},
		{"the short form", `{"type":"quest","campaign":{"title":"T","antagonist":{"name":"Vex"},"setting":"S"}}`, ""},
		{"an unknown field", `{"type":"quest","campaign":{"title":"T","antagonist":{"name":"Vex"},"setting":"S","villain":"Vex"}}`, "campaign.villain"},
		{"an unknown antagonist field", `{"type":"quest","campaign":{"title":"T","antagonist":{"name":"Vex","hp":3},"setting":"S"}}`, "campaign.antagonist.hp"},
		{"null", `{"type":"quest","campaign":null}`, "campaign"},
		{"a string", `{"type":"quest","campaign":"The Crooked Warren"}`, "campaign"},
		{"an antagonist as a string", `{"type":"quest","campaign":{"title":"T","antagonist":"Vex","setting":"S"}}`, "campaign.antagonist"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, err := DecodeTextRequest(KindCampaign, []byte(tc.body))
			if err == nil {
				if p := req.Valid(context.Background()); len(p) > 0 {
					err = httpapi.Invalid(p)
				}
			}
			if tc.field == "" {
				if err != nil {
					t.Errorf("decode(%s) = %v, want no error", tc.name, err)
				}
				return
			}
			p := httpapi.AsProblem(err)
			found := false
			for _, fe := range p.Errors {
				found = found || fe.Field == tc.field
			}
			if err == nil || !found {
				t.Errorf("decode(%s) = %v, want a problem naming %s", tc.name, err, tc.field)
			}
		})
	}
}

func TestCampaignLinkNormalize(t *testing.T) {
	t.Parallel()
	plot := linkedPlot(t)
	plot.Title = "  " + plot.Title + " "
	req := CampaignRequest{Type: TypeLocation, Campaign: plot}
	got := req.Normalized().(CampaignRequest)
	if Value(got.Parameters.PartyLevel) != Value(plot.PartyLevel) || Value(got.Parameters.PartySize) != Value(plot.PartySize) {
		t.Errorf("Normalized() party = %v/%v, want the plot's %v/%v", got.Parameters.PartyLevel, got.Parameters.PartySize, plot.PartyLevel, plot.PartySize)
	}
	if got.Campaign.Title != strings.TrimSpace(plot.Title) {
		t.Errorf("Normalized() title = %q, want it trimmed", got.Campaign.Title)
	}
	if req.Campaign.Title != plot.Title || req.Parameters.PartyLevel != nil {
		t.Errorf("Normalized() changed the request it was called on")
	}
	again := got.Normalized().(CampaignRequest)
	a, _ := got.Canonical()
	b, _ := again.Canonical()
	if string(a) != string(b) {
		t.Errorf("Normalize is not idempotent:\n%s\n%s", a, b)
	}
	if (&CampaignLink{Title: "T"}).IsPlot() || !plot.IsPlot() {
		t.Errorf("IsPlot() does not tell a plot from its title, antagonist and setting")
	}
}
