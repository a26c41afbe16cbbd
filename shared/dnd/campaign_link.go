package dnd

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// CampaignLink is an earlier plot a location, quest, event or dialogue
// request stays in the world of: the plot's whole content (a Plot, as a
// plot request answered it), or just its title, antagonist and setting
// (the antagonist's name required, its other fields optional). The
// request keeps the plot's villain, setting and places; a plot's party
// level and size fill in the request's when it gives none, and must not
// differ from them when it does.
type CampaignLink struct {
	Title      string     `json:"title"`
	Summary    string     `json:"summary,omitempty"`
	Setting    string     `json:"setting"`
	Acts       []Act      `json:"acts,omitempty"`
	Antagonist Antagonist `json:"antagonist"`
	Hooks      []string   `json:"hooks,omitempty"`
	Twists     []string   `json:"twists,omitempty"`
	PartyLevel *int       `json:"party_level,omitempty"`
	PartySize  *int       `json:"party_size,omitempty"`
}

// IsPlot reports whether the link is a plot's whole content rather than
// its title, antagonist and setting: whether it carries any field only a
// plot has.
func (l CampaignLink) IsPlot() bool {
	return l.Summary != "" || l.Acts != nil || l.Hooks != nil || l.Twists != nil || l.PartyLevel != nil || l.PartySize != nil
}

// Plot returns the link as a plot's content; fields it lacks are empty.
func (l CampaignLink) Plot() Plot {
	return Plot{
		Title: l.Title, Summary: l.Summary, Setting: l.Setting, Acts: nonNilSlice(l.Acts), Antagonist: l.Antagonist,
		Hooks: nonNilSlice(l.Hooks), Twists: nonNilSlice(l.Twists), PartyLevel: Value(l.PartyLevel), PartySize: Value(l.PartySize),
	}
}

// Text is everything the link says, for reading its words: the
// antagonist, the setting, the title and, for a plot, its summary, acts,
// hooks and twists.
func (l CampaignLink) Text() string {
	parts := []string{l.Antagonist.Creature, l.Antagonist.Name, l.Antagonist.Description, l.Antagonist.Motivation, l.Setting, l.Title, l.Summary}
	for _, a := range l.Acts {
		parts = append(parts, a.Title, a.Summary, a.Goal)
	}
	parts = append(parts, l.Hooks...)
	parts = append(parts, l.Twists...)
	return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), "\n")
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Caps on a campaign link's text.
const (
	maxLinkTitleLen = 200
	maxLinkTextLen  = 2000  // the setting and each antagonist field
	maxLinkBytes    = 20000 // the whole link as JSON
)

// linkTypes are the campaign types a link may be sent with.
var linkTypes = []string{TypeLocation, TypeQuest, TypeEvent, TypeDialogue}

// campaignLink checks the campaign object of a campaign request of type
// typ with parameters p.
func (v validator) campaignLink(l *CampaignLink, typ string, p CampaignParams) {
	if l == nil {
		return
	}
	if typ != "" && !slices.Contains(linkTypes, typ) {
		v.add("campaign", "is for "+strings.Join(linkTypes, ", ")+" requests, which stay in an earlier plot's world")
		return
	}
	if b, _ := json.Marshal(l); len(b) > maxLinkBytes {
		v.add("campaign", fmt.Sprintf("must be at most %d bytes as JSON", maxLinkBytes))
		return
	}
	if l.IsPlot() {
		v.linkedPlot(l, p)
		return
	}
	v.line("campaign.title", l.Title, maxLinkTitleLen)
	v.text("campaign.setting", l.Setting, maxLinkTextLen, true)
	v.line("campaign.antagonist.name", l.Antagonist.Name, MaxFieldLen)
	if strings.TrimSpace(l.Antagonist.Name) == "" {
		v.add("campaign.antagonist.name", "is required: the villain the request stays with")
	}
	if strings.TrimSpace(l.Title) == "" {
		v.add("campaign.title", "is required")
	}
	v.line("campaign.antagonist.creature", l.Antagonist.Creature, MaxFieldLen)
	v.text("campaign.antagonist.description", l.Antagonist.Description, maxLinkTextLen, false)
	v.text("campaign.antagonist.motivation", l.Antagonist.Motivation, maxLinkTextLen, false)
}

// linkedPlot checks a link that is a plot's content as the content of a
// plot request, and against the request's party.
func (v validator) linkedPlot(l *CampaignLink, p CampaignParams) {
	b, err := json.Marshal(l.Plot())
	if err == nil {
		err = ValidateContent(KindCampaign, TypePlot, b)
	}
	if ce, ok := err.(*ContentError); ok {
		field := "campaign"
		if ce.Field != "" {
			field += "." + ce.Field
		}
		v.add(field, ce.Message+" (a plot's content, as a plot request answered it)")
		return
	}
	for _, f := range []struct {
		name        string
		param, plot *int
	}{{"party_level", p.PartyLevel, l.PartyLevel}, {"party_size", p.PartySize, l.PartySize}} {
		if f.param == nil || f.plot == nil || *f.param == *f.plot {
			continue
		}
		v.add("parameters."+f.name, fmt.Sprintf(
			"is %d, but the linked plot was built for %d (campaign.%s); leave parameters.%s out to use the plot's, "+
				"or link the plot by its title, antagonist and setting alone to write for another party",
			*f.param, *f.plot, f.name, f.name))
		v.add("campaign."+f.name, fmt.Sprintf("is %d, which contradicts parameters.%s (%d)", *f.plot, f.name, *f.param))
	}
}

// normalize trims the link's text, and gives the parameters the party of
// a linked plot when they name none.
func (l *CampaignLink) normalize(p *CampaignParams) {
	for _, s := range []*string{&l.Title, &l.Summary, &l.Setting, &l.Antagonist.Name, &l.Antagonist.Creature,
		&l.Antagonist.Description, &l.Antagonist.Motivation} {
		*s = strings.TrimSpace(*s)
	}
	if p.PartyLevel == nil && l.PartyLevel != nil {
		p.PartyLevel = Int(*l.PartyLevel)
	}
	if p.PartySize == nil && l.PartySize != nil {
		p.PartySize = Int(*l.PartySize)
	}
}
