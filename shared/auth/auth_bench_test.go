package auth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/auth"
)

var benchKey = strings.Repeat("k", 64)

func BenchmarkVerify(b *testing.B) {
	tok, err := auth.Mint(benchKey, "character-service", nil, time.Hour, time.Now(), "", "")
	if err != nil {
		b.Fatalf("Mint: %v", err)
	}
	v := auth.NewVerifier(benchKey, "")
	b.ReportAllocs()
	for b.Loop() {
		c, err := v.Verify(tok)
		if err != nil || c.Subject != "character-service" {
			b.Fatalf("Verify = %+v, %v; want character-service", c, err)
		}
	}
}

// BenchmarkVerifyPreviousKey is a token signed with the key being rotated
// out: the current key is tried first and fails.
func BenchmarkVerifyPreviousKey(b *testing.B) {
	old := strings.Repeat("o", 64)
	tok, err := auth.Mint(old, "character-service", nil, time.Hour, time.Now(), "", "")
	if err != nil {
		b.Fatalf("Mint: %v", err)
	}
	v := auth.NewVerifier(benchKey, old)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(tok); err != nil {
			b.Fatalf("Verify: %v", err)
		}
	}
}

// BenchmarkMiddleware is the auth check as a route sees it: header parse,
// verify, claims into the context.
func BenchmarkMiddleware(b *testing.B) {
	tok, err := auth.Mint(benchKey, "character-service", nil, time.Hour, time.Now(), "", "")
	if err != nil {
		b.Fatalf("Mint: %v", err)
	}
	h := auth.Middleware(auth.NewVerifier(benchKey, ""))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	req := httptest.NewRequest(http.MethodGet, "/api/v2/queue/status", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusNoContent {
			b.Fatalf("status = %d, want 204", w.Code)
		}
	}
}
