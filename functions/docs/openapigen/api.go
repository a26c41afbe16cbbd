package openapigen

import (
	_ "embed"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/swaggest/swgui/v5/static"

	imageapi "github.com/dndcc/dnd-llm-service/functions/image"
	queueapi "github.com/dndcc/dnd-llm-service/functions/queue"
	textapi "github.com/dndcc/dnd-llm-service/functions/text"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/health"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/hub"
	"github.com/dndcc/dnd-llm-service/shared/imagegen"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/submit"
	"github.com/dndcc/dnd-llm-service/shared/textgen"
	"github.com/dndcc/dnd-llm-service/shared/usage"
)

//go:embed intro.md
var intro string

var timeType = reflect.TypeFor[queue.Time]()

// Tags group the operations in the UI.
const (
	tagText    = "text"
	tagImage   = "image"
	tagQueue   = "queue"
	tagUsage   = "usage"
	tagHub     = "hub"
	tagService = "service"
	tagDocs    = "docs"
)

// Security scheme names.
const (
	schemeBearer     = "bearerAuth"
	schemeServiceKey = "serviceKey"
)

// typeNames renames types whose Go names would collide or say too little.
var typeNames = map[reflect.Type]string{
	reflect.TypeFor[textapi.Result]():             "TextResult",
	reflect.TypeFor[textgen.Usage]():              "TokenUsage",
	reflect.TypeFor[imageapi.Result]():            "ImageResult",
	reflect.TypeFor[imageapi.Theme]():             "ImageTheme",
	reflect.TypeFor[imageapi.Size]():              "ImageSize",
	reflect.TypeFor[imageapi.Parameters]():        "ImageParameters",
	reflect.TypeFor[imageapi.Metadata]():          "ImageMetadata",
	reflect.TypeFor[imageapi.ParametersUsed]():    "ImageParametersUsed",
	reflect.TypeFor[imageapi.Step]():              "ImageStep",
	reflect.TypeFor[imageapi.GenerateRequest]():   "ImageGenerateRequest",
	reflect.TypeFor[imageapi.TransformRequest]():  "ImageTransformRequest",
	reflect.TypeFor[imageapi.EnhanceRequest]():    "ImageEnhanceRequest",
	reflect.TypeFor[imageapi.EnhanceParameters](): "ImageEnhanceParameters",
	reflect.TypeFor[queue.Stats]():                "QueueStats",
	reflect.TypeFor[queueapi.StatusResponse]():    "QueueStatus",
	reflect.TypeFor[queueapi.UsageResponse]():     "Usage",
	reflect.TypeFor[usage.Totals]():               "UsageTotals",
	reflect.TypeFor[usage.Row]():                  "UsageRow",
	reflect.TypeFor[health.Response]():            "Health",
	reflect.TypeFor[hub.Envelope]():               "HubEnvelope",
	reflect.TypeFor[hub.Reply]():                  "HubReply",
	reflect.TypeFor[hub.ReplyError]():             "HubReplyError",
	reflect.TypeFor[dnd.FreeformRequest]():        "HubGenerateTextPayload",
	reflect.TypeFor[hubImagePayload]():            "HubGenerateImagePayload",
}

func compRef(name string) *openapi3.SchemaRef {
	return openapi3.NewSchemaRef(componentPrefix+name, nil)
}

// contentName names the component of a text kind's content type.
func contentName(kind, typ string) string {
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

// textKinds are the text kinds with the routes that create them ("" for
// the Message Hub only).
var textKinds = []struct{ kind, route, name string }{
	{dnd.KindCharacter, "/api/v2/text/character", "Character"},
	{dnd.KindCampaign, "/api/v2/text/campaign", "Campaign"},
	{dnd.KindTheme, "/api/v2/text/theme", "Theme"},
	{dnd.KindFreeform, "", "Freeform"},
}

// messageTypes maps each Message Hub message type to the component of its
// payload.
var messageTypes = []struct{ typ, payload string }{
	{"generate_text", "HubGenerateTextPayload"},
	{"character_content", "CharacterRequest"},
	{"campaign_content", "CampaignRequest"},
	{"theme", "ThemeRequest"},
	{"generate_image", "HubGenerateImagePayload"},
	{"portrait", "HubImagePayload"},
	{"map", "HubImagePayload"},
}

// messageTypeNames lists the Message Hub message types the document
// describes.
func messageTypeNames() []string {
	out := make([]string, len(messageTypes))
	for i, m := range messageTypes {
		out[i] = m.typ
	}
	return out
}

func jobKinds() []string {
	return append(slices.Clone(textapi.Kinds), imageapi.KindGenerate, imageapi.KindTransform, imageapi.KindEnhance)
}

func allTextTypes() []string {
	var out []string
	for _, k := range textKinds {
		out = append(out, dnd.Types(k.kind)...)
	}
	return out
}

// codesWith lists the problem codes that map to status, sorted.
func codesWith(status int) []string {
	var out []string
	for c, s := range httpapi.Codes() {
		if s == status {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

func sortedCodes() []string {
	codes := make([]string, 0, len(httpapi.Codes()))
	for c := range httpapi.Codes() {
		codes = append(codes, c)
	}
	slices.SortFunc(codes, func(a, b string) int {
		if d := httpapi.StatusOf(a) - httpapi.StatusOf(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return codes
}

// rules describe what the Go types cannot say themselves.
func rules() map[reflect.Type]typeRule {
	priority := with(enum(dnd.Priorities()...), deflt(dnd.DefaultPriority),
		describe("Queue priority. urgent needs the admin scope."))
	short := maxLen(dnd.MaxFieldLen)
	prompt := with(maxLen(dnd.MaxPromptLen), describe("Extra instructions for the writer, in plain words."))
	seed := describe("Makes the result repeatable: the offline generator is deterministic for a seed, and OpenAI receives it as its seed.")
	textModel := describe("Model preferences; defaults apply to what is left out.")
	textTheme := describe("The genre, tone and style of the writing.")
	imageSeed := with(between(0, 1<<32-1), describe("Makes the image repeatable; a seeded request is also cached."))
	imgHint := maxLen(100)
	side := with(between(imageapi.MinSide, imageapi.MaxSide), func(s *openapi3.Schema) { m := float64(imageapi.SideStep); s.MultipleOf = &m },
		deflt(imageapi.DefaultSide))
	unit := between(0, 1)
	b64 := func(what string) func(*openapi3.Schema) {
		return func(s *openapi3.Schema) {
			s.ContentEncoding = "base64"
			s.Description = what + " as base64 (standard or URL alphabet, padding optional), or a data: URL. PNG, JPEG or WebP, at most 10 MiB and " +
				strconv.Itoa(imageapi.MaxOutputSide) + " pixels a side."
		}
	}

	problemStatuses := []any{}
	for _, c := range sortedCodes() {
		if s := httpapi.StatusOf(c); !slices.Contains(problemStatuses, any(s)) {
			problemStatuses = append(problemStatuses, s)
		}
	}
	textContent := &openapi3.Schema{Description: "The structured content; its schema is chosen by type (see the content schemas, e.g. CharacterPersonality)."}
	for _, k := range textKinds {
		for _, t := range dnd.Types(k.kind) {
			textContent.OneOf = append(textContent.OneOf, compRef(contentName(k.kind, t)))
		}
	}

	return map[reflect.Type]typeRule{
		// Text requests.
		reflect.TypeFor[dnd.CharacterRequest](): {
			about:    "Body of POST /api/v2/text/character: one piece of content about a player character.",
			required: []string{"type"},
			fields: map[string]func(*openapi3.Schema){
				"type":       with(enum(dnd.Types(dnd.KindCharacter)...), describe("Which content to write; it picks the schema of result.content.")),
				"parameters": describe("The character. Anything left out is chosen by the writer."),
				"theme":      textTheme, "model": textModel, "prompt": prompt, "seed": seed, "priority": priority,
			},
		},
		reflect.TypeFor[dnd.CharacterParams](): {
			about:    "The character the content is about; empty fields are the writer's choice.",
			required: []string{},
			fields: map[string]func(*openapi3.Schema){
				"character_class": with(short, describe("e.g. Cleric, Wizard, Rogue.")),
				"character_race":  with(short, describe("e.g. Dwarf, Elf, Tiefling.")),
				"character_level": with(between(1, dnd.MaxLevel)),
				"alignment": with(short, describe("One of the nine alignments in any common spelling ("+
					strings.Join(dnd.Alignments(), ", ")+"; also LG, chaotic-evil, true neutral, ...).")),
				"background": with(short, describe("e.g. Acolyte, Soldier, Sage.")),
			},
		},
		reflect.TypeFor[dnd.Theme](): {
			about:    "The genre, tone and style a piece of writing should have.",
			required: []string{},
			fields: map[string]func(*openapi3.Schema){
				"genre": with(short, describe("e.g. fantasy, horror, noir.")),
				"tone":  with(short, describe("e.g. heroic, dark, whimsical.")),
				"style": with(short, describe("e.g. terse, florid, epistolary.")),
			},
		},
		reflect.TypeFor[dnd.ModelOptions](): {
			about:    "Model preferences.",
			required: []string{},
			fields: map[string]func(*openapi3.Schema){
				"name":        with(maxLen(dnd.MaxModelNameLen), describe("A model of the service's fallback chain (OPENAI_MODELS), where the chain starts; empty means its first model.")),
				"temperature": with(between(0, dnd.MaxTemperature), deflt(dnd.DefaultTemperature)),
				"max_tokens":  with(between(1, dnd.MaxTokensLimit), deflt(dnd.DefaultMaxTokens)),
			},
		},
		reflect.TypeFor[dnd.CampaignRequest](): {
			about:    "Body of POST /api/v2/text/campaign: one piece of campaign material.",
			required: []string{"type"},
			fields: map[string]func(*openapi3.Schema){
				"type":       with(enum(dnd.Types(dnd.KindCampaign)...), describe("Which content to write; it picks the schema of result.content.")),
				"parameters": describe("The campaign and the party. Anything left out is chosen by the writer."),
				"theme":      textTheme, "model": textModel, "prompt": prompt, "seed": seed, "priority": priority,
			},
		},
		reflect.TypeFor[dnd.CampaignParams](): {
			about:    "The campaign and the party; empty fields are the writer's choice.",
			required: []string{},
			fields: map[string]func(*openapi3.Schema){
				"campaign_theme": with(maxLen(dnd.MaxCampaignThemeLen), describe("What the campaign is about.")),
				"party_level":    between(1, dnd.MaxLevel),
				"party_size":     between(1, dnd.MaxPartySize),
				"duration":       with(short, describe("e.g. one session, a short arc.")),
			},
		},
		reflect.TypeFor[dnd.ThemeRequest](): {
			about:    "Body of POST /api/v2/text/theme: restyle a text to a genre, tone and style.",
			required: []string{"content", "theme"},
			fields: map[string]func(*openapi3.Schema){
				"content":    with(maxLen(dnd.MaxContentLen), describe("The text to restyle.")),
				"theme":      describe("The theme to apply; it must name a genre or a tone."),
				"parameters": describe("How far the restyle may go."),
				"model":      textModel, "prompt": prompt, "seed": seed, "priority": priority,
			},
		},
		reflect.TypeFor[dnd.ThemeParams](): {
			about:    "How far a restyle may go.",
			required: []string{},
			fields: map[string]func(*openapi3.Schema){
				"strength":              with(unit, deflt(dnd.DefaultStrength), describe("The share of the text that may change.")),
				"preserve_key_elements": with(deflt(true), describe("Keep names, places and numbers as written.")),
			},
		},
		reflect.TypeFor[dnd.FreeformRequest](): {
			about:    "Payload of the Message Hub's generate_text message: free-form text. model may also be a bare model name.",
			required: []string{"prompt"},
			fields: map[string]func(*openapi3.Schema){
				"prompt":  with(maxLen(dnd.MaxPromptLen), describe("What to write.")),
				"context": with(maxLen(dnd.MaxContextLen), describe("Background for the writer; any JSON value is passed on as JSON.")),
				"model":   textModel, "seed": seed, "priority": priority,
			},
		},
		// Image requests.
		reflect.TypeFor[imageapi.GenerateRequest](): {
			about:    "Body of POST /api/v2/image/generate.",
			required: []string{"type", "prompt"},
			fields: map[string]func(*openapi3.Schema){
				"type":       with(enum(imagegen.Types()...), describe("What to draw; it shapes the prompt and the offline renderer.")),
				"prompt":     with(maxLen(imageapi.MaxPromptChars), describe("What the image shows.")),
				"size":       describe("Output size; each side defaults to 512."),
				"parameters": describe("Optional knobs."),
				"theme":      describe("The genre, tone and style of the picture."),
				"priority":   priority,
			},
		},
		reflect.TypeFor[imageapi.Size](): {
			about:    "An output size in pixels: each side from 256 to 2048 in steps of 64; 0 or left out means the default.",
			required: []string{},
			fields:   map[string]func(*openapi3.Schema){"width": side, "height": side},
		},
		reflect.TypeFor[imageapi.Parameters](): {
			about:    "Optional knobs of generate and transform.",
			required: []string{},
			fields: map[string]func(*openapi3.Schema){
				"style_preset":    with(imgHint, describe("A style such as photographic, anime, watercolor.")),
				"seed":            imageSeed,
				"negative_prompt": with(maxLen(1000), describe("What the image must not show.")),
				"character_race":  with(imgHint, describe("Portrait hint.")),
				"character_class": with(imgHint, describe("Portrait hint.")),
				"alignment":       with(imgHint, describe("Portrait hint.")),
			},
		},
		reflect.TypeFor[imageapi.Theme](): {
			about:    "The genre, tone and style a picture should have.",
			required: []string{},
			fields:   map[string]func(*openapi3.Schema){"genre": imgHint, "tone": imgHint, "style": imgHint},
		},
		reflect.TypeFor[imageapi.TransformRequest](): {
			about:    "Body of POST /api/v2/image/transform: the fields of a generate request plus the source image.",
			required: []string{"type", "prompt", "source_image"},
			fields: map[string]func(*openapi3.Schema){
				"type":         enum(imagegen.Types()...),
				"prompt":       with(maxLen(imageapi.MaxPromptChars), describe("What the new image shows.")),
				"size":         describe("Output size; by default the source's, fitted within 2048 pixels."),
				"source_image": b64("The image to transform,"),
				"strength":     with(unit, deflt(imageapi.DefaultStrength), describe("How far the result may move from the source.")),
				"priority":     priority,
			},
		},
		reflect.TypeFor[imageapi.EnhanceRequest](): {
			about:    "Body of POST /api/v2/image/enhance: apply enhancements to an image, in order.",
			required: []string{"image", "enhancements"},
			fields: map[string]func(*openapi3.Schema){
				"image": b64("The image to enhance,"),
				"enhancements": with(itemEnum(imageapi.Enhancements()...), func(s *openapi3.Schema) {
					s.MinItems = 1
					n := uint64(len(imageapi.Enhancements()))
					s.MaxItems = &n
					s.UniqueItems = true
				}, describe("The enhancements to apply, each once, in order.")),
				"parameters": describe("Optional knobs."),
				"theme":      describe("Used by style_transfer when no style_preset is given."),
				"priority":   priority,
			},
		},
		reflect.TypeFor[imageapi.EnhanceParameters](): {
			about:    "Optional knobs of enhance.",
			required: []string{},
			fields: map[string]func(*openapi3.Schema){
				"upscale_factor": with(between(1, imageapi.MaxUpscaleFactor), deflt(imageapi.DefaultUpscaleFactor),
					describe("Used by upscale; each side of the output must stay within 4096 pixels.")),
				"style_preset": with(imgHint, describe("The look of style_transfer: noir, watercolor, sepia, a genre or tone word, ...")),
				"strength":     with(unit, deflt(imageapi.DefaultStrength), describe("How strongly style_transfer applies.")),
			},
		},
		// Queue.
		reflect.TypeFor[queueapi.PrioritizeRequest](): {
			about:    "Body of POST /api/v2/queue/prioritize.",
			required: []string{"job_id", "priority"},
			fields: map[string]func(*openapi3.Schema){
				"job_id":   with(maxLen(100), describe("A queued job of yours (any job, for an admin).")),
				"priority": with(enum(queue.Priorities...), describe("The new priority. urgent needs the admin scope.")),
			},
		},
		reflect.TypeFor[queue.Job](): {
			about: "A job: one generation request and its outcome. Poll it at GET /api/v2/queue/{id}. " +
				"result is set when status is succeeded; error, the problem the job answers with, when it is failed or canceled.",
			refs: map[string]string{"error": "JobError"},
			fields: map[string]func(*openapi3.Schema){
				"id":       describe("The job id; its prefix names the queue (text_ or image_)."),
				"kind":     enum(jobKinds()...),
				"status":   with(enum(queue.StatusQueued, queue.StatusRunning, queue.StatusSucceeded, queue.StatusFailed, queue.StatusCanceled), describe("succeeded, failed and canceled are final.")),
				"priority": enum(queue.Priorities...),
				"owner":    describe("The caller (token sub) that submitted it."),
				"attempts": describe("Attempts started so far."),
				"position": describe("1-based place in the queue, while queued."),
				"result": replace(&openapi3.Schema{
					Description: "Set when status is succeeded: a TextResult for text kinds, an ImageResult for image kinds.",
					OneOf:       openapi3.SchemaRefs{compRef("TextResult"), compRef("ImageResult")},
				}),
				"cancel_requested": describe("A cancel was asked for while the job ran; its worker is stopping it."),
			},
		},
		reflect.TypeFor[queue.Stats](): {
			about: "Counts of one queue.",
			fields: map[string]func(*openapi3.Schema){
				"queued":              describe("Jobs waiting, including those scheduled for a retry."),
				"running":             describe("Jobs being worked on."),
				"oldest_queued_age_s": describe("Seconds the oldest waiting job has waited."),
				"paused_for_s":        describe("Seconds until the queue resumes after a provider rate limit; left out when running."),
			},
		},
		reflect.TypeFor[queueapi.StatusResponse](): {
			about: "Answer of GET /api/v2/queue/status.",
			fields: map[string]func(*openapi3.Schema){
				"queues": describe("Counts by queue: text and image."),
				"jobs":   describe("Your queued and running jobs, oldest first; or the one job asked for with job_id."),
			},
		},
		// Results.
		reflect.TypeFor[textapi.Result](): {
			about: "The result of a text job.",
			fields: map[string]func(*openapi3.Schema){
				"type":           enum(allTextTypes()...),
				"content":        replace(textContent),
				"model":          describe("The model that wrote the content (offline for the built-in generator)."),
				"model_used":     describe("The same as model, under the first version's name."),
				"provider":       enum("openai", "offline"),
				"cached":         describe("The result came from the cache."),
				"fallback":       describe("A later model of the chain answered because an earlier one failed."),
				"prompt_version": describe("The version of the prompt templates."),
			},
		},
		reflect.TypeFor[imageapi.Result](): {
			about: "The result of an image job.",
			fields: map[string]func(*openapi3.Schema){
				"image_id": describe("The stored image: GET /api/v2/image/{image_id} with a bearer token serves it until expires_at."),
				"image_data": func(s *openapi3.Schema) {
					s.ContentEncoding = "base64"
					s.Description = "The image as base64. Left out (image_data_omitted) under AWS Lambda when the answer would be too large; url serves it then."
				},
				"url":        describe("A signed, relative URL that serves the image without a token until url_expires_at."),
				"mime_type":  enum("image/png", "image/jpeg", "image/webp"),
				"provider":   enum(imageapi.ProviderGetImg, imageapi.ProviderOffline),
				"cost":       describe("What the provider charged, in US dollars."),
				"expires_at": describe("When the stored image is deleted."),
				"cached":     describe("The result came from the cache."),
				"metadata":   describe("Model, prompt and time where the first version's callers look for them."),
			},
		},
		// Problems.
		reflect.TypeFor[httpapi.Problem](): {
			about: "An RFC 9457 problem. code is stable; branch on it, not on detail. On generation answers, job is the failed or canceled job.",
			refs:  map[string]string{"job": "Job"},
			fields: map[string]func(*openapi3.Schema){
				"type":       describe("urn:dnd-llm-service:problem:<code>"),
				"status":     func(s *openapi3.Schema) { s.Enum = problemStatuses },
				"code":       with(enum(sortedCodes()...), describe("The stable error code; see the table in the introduction.")),
				"detail":     describe("What went wrong, safe to show."),
				"instance":   describe("The request path."),
				"request_id": describe("The X-Request-ID of the request."),
				"errors":     describe("For INVALID_PARAMETERS: each invalid field."),
			},
		},
		reflect.TypeFor[health.Response](): {
			about: "Answer of GET /health.",
			fields: map[string]func(*openapi3.Schema){
				"status":     enum(health.Healthy, health.Degraded, health.Unhealthy),
				"version":    describe("The running build."),
				"components": describe("State by component: redis, openai, getimg, message_hub, queue (ok, offline, degraded, unauthorized, no_balance, unreachable, paused, not_configured, ...)."),
			},
		},
		reflect.TypeFor[queueapi.UsageResponse](): {
			about: "Answer of GET /api/v2/usage.",
			fields: map[string]func(*openapi3.Schema){
				"caller": describe("The caller the rows belong to, or * for everyone."),
				"from":   format("date"), "to": format("date"),
				"rows": describe("One row per day, model (and caller, for *)."),
			},
		},
		reflect.TypeFor[usage.Row](): {
			about: "Usage of one day and model.",
			fields: map[string]func(*openapi3.Schema){
				"date":     format("date"),
				"model":    describe("The model, or getimg/<model> for images."),
				"cost_usd": describe("Estimated cost in US dollars."),
			},
		},
		// Message Hub.
		reflect.TypeFor[hub.Envelope](): {
			about:    "A request from the Message Hub. The payload's shape depends on message_type.",
			required: []string{"message_type", "payload"},
			fields: map[string]func(*openapi3.Schema){
				"source":         with(maxLen(hub.MaxNameLen), describe("The sending service; it is the caller when the X-Service-Key authenticates.")),
				"destination":    maxLen(hub.MaxNameLen),
				"message_type":   with(enum(messageTypeNames()...), maxLen(hub.MaxNameLen)),
				"correlation_id": with(maxLen(hub.MaxCorrelationIDLen), describe("Carried to the job's events; the job id when empty.")),
				"payload":        replace(hubPayload()),
				"timestamp":      with(maxLen(hub.MaxTimestampLen), format("date-time")),
				"reply_to":       with(maxLen(hub.MaxReplyToLen), describe("Where the hub delivers the job's events.")),
			},
		},
		reflect.TypeFor[hub.Reply](): {
			about: "The answer to a Message Hub request.",
			fields: map[string]func(*openapi3.Schema){
				"status": enum("accepted", "rejected"),
				"data": replace(&openapi3.Schema{
					Description: "On accepted: the job's id, status and location.",
					Type:        &openapi3.Types{"object", "null"},
					Properties: openapi3.Schemas{
						"job_id":   {Value: str()},
						"status":   {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Enum: anyStrings([]queue.Status{queue.StatusQueued, queue.StatusRunning, queue.StatusSucceeded, queue.StatusFailed, queue.StatusCanceled})}},
						"location": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Description: "Poll it: GET /api/v2/queue/{job_id}."}},
					},
				}),
				"timestamp": format("date-time"),
			},
		},
		reflect.TypeFor[hub.ReplyError](): {
			about:  "Why a hub request was rejected.",
			fields: map[string]func(*openapi3.Schema){"code": enum(sortedCodes()...)},
		},
		reflect.TypeFor[hubImagePayload](): {
			about:    "Payload of the Message Hub's generate_image message: an environment scene.",
			required: []string{"prompt"},
			fields: map[string]func(*openapi3.Schema){
				"prompt":   maxLen(imageapi.MaxPromptChars),
				"style":    with(imgHint, describe("The style preset.")),
				"priority": priority,
			},
		},
	}
}

// hubPayload is the payload schema of an envelope.
func hubPayload() *openapi3.Schema {
	s := &openapi3.Schema{
		Type:        &openapi3.Types{"object"},
		Description: "The request; its shape is chosen by message_type:\n\n",
	}
	var seen []string
	for _, m := range messageTypes {
		s.Description += "- `" + m.typ + "`: " + m.payload + "\n"
		if !slices.Contains(seen, m.payload) {
			seen = append(seen, m.payload)
			s.AnyOf = append(s.AnyOf, compRef(m.payload))
		}
	}
	return s
}

// builder assembles the document.
type builder struct {
	doc    *openapi3.T
	s      *schemaSet
	err    error
	assets []string
}

func (b *builder) fail(err error) {
	if b.err == nil && err != nil {
		b.err = err
	}
}

// build returns the OpenAPI document of the whole API.
func build() (*openapi3.T, error) {
	assets, err := assetNames()
	if err != nil {
		return nil, err
	}
	b := &builder{s: newSchemaSet(rules()), assets: assets}
	b.doc = &openapi3.T{
		OpenAPI: "3.1.0",
		Info: &openapi3.Info{
			Title:       "dnd-llm-service",
			Version:     "2",
			Description: intro + codeTable(),
		},
		Servers: openapi3.Servers{{URL: "/", Description: "This service"}},
		Tags: openapi3.Tags{
			{Name: tagText, Description: "Character and campaign writing, and re-theming text."},
			{Name: tagImage, Description: "Portraits, maps and other images; transforms and enhancements; stored images."},
			{Name: tagQueue, Description: "Jobs: status, polling, priority and cancel."},
			{Name: tagUsage, Description: "Tokens, images and cost by caller and day."},
			{Name: tagHub, Description: "Requests from the Message Hub."},
			{Name: tagService, Description: "Health and metrics."},
			{Name: tagDocs, Description: "This document and its viewer."},
		},
		Security: openapi3.SecurityRequirements{{schemeBearer: []string{}}},
		Components: &openapi3.Components{
			SecuritySchemes: openapi3.SecuritySchemes{
				schemeBearer: {Value: &openapi3.SecurityScheme{
					Type: "http", Scheme: "bearer", BearerFormat: "JWT",
					Description: "An HS256 JWT signed with the service's SECRET_KEY: `dnd-llm-service token --sub NAME [--scope admin]`.",
				}},
				schemeServiceKey: {Value: &openapi3.SecurityScheme{
					Type: "apiKey", In: "header", Name: "X-Service-Key",
					Description: "The Message Hub's shared key (HUB_SERVICE_KEY). Accepted on /api/v2/hub/messages only.",
				}},
			},
			Parameters: b.parameters(),
			Responses:  b.commonResponses(),
		},
		Paths: openapi3.NewPaths(),
	}
	b.schemas()
	for _, o := range b.operations() {
		b.add(o)
	}
	if b.s.err != nil {
		return nil, b.s.err
	}
	if b.err != nil {
		return nil, b.err
	}
	b.doc.Components.Schemas = b.s.schemas
	return b.doc, nil
}

// codeTable is the markdown table of problem codes and statuses.
func codeTable() string {
	var sb strings.Builder
	sb.WriteString("| code | status |\n|---|---|\n")
	for _, c := range sortedCodes() {
		fmt.Fprintf(&sb, "| `%s` | %d |\n", c, httpapi.StatusOf(c))
	}
	return sb.String()
}

// schemas generates the components every operation refers to.
func (b *builder) schemas() {
	s := b.s
	for _, v := range []any{
		dnd.CharacterRequest{}, dnd.CampaignRequest{}, dnd.ThemeRequest{}, dnd.FreeformRequest{},
		imageapi.GenerateRequest{}, imageapi.TransformRequest{}, imageapi.EnhanceRequest{}, hubImagePayload{},
		queueapi.PrioritizeRequest{}, hub.Envelope{},
		queue.Job{}, httpapi.Problem{}, textapi.Result{}, imageapi.Result{},
		queueapi.StatusResponse{}, queueapi.UsageResponse{}, health.Response{}, hub.Reply{},
	} {
		s.ref(v)
	}
	// Portrait and map messages take a generate request whose type the
	// message type sets.
	if gen := b.component("ImageGenerateRequest"); gen != nil {
		p := *gen
		p.Required = []string{"prompt"}
		p.Properties = maps.Clone(p.Properties)
		delete(p.Properties, "type")
		p.Description = "Payload of the Message Hub's portrait and map messages: the body of POST /api/v2/image/generate without type, which the message type sets (character_portrait or map_background)."
		s.add("HubImagePayload", &p)
	}
	// A job's own problem never carries the job.
	if prob := b.component("Problem"); prob != nil {
		p := *prob
		p.Properties = maps.Clone(p.Properties)
		delete(p.Properties, "job")
		delete(p.Properties, "instance")
		delete(p.Properties, "request_id")
		p.Description = "The problem a failed or canceled job answers with (a Problem without job, instance and request_id)."
		s.add("JobError", &p)
	}
	// Tie each message type to its payload.
	if env := b.component("HubEnvelope"); env != nil {
		for _, m := range messageTypes {
			env.AllOf = append(env.AllOf, &openapi3.SchemaRef{Value: &openapi3.Schema{
				If: &openapi3.SchemaRef{Value: &openapi3.Schema{
					Required:   []string{"message_type"},
					Properties: openapi3.Schemas{"message_type": {Value: &openapi3.Schema{Const: m.typ}}},
				}},
				Then: &openapi3.SchemaRef{Value: &openapi3.Schema{
					Properties: openapi3.Schemas{"payload": compRef(m.payload)},
				}},
			}})
		}
	}
	// Text content, one schema per type: the strict schema the model is
	// held to, and for themes the finished result the service builds.
	for _, k := range textKinds {
		for _, typ := range dnd.Types(k.kind) {
			var sc *openapi3.Schema
			var err error
			if k.kind == dnd.KindTheme {
				sc, err = strictSchema(dnd.ThemeResult{}, "A text restyled to a genre, tone and style, with the original and their similarity.")
			} else {
				_, raw, serr := dnd.Schema(k.kind, typ)
				if serr != nil {
					b.fail(serr)
					continue
				}
				sc, err = rawSchema(raw)
			}
			if err != nil {
				b.fail(err)
				continue
			}
			sc.Title = contentName(k.kind, typ)
			s.add(contentName(k.kind, typ), sc)
		}
	}
	// Results and jobs per text route, so each route shows its content.
	for _, k := range textKinds {
		if k.route == "" {
			continue
		}
		var contents openapi3.SchemaRefs
		for _, typ := range dnd.Types(k.kind) {
			contents = append(contents, compRef(contentName(k.kind, typ)))
		}
		s.add(k.name+"TextResult", &openapi3.Schema{
			Description: "The result of a " + k.kind + " job.",
			AllOf: openapi3.SchemaRefs{compRef("TextResult"), {Value: &openapi3.Schema{
				Type: &openapi3.Types{"object"},
				Properties: openapi3.Schemas{
					"type":    {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Enum: anyStrings(dnd.Types(k.kind))}},
					"content": {Value: &openapi3.Schema{OneOf: contents}},
				},
			}}},
		})
		s.add(k.name+"Job", jobWith(k.name+"TextResult", "A finished "+k.kind+" job."))
	}
	s.add("ImageJob", jobWith("ImageResult", "A finished image job."))
	s.add("JobProblem", &openapi3.Schema{
		Description: "A problem that carries the failed or canceled job.",
		AllOf: openapi3.SchemaRefs{compRef("Problem"), {Value: &openapi3.Schema{
			Type: &openapi3.Types{"object"}, Required: []string{"job"},
		}}},
	})
}

// component returns a generated component, or nil after recording that it
// is missing.
func (b *builder) component(name string) *openapi3.Schema {
	if sc := b.s.schemas[name]; sc != nil && sc.Value != nil {
		return sc.Value
	}
	b.fail(fmt.Errorf("no generated schema %s", name))
	return nil
}

func jobWith(result, about string) *openapi3.Schema {
	return &openapi3.Schema{
		Description: about,
		AllOf: openapi3.SchemaRefs{compRef("Job"), {Value: &openapi3.Schema{
			Type: &openapi3.Types{"object"}, Required: []string{"result"},
			Properties: openapi3.Schemas{"result": compRef(result)},
		}}},
	}
}

// Headers.

func header(desc string, required bool, sc *openapi3.Schema) *openapi3.HeaderRef {
	return &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
		Description: desc, Required: required, Schema: &openapi3.SchemaRef{Value: sc},
	}}}
}

func intSchema(lo float64) *openapi3.Schema {
	return &openapi3.Schema{Type: &openapi3.Types{"integer"}, Min: &lo}
}

func headers(kv ...any) openapi3.Headers {
	h := openapi3.Headers{"X-Request-ID": header("The request's id: the one sent, when valid, or a new one.", true, str())}
	for i := 0; i+1 < len(kv); i += 2 {
		h[kv[i].(string)] = kv[i+1].(*openapi3.HeaderRef)
	}
	return h
}

var (
	hdrRetryAfter = func(required bool, what string) *openapi3.HeaderRef {
		return header("Seconds to wait before "+what+".", required, intSchema(1))
	}
	hdrXCache = header("HIT when the result came from the cache, MISS otherwise.", true,
		&openapi3.Schema{Type: &openapi3.Types{"string"}, Enum: []any{"HIT", "MISS"}})
	hdrDedup = header("true when an identical live request (or one with the same Idempotency-Key) already had a job; that job is answered.", false,
		&openapi3.Schema{Type: &openapi3.Types{"string"}, Enum: []any{"true"}})
	hdrPolicy = header(`The caller's rate limit of the group, e.g. "text";q=100;w=60 (100 requests a 60 s window). Sent when a limit is configured.`, false, str())
	hdrLimit  = header(`What is left of it, e.g. "text";r=99;t=42 (99 requests, window resets in 42 s).`, false, str())
	hdrLoc    = header("Where to poll the job: /api/v2/queue/{id}.", true, str())
)

// Parameters.

func (b *builder) parameters() openapi3.ParametersMap {
	num := func(def float64) *openapi3.Schema {
		lo, hi := 0.0, submit.MaxWait.Seconds()
		return &openapi3.Schema{Type: &openapi3.Types{"number"}, Min: &lo, Max: &hi, Default: def}
	}
	p := func(name, in, desc string, sc *openapi3.Schema, example any) *openapi3.ParameterRef {
		return &openapi3.ParameterRef{Value: &openapi3.Parameter{
			Name: name, In: in, Description: desc, Required: in == openapi3.ParameterInPath,
			Schema: &openapi3.SchemaRef{Value: sc}, Example: example,
		}}
	}
	return openapi3.ParametersMap{
		"SubmitWait": p("wait", openapi3.ParameterInQuery,
			"Seconds to wait for the job before answering 202 (0 answers at once). Values above 120 count as 120.",
			num(submit.DefaultWait.Seconds()), nil),
		"PollWait": p("wait", openapi3.ParameterInQuery,
			"Long poll: seconds to wait for the job to finish before answering with its current state. Values above 120 count as 120.",
			num(0), nil),
		"Prefer": p("Prefer", openapi3.ParameterInHeader,
			"respond-async answers 202 at once, whatever wait says.",
			&openapi3.Schema{Type: &openapi3.Types{"string"}, Enum: []any{"respond-async"}}, nil),
		"IdempotencyKey": p("Idempotency-Key", openapi3.ParameterInHeader,
			"A retry with the same key while the first job is queued or running gets that job back (X-Deduplicated: true).",
			str(), "7c2f6a0e-character-42"),
		"CacheControl": p("Cache-Control", openapi3.ParameterInHeader,
			"no-cache skips the result cache; no-store also keeps the new result out of it.",
			&openapi3.Schema{Type: &openapi3.Types{"string"}, Examples: []any{"no-cache", "no-store"}}, nil),
		"CorrelationID": p("X-Correlation-ID", openapi3.ParameterInHeader,
			"Carried to the job's events on the Message Hub.", str(), nil),
		"RequestID": p("X-Request-ID", openapi3.ParameterInHeader,
			"Your id for the request, echoed back and logged; ignored unless 1–128 of A-Z a-z 0-9 . _ : -.",
			&openapi3.Schema{Type: &openapi3.Types{"string"}, Pattern: `^[A-Za-z0-9._:-]{1,128}$`}, nil),
		"JobID": p("job_id", openapi3.ParameterInPath, "The job id, e.g. text_5f1c2a9b3d4e6f7081920a1b.",
			apply(str(), maxLen(100)), "text_5f1c2a9b3d4e6f7081920a1b"),
	}
}

func paramRef(name string) *openapi3.ParameterRef {
	return &openapi3.ParameterRef{Ref: "#/components/parameters/" + name}
}

// Responses.

func problemContent(schema string) openapi3.Content {
	return openapi3.Content{"application/problem+json": {Schema: compRef(schema)}}
}

func jsonContent(schema *openapi3.SchemaRef) openapi3.Content {
	return openapi3.Content{"application/json": {Schema: schema}}
}

func respRef(name string) *openapi3.ResponseRef {
	return &openapi3.ResponseRef{Ref: "#/components/responses/" + name}
}

func resp(desc string, h openapi3.Headers, c openapi3.Content) *openapi3.ResponseRef {
	return &openapi3.ResponseRef{Value: &openapi3.Response{Description: &desc, Headers: h, Content: c}}
}

func (b *builder) commonResponses() openapi3.ResponseBodies {
	return openapi3.ResponseBodies{
		"BadRequest": resp("The request is invalid: INVALID_PARAMETERS (errors names each field) or INVALID_JSON.",
			headers(), problemContent("Problem")),
		"Unauthorized": resp("No valid bearer token: UNAUTHORIZED.",
			headers("WWW-Authenticate", header(`Bearer realm="dnd-llm-service"`, true, str())), problemContent("Problem")),
		"Forbidden":            resp("The token lacks the admin scope this needs: FORBIDDEN.", headers(), problemContent("Problem")),
		"NotFound":             resp("Not found, or not yours: NOT_FOUND.", headers(), problemContent("Problem")),
		"PayloadTooLarge":      resp("The body is over the route's cap: PAYLOAD_TOO_LARGE.", headers(), problemContent("Problem")),
		"UnsupportedMediaType": resp("The body's Content-Type is not JSON: UNSUPPORTED_MEDIA_TYPE.", headers(), problemContent("Problem")),
		"Unavailable": resp("The job store (Redis) is unavailable: SERVICE_UNAVAILABLE.",
			headers("Retry-After", hdrRetryAfter(true, "retrying")), problemContent("Problem")),
		"Error": resp("An unexpected failure: INTERNAL_ERROR. (Any route: 405 METHOD_NOT_ALLOWED with Allow for a wrong method.)",
			headers(), problemContent("Problem")),
	}
}

// op is one operation.
type op struct {
	method, path      string
	id, summary, desc string
	tag               string
	security          *openapi3.SecurityRequirements
	params            openapi3.Parameters
	body              *openapi3.RequestBodyRef
	responses         map[int]*openapi3.ResponseRef
}

var public = &openapi3.SecurityRequirements{}

func (b *builder) add(o op) {
	item := b.doc.Paths.Value(o.path)
	if item == nil {
		item = &openapi3.PathItem{}
		b.doc.Paths.Set(o.path, item)
	}
	rs := openapi3.NewResponses()
	statuses := slices.Sorted(maps.Keys(o.responses))
	for _, status := range statuses {
		rs.Set(strconv.Itoa(status), o.responses[status])
	}
	rs.Set("default", respRef("Error"))
	item.SetOperation(o.method, &openapi3.Operation{
		OperationID: o.id, Summary: o.summary, Description: o.desc, Tags: []string{o.tag},
		Security: o.security, Parameters: append(o.params, paramRef("RequestID")),
		RequestBody: o.body, Responses: rs,
	})
}

func (b *builder) jsonBody(schema, desc string, xs []example) *openapi3.RequestBodyRef {
	ex, err := mediaExamples(xs)
	b.fail(err)
	return &openapi3.RequestBodyRef{Value: &openapi3.RequestBody{
		Description: desc, Required: true,
		Content: openapi3.Content{"application/json": {Schema: compRef(schema), Examples: ex}},
	}}
}

// submitResponses are the answers of a generation route.
func submitResponses(job, failure string) map[int]*openapi3.ResponseRef {
	limit := []any{"RateLimit-Policy", hdrPolicy, "RateLimit", hdrLimit}
	return map[int]*openapi3.ResponseRef{
		200: resp("The job finished within the wait: status succeeded, with its result.",
			headers(append([]any{"X-Cache", hdrXCache, "X-Deduplicated", hdrDedup}, limit...)...), jsonContent(compRef(job))),
		202: resp("The job is queued or running: poll Location until its status is final.",
			headers(append([]any{"Location", hdrLoc, "Retry-After", hdrRetryAfter(true, "polling"),
				"X-Cache", hdrXCache, "X-Deduplicated", hdrDedup}, limit...)...), jsonContent(compRef("Job"))),
		400: respRef("BadRequest"),
		401: respRef("Unauthorized"),
		403: resp("Priority urgent needs the admin scope: FORBIDDEN.", headers(limit...), problemContent("Problem")),
		409: resp("The job was canceled (DELETE /api/v2/queue/{id}) before it finished: JOB_CANCELED, with the job.",
			headers(append([]any{"X-Cache", hdrXCache}, limit...)...), problemContent("JobProblem")),
		413: respRef("PayloadTooLarge"),
		415: respRef("UnsupportedMediaType"),
		429: resp("RATE_LIMITED: over the per-minute limit (Retry-After says when to retry). "+
			"QUOTA_EXCEEDED: the caller's daily quota is spent (Retry-After: until midnight UTC), or the provider account's quota (with the failed job).",
			headers(append([]any{"Retry-After", hdrRetryAfter(false, "retrying")}, limit...)...), problemContent("Problem")),
		502: resp("The job failed at the provider: "+strings.Join(codesWith(http.StatusBadGateway), ", ")+
			". The problem carries the job; "+failure+" is the generic failure.",
			headers(append([]any{"X-Cache", hdrXCache}, limit...)...), problemContent("JobProblem")),
		503: resp("QUEUE_FULL: the queue is at QUEUE_MAX_DEPTH. SERVICE_UNAVAILABLE: the job store (Redis) is unavailable.",
			headers(append([]any{"Retry-After", hdrRetryAfter(true, "retrying")}, limit...)...), problemContent("Problem")),
		504: resp("The job timed out: "+strings.Join(codesWith(http.StatusGatewayTimeout), ", ")+
			" (PROVIDER_TIMEOUT: the provider did not answer in time; QUEUE_TIMEOUT: the job waited longer than JOB_QUEUE_TIMEOUT). The problem carries the job.",
			headers(append([]any{"X-Cache", hdrXCache}, limit...)...), problemContent("JobProblem")),
	}
}

func submitParams() openapi3.Parameters {
	return openapi3.Parameters{paramRef("SubmitWait"), paramRef("Prefer"), paramRef("IdempotencyKey"),
		paramRef("CacheControl"), paramRef("CorrelationID")}
}

const submitDesc = "\n\nAnswers under the sync/async contract (see the introduction): 200 with the finished job, 202 with `Location` while it runs, or the failed job's problem."

// operations lists every route the service serves.
func (b *builder) operations() []op {
	src, err := samplePNG()
	b.fail(err)
	hubX, err := hubExamples()
	b.fail(err)

	ops := []op{
		{
			method: http.MethodPost, path: "/api/v2/text/character", id: "textCharacter", tag: tagText,
			summary: "Write character content",
			desc: "A personality, backstory, combat profile or equipment list for a player character; `type` picks which, and the schema of `result.content`." +
				" Text results are cached." + submitDesc,
			params: submitParams(),
			body:   b.jsonBody("CharacterRequest", "The character and what to write.", characterExamples()),
			responses: submitResponses("CharacterJob",
				"TEXT_GENERATION_FAILED"),
		},
		{
			method: http.MethodPost, path: "/api/v2/text/campaign", id: "textCampaign", tag: tagText,
			summary: "Write campaign material",
			desc: "A plot, location, quest, dialogue or event; `type` picks which, and the schema of `result.content`." +
				" Text results are cached." + submitDesc,
			params:    submitParams(),
			body:      b.jsonBody("CampaignRequest", "The campaign and what to write.", campaignExamples()),
			responses: submitResponses("CampaignJob", "TEXT_GENERATION_FAILED"),
		},
		{
			method: http.MethodPost, path: "/api/v2/text/theme", id: "textTheme", tag: tagText,
			summary: "Re-theme a text",
			desc: "Restyles `content` to a genre, tone and style, keeping names, places and numbers unless told otherwise." +
				" The result holds the new text, the original and their similarity." + submitDesc,
			params:    submitParams(),
			body:      b.jsonBody("ThemeRequest", "The text and the theme.", themeExamples()),
			responses: submitResponses("ThemeJob", "TEXT_GENERATION_FAILED"),
		},
		{
			method: http.MethodPost, path: "/api/v2/image/generate", id: "imageGenerate", tag: tagImage,
			summary: "Generate an image",
			desc: "Draws a portrait, item, location, map, scene or effect. The result carries the image as base64 and a signed URL." +
				" Seeded requests are cached." + submitDesc,
			params:    submitParams(),
			body:      b.jsonBody("ImageGenerateRequest", "What to draw.", generateExamples()),
			responses: submitResponses("ImageJob", "IMAGE_GENERATION_FAILED"),
		},
		{
			method: http.MethodPost, path: "/api/v2/image/transform", id: "imageTransform", tag: tagImage,
			summary: "Transform an image",
			desc:    "Repaints `source_image` after the prompt; `strength` says how far it may move." + submitDesc,
			params:  submitParams(),
			body:    b.jsonBody("ImageTransformRequest", "The source image and what to make of it.", transformExamples(src)),
			responses: submitResponses("ImageJob",
				"IMAGE_GENERATION_FAILED"),
		},
		{
			method: http.MethodPost, path: "/api/v2/image/enhance", id: "imageEnhance", tag: tagImage,
			summary: "Enhance an image",
			desc:    "Applies upscale, face_fix, style_transfer, color_correction and detail_enhancement, in the order given. Enhancements are cached." + submitDesc,
			params:  submitParams(),
			body:    b.jsonBody("ImageEnhanceRequest", "The image and the enhancements.", enhanceExamples(src)),
			responses: submitResponses("ImageJob",
				"IMAGE_GENERATION_FAILED"),
		},
		{
			method: http.MethodGet, path: "/api/v2/image/{image_id}", id: "imageGet", tag: tagImage,
			summary: "Fetch a stored image",
			desc: "Serves the image's bytes. Use the signed `url` of an image result (no token needed until it expires), " +
				"or send the bearer token of the image's owner or an admin. Anyone else gets the same 404 as for a missing image.",
			security: &openapi3.SecurityRequirements{{schemeBearer: []string{}}, {}},
			params: openapi3.Parameters{
				{Value: &openapi3.Parameter{Name: "image_id", In: openapi3.ParameterInPath, Required: true, Description: "The image id from an image result.",
					Schema: &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Pattern: `^img_[0-9a-f]{32}$`}}}},
				{Value: &openapi3.Parameter{Name: "exp", In: openapi3.ParameterInQuery, Description: "Expiry of a signed URL (unix seconds).", Schema: &openapi3.SchemaRef{Value: intSchema(0)}}},
				{Value: &openapi3.Parameter{Name: "sig", In: openapi3.ParameterInQuery, Description: "Signature of a signed URL.", Schema: &openapi3.SchemaRef{Value: str()}}},
				{Value: &openapi3.Parameter{Name: "If-None-Match", In: openapi3.ParameterInHeader, Description: "An ETag from an earlier answer.", Schema: &openapi3.SchemaRef{Value: str()}}},
			},
			responses: map[int]*openapi3.ResponseRef{
				200: resp("The image.", headers(
					"ETag", header("The SHA-256 of the bytes.", true, str()),
					"Cache-Control", header("private, max-age=<seconds the image (and the URL) remain valid>", true, str()),
					"Last-Modified", header("When the image was made.", true, str()),
					"Content-Disposition", header(`inline; filename="<image_id>.<ext>"`, true, str()),
				), openapi3.Content{"image/png": {}, "image/jpeg": {}, "image/webp": {}}),
				304: resp("Not modified: If-None-Match matched the ETag.", headers("ETag", header("The SHA-256 of the bytes.", true, str())), nil),
				401: respRef("Unauthorized"),
				403: resp("The signed URL expired or its signature is invalid (and no bearer token was sent): FORBIDDEN.", headers(), problemContent("Problem")),
				404: respRef("NotFound"),
				503: respRef("Unavailable"),
			},
		},
		{
			method: http.MethodGet, path: "/api/v2/queue/status", id: "queueStatus", tag: tagQueue,
			summary: "Queue counts and your jobs",
			desc:    "Counts per queue, and your queued and running jobs (or the one job named by `job_id`).",
			params: openapi3.Parameters{{Value: &openapi3.Parameter{Name: "job_id", In: openapi3.ParameterInQuery,
				Description: "Show only this job.", Schema: &openapi3.SchemaRef{Value: apply(str(), maxLen(100))}}}},
			responses: map[int]*openapi3.ResponseRef{
				200: resp("Counts and jobs.", headers(), jsonContent(compRef("QueueStatus"))),
				401: respRef("Unauthorized"),
				404: respRef("NotFound"),
				503: respRef("Unavailable"),
			},
		},
		{
			method: http.MethodGet, path: "/api/v2/queue/{job_id}", id: "queueGet", tag: tagQueue,
			summary: "Get a job (long poll)",
			desc:    "The job, whatever its status. With `wait`, waits up to that many seconds for it to finish. A job that is not final comes with `Retry-After: 1`.",
			params:  openapi3.Parameters{paramRef("JobID"), paramRef("PollWait")},
			responses: map[int]*openapi3.ResponseRef{
				200: resp("The job.", headers("Retry-After", hdrRetryAfter(false, "polling again (the job is not final)")), jsonContent(compRef("Job"))),
				400: respRef("BadRequest"),
				401: respRef("Unauthorized"),
				404: respRef("NotFound"),
				503: respRef("Unavailable"),
			},
		},
		{
			method: http.MethodDelete, path: "/api/v2/queue/{job_id}", id: "queueCancel", tag: tagQueue,
			summary: "Cancel a job",
			desc:    "Cancels a queued job at once. A running job's worker is told to stop; the answer waits up to 5 s for it.",
			params:  openapi3.Parameters{paramRef("JobID")},
			responses: map[int]*openapi3.ResponseRef{
				200: resp("The job, now canceled.", headers(), jsonContent(compRef("Job"))),
				202: resp("The job is still running; its worker was told to stop (cancel_requested is true). Poll it.", headers(), jsonContent(compRef("Job"))),
				401: respRef("Unauthorized"),
				404: respRef("NotFound"),
				409: resp("The job has already finished: CONFLICT, with the job.", headers(), problemContent("JobProblem")),
				503: respRef("Unavailable"),
			},
		},
		{
			method: http.MethodPost, path: "/api/v2/queue/prioritize", id: "queuePrioritize", tag: tagQueue,
			summary: "Change a queued job's priority",
			desc:    "Moves a queued job to another priority band; it keeps its arrival order within the band.",
			body:    b.jsonBody("PrioritizeRequest", "The job and its new priority.", prioritizeExamples()),
			responses: map[int]*openapi3.ResponseRef{
				200: resp("The job with its new priority.", headers(), jsonContent(compRef("Job"))),
				400: respRef("BadRequest"),
				401: respRef("Unauthorized"),
				403: resp("Priority urgent needs the admin scope: FORBIDDEN.", headers(), problemContent("Problem")),
				404: respRef("NotFound"),
				409: resp("Only a queued job can be reprioritized: CONFLICT.", headers(), problemContent("Problem")),
				413: respRef("PayloadTooLarge"),
				415: respRef("UnsupportedMediaType"),
				503: respRef("Unavailable"),
			},
		},
		{
			method: http.MethodGet, path: "/api/v2/usage", id: "usageGet", tag: tagUsage,
			summary: "Usage by day and model",
			desc:    "Requests, tokens, images and estimated cost by UTC day and model. Admins may read another caller's usage, or everyone's with `caller=*`.",
			params: openapi3.Parameters{
				{Value: &openapi3.Parameter{Name: "from", In: openapi3.ParameterInQuery, Description: "First day (UTC); default today.",
					Schema: &openapi3.SchemaRef{Value: apply(str(), format("date"))}}},
				{Value: &openapi3.Parameter{Name: "to", In: openapi3.ParameterInQuery, Description: "Last day (UTC); default today. At most 92 days after from.",
					Schema: &openapi3.SchemaRef{Value: apply(str(), format("date"))}}},
				{Value: &openapi3.Parameter{Name: "caller", In: openapi3.ParameterInQuery, Description: "Whose usage (admin only, unless it is you); * for everyone.",
					Schema: &openapi3.SchemaRef{Value: str()}}},
			},
			responses: map[int]*openapi3.ResponseRef{
				200: resp("The usage.", headers(), jsonContent(compRef("Usage"))),
				400: respRef("BadRequest"),
				401: respRef("Unauthorized"),
				403: resp("Only an admin may read another caller's usage: FORBIDDEN.", headers(), problemContent("Problem")),
				503: respRef("Unavailable"),
			},
		},
		{
			method: http.MethodPost, path: "/api/v2/hub/messages", id: "hubMessage", tag: tagHub,
			summary: "Accept a Message Hub request",
			desc: "The Message Hub delivers requests here. The message becomes a job (admitted like a REST request: priority, rate limit, quota) and is answered at once; " +
				"the job's events go to the hub. Answers use the hub's reply shape, not problems. Authenticate with a bearer token, or the hub's X-Service-Key (then `source` is the caller).",
			security: &openapi3.SecurityRequirements{{schemeBearer: []string{}}, {schemeServiceKey: []string{}}},
			body:     b.jsonBody("HubEnvelope", "The hub's envelope.", hubX),
			responses: map[int]*openapi3.ResponseRef{
				202: resp("Accepted: data holds the job's id, status and location.", headers(), jsonContent(compRef("HubReply"))),
				400: resp("Rejected: INVALID_PARAMETERS or INVALID_JSON (error.message names the fields).", headers(), jsonContent(compRef("HubReply"))),
				401: resp("Rejected: no valid bearer token or X-Service-Key (UNAUTHORIZED).",
					headers("WWW-Authenticate", header(`Bearer realm="dnd-llm-service"`, true, str())), jsonContent(compRef("HubReply"))),
				403: resp("Rejected: priority urgent needs the admin scope (FORBIDDEN).", headers(), jsonContent(compRef("HubReply"))),
				413: resp("The envelope is over 1 MiB: PAYLOAD_TOO_LARGE, as a problem when Content-Length declares it, else as a rejected reply.", headers(),
					openapi3.Content{"application/json": {Schema: compRef("HubReply")}, "application/problem+json": {Schema: compRef("Problem")}}),
				415: resp("Rejected: the Content-Type is not JSON (UNSUPPORTED_MEDIA_TYPE).", headers(), jsonContent(compRef("HubReply"))),
				429: resp("Rejected: RATE_LIMITED or QUOTA_EXCEEDED.",
					headers("Retry-After", hdrRetryAfter(true, "retrying"), "RateLimit-Policy", hdrPolicy, "RateLimit", hdrLimit), jsonContent(compRef("HubReply"))),
				503: resp("Rejected: QUEUE_FULL or SERVICE_UNAVAILABLE.",
					headers("Retry-After", hdrRetryAfter(true, "retrying")), jsonContent(compRef("HubReply"))),
			},
		},
		{
			method: http.MethodGet, path: "/health", id: "health", tag: tagService, security: public,
			summary: "Health",
			desc:    "Redis is pinged; provider states come from recent calls (no billed call is made). degraded means a component is impaired.",
			responses: map[int]*openapi3.ResponseRef{
				200: resp("Healthy or degraded.", headers("Cache-Control", header("no-store", true, str())), jsonContent(compRef("Health"))),
				503: resp("Unhealthy: Redis is unreachable.", headers("Cache-Control", header("no-store", true, str())), jsonContent(compRef("Health"))),
			},
		},
		{
			method: http.MethodGet, path: "/metrics", id: "metrics", tag: tagService, security: public,
			summary: "Prometheus metrics",
			desc:    "HTTP, queue, provider, cache, rate-limit and cost series in the Prometheus text format (llm_* and the Go runtime's). Not served under AWS Lambda.",
			responses: map[int]*openapi3.ResponseRef{
				200: resp("The metrics.", headers(), openapi3.Content{"text/plain": {Schema: &openapi3.SchemaRef{Value: str()}}}),
			},
		},
		{
			method: http.MethodGet, path: "/openapi.json", id: "openapi", tag: tagDocs, security: public,
			summary: "This document",
			responses: map[int]*openapi3.ResponseRef{
				200: resp("The OpenAPI 3.1 document.", headers(), jsonContent(&openapi3.SchemaRef{Value: obj()})),
			},
		},
		{
			method: http.MethodGet, path: "/docs", id: "docs", tag: tagDocs, security: public,
			summary: "This viewer",
			desc:    "An interactive viewer of this document. Its assets are built into the service, so it works without internet.",
			responses: map[int]*openapi3.ResponseRef{
				200: resp("The viewer's page.", headers(), openapi3.Content{"text/html": {}}),
			},
		},
		{
			method: http.MethodGet, path: "/docs/{file}", id: "docsAsset", tag: tagDocs, security: public,
			summary: "The viewer's assets",
			params: openapi3.Parameters{{Value: &openapi3.Parameter{Name: "file", In: openapi3.ParameterInPath, Required: true,
				Schema: &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Enum: anyStrings(b.assets)}}}}},
			responses: map[int]*openapi3.ResponseRef{
				200: resp("The asset, with its file's Content-Type.", headers(), openapi3.Content{"*/*": {}}),
				404: respRef("NotFound"),
			},
		},
	}
	return ops
}

// assetNames lists the viewer's files: those docs.Register serves under
// /docs/.
func assetNames() ([]string, error) {
	var names []string
	err := fs.WalkDir(static.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		names = append(names, strings.TrimSuffix(p, ".gz"))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list docs assets: %w", err)
	}
	slices.Sort(names)
	return names, nil
}
