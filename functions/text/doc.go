package text

import (
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// routeKinds are the text kinds a route submits, with the name of their
// result and job components.
var routeKinds = []struct{ kind, name string }{
	{dnd.KindCharacter, "Character"},
	{dnd.KindCampaign, "Campaign"},
	{dnd.KindTheme, "Theme"},
}

// ContentName names the component of a text kind's content type.
func ContentName(kind, typ string) string {
	switch kind {
	case dnd.KindTheme:
		return "ThemeResult"
	case dnd.KindFreeform:
		return "FreeformText"
	}
	return title(strings.TrimPrefix(kind, "text.")) + title(typ)
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// contentRefs refers to the content components of kinds.
func contentRefs(kinds ...string) []*apidoc.Schema {
	var out []*apidoc.Schema
	for _, k := range kinds {
		for _, t := range dnd.Types(k) {
			out = append(out, apidoc.Comp(ContentName(k, t)))
		}
	}
	return out
}

// schemas are the text components: the content of each kind and type as
// the service returns it (for a character and a theme, the model's words
// completed by the service), the two shapes of a request's character
// object, and for each route its result and finished job.
func schemas() []apidoc.Component {
	var out []apidoc.Component
	for _, k := range Kinds {
		for _, typ := range dnd.Types(k) {
			c := apidoc.Component{Name: ContentName(k, typ)}
			if k == dnd.KindTheme {
				c.Strict, c.About = dnd.ThemeResult{}, "A text restyled to a genre, tone and style, with the original and their similarity."
			} else {
				c.Raw, _ = dnd.ResultSchema(k, typ) // every kind and type has one
			}
			out = append(out, c)
		}
	}
	out = append(out, apidoc.Component{Name: "CharacterIdentity", Schema: dnd.CharacterIdentityDoc()})
	for _, rk := range routeKinds {
		out = append(out, apidoc.Component{Name: rk.name + "TextResult", Schema: &apidoc.Schema{
			Description: "The result of a " + rk.kind + " job.",
			AllOf: []*apidoc.Schema{apidoc.Comp("TextResult"), {
				Type: "object",
				Properties: map[string]*apidoc.Schema{
					"type":    {Type: "string", Enum: apidoc.Strings(dnd.Types(rk.kind))},
					"content": {OneOf: contentRefs(rk.kind)},
				},
			}},
		}})
		out = append(out, apidoc.Component{Name: rk.name + "Job",
			Schema: submit.JobWith(rk.name+"TextResult", "A finished "+rk.kind+" job.")})
	}
	return out
}

// messages are the Message Hub message types of text jobs: generate_text
// (prompt, context, model) is free-form text; the content types take the
// REST request shapes as their payload.
func (s *Service) messages() []group.Message {
	b := s.HubBuilders()
	return []group.Message{
		{Type: "generate_text", Summary: "Free-form text (the first version's message)", Build: b["generate_text"],
			Payload: dnd.FreeformRequest{Prompt: "Describe the smell of the Yawning Portal tavern in two sentences.", Context: "Waterdeep, winter"}},
		{Type: "character_content", Summary: "Character content: the body of POST /api/v2/text/character", Build: b["character_content"],
			Payload: characterExamples()[0].Value},
		{Type: "campaign_content", Summary: "Campaign content: the body of POST /api/v2/text/campaign", Build: b["campaign_content"],
			Payload: campaignExamples()[0].Value},
		{Type: "theme", Summary: "Re-theme text: the body of POST /api/v2/text/theme", Build: b["theme"],
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
			"warnings": apidoc.Describe("What of the request could not be used as asked: an unknown theme word, a duration that was not understood, " +
				"a race, class, subclass or background outside the SRD played by its closest SRD rules, what of a prompt the offline generator could not use. Left out when there is none."),
			"seed": apidoc.Describe("The seed the content was drawn with: the caller's, or for the offline generator and a character's sheet one drawn for the request; sending it back reproduces the result."),
			"provider_calls": apidoc.With(apidoc.Int(0), apidoc.Describe(
				"Completions the provider billed to write the content, rejected answers included (0 offline). A cached result repeats the figure of the job that wrote it, as usage does.")),
		},
		Replace: map[string]*apidoc.Schema{
			"content": {
				Description: "The structured content; its schema is chosen by type (see the content schemas, e.g. CharacterPersonality).",
				OneOf:       contentRefs(Kinds...),
			},
		},
	}
}
