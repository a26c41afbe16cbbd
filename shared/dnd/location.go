package dnd

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/encounter"
)

var _ Completer = CampaignRequest{}

// Complete implements Completer. A location's draft becomes the location
// (CompleteLocation). The other campaign types are written whole by the
// model, except their numbers about the party: a plot's party level and
// size and a quest's recommended level are the brief's (Brief). A plot
// must have the brief's number of acts, and its antagonist's creature
// must be an SRD 5.1 monster (spelt as the SRD spells it in the content),
// since fights and linked documents are built from its stat block.
func (r CampaignRequest) Complete(draft []byte) (json.RawMessage, error) {
	if r.Type == TypeLocation {
		return CompleteLocation(r, draft)
	}
	if err := ValidateContent(KindCampaign, r.Type, draft); err != nil {
		return nil, err
	}
	r.Normalize()
	brief := r.Brief()
	var doc any
	switch r.Type {
	case TypePlot:
		var p Plot
		doc = &p
		if err := json.Unmarshal(draft, &p); err != nil {
			return nil, &ContentError{Message: "does not match the content type"}
		}
		if err := brief.checkPlot(&p); err != nil {
			return nil, err
		}
		p.PartyLevel, p.PartySize = brief.PartyLevel, brief.PartySize
	case TypeQuest:
		var q Quest
		doc = &q
		if err := json.Unmarshal(draft, &q); err != nil {
			return nil, &ContentError{Message: "does not match the content type"}
		}
		q.RecommendedLevel = brief.PartyLevel
	default:
		return slices.Clone(draft), nil
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("complete %s: %w", r.Type, err)
	}
	return b, nil
}

// checkPlot refuses a model's plot whose act count is not the brief's or
// whose antagonist is no SRD 5.1 monster, and spells the creature's name
// as the SRD does.
func (b CampaignBrief) checkPlot(p *Plot) error {
	if len(p.Acts) != b.Acts {
		return &ContentError{Field: "acts", Message: fmt.Sprintf("has %d acts; the duration asks for exactly %d", len(p.Acts), b.Acts)}
	}
	m, ok := encounter.Lookup(p.Antagonist.Creature)
	if !ok {
		return &ContentError{Field: "antagonist.creature", Message: "must be the name of an SRD 5.1 monster, such as one offered for a hard or deadly fight"}
	}
	p.Antagonist.Creature = m.Name
	return nil
}

// CompleteLocation turns a model's LocationDraft (the JSON
// Schema(KindCampaign, TypeLocation) describes) into the Location for req:
// each encounter keeps its name, description and difficulty, its picks
// must be monsters req's brief offered for that difficulty
// (encounter.Validate), and encounter.Build chooses how many of each make
// the fight and computes its XP, multiplier and label. A pick not offered,
// a monster picked twice, or picks that together cannot make the
// difficulty is a *ContentError naming the pick: an invalid answer, which
// the model is asked to repair. The same request and draft always give
// the same location.
func CompleteLocation(req CampaignRequest, draft []byte) (json.RawMessage, error) {
	if err := validateAs(typeOf[LocationDraft](), draft); err != nil {
		return nil, err
	}
	var d LocationDraft
	if err := json.Unmarshal(draft, &d); err != nil {
		return nil, &ContentError{Message: "does not match the content type"}
	}
	req.Normalize()
	brief := req.Brief()
	r := draftRand(req, draft)
	loc := Location{
		Name: d.Name, Kind: d.Kind, Description: d.Description, Features: d.Features, NPCs: d.NPCs,
		Hazards: d.Hazards, Secrets: d.Secrets, Encounters: make([]Encounter, len(d.Encounters)),
	}
	for i, e := range d.Encounters {
		enc, err := brief.build(i, e, r)
		if err != nil {
			return nil, err
		}
		loc.Encounters[i] = enc
	}
	b, err := json.Marshal(loc)
	if err != nil {
		return nil, fmt.Errorf("complete location: %w", err)
	}
	if err := ValidateContent(KindCampaign, TypeLocation, b); err != nil {
		return nil, err
	}
	return b, nil
}

// build makes encounter i of a draft by the numbers.
func (b CampaignBrief) build(i int, e EncounterDraft, r *rand.Rand) (Encounter, error) {
	offered := b.Offered(e.Difficulty)
	var ms []encounter.Monster
	for j, pick := range e.Picks {
		field := fmt.Sprintf("encounters[%d].picks[%d]", i, j)
		if err := encounter.Validate(pick, offered); err != nil {
			return Encounter{}, &ContentError{Field: field, Message: fmt.Sprintf(
				"must be one of the monsters offered for a %s fight: %s", e.Difficulty, strings.Join(offered, ", "))}
		}
		m, _ := encounter.Lookup(pick)
		if slices.ContainsFunc(ms, func(o encounter.Monster) bool { return o.Name == m.Name }) {
			return Encounter{}, &ContentError{Field: field, Message: "repeats a monster already picked; the service chooses how many"}
		}
		ms = append(ms, m)
	}
	built, err := encounter.Build(b.Party, e.Difficulty, ms, r)
	if errors.Is(err, encounter.ErrUnreachable) {
		return Encounter{}, &ContentError{Field: fmt.Sprintf("encounters[%d].picks", i), Message: fmt.Sprintf(
			"cannot make a %s fight together for the party, one of each at least; pick fewer or weaker monsters", e.Difficulty)}
	}
	if err != nil {
		return Encounter{}, fmt.Errorf("build encounter %d: %w", i, err)
	}
	out := Encounter{
		Name: e.Name, Description: e.Description, BaseXP: built.BaseXP, Multiplier: built.Multiplier,
		AdjustedXP: built.AdjustedXP, PartyThresholds: XPThresholds(built.Thresholds), Difficulty: built.Difficulty,
	}
	for _, g := range built.Groups {
		out.Monsters = append(out.Monsters, EncounterMonster{Name: g.Monster.Name, Count: g.Count, CR: g.Monster.CR, XP: g.Monster.XP})
	}
	return out, nil
}

// draftRand is the random source that picks among equally good monster
// counts: drawn from the request and the draft, so validating a draft and
// completing it give the same location.
func draftRand(req CampaignRequest, draft []byte) *rand.Rand {
	h := fnv.New64a()
	canonical, _ := req.Canonical() // a request always encodes
	h.Write(canonical)
	h.Write(draft)
	sum := h.Sum64()
	return rand.New(rand.NewPCG(sum, sum>>32|sum<<32))
}

func (x *LocationDraft) check(c *checker) {
	loc := Location{Name: x.Name, Kind: x.Kind, Description: x.Description, Features: x.Features, NPCs: x.NPCs,
		Hazards: x.Hazards, Secrets: x.Secrets}
	loc.check(c)
	for i, e := range x.Encounters {
		p := fmt.Sprintf("encounters[%d]", i)
		c.text(p+".name", e.Name)
		c.text(p+".description", e.Description)
		c.list(p+".picks", e.Picks)
	}
}
