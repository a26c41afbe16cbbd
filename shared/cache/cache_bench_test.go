package cache_test

import (
	"context"
	"testing"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/cache"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// benchResult is about the size of a cached character personality.
var benchResult = []byte(`{"type":"personality","content":{"character":{"name":"Brenna Coalbrook","race":"Dwarf","class":"Cleric","level":3},` +
	`"traits":["Quotes the rites of the forge for every occasion."],"voice":"Slow and deliberate."},` +
	`"model":"gpt-4o","model_used":"gpt-4o","provider":"openai","usage":{"prompt_tokens":412,"completion_tokens":180,"total_tokens":592}}`)

func BenchmarkGetHit(b *testing.B) {
	rdb, prefix := redistest.New(b)
	c := cache.New(rdb, prefix, nil)
	ctx := context.Background()
	key, err := cache.Key("text", map[string]any{"kind": "character", "seed": 1})
	if err != nil {
		b.Fatalf("Key: %v", err)
	}
	if err := c.Set(ctx, key, benchResult, time.Hour); err != nil {
		b.Fatalf("Set: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		v, ok, err := c.Get(ctx, "text", key)
		if err != nil || !ok || len(v) != len(benchResult) {
			b.Fatalf("Get = %d bytes, %v, %v; want a hit", len(v), ok, err)
		}
	}
}

// BenchmarkKey is the canonical hash computed for every text request.
func BenchmarkKey(b *testing.B) {
	req := map[string]any{
		"kind": "character", "provider": "openai", "chain": []string{"gpt-4o", "gpt-4o-mini"},
		"request": map[string]any{
			"type":       "personality",
			"parameters": map[string]any{"character_class": "Cleric", "character_race": "Dwarf", "character_level": 3},
			"seed":       42,
		},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cache.Key("text", req); err != nil {
			b.Fatalf("Key: %v", err)
		}
	}
}
