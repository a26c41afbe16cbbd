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
			"text:d4e80aacca5fbe02b584a790f75617bb5c37f39e99110662cde0351a5bbb6882", "high"},
		{"freeform defaults", "generate_text", `{"prompt":"hi"}`,
			"text:ff59ff1c81cdc663f906dca15e1ee399c42fa484dd887c1f989e7557888ed580", "normal"},
		{"character", "character_content", `{"type":"backstory","parameters":{"character_class":"Wizard","alignment":"LG"},"theme":{"genre":"Dark  Fantasy"},"priority":"urgent","seed":5}`,
			"text:c326da2c975b05ebf1706176ceaf82574bad11919d39a754ab16ce174a66a0d0", "urgent"},
		{"character at normal priority", "character_content", `{"type":"backstory","parameters":{"character_class":"Wizard","alignment":"LG"},"theme":{"genre":"Dark  Fantasy"},"seed":5}`,
			"text:c326da2c975b05ebf1706176ceaf82574bad11919d39a754ab16ce174a66a0d0", "normal"},
		{"campaign", "campaign_content", `{"type":"plot","parameters":{"party_size":4},"priority":"low"}`,
			"text:ad0fc481b418250fa4aa953d00b56029729f7a41fc4c1987d4b38312d94a596f", "low"},
		{"theme", "theme", `{"content":"Sir X rode.\r\nHome.","theme":{"tone":"dark"},"parameters":{"strength":0.3},"priority":"high"}`,
			"text:88e38fc4e3ed15abdb6a457e43208b72461809989254fe94f8d3e6dc18121f72", "high"},
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
