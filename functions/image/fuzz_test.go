package image

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/imagefmt"
	"github.com/dndcc/dnd-llm-service/shared/imagegen"
)

// Seeds live in testdata/fuzz/<target>; the default test run replays them.

// decodeBody decodes body as a request of type T the way the routes do:
// capped at MaxBody, then validated. A refusal must be a 4xx problem.
func decodeBody[T httpapi.Validator](t *testing.T, body []byte) (T, bool) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/api/v2/image/x", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Body = http.MaxBytesReader(nil, r.Body, MaxBody)
	v, err := httpapi.Decode[T](r)
	if err == nil {
		return v, true
	}
	var p *httpapi.Problem
	if !errors.As(err, &p) {
		t.Fatalf("Decode error %v is not a problem", err)
	}
	if p.Status < 400 || p.Status >= 500 {
		t.Fatalf("Decode refused with status %d: %v", p.Status, err)
	}
	for _, fe := range p.Errors {
		if fe.Field == "" || fe.Message == "" || !utf8.ValidString(fe.Message) {
			t.Fatalf("field error %+v is empty or not UTF-8", fe)
		}
	}
	return v, false
}

func checkSize(t *testing.T, what string, w, h int) {
	t.Helper()
	for _, v := range []int{w, h} {
		if v < MinSide || v > MaxSide || v%SideStep != 0 {
			t.Fatalf("%s size %dx%d is outside %d..%d in steps of %d", what, w, h, MinSide, MaxSide, SideStep)
		}
	}
}

func checkGenerate(t *testing.T, r GenerateRequest) {
	t.Helper()
	if !slices.Contains(imagegen.Types(), r.Type) {
		t.Fatalf("accepted type %q", r.Type)
	}
	if strings.TrimSpace(r.Prompt) == "" || utf8.RuneCountInString(r.Prompt) > MaxPromptChars {
		t.Fatalf("accepted a prompt of %d characters", utf8.RuneCountInString(r.Prompt))
	}
	if s := r.Parameters.Seed; s != nil && (*s < 0 || *s > maxSeed) {
		t.Fatalf("accepted seed %d", *s)
	}
}

// FuzzGenerateRequest checks that any body either decodes into a generate
// request the handler can run within the limits, or is a 4xx problem.
func FuzzGenerateRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		r, ok := decodeBody[GenerateRequest](t, body)
		if !ok {
			return
		}
		checkGenerate(t, r)
		w, h := r.size()
		checkSize(t, "generate", w, h)
	})
}

// FuzzTransformRequest checks the same for transform, whose source image
// must have been decoded and checked before it is accepted.
func FuzzTransformRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		r, ok := decodeBody[TransformRequest](t, body)
		if !ok {
			return
		}
		checkGenerate(t, r.GenerateRequest)
		errs, src := r.validate()
		if len(errs) > 0 || src.data == nil {
			t.Fatalf("accepted, but validate() = %v with %d bytes of source", errs, len(src.data))
		}
		if src.info.Width < 1 || src.info.Width > imagefmt.MaxSide || src.info.Height < 1 || src.info.Height > imagefmt.MaxSide {
			t.Fatalf("accepted a %dx%d source", src.info.Width, src.info.Height)
		}
		if st := r.strength(); st < 0 || st > 1 {
			t.Fatalf("accepted strength %v", st)
		}
		w, h := r.size(src)
		checkSize(t, "transform", w, h)
	})
}

// FuzzEnhanceRequest checks the same for enhance: known, distinct
// enhancements, and an upscale that stays within MaxOutputSide.
func FuzzEnhanceRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		r, ok := decodeBody[EnhanceRequest](t, body)
		if !ok {
			return
		}
		errs, src := r.validate()
		if len(errs) > 0 || src.data == nil {
			t.Fatalf("accepted, but validate() = %v with %d bytes of image", errs, len(src.data))
		}
		seen := map[string]bool{}
		for _, e := range r.Enhancements {
			if !slices.Contains(Enhancements(), e) || seen[e] {
				t.Fatalf("accepted enhancements %q", r.Enhancements)
			}
			seen[e] = true
		}
		if f := r.factor(); f < 1 || f > MaxUpscaleFactor {
			t.Fatalf("accepted upscale factor %d", f)
		}
		if seen[EnhanceUpscale] && (src.info.Width*r.factor() > MaxOutputSide || src.info.Height*r.factor() > MaxOutputSide) {
			t.Fatalf("accepted an upscale of %dx%d by %d", src.info.Width, src.info.Height, r.factor())
		}
	})
}

// FuzzVerifyURL checks the signed image URL: no input panics, only the
// exact id and expiry that were signed verify, and a URL the service signs
// verifies until it expires.
func FuzzVerifyURL(f *testing.F) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	s := &Service{key: []byte(testKey), urlTTL: time.Hour, now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, id, exp, sig string) {
		until, err := s.verifyURL(id, exp, sig)
		if err == nil {
			if sig != s.sign(id, exp) || !until.After(now) {
				t.Fatalf("verifyURL(%q, %q, %q) = %v, nil for a signature the service did not make", id, exp, sig, until)
			}
		} else if !errors.Is(err, errURLSignature) && !errors.Is(err, errURLExpired) {
			t.Fatalf("verifyURL error = %v", err)
		}
		if !imageIDPattern.MatchString(id) {
			return
		}
		rel, _ := s.signedURL(id, now)
		u, err := url.Parse(rel)
		if err != nil {
			t.Fatalf("signedURL(%q) = %q: %v", id, rel, err)
		}
		q := u.Query()
		if _, err := s.verifyURL(id, q.Get("exp"), q.Get("sig")); err != nil {
			t.Fatalf("the service's own URL %q does not verify: %v", rel, err)
		}
		if _, err := s.verifyURL(id, q.Get("exp"), sig); err == nil && sig != q.Get("sig") {
			t.Fatalf("signature %q verifies for %s", sig, id)
		}
	})
}

// FuzzHubBuilders checks the Message Hub's image payloads: each is a job
// request within the generate limits, or a 4xx problem naming the field.
func FuzzHubBuilders(f *testing.F) {
	s := New(Config{})
	ctx := auth.WithClaims(context.Background(), auth.Claims{Subject: "hub-caller"})
	types := slices.Sorted(maps.Keys(s.HubBuilders()))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		typ := types[int(which)%len(types)]
		req, err := s.HubBuilders()[typ](ctx, json.RawMessage(body))
		if err != nil {
			var p *httpapi.Problem
			if !errors.As(err, &p) || p.Status < 400 || p.Status >= 500 {
				t.Fatalf("%s(%q) error = %v, want a 4xx problem", typ, body, err)
			}
			return
		}
		var p payload
		if req.Queue != QueueName || req.Kind != KindGenerate || json.Unmarshal(req.Payload, &p) != nil {
			t.Fatalf("%s(%q) = %+v", typ, body, req)
		}
		checkSize(t, typ, p.Width, p.Height)
	})
}
