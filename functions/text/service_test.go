package text

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/textgen"
)

// TestCacheKeysStayStable pins the cache keys and priorities of text
// requests. A key is the hash of everything that decides a result; a change
// to how it is built makes every cached result miss, so it must be made on
// purpose (as a prompt, offline engine or schema version bump does).
func TestCacheKeysStayStable(t *testing.T) {
	t.Parallel()
	s := New(Config{Generator: textgen.NewOffline([]string{"gpt-4o", "gpt-4o-mini"})})
	tests := []struct {
		name, typ, payload string
		key, priority      string
	}{
		{"freeform", "generate_text", `{"prompt":" hi ","context":{"a":1},"model":"gpt-4o-mini","seed":3,"priority":"high"}`,
			"text:c6061f4f1b2e184fc7fa10d74f6a24bc20f2433723ff011aae731d177dc2f701", "high"},
		{"freeform defaults", "generate_text", `{"prompt":"hi"}`,
			"text:eec59e609b95aebb032d21c601a8b2d7bcdca83c6b7e7d5fc930565dc1d788a3", "normal"},
		{"character", "character_content", `{"type":"backstory","parameters":{"character_class":"Wizard","alignment":"LG"},"theme":{"genre":"Dark  Fantasy"},"priority":"urgent","seed":5}`,
			"text:caf8ad606faf45b1abd3a507e5490e0d3822498adef14cd72cef496c48676357", "urgent"},
		{"character at normal priority", "character_content", `{"type":"backstory","parameters":{"character_class":"Wizard","alignment":"LG"},"theme":{"genre":"Dark  Fantasy"},"seed":5}`,
			"text:caf8ad606faf45b1abd3a507e5490e0d3822498adef14cd72cef496c48676357", "normal"},
		{"campaign", "campaign_content", `{"type":"plot","parameters":{"party_size":4},"priority":"low"}`,
			"text:e2165573dcdf230ca1a38786625b123a55502ec1c848f2fb238965f23ff6a5a3", "low"},
		{"theme", "theme", `{"content":"Sir X rode.\r\nHome.","theme":{"tone":"dark"},"parameters":{"strength":0.3},"priority":"high"}`,
			"text:fdfca02322cd3781d3941894ff386dd7eaeb565721c85aaba992cb3fb48b4e70", "high"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := s.HubBuilders()[tc.typ](context.Background(), json.RawMessage(tc.payload))
			if err != nil {
				t.Fatalf("%s(%s) error: %v", tc.typ, tc.payload, err)
			}
			if r.CacheKey != tc.key || r.Canonical != tc.key || r.Priority != tc.priority {
				t.Errorf("%s(%s) = key %s, canonical %s, priority %s, want key and canonical %s, priority %s",
					tc.typ, tc.payload, r.CacheKey, r.Canonical, r.Priority, tc.key, tc.priority)
			}
		})
	}
}
