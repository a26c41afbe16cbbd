package auth

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzBearerToken checks the Authorization header parsing: no header
// panics, a token is returned only from a "Bearer" header and never with
// surrounding space, and an empty one never verifies. Seeds live in
// testdata/fuzz/FuzzBearerToken; FuzzVerify's in testdata/fuzz/FuzzVerify.
func FuzzBearerToken(f *testing.F) {
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["Authorization"] = []string{header}
		tok, ok := BearerToken(r)
		if !ok {
			return
		}
		if !strings.EqualFold(header[:7], "bearer ") {
			t.Fatalf("BearerToken(%q) = %q from a header that is not Bearer", header, tok)
		}
		if tok != strings.TrimSpace(tok) {
			t.Fatalf("BearerToken(%q) = %q with surrounding space", header, tok)
		}
		if _, err := NewVerifier(key, "").Verify(tok); err == nil && tok == "" {
			t.Fatalf("an empty token verified")
		}
	})
}
