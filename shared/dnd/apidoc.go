package dnd

import (
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
)

// What the API document says of the request types, beyond their fields.

// PriorityDoc documents a request's priority field.
func PriorityDoc() *apidoc.Schema {
	return apidoc.With(apidoc.Enum(Priorities()...), apidoc.Default(DefaultPriority),
		apidoc.Describe("Queue priority. urgent needs the admin scope."))
}

func promptDoc() *apidoc.Schema {
	return apidoc.With(apidoc.MaxLen(MaxPromptLen), apidoc.Describe("Extra instructions for the writer, in plain words."))
}

func seedDoc() *apidoc.Schema {
	return apidoc.Describe("Makes the result repeatable: the offline generator is deterministic for a seed, and OpenAI receives it as its seed. " +
		"Seeds the service draws are in [0, 2^53−1] (at most 9007199254740991, which every JSON client reads exactly); " +
		"any 64-bit integer is accepted, so a larger seed from an earlier answer still replays it.")
}

func modelDoc() *apidoc.Schema {
	return apidoc.Describe("Model preferences; defaults apply to what is left out.")
}

func themeDoc() *apidoc.Schema { return apidoc.Describe("The genre, tone and style of the writing.") }

func shortDoc(about string) *apidoc.Schema {
	return apidoc.With(apidoc.MaxLen(MaxFieldLen), apidoc.Describe(about))
}

// themeWordDoc describes a theme field: any word, the known ones listed.
func themeWordDoc(field string, known []string, synonyms string) string {
	return "Any " + field + " word or phrase. Known to the offline generator: " + strings.Join(known, ", ") +
		"; synonyms such as " + synonyms + " are read as known words, and other words as the closest known one, with a warning."
}

func typeDoc(kind string) *apidoc.Schema {
	return apidoc.With(apidoc.Enum(Types(kind)...), apidoc.Describe("Which content to write; it picks the schema of result.content."))
}

// Doc implements apidoc.Described.
func (CharacterRequest) Doc() apidoc.Type {
	return apidoc.Type{
		About: "Body of POST /api/v2/text/character: one piece of content about a player character. " +
			"The character's numbers are worked out in code from the SRD 5.1 rules; the writer adds the words.",
		Required: []string{"type"},
		Fields: map[string]*apidoc.Schema{
			"type":       typeDoc(KindCharacter),
			"parameters": apidoc.Describe("The character. Anything left out is chosen from the seed, or read from the prompt when it names it."),
			"theme":      themeDoc(), "model": modelDoc(), "prompt": promptDoc(), "seed": seedDoc(), "priority": PriorityDoc(),
		},
		Replace: map[string]*apidoc.Schema{
			"character": {
				Description: "The character the content is about, so that every document describes the same person: " +
					"the content of a sheet returned earlier (its numbers and words are kept), or just its identity " +
					"(its numbers are then worked out from the identity, the same for every request that sends it). " +
					"A parameter that names the character otherwise is refused, naming both fields.",
				OneOf: []*apidoc.Schema{apidoc.Comp("CharacterIdentity"), apidoc.Comp("CharacterSheet")},
			},
		},
	}
}

// Doc implements apidoc.Described.
func (CharacterParams) Doc() apidoc.Type {
	return apidoc.Type{
		About: "The character the content is about; empty fields are the writer's choice. A race, subrace, class, " +
			"subclass or background outside the SRD 5.1 is kept and played with the closest SRD rules, which the result's warnings say.",
		Required: []string{},
		Fields: map[string]*apidoc.Schema{
			"character_class": shortDoc("e.g. Cleric, Wizard, Rogue."),
			"character_race":  shortDoc("e.g. Dwarf, Elf, Tiefling; a subrace such as High Elf names both."),
			"character_level": apidoc.Between(1, MaxLevel),
			"alignment": shortDoc("One of the nine alignments, or unaligned, in any common spelling (" +
				strings.Join(Alignments(), ", ") + "; also LG, chaotic-evil, true neutral, ...). Anything else is refused, listing the spellings accepted."),
			"background": shortDoc("e.g. Acolyte, Soldier, Sage."),
			"name":       shortDoc("The character's name; without one the writer chooses it."),
			"character_name": shortDoc("The same as name, under the name the first version's callers send; " +
				"sending both with different values is refused."),
			"pronouns": shortDoc("e.g. she/her, he/him, they/them; without them the writer chooses."),
			"subrace":  shortDoc("e.g. Hill Dwarf, High Elf, Lightfoot Halfling, Rock Gnome, or a dragonborn's ancestry (Red). A subrace of another race is refused."),
			"subclass": shortDoc("e.g. Champion, Life, Battle Master. A subclass of another class is refused; one outside the SRD gets the SRD subclass's features and a warning."),
		},
	}
}

// CharacterIdentityDoc is the schema of a character object sent as just an
// identity.
func CharacterIdentityDoc() *apidoc.Schema {
	str := func(about string) *apidoc.Schema {
		return apidoc.With(apidoc.Str(), apidoc.MaxLen(MaxFieldLen), apidoc.Describe(about))
	}
	return &apidoc.Schema{
		Type:        "object",
		Description: "Who a character is: the identity fields at the top of a sheet. Sent as a request's character, it fixes the character of every document.",
		Properties: map[string]*apidoc.Schema{
			"name": str("The character's full name."), "pronouns": str("e.g. she/her."),
			"race": str("The race."), "subrace": str("The subrace or dragon ancestry; may be empty."),
			"class": str("The class."), "subclass": str("The subclass; may be empty."),
			"level":      apidoc.With(apidoc.Int(1), apidoc.Between(1, MaxLevel)),
			"background": str("The background."), "alignment": str("The alignment, in any spelling the parameters accept."),
		},
		Required: []string{"name", "race", "class", "level"},
	}
}

// Doc implements apidoc.Described.
func (Theme) Doc() apidoc.Type {
	return apidoc.Type{
		About: "The genre, tone and style a piece of writing should have. Any words are accepted: a model receives them as written. " +
			"The offline generator has rules for the known words listed on each field and reads common synonyms as them; " +
			"for any other word it uses the closest known one and says so in the result's warnings.",
		Required: []string{},
		Fields: map[string]*apidoc.Schema{
			"genre": shortDoc(themeWordDoc("genre", knownGenres, "space opera, gothic horror, wild west")),
			"tone":  shortDoc(themeWordDoc("tone", knownTones, "light-hearted, gritty, heroic")),
			"style": shortDoc(themeWordDoc("style", knownStyles, "shakespearean, lyrical, concise")),
		},
	}
}

// Doc implements apidoc.Described.
func (ModelOptions) Doc() apidoc.Type {
	return apidoc.Type{
		About:    "Model preferences.",
		Required: []string{},
		Fields: map[string]*apidoc.Schema{
			"name": apidoc.With(apidoc.MaxLen(MaxModelNameLen),
				apidoc.Describe("A model of the service's fallback chain (OPENAI_MODELS), where the chain starts; empty means its first model.")),
			"temperature": apidoc.With(apidoc.Between(0, MaxTemperature), apidoc.Default(DefaultTemperature)),
			"max_tokens": apidoc.With(apidoc.Between(1, MaxTokensLimit), apidoc.Describe(
				"Cap on the answer's tokens. Without it the cap is sized for the content type, from 500 to 1200 tokens "+
					"(1000 for free-form text, and three times the text's tokens for a restyle), and an answer cut off at it is "+
					"retried once under twice the cap; a cap given here holds for every call.")),
		},
	}
}

// Doc implements apidoc.Described.
func (CampaignRequest) Doc() apidoc.Type {
	return apidoc.Type{
		About:    "Body of POST /api/v2/text/campaign: one piece of campaign material.",
		Required: []string{"type"},
		Fields: map[string]*apidoc.Schema{
			"type":       typeDoc(KindCampaign),
			"parameters": apidoc.Describe("The campaign and the party. Anything left out is chosen by the writer."),
			"theme":      themeDoc(), "model": modelDoc(), "prompt": promptDoc(), "seed": seedDoc(), "priority": PriorityDoc(),
		},
		Replace: map[string]*apidoc.Schema{
			"campaign": {
				Description: "For a location, quest, event or dialogue: the earlier plot whose world to stay in, " +
					"as that plot's whole content or just its title, antagonist and setting. The content keeps its villain, " +
					"setting and places. A plot's party_level and party_size fill in the parameters left out; " +
					"parameters that differ from them are refused, naming both fields.",
				OneOf: []*apidoc.Schema{apidoc.Comp(linkedPlotComponent), apidoc.Comp("CampaignSummary")},
			},
		},
	}
}

// linkedPlotComponent is the component of a plot's content, which a
// campaign request may link to.
const linkedPlotComponent = "CampaignPlot"

// CampaignSummary is the short form of a campaign link (CampaignLink): an
// earlier plot's title, antagonist and setting. It exists for the API
// document; requests decode into CampaignLink.
type CampaignSummary struct {
	Title      string         `json:"title"`
	Antagonist LinkAntagonist `json:"antagonist"`
	Setting    string         `json:"setting"`
}

// LinkAntagonist is the antagonist of a CampaignSummary: a plot's
// antagonist, of which only the name is required.
type LinkAntagonist struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Motivation  string `json:"motivation,omitempty"`
	Creature    string `json:"creature,omitempty"`
}

// Doc implements apidoc.Described.
func (CampaignSummary) Doc() apidoc.Type {
	return apidoc.Type{
		About: "An earlier plot's title, antagonist and setting: the world a campaign request stays in.",
		Fields: map[string]*apidoc.Schema{
			"title":   apidoc.With(apidoc.MaxLen(maxLinkTitleLen), apidoc.Describe("The plot's title.")),
			"setting": apidoc.With(apidoc.MaxLen(maxLinkTextLen), apidoc.Describe("Where it takes place: the plot's setting.")),
		},
	}
}

// Doc implements apidoc.Described.
func (LinkAntagonist) Doc() apidoc.Type {
	return apidoc.Type{
		About: "The plot's antagonist; the creature, if it is an SRD 5.1 monster, is the villain's stat block.",
		Fields: map[string]*apidoc.Schema{
			"name":        apidoc.MaxLen(MaxFieldLen),
			"creature":    apidoc.With(apidoc.MaxLen(MaxFieldLen), apidoc.Describe("e.g. Bugbear, Lich, Adult Red Dragon.")),
			"description": apidoc.MaxLen(maxLinkTextLen),
			"motivation":  apidoc.MaxLen(maxLinkTextLen),
		},
	}
}

// Doc implements apidoc.Described.
func (CampaignParams) Doc() apidoc.Type {
	return apidoc.Type{
		About:    "The campaign and the party; empty fields are the writer's choice.",
		Required: []string{},
		Fields: map[string]*apidoc.Schema{
			"campaign_theme": apidoc.With(apidoc.MaxLen(MaxCampaignThemeLen), apidoc.Describe("What the campaign is about.")),
			"party_level":    apidoc.Between(1, MaxLevel),
			"party_size":     apidoc.Between(1, MaxPartySize),
			"duration":       shortDoc("e.g. one session, a short arc."),
		},
	}
}

// Doc implements apidoc.Described.
func (ThemeRequest) Doc() apidoc.Type {
	return apidoc.Type{
		About:    "Body of POST /api/v2/text/theme: restyle a text to a genre, tone and style.",
		Required: []string{"content", "theme"},
		Fields: map[string]*apidoc.Schema{
			"content":    apidoc.With(apidoc.MaxLen(MaxContentLen), apidoc.Describe("The text to restyle.")),
			"theme":      apidoc.Describe("The theme to apply; it must name a genre or a tone."),
			"parameters": apidoc.Describe("How far the restyle may go."),
			"model":      modelDoc(), "prompt": promptDoc(), "seed": seedDoc(), "priority": PriorityDoc(),
		},
	}
}

// Doc implements apidoc.Described.
func (ThemeParams) Doc() apidoc.Type {
	return apidoc.Type{
		About:    "How far a restyle may go.",
		Required: []string{},
		Fields: map[string]*apidoc.Schema{
			"strength": apidoc.With(apidoc.Between(0, 1), apidoc.Default(DefaultStrength),
				apidoc.Describe("The share of the text that may change.")),
			"preserve_key_elements": apidoc.With(apidoc.Default(true), apidoc.Describe("Keep names, places and numbers as written.")),
		},
	}
}

// Doc implements apidoc.Described.
func (FreeformRequest) Doc() apidoc.Type {
	return apidoc.Type{
		Name:     "HubGenerateTextPayload",
		About:    "Payload of the Message Hub's generate_text message: free-form text. model may also be a bare model name.",
		Required: []string{"prompt"},
		Fields: map[string]*apidoc.Schema{
			"prompt": apidoc.With(apidoc.MaxLen(MaxPromptLen), apidoc.Describe("What to write.")),
			"seed":   seedDoc(), "priority": PriorityDoc(),
		},
		Replace: map[string]*apidoc.Schema{
			// The first version's callers send these shapes too.
			"context": apidoc.With(apidoc.MaxLen(MaxContextLen),
				apidoc.Describe("Background for the writer: text, or any JSON value, which is passed on as JSON.")),
			"model": {
				Description: "Model preferences, or a bare model name: a name outside the chain (OPENAI_MODELS) means the chain's first model.",
				OneOf:       []*apidoc.Schema{apidoc.Comp("ModelOptions"), apidoc.Str()},
			},
		},
	}
}

// Doc implements apidoc.Described. The campaign field of a request is
// documented as one of CampaignPlot and CampaignSummary; this is the
// shape both decode into.
func (CampaignLink) Doc() apidoc.Type {
	return apidoc.Type{
		About: "A campaign object as the service reads it: every field of a plot's content (CampaignPlot), of which " +
			"title, antagonist and setting alone make a CampaignSummary. A field only a plot has (summary, acts, hooks, " +
			"twists, party_level, party_size) makes it a plot, which must then be whole.",
	}
}

// Doc implements apidoc.Described.
func (Act) Doc() apidoc.Type { return apidoc.Type{About: "One act of a plot."} }

// Doc implements apidoc.Described.
func (Antagonist) Doc() apidoc.Type { return apidoc.Type{About: "The main opponent of a plot."} }
