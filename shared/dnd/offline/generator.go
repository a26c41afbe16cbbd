// Package offline is the built-in text generator the service uses when no
// model provider is configured. It writes every kind of dnd content
// (character personality, backstory, combat and equipment; campaign plot,
// location, quest, dialogue and event; themed restyles; free-form text)
// procedurally from embedded tables: SRD 5.1 races, classes, equipment,
// magic items, monsters and spells (see data/ATTRIBUTION.md) plus grammars,
// name syllables and word lists written for the service.
//
// Output is deterministic: the same request and seed give byte-identical
// content. Without a seed the generator draws one and reports it in
// Output.Seed, so any result can be reproduced. Every document it returns
// passes dnd.ValidateContent. CAPABILITIES.md describes what it can and
// cannot do.
package offline

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/provider"
)

// ProviderName identifies this generator in provider errors and metadata.
const ProviderName = "offline"

// Generator writes D&D content without a model. It is safe for concurrent
// use; each call builds its own random source.
type Generator struct {
	t       *tables
	newSeed func() int64
}

// Output is a generated document, the seed that reproduces it, and
// warnings about the request: parameters it could not honour or read
// (unknown theme words, a duration it did not understand). Warnings are
// about the request, never part of the content.
type Output struct {
	Content  json.RawMessage
	Seed     int64
	Warnings []string
}

// New returns a generator over the embedded tables. The tables are checked
// by the package tests; New panics only if the binary was built with broken
// data.
func New() *Generator {
	t, err := loadTables()
	if err != nil {
		panic(fmt.Sprintf("offline: embedded data: %v", err))
	}
	return &Generator{t: t, newSeed: newSeed}
}

// Generate writes the content of any text request. Character, Campaign,
// Theme and Freeform describe what each kind gets.
func (g *Generator) Generate(ctx context.Context, req dnd.TextRequest) (Output, error) {
	req = req.Normalized()
	kind := req.Kind()
	if err := g.check(ctx, kind, req.Valid(ctx)); err != nil {
		return Output{}, err
	}
	write, ok := writers[kind]
	if !ok {
		return Output{}, fmt.Errorf("offline: %w: kind %q", dnd.ErrUnknownType, kind)
	}
	seed := g.seed(req.SeedValue())
	return g.run(ctx, kind, req.ContentType(), seed, func() (any, []string, error) { return write(g, seed, req) })
}

// writer builds the document of a normalised, valid request, and its
// warnings.
type writer func(g *Generator, seed int64, req dnd.TextRequest) (any, []string, error)

// writers hold the writer of each text kind.
var writers = map[string]writer{
	dnd.KindCharacter: writerOf((*Generator).character),
	dnd.KindCampaign:  writerOf((*Generator).campaign),
	dnd.KindTheme:     writerOf((*Generator).theme),
	dnd.KindFreeform:  writerOf((*Generator).freeformText),
}

// writerOf adapts a writer of one request type.
func writerOf[T dnd.TextRequest](w func(*Generator, int64, T) (any, []string, error)) writer {
	return func(g *Generator, seed int64, req dnd.TextRequest) (any, []string, error) {
		r, ok := req.(T)
		if !ok {
			var want T
			return nil, nil, fmt.Errorf("offline: %s needs a %T, not %T", req.Kind(), want, req)
		}
		return w(g, seed, r)
	}
}

// Character writes a sheet, personality, backstory, combat profile or
// equipment list. Every number comes from the character's sheet (package
// rules, through dnd.ResolveCharacter); the generator writes the words,
// which dnd.Character.Complete merges with the sheet. Given the same seed
// and parameters, or the same character object, the five types describe
// the same character.
func (g *Generator) Character(ctx context.Context, req dnd.CharacterRequest) (Output, error) {
	return g.Generate(ctx, req)
}

// Campaign writes a plot, location, quest, dialogue or event.
func (g *Generator) Campaign(ctx context.Context, req dnd.CampaignRequest) (Output, error) {
	return g.Generate(ctx, req)
}

// Theme restyles req.Content by rule-based substitution for the requested
// genre, tone and style (see CAPABILITIES.md).
func (g *Generator) Theme(ctx context.Context, req dnd.ThemeRequest) (Output, error) {
	return g.Generate(ctx, req)
}

// Freeform answers a free-form prompt with game material chosen from the
// prompt's keywords (names, taverns, NPCs, quests, items, encounters,
// places, riddles, backstories or a scene).
func (g *Generator) Freeform(ctx context.Context, req dnd.FreeformRequest) (Output, error) {
	return g.Generate(ctx, req)
}

func (g *Generator) campaign(seed int64, req dnd.CampaignRequest) (any, []string, error) {
	return g.newCampaign(seed, req).content(req.Type)
}

func (g *Generator) theme(seed int64, req dnd.ThemeRequest) (any, []string, error) {
	r := newRand(seed, dnd.KindTheme)
	lexs, warnings := g.t.restyle.resolveTheme(req.Theme)
	strength := *req.Parameters.Strength
	out, kept := g.t.restyle.apply(r, req.Content, lexs, strength, *req.Parameters.PreserveKeyElements)
	if strings.TrimSpace(out) == "" {
		out, kept = req.Content, nil
	}
	if out == req.Content && strength > 0 {
		out = closeLastSentence(r, out, lexs)
		if out == req.Content {
			warnings = append(warnings, "content: the offline restyler has no rule for any word or sentence of this text; it is returned unchanged")
		}
	}
	return dnd.ThemeResult{
		Content:           out,
		OriginalContent:   req.Content,
		Theme:             dnd.AppliedTheme(req.Theme),
		SimilarityScore:   dnd.Similarity(req.Content, out),
		PreservedElements: nonNil(kept),
	}, warnings, nil
}

func (g *Generator) freeformText(seed int64, req dnd.FreeformRequest) (any, []string, error) {
	return dnd.FreeformText{Text: g.freeform(seed, req)}, nil, nil
}

// MaxNewSeed bounds the seeds the generator draws: 2^53-1, the largest
// integer a JSON number holds exactly in every client (JavaScript's
// Number.MAX_SAFE_INTEGER), so a seed read back and replayed is the same
// seed.
const MaxNewSeed = 1<<53 - 1

func newSeed() int64 { return rand.Int64N(MaxNewSeed + 1) }

// NewSeed draws a seed as the generator does for a request without one, in
// 0..MaxNewSeed.
func NewSeed() int64 { return newSeed() }

func (g *Generator) seed(s *int64) int64 {
	if s != nil {
		return *s
	}
	return g.newSeed()
}

// canceled is the error of a generation whose context ended, checked at
// every checkpoint: before the work, after building the document and after
// validating it, so a canceled context never yields a document.
func canceled(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return &provider.Error{Provider: ProviderName, Kind: provider.Canceled, Message: "generation was cancelled", Err: err}
	}
	return nil
}

func (g *Generator) check(ctx context.Context, kind string, problems map[string]string) error {
	if err := canceled(ctx); err != nil {
		return err
	}
	if len(problems) > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(problems)) {
			parts = append(parts, k+" "+problems[k])
		}
		return &provider.Error{
			Provider: ProviderName,
			Kind:     provider.BadRequest,
			Message:  "invalid " + kind + " request: " + strings.Join(parts, "; "),
		}
	}
	return nil
}

// run builds, encodes and validates a document. A panic from bad embedded
// data becomes an error; any other panic is a bug and propagates.
func (g *Generator) run(ctx context.Context, kind, typ string, seed int64, build func() (any, []string, error)) (out Output, err error) {
	defer func() {
		if r := recover(); r != nil {
			de, ok := r.(dataError)
			if !ok {
				panic(r)
			}
			err = &provider.Error{Provider: ProviderName, Kind: provider.Transient, Message: "the offline generator failed", Err: de.err}
		}
	}()
	doc, warnings, err := build()
	if err != nil {
		return Output{}, err
	}
	if err := canceled(ctx); err != nil {
		return Output{}, err
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return Output{}, fmt.Errorf("offline %s/%s: encode: %w", kind, typ, err)
	}
	if err := dnd.ValidateContent(kind, typ, b); err != nil {
		return Output{}, &provider.Error{Provider: ProviderName, Kind: provider.Transient, Message: "the offline generator produced invalid content", Err: err}
	}
	if err := canceled(ctx); err != nil {
		return Output{}, err
	}
	return Output{Content: b, Seed: seed, Warnings: warnings}, nil
}

// newRand returns a PCG source for seed on a stream named by label, so
// different parts of a document (or different types) draw independently.
func newRand(seed int64, label string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(label))
	return rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func pick[T any](r *rand.Rand, list []T) T {
	if len(list) == 0 {
		panic(dataError{fmt.Errorf("empty pick list of %T", list)})
	}
	return list[r.IntN(len(list))]
}

// words lower-cases s and splits it into words and adjacent word pairs, for
// keyword spotting in free text.
func words(s string) map[string]bool {
	ws := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '\'' || r > 127)
	})
	out := make(map[string]bool, 2*len(ws))
	for i, w := range ws {
		out[w] = true
		if i+1 < len(ws) {
			out[w+" "+ws[i+1]] = true
		}
	}
	return out
}
