// Package text serves /api/v2/text: character and campaign content and
// re-theming, generated through the queue by OpenAI or the offline
// generator.
package text

import (
	"net/http"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/submit"
	"github.com/dndcc/dnd-llm-service/shared/usage"
)

// MaxBody caps request bodies of the text routes.
const MaxBody = 1 << 20

// QueueName is the queue (and rate-limit group) of text jobs.
const QueueName = "text"

// Group declares the text endpoint group.
var Group = group.Def{
	Name:     "text",
	Function: "text",
	About:    "Character, campaign and theme text through OpenAI (or the offline generator).",
	Tags:     []apidoc.Tag{{Name: "text", Description: "Character and campaign writing, and re-theming text."}},
	Queues: []group.Queue{{
		Name: QueueName, FailureCode: httpapi.CodeTextGenerationFailed,
		Settings: func(c config.Config) group.QueueSettings {
			return group.QueueSettings{RateLimit: c.TextRateLimit, Workers: c.TextWorkers, MaxInFlight: c.TextMaxInFlight}
		},
	}},
	New: newGroup,
}

func newGroup(d group.Deps) (group.Parts, error) {
	gen, err := newGenerator(d.Config, d.Logger, d.Registry)
	if err != nil {
		return group.Parts{}, err
	}
	prices, _ := usage.ParsePrices(d.Config.OpenAIPrices) // validated with the config
	s := New(Config{
		Submit: d.Submit, Generator: gen, Cache: d.Cache, Usage: d.Usage, Prices: prices,
		CacheTTL: d.Config.TextCacheTTL.D(), DailyTokenQuota: d.Config.TextDailyTokenQuota,
		Logger: d.Logger, Registry: d.Registry,
	})
	var jobs []group.Job
	for _, kind := range Kinds {
		jobs = append(jobs, group.Job{
			Kind: kind, Queue: QueueName, Handler: s.Handlers()[kind], Result: KindResultName(kind), Schema: JobName(kind),
		})
	}
	return group.Parts{
		Routes:   s.routes(),
		Jobs:     jobs,
		Messages: s.messages(),
		Health:   []group.Component{{Name: "openai", State: s.ProviderState}},
		Types:    []any{dnd.CharacterRequest{}, dnd.CampaignRequest{}, dnd.CampaignSummary{}, dnd.ThemeRequest{}, Result{}},
		Schemas:  schemas(),
	}, nil
}

// routes are the text routes, each behind a bearer token and the body cap.
func (s *Service) routes() []group.Route {
	route := func(path string, h httpapi.HandlerFunc, doc apidoc.Operation) group.Route {
		return group.Route{Method: http.MethodPost, Path: path, Auth: group.Bearer, MaxBody: MaxBody, Handler: h, Doc: doc}
	}
	return []group.Route{
		route("/api/v2/text/character", handler[dnd.CharacterRequest](s), apidoc.Operation{
			ID: "textCharacter", Summary: "Write character content",
			Description: "A whole character sheet, or a personality, backstory, combat profile or equipment list for a player character; `type` picks which, and the schema of `result.content`." +
				" Every number (ability scores, hit points, Armor Class, saves, skills, attacks, spellcasting, features, equipment and attunement) is worked out in code from the SRD 5.1 rules, never by a model; the writer adds the words." +
				" Send `character` (a sheet's `content`, or its identity) to have every document describe the same person." +
				" A race, class, subclass or background outside the SRD is played with the closest SRD rules, and `result.warnings` says so." +
				" Text results are cached." + submit.DocDescription,
			Params:    submit.DocParams(),
			Body:      &apidoc.Body{Schema: "CharacterRequest", Description: "The character and what to write.", Examples: characterExamples()},
			Responses: submit.DocResponses(JobName(dnd.KindCharacter), httpapi.CodeTextGenerationFailed),
		}),
		route("/api/v2/text/campaign", handler[dnd.CampaignRequest](s), apidoc.Operation{
			ID: "textCampaign", Summary: "Write campaign material",
			Description: "A plot, location, quest, dialogue or event; `type` picks which, and the schema of `result.content`." +
				" Text results are cached." + submit.DocDescription,
			Params:    submit.DocParams(),
			Body:      &apidoc.Body{Schema: "CampaignRequest", Description: "The campaign and what to write.", Examples: campaignExamples()},
			Responses: submit.DocResponses(JobName(dnd.KindCampaign), httpapi.CodeTextGenerationFailed),
		}),
		route("/api/v2/text/theme", handler[dnd.ThemeRequest](s), apidoc.Operation{
			ID: "textTheme", Summary: "Re-theme a text",
			Description: "Restyles `content` to a genre, tone and style, keeping names, places and numbers unless told otherwise." +
				" The result holds the new text, the original and their similarity." + submit.DocDescription,
			Params:    submit.DocParams(),
			Body:      &apidoc.Body{Schema: "ThemeRequest", Description: "The text and the theme.", Examples: themeExamples()},
			Responses: submit.DocResponses(JobName(dnd.KindTheme), httpapi.CodeTextGenerationFailed),
		}),
	}
}

// handler decodes a request of type T and submits it.
func handler[T dnd.TextRequest](s *Service) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		req, err := httpapi.Decode[T](r)
		if err != nil {
			return err
		}
		sr, err := s.prepare(req, submit.NoStore(r.Header.Get("Cache-Control")))
		if err != nil {
			return err
		}
		return s.cfg.Submit.Handle(w, r, sr)
	}
}
