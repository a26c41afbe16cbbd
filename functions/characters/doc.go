package characters

import (
	"strings"

	"github.com/dndcc/dnd-llm-service/functions/text"
	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// What the API document says of the route and its types.

// stepUnion names the component of a step of any name.
const stepUnion = "CharactersAnyStep"

// stepName names the component of the step called name: CharactersSheetStep.
func stepName(name string) string {
	return "Characters" + strings.ToUpper(name[:1]) + name[1:] + "Step"
}

// stepResultName names the component of the result of step name.
func stepResultName(name string) string {
	if name == StepPortrait {
		return "ImageResult"
	}
	return text.ResultName(dnd.KindCharacter, name)
}

func createDoc() apidoc.Operation {
	return apidoc.Operation{
		ID: "charactersCreate", Summary: "Make a whole character",
		Description: "The sheet, the documents `include` asks for and the portrait of one character, in one call. " +
			"The call is a job (kind characters.create) that starts one job per step: the sheet first (`POST /api/v2/text/character` with type sheet); " +
			"then, each given the sheet's content as its `character` so that every document describes the same person with the same numbers, " +
			"the backstory, personality, combat profile and equipment list, and the portrait (`POST /api/v2/image/generate`, type character_portrait, its prompt built from the sheet). " +
			"Each step is an ordinary job of its kind: cached, de-duplicated and counted in usage and quota like one submitted on its own, with its own Message Hub event; the whole has one more. " +
			"\n\nThe caller's text and image rate limits are charged for every step at once (the defaults: three text requests and one image); " +
			"when either would refuse, the call answers 429 and starts nothing. A spent daily quota refuses the call the same way." +
			"\n\n`result.steps` shows each step's job, status and, once it succeeded, its result (a portrait without `image_data`: its `url` serves the image, and its own job holds it), " +
			"so a client polling `GET /api/v2/queue/{id}` can show the sheet while the portrait is drawn. A step that fails fails the whole, naming the step, " +
			"with the steps finished kept in `result`; canceling the whole (`DELETE /api/v2/queue/{id}`) cancels the steps not finished. " +
			"Under AWS Lambda the portrait is drawn by the scheduled worker, so a call that includes it usually answers 202." + submit.DocDescription,
		Params:    submit.DocParams(),
		Body:      &apidoc.Body{Schema: "CharactersRequest", Description: "The character and what to make of it.", Examples: examples()},
		Responses: submit.DocResponses(JobName, httpapi.CodeTextGenerationFailed),
	}
}

func examples() []apidoc.Example {
	seed := int64(114)
	return []apidoc.Example{
		{Name: "whole", Summary: "A hill dwarf cleric of level 5: sheet, backstory, personality and portrait", Value: Request{
			Parameters: dnd.CharacterParams{
				CharacterClass: "Cleric", CharacterRace: "Hill Dwarf", CharacterLevel: dnd.Int(5),
				Alignment: "lawful good", Background: "Acolyte", Name: "Brenna Stonehelm", Pronouns: "she/her",
			},
			Seed: &seed,
		}},
		{Name: "everything", Summary: "Every document of an elf rogue, in a gothic key", Value: Request{
			Parameters: dnd.CharacterParams{CharacterClass: "Rogue", CharacterRace: "Elf", CharacterLevel: dnd.Int(7), Background: "Criminal"},
			Theme:      dnd.Theme{Genre: "gothic", Tone: "dark"},
			Prompt:     "She grew up in the sewers under the capital.",
			Include:    Steps(),
		}},
	}
}

// Doc implements apidoc.Described.
func (Request) Doc() apidoc.Type {
	d := dnd.CharacterRequest{}.Doc()
	fields := map[string]*apidoc.Schema{
		"include": apidoc.With(apidoc.ItemEnum(Steps()...), &apidoc.Schema{UniqueItems: true}, apidoc.Default(DefaultInclude()),
			apidoc.Describe("The steps to make: sheet (required: the others are written from it), backstory, personality, combat, equipment and portrait.")),
	}
	for k, v := range d.Fields {
		if k != "type" {
			fields[k] = v
		}
	}
	fields["seed"] = apidoc.Describe("Makes the result repeatable, as for the character route: every text step is written with it, " +
		"and the portrait drawn with its low 32 bits (seeded portraits are cached).")
	return apidoc.Type{
		Name: "CharactersRequest",
		About: "Body of POST /api/v2/characters: a character request without type, plus include. " +
			"The character's numbers are worked out in code from the SRD 5.1 rules; the writers add the words.",
		Required: []string{},
		Fields:   fields,
		Replace:  d.Replace,
	}
}

// Doc implements apidoc.Described.
func (Result) Doc() apidoc.Type {
	return apidoc.Type{
		Name: ResultName,
		About: "The result of a whole character: while its job runs, the progress of its steps; when it succeeded, every step's result; " +
			"when it failed or was canceled, the steps it finished.",
		Replace: map[string]*apidoc.Schema{
			"character": apidoc.With(apidoc.Comp("CharacterIdentity"), apidoc.Describe("Who the sheet made, once it is written.")),
			"steps": {Type: "array", Items: apidoc.Comp(stepUnion),
				Description: "One entry per step included, in the order sheet, backstory, personality, combat, equipment, portrait."},
		},
	}
}

// Doc implements apidoc.Described.
func (Step) Doc() apidoc.Type {
	return apidoc.Type{
		Name:  "CharactersStep",
		About: "One step of a whole character and the job that makes it.",
		Fields: map[string]*apidoc.Schema{
			"name":   apidoc.Enum(Steps()...),
			"kind":   apidoc.Describe("The kind of the step's job: text.character, or image.generate for the portrait."),
			"job_id": apidoc.Describe("The step's job (GET /api/v2/queue/{id}); left out while the step is pending."),
			"status": apidoc.With(apidoc.Enum(StatusPending, "queued", "running", "succeeded", "failed", "canceled"),
				apidoc.Describe("pending until the sheet the step is written from is done; then its job's status.")),
			"deduplicated": apidoc.Describe("The step joined an identical live job of the caller's (as X-Deduplicated says of a request); canceling the whole leaves it running."),
		},
		Refs: map[string]string{"error": "JobError"},
		Replace: map[string]*apidoc.Schema{
			"result": {Type: "object", Description: "The step's job's result, once it succeeded: a character text result, or an image result without image_data."},
		},
	}
}

// schemas are each step's component (CharactersStep with name fixed and
// result of the step's schema) and their union, told apart by name.
func schemas() []apidoc.Component {
	var out []apidoc.Component
	var variants []apidoc.Variant
	for _, name := range Steps() {
		out = append(out, apidoc.Component{Name: stepName(name), Derive: &apidoc.Derive{
			From: "CharactersStep",
			Set: map[string]*apidoc.Schema{
				"name":   {Type: "string", Const: name},
				"result": apidoc.Comp(stepResultName(name)),
			},
			About: "The " + name + " step of a whole character: result, once it succeeded, is a " + stepResultName(name) + ".",
		}})
		variants = append(variants, apidoc.Variant{Value: name, Component: stepName(name)})
	}
	u := apidoc.Union("name", variants...)
	u.Description = "A step of a whole character: name picks its variant, and so the schema of result."
	return append(out, apidoc.Component{Name: stepUnion, Schema: u})
}
