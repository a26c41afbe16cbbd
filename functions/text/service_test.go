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
// purpose (as a prompt or schema version bump does).
func TestCacheKeysStayStable(t *testing.T) {
	t.Parallel()
	s := New(Config{Generator: textgen.NewOffline([]string{"gpt-4o", "gpt-4o-mini"})})
	tests := []struct {
		name, typ, payload string
		key, priority      string
	}{
		{"freeform", "generate_text", `{"prompt":" hi ","context":{"a":1},"model":"gpt-4o-mini","seed":3,"priority":"high"}`,
			"text:7935b6badc31098f1bdfe8f5c20942af9ddc4fdf6b0b96f8ee5a2ade943f3e59", "high"},
		{"freeform defaults", "generate_text", `{"prompt":"hi"}`,
			"text:c202e402bcd851c14bd22a2cf88ddc9d4c754e85c18bbdcfd66cb3ed376f476c", "normal"},
		{"character", "character_content", `{"type":"backstory","parameters":{"character_class":"Wizard","alignment":"LG"},"theme":{"genre":"Dark  Fantasy"},"priority":"urgent","seed":5}`,
			"text:c0cce781fcba7b6e5061acc37a0ee7ed047332b3851f4d571ab13b33f032f0d3", "urgent"},
		{"character at normal priority", "character_content", `{"type":"backstory","parameters":{"character_class":"Wizard","alignment":"LG"},"theme":{"genre":"Dark  Fantasy"},"seed":5}`,
			"text:c0cce781fcba7b6e5061acc37a0ee7ed047332b3851f4d571ab13b33f032f0d3", "normal"},
		{"campaign", "campaign_content", `{"type":"plot","parameters":{"party_size":4},"priority":"low"}`,
			"text:854e9e9f8d99ca712ff4a8148f258abc60dac20a022ae90eeb0409fe2339d967", "low"},
		{"theme", "theme", `{"content":"Sir X rode.\r\nHome.","theme":{"tone":"dark"},"parameters":{"strength":0.3},"priority":"high"}`,
			"text:7b75ecb43b728ed44461390d52127ded743d396fa73a46d32bf096801d0117bf", "high"},
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
