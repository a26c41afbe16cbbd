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
			"text:eb3c7835e0ddc98277ff1f628f4a8e077ee7a023d038fa094b019daa81e463a6", "high"},
		{"freeform defaults", "generate_text", `{"prompt":"hi"}`,
			"text:3bd759f188b5e8ee999c9aee00eea8311bc1f43ac08812a494d546f85a477179", "normal"},
		{"character", "character_content", `{"type":"backstory","parameters":{"character_class":"Wizard","alignment":"LG"},"theme":{"genre":"Dark  Fantasy"},"priority":"urgent","seed":5}`,
			"text:42353401720aa53452dd410396b9fb7863d71f0a1dfbcd35efdaec914bc64fac", "urgent"},
		{"character at normal priority", "character_content", `{"type":"backstory","parameters":{"character_class":"Wizard","alignment":"LG"},"theme":{"genre":"Dark  Fantasy"},"seed":5}`,
			"text:42353401720aa53452dd410396b9fb7863d71f0a1dfbcd35efdaec914bc64fac", "normal"},
		{"campaign", "campaign_content", `{"type":"plot","parameters":{"party_size":4},"priority":"low"}`,
			"text:cf117d86c9f59dffa867deb67067dd54717147a759de2fde2efc772c90af7efd", "low"},
		{"theme", "theme", `{"content":"Sir X rode.\r\nHome.","theme":{"tone":"dark"},"parameters":{"strength":0.3},"priority":"high"}`,
			"text:8b8565a396a11088a4d81a5a37f6fbed52e65fb3b87bda90b12756a2695367fb", "high"},
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
