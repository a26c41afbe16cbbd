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
	return apidoc.Describe("Makes the result repeatable: the offline generator is deterministic for a seed, and OpenAI receives it as its seed.")
}

func modelDoc() *apidoc.Schema {
	return apidoc.Describe("Model preferences; defaults apply to what is left out.")
}

func themeDoc() *apidoc.Schema { return apidoc.Describe("The genre, tone and style of the writing.") }

func shortDoc(about string) *apidoc.Schema {
	return apidoc.With(apidoc.MaxLen(MaxFieldLen), apidoc.Describe(about))
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
		About:    "The genre, tone and style a piece of writing should have.",
		Required: []string{},
		Fields: map[string]*apidoc.Schema{
			"genre": shortDoc("e.g. fantasy, horror, noir."),
			"tone":  shortDoc("e.g. heroic, dark, whimsical."),
			"style": shortDoc("e.g. terse, florid, epistolary."),
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
				"Cap on the answer's tokens. Without it the cap is sized for the content type, from 500 to 1100 tokens "+
					"(1000 for free-form text, and twice the text's tokens for a restyle), and an answer cut off at it is "+
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
			"prompt":  apidoc.With(apidoc.MaxLen(MaxPromptLen), apidoc.Describe("What to write.")),
			"context": apidoc.With(apidoc.MaxLen(MaxContextLen), apidoc.Describe("Background for the writer; any JSON value is passed on as JSON.")),
			"model":   modelDoc(), "seed": seedDoc(), "priority": PriorityDoc(),
		},
	}
}
