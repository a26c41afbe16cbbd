package openaitest

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"

	goopenai "github.com/sashabaranov/go-openai"
)

// Arbitrary returns a default (Server.SetDefault) that answers every chat
// request as a model under structured outputs would: with a completion
// whose content is valid for the request's response_format JSON schema but
// otherwise arbitrary. Every property is written; a string takes one of its
// enum values or arbitrary words; a number lies within its minimum and
// maximum; a list has between minItems and maxItems entries; a value that
// may be null sometimes is. The values are drawn from seed, so a run is
// repeatable. A request without a schema gets a 400, as OpenAI answers a
// malformed one.
func Arbitrary(seed uint64) func(goopenai.ChatCompletionRequest) Reply {
	var mu sync.Mutex
	r := rand.New(rand.NewPCG(seed, 0x6172626974726172))
	return func(req goopenai.ChatCompletionRequest) Reply {
		if req.ResponseFormat == nil || req.ResponseFormat.JSONSchema == nil || req.ResponseFormat.JSONSchema.Schema == nil {
			return Error(http.StatusBadRequest, "invalid_request_error", "", "openaitest: Arbitrary needs a json_schema response format")
		}
		raw, err := req.ResponseFormat.JSONSchema.Schema.MarshalJSON()
		var schema map[string]any
		if err == nil {
			err = json.Unmarshal(raw, &schema)
		}
		if err != nil {
			return Error(http.StatusBadRequest, "invalid_request_error", "", "openaitest: the schema is not a JSON object")
		}
		mu.Lock()
		v := arbitrary(r, schema)
		mu.Unlock()
		content, err := json.Marshal(v)
		if err != nil {
			return Error(http.StatusInternalServerError, "server_error", "", "openaitest: "+err.Error())
		}
		return Completion(req.Model, string(content), 300, len(content)/4)
	}
}

var words = []string{"amber", "the", "quiet", "storm", "of", "lantern", "iron", "a", "river", "bright", "old", "song", "and", "stone"}

// arbitrary draws a value that the schema s accepts.
func arbitrary(r *rand.Rand, s map[string]any) any {
	types := typesOf(s["type"])
	if len(types) > 1 && types[1] == "null" && r.IntN(4) == 0 {
		return nil
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return enum[r.IntN(len(enum))]
	}
	switch types[0] {
	case "object":
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		for name, p := range props {
			out[name] = arbitrary(r, p.(map[string]any))
		}
		return out
	case "array":
		lo, hi := bound(s, "minItems", 0), bound(s, "maxItems", 3)
		n := int(lo) + r.IntN(int(hi-lo)+1)
		items, _ := s["items"].(map[string]any)
		out := make([]any, n)
		for i := range out {
			out[i] = arbitrary(r, items)
		}
		return out
	case "integer":
		lo, hi := bound(s, "minimum", -1000), bound(s, "maximum", 1000)
		return int64(lo) + r.Int64N(int64(hi-lo)+1)
	case "number":
		lo, hi := bound(s, "minimum", -1000), bound(s, "maximum", 1000)
		return math.Round((lo+r.Float64()*(hi-lo))*1000) / 1000
	case "boolean":
		return r.IntN(2) == 0
	case "null":
		return nil
	}
	n := 1 + r.IntN(8)
	ws := make([]string, n)
	for i := range ws {
		ws[i] = words[r.IntN(len(words))]
	}
	return strings.ToUpper(ws[0][:1]) + strings.Join(ws, " ")[1:] + fmt.Sprintf(" %d.", r.IntN(100))
}

// typesOf reads a schema's type: a name, or a list such as
// ["integer","null"].
func typesOf(t any) []string {
	switch t := t.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return []string{"string"}
}

func bound(s map[string]any, key string, fallback float64) float64 {
	if v, ok := s[key].(float64); ok {
		return v
	}
	return fallback
}
