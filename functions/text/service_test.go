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
			"text:ac35f6931ff3663cbc3691ecd084f872700ffac8a5104124d6e1b4d7caabb6d2", "high"},
		{"freeform defaults", "generate_text", `{"prompt":"hi"}`,
			"text:41084e71d576874d54c6ee9851572af480844bdc36a394e9b35dede8dc6009a0", "normal"},
		{"character", "character_content", `{"type":"backstory","parameters":{"character_class":"Wizard","alignment":"LG"},"theme":{"genre":"Dark  Fantasy"},"priority":"urgent","seed":5}`,
			"text:7b7e24fd385f912d1ee334f43f25370fdec31476583394101506ea97381410f8", "urgent"},
		{"character at normal priority", "character_content", `{"type":"backstory","parameters":{"character_class":"Wizard","alignment":"LG"},"theme":{"genre":"Dark  Fantasy"},"seed":5}`,
			"text:7b7e24fd385f912d1ee334f43f25370fdec31476583394101506ea97381410f8", "normal"},
		{"campaign", "campaign_content", `{"type":"plot","parameters":{"party_size":4},"priority":"low"}`,
			"text:9ca7cfd16249b23b72239511d5a86983dd7c3cc07080aa5cc7aad3a9b8f4de10", "low"},
		{"theme", "theme", `{"content":"Sir X rode.\r\nHome.","theme":{"tone":"dark"},"parameters":{"strength":0.3},"priority":"high"}`,
			"text:98e4bfa567043e029a56688899fb0fa80c96840403f49ce337b42cd538987ec6", "high"},
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
