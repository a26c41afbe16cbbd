package text

import (
	"fmt"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/dnd/offline"
	"github.com/dndcc/dnd-llm-service/shared/group"
)

// ContentName names the component of a text kind's content type.
func ContentName(kind, typ string) string {
	switch kind {
	case dnd.KindTheme:
		return "ThemeResult"
	case dnd.KindFreeform:
		return "FreeformText"
	}
	return kindName(kind) + title(typ)
}

// ResultName names the component of a text result of one kind and type:
// TextResult with type fixed and content of the type's schema.
func ResultName(kind, typ string) string {
	if len(dnd.Types(kind)) == 1 {
		return kindName(kind) + "TextResult"
	}
	return ContentName(kind, typ) + "Result"
}

// KindResultName names the component of a kind's results: the one type's
// result, or the union of the types' results, told apart by type.
func KindResultName(kind string) string { return kindName(kind) + "TextResult" }

// JobName names the component of a job of a text kind.
func JobName(kind string) string { return kindName(kind) + "Job" }

// kindName is the kind without its group, capitalized: Character.
func kindName(kind string) string { return title(strings.TrimPrefix(kind, "text.")) }

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// schemas are the text components: the content of each kind and type, as
// the service answers with it (for a character, a theme and a location,
// what the service builds from the model's draft); the result of each kind
// and type, which TextResult becomes with type fixed and content of the
// type's schema; for a kind of several types, the union of its results,
// told apart by type; and the identity shape of a request's character
// object.
func schemas() []apidoc.Component {
	var out []apidoc.Component
	for _, k := range Kinds {
		var variants []apidoc.Variant
		for _, typ := range dnd.Types(k) {
			c := apidoc.Component{Name: ContentName(k, typ)}
			if k == dnd.KindTheme {
				c.Strict, c.About = dnd.ThemeResult{}, "A text restyled to a genre, tone and style, with the original and their similarity."
			} else {
				raw, _ := dnd.ResultSchema(k, typ) // every kind and type has one
				c.Raw = raw
			}
			out = append(out, c, apidoc.Component{Name: ResultName(k, typ), Derive: &apidoc.Derive{
				From: "TextResult",
				Set: map[string]*apidoc.Schema{
					"type":    {Type: "string", Const: typ},
					"content": apidoc.Comp(ContentName(k, typ)),
				},
				About: "The result of a " + k + " job of type " + typ + ": content is a " + ContentName(k, typ) + ".",
			}})
			variants = append(variants, apidoc.Variant{Value: typ, Component: ResultName(k, typ)})
		}
		if len(variants) > 1 {
			u := apidoc.Union("type", variants...)
			u.Description = "The result of a " + k + " job: type picks its variant, and so the schema of content."
			out = append(out, apidoc.Component{Name: KindResultName(k), Schema: u})
		}
	}
	return append(out, apidoc.Component{Name: "CharacterIdentity", Schema: dnd.CharacterIdentityDoc()})
}

// messages are the Message Hub message types of text jobs: generate_text
// (prompt, context, model) is free-form text; the content types take the
// REST request shapes as their payload. Each is also accepted by the name
// of the job kind it makes, with the same payload.
func (s *Service) messages() []group.Message {
	b := s.HubBuilders()
	return []group.Message{
		{Type: "generate_text", Aliases: []string{dnd.KindFreeform}, Summary: "Free-form text (the first version's message)", Build: b["generate_text"],
			Payload: dnd.FreeformRequest{Prompt: "Describe the smell of the Yawning Portal tavern in two sentences.", Context: "Waterdeep, winter"}},
		{Type: "character_content", Aliases: []string{dnd.KindCharacter}, Summary: "Character content: the body of POST /api/v2/text/character", Build: b["character_content"],
			Payload: characterExamples()[0].Value},
		{Type: "campaign_content", Aliases: []string{dnd.KindCampaign}, Summary: "Campaign content: the body of POST /api/v2/text/campaign", Build: b["campaign_content"],
			Payload: campaignExamples()[0].Value},
		{Type: "theme", Aliases: []string{dnd.KindTheme}, Summary: "Re-theme text: the body of POST /api/v2/text/theme", Build: b["theme"],
			Payload: themeExamples()[0].Value},
	}
}

// Doc implements apidoc.Described.
func (Result) Doc() apidoc.Type {
	var types []string
	for _, k := range Kinds {
		types = append(types, dnd.Types(k)...)
	}
	return apidoc.Type{
		Name:  "TextResult",
		About: "The result of a text job.",
		Fields: map[string]*apidoc.Schema{
			"type":           apidoc.Enum(types...),
			"model":          apidoc.Describe("The model that wrote the content (offline for the built-in generator)."),
			"model_used":     apidoc.Describe("The same as model, under the first version's name."),
			"provider":       apidoc.Enum("openai", "offline"),
			"cached":         apidoc.Describe("The result came from the cache."),
			"fallback":       apidoc.Describe("A later model of the chain answered because an earlier one failed."),
			"prompt_version": apidoc.Describe("The version of the prompt templates."),
			"seed": apidoc.Describe(fmt.Sprintf("The seed the offline generator wrote the content with: the request's, or a new one in [0, 2^53−1] "+
				"(at most %d, which every JSON client reads exactly). Send it back as the request's seed to get the same content. "+
				"Left out when OpenAI wrote the content.", offline.MaxNewSeed)),
			"warnings": apidoc.Describe("What of the request could not be used as asked: an unknown theme word, a duration that was not understood, " +
				"a race, class, subclass or background outside the SRD played by its closest SRD rules, what of a prompt the offline generator could not use. Left out when there is none."),
			"provider_calls": apidoc.With(apidoc.Int(0), apidoc.Describe(
				"Completions the provider billed to write the content, rejected answers included (0 offline). A cached result repeats the figure of the job that wrote it, as usage does.")),
		},
		Replace: map[string]*apidoc.Schema{
			"content": {
				Type:        "object",
				Description: "The structured content, whose schema type picks: each kind and type has its own result (e.g. CharacterPersonalityResult).",
			},
		},
	}
}
