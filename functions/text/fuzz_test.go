package text

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/textgen"
)

// Seeds live in testdata/fuzz/<target>; the default test run replays them.

// FuzzHubBuilders checks the Message Hub's text payloads: each becomes a
// text job request whose payload the job handler can decode, or is a 4xx
// problem naming the field.
func FuzzHubBuilders(f *testing.F) {
	s := New(Config{Generator: textgen.NewOffline([]string{"gpt-4o", "gpt-4o-mini"})})
	types := slices.Sorted(maps.Keys(s.HubBuilders()))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		typ := types[int(which)%len(types)]
		req, err := s.HubBuilders()[typ](context.Background(), json.RawMessage(body))
		if err != nil {
			var p *httpapi.Problem
			if !errors.As(err, &p) || p.Status < 400 || p.Status >= 500 {
				t.Fatalf("%s(%q) error = %v, want a 4xx problem", typ, body, err)
			}
			for _, fe := range p.Errors {
				if fe.Field == "" || fe.Message == "" {
					t.Fatalf("empty field error %+v", fe)
				}
			}
			return
		}
		if req.Queue != "text" || !slices.Contains(Kinds, req.Kind) || req.CacheKey == "" {
			t.Fatalf("%s(%q) = %+v", typ, body, req)
		}
		var p payload
		if err := json.Unmarshal(req.Payload, &p); err != nil || p.Kind != req.Kind {
			t.Fatalf("job payload %s: %v", req.Payload, err)
		}
		if _, err := dnd.DecodeTextRequest(p.Kind, p.Request); err != nil {
			t.Fatalf("the job handler cannot decode %s: %v", p.Request, err)
		}
	})
}
