package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var key = strings.Repeat("k", 64)

func sign(t testing.TB, m jwt.SigningMethod, k any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, claims).SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerify(t *testing.T) {
	now := time.Now()
	good := jwt.MapClaims{"sub": "svc", "exp": now.Add(time.Hour).Unix(), "scope": "admin read"}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	noneTok := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good)
	cases := []struct {
		name  string
		token string
		ok    bool
	}{
		{"valid", sign(t, jwt.SigningMethodHS256, []byte(key), good), true},
		{"previous key", sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("p", 64)), good), true},
		{"expired", sign(t, jwt.SigningMethodHS256, []byte(key), jwt.MapClaims{"sub": "svc", "exp": now.Add(-time.Hour).Unix()}), false},
		{"no exp", sign(t, jwt.SigningMethodHS256, []byte(key), jwt.MapClaims{"sub": "svc"}), false},
		{"no sub", sign(t, jwt.SigningMethodHS256, []byte(key), jwt.MapClaims{"exp": now.Add(time.Hour).Unix()}), false},
		{"wrong key", sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("w", 64)), good), false},
		{"alg none", noneTok, false},
		{"RS256", sign(t, jwt.SigningMethodRS256, rsaKey, good), false},
		{"HS512", sign(t, jwt.SigningMethodHS512, []byte(key), good), false},
		{"over-long", strings.Repeat("a", MaxTokenLen+1), false},
		{"garbage", "not.a.token", false},
		{"empty", "", false},
	}
	v := NewVerifier(key, strings.Repeat("p", 64))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Verify(tc.token)
			if (err == nil) != tc.ok {
				t.Fatalf("Verify() = %+v, %v; want ok=%v", c, err, tc.ok)
			}
			if tc.ok && (c.Subject != "svc" || !c.Admin()) {
				t.Errorf("claims = %+v", c)
			}
		})
	}
}

// Algorithm confusion: HS256 signed with an RSA public key's bytes must
// not verify when the service key is an HMAC secret.
func TestAlgorithmConfusion(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	pub := rsaKey.PublicKey.N.Bytes()
	tok := sign(t, jwt.SigningMethodHS256, pub, jwt.MapClaims{"sub": "x", "exp": time.Now().Add(time.Hour).Unix()})
	if _, err := NewVerifier(key, "").Verify(tok); err == nil {
		t.Fatal("token signed with a public key verified")
	}
}

func TestIssuerAudience(t *testing.T) {
	v := NewVerifier(key, "", WithIssuer("dnd"), WithAudience("llm"))
	tok, _ := Mint(key, "svc", nil, time.Hour, time.Now(), "dnd", "llm")
	if _, err := v.Verify(tok); err != nil {
		t.Errorf("matching iss/aud: %v", err)
	}
	tok, _ = Mint(key, "svc", nil, time.Hour, time.Now(), "other", "llm")
	if _, err := v.Verify(tok); err == nil {
		t.Errorf("wrong iss accepted")
	}
	tok, _ = Mint(key, "svc", nil, time.Hour, time.Now(), "dnd", "")
	if _, err := v.Verify(tok); err == nil {
		t.Errorf("missing aud accepted")
	}
}

func FuzzVerify(f *testing.F) {
	tok, _ := Mint(key, "svc", []string{"admin"}, time.Hour, time.Now(), "", "")
	f.Add(tok)
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	f.Add("a.b.c")
	v := NewVerifier(key, "")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := v.Verify(s)
		if err == nil && c.Subject == "" {
			t.Fatalf("verified a token without a subject")
		}
	})
}
