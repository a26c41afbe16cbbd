// Package auth verifies and mints the HS256 JWTs that calling services
// present, and guards routes with them.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dndcc/dnd-llm-service/shared/httpapi"
)

// ScopeAdmin lets a caller see and manage every caller's jobs and usage, and
// use the urgent priority.
const ScopeAdmin = "admin"

// MaxTokenLen bounds the bearer token we are willing to parse.
const MaxTokenLen = 4096

// ErrInvalidToken is returned for every token that does not verify. The
// reason is kept out of answers so callers learn nothing from it.
var ErrInvalidToken = errors.New("invalid token")

// Claims is what a verified token says about its caller.
type Claims struct {
	Subject string
	Scopes  []string
}

// Admin reports whether the caller holds the admin scope.
func (c Claims) Admin() bool { return slices.Contains(c.Scopes, ScopeAdmin) }

type tokenClaims struct {
	Scope string `json:"scope,omitempty"`
	jwt.RegisteredClaims
}

// Verifier checks tokens against the current key and, during a rotation, the
// previous one.
type Verifier struct {
	keys     [][]byte
	issuer   string
	audience string
	now      func() time.Time
}

// Option configures a Verifier.
type Option func(*Verifier)

// WithIssuer requires the iss claim.
func WithIssuer(iss string) Option { return func(v *Verifier) { v.issuer = iss } }

// WithAudience requires the aud claim.
func WithAudience(aud string) Option { return func(v *Verifier) { v.audience = aud } }

// WithClock sets the time source for exp/nbf checks.
func WithClock(now func() time.Time) Option { return func(v *Verifier) { v.now = now } }

// NewVerifier accepts tokens signed with key or, when non-empty, previous.
func NewVerifier(key, previous string, opts ...Option) *Verifier {
	v := &Verifier{keys: [][]byte{[]byte(key)}, now: time.Now}
	if previous != "" {
		v.keys = append(v.keys, []byte(previous))
	}
	for _, o := range opts {
		o(v)
	}
	return v
}

// Verify parses and checks a token: HS256 only, exp and sub required, iss
// and aud when configured.
func (v *Verifier) Verify(token string) (Claims, error) {
	if token == "" || len(token) > MaxTokenLen {
		return Claims{}, ErrInvalidToken
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(v.now),
		jwt.WithLeeway(30 * time.Second),
	}
	if v.issuer != "" {
		opts = append(opts, jwt.WithIssuer(v.issuer))
	}
	if v.audience != "" {
		opts = append(opts, jwt.WithAudience(v.audience))
	}
	parser := jwt.NewParser(opts...)
	var lastErr error
	for _, key := range v.keys {
		var tc tokenClaims
		_, err := parser.ParseWithClaims(token, &tc, func(t *jwt.Token) (any, error) {
			if _, ok := t.Method.(*jwt.SigningMethodHMAC); !ok {
				return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
			}
			return key, nil
		})
		if err != nil {
			lastErr = err
			if errors.Is(err, jwt.ErrTokenSignatureInvalid) {
				continue // maybe signed with the other key
			}
			break
		}
		sub := tc.Subject
		if !ValidSubject(sub) {
			return Claims{}, fmt.Errorf("%w: sub must be 1-128 of A-Z a-z 0-9 . _ : @ -", ErrInvalidToken)
		}
		return Claims{Subject: sub, Scopes: strings.Fields(tc.Scope)}, nil
	}
	return Claims{}, fmt.Errorf("%w: %w", ErrInvalidToken, lastErr)
}

// subjectPattern is what a caller's name (a token's sub) may be: a plain
// identifier, never a wildcard such as the "*" of usage queries.
var subjectPattern = regexp.MustCompile(`^[A-Za-z0-9._:@-]{1,128}$`)

// ValidSubject reports whether sub may name a caller.
func ValidSubject(sub string) bool { return subjectPattern.MatchString(sub) }

// Mint signs a token for sub with the given scopes, valid for ttl.
func Mint(key, sub string, scopes []string, ttl time.Duration, now time.Time, issuer, audience string) (string, error) {
	if !ValidSubject(sub) {
		return "", errors.New("mint token: sub must be 1-128 of A-Z a-z 0-9 . _ : @ -")
	}
	tc := tokenClaims{
		Scope: strings.Join(scopes, " "),
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   sub,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
			Issuer:    issuer,
		},
	}
	if audience != "" {
		tc.Audience = jwt.ClaimStrings{audience}
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, &tc).SignedString([]byte(key))
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	return s, nil
}

// RandomKey returns a new random key of MinLen characters (URL-safe base64).
func RandomKey() string {
	b := make([]byte, 48)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b) // 64 characters
}

type claimsKey struct{}

// WithClaims returns ctx carrying c.
func WithClaims(ctx context.Context, c Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, c)
}

// FromContext returns the caller's claims set by Middleware.
func FromContext(ctx context.Context) (Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(Claims)
	return c, ok
}

// BearerToken returns the token of an "Authorization: Bearer" header.
func BearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	return strings.TrimSpace(h[len(prefix):]), true
}

// Middleware requires a valid bearer token and puts its claims in the
// request context. A missing or bad token is a 401 problem with
// WWW-Authenticate: Bearer.
func Middleware(v *Verifier) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token, ok := BearerToken(r)
			if !ok {
				w.Header().Set("WWW-Authenticate", `Bearer realm="dnd-llm-service"`)
				httpapi.WriteProblem(w, r, httpapi.NewProblem(httpapi.CodeUnauthorized, "A bearer token is required."))
				return
			}
			c, err := v.Verify(token)
			if err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="dnd-llm-service", error="invalid_token"`)
				httpapi.WriteProblem(w, r, httpapi.NewProblem(httpapi.CodeUnauthorized, "The bearer token is invalid or expired."))
				return
			}
			httpapi.SetCaller(r.Context(), c.Subject)
			next.ServeHTTP(w, r.WithContext(WithClaims(r.Context(), c)))
		})
	}
}
