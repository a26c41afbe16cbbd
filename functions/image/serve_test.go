package image

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/imagestore"
)

func TestServeImage(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{})
	j, _ := st.succeed("/api/v2/image/generate", map[string]any{
		"type": "magical_effect", "prompt": "a fireball", "size": map[string]int{"width": 256, "height": 256},
	}, nil)
	want, err := base64.StdEncoding.DecodeString(j.Result.ImageData)
	if err != nil {
		t.Fatal(err)
	}
	id, signed := j.Result.ImageID, j.Result.URL
	u, err := url.Parse(signed)
	if err != nil {
		t.Fatal(err)
	}
	forged := u.Query()
	forged.Set("sig", strings.Repeat("A", 43))
	longer := u.Query()
	longer.Set("exp", strconv.FormatInt(time.Now().Add(24*time.Hour).Unix(), 10))
	otherImage := "img_" + strings.Repeat("0", 32)
	path := "/api/v2/image/" + id

	tests := []struct {
		name       string
		path       string
		token      string
		wantStatus int
	}{
		{"signed URL without token", signed, "", http.StatusOK},
		{"owner token", path, st.token("alice"), http.StatusOK},
		{"admin token", path, st.token("root", auth.ScopeAdmin), http.StatusOK},
		{"another caller", path, st.token("bob"), http.StatusNotFound},
		{"no signature and no token", path, "", http.StatusUnauthorized},
		{"bad token", path, "not-a-token", http.StatusUnauthorized},
		{"forged signature", path + "?" + forged.Encode(), "", http.StatusForbidden},
		{"extended expiry", path + "?" + longer.Encode(), "", http.StatusForbidden},
		{"signature of another image", "/api/v2/image/" + otherImage + "?" + u.RawQuery, "", http.StatusForbidden},
		{"forged signature with the owner's token", path + "?" + forged.Encode(), st.token("alice"), http.StatusOK},
		{"forged signature with another caller's token", path + "?" + forged.Encode(), st.token("bob"), http.StatusNotFound},
		{"unknown image", "/api/v2/image/" + otherImage, st.token("alice"), http.StatusNotFound},
		{"malformed id", "/api/v2/image/..%2f..%2fetc", st.token("alice"), http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, raw := st.do(http.MethodGet, tc.path, tc.token, nil, nil)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("GET %s = %d %.200s, want %d", tc.path, resp.StatusCode, raw, tc.wantStatus)
			}
			if tc.wantStatus != http.StatusOK {
				var p problemAnswer
				if err := json.Unmarshal(raw, &p); err != nil || p.Status != tc.wantStatus || resp.Header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("answer = %s %s, want a %d problem", resp.Header.Get("Content-Type"), raw, tc.wantStatus)
				}
				return
			}
			if !bytes.Equal(raw, want) {
				t.Errorf("GET returned %d bytes, want the %d bytes of image_data", len(raw), len(want))
			}
			h := resp.Header
			if h.Get("Content-Type") != "image/png" || h.Get("ETag") == "" || h.Get("Content-Length") != strconv.Itoa(len(want)) {
				t.Errorf("headers = %v, want image/png with an ETag and the length", h)
			}
			cc := h.Get("Cache-Control")
			age, err := strconv.Atoi(strings.TrimPrefix(cc, "private, max-age="))
			if err != nil || age <= 0 || age > int(time.Hour/time.Second) {
				t.Errorf("Cache-Control = %q, want private with a max-age within the image's life", cc)
			}
			if tc.token == "" && age > int((10*time.Minute)/time.Second) {
				t.Errorf("signed Cache-Control = %q, want max-age within the URL's validity", cc)
			}
		})
	}

	t.Run("ETag and If-None-Match", func(t *testing.T) {
		resp, _ := st.do(http.MethodGet, signed, "", nil, nil)
		etag := resp.Header.Get("ETag")
		resp, raw := st.do(http.MethodGet, signed, "", nil, http.Header{"If-None-Match": {`"other", ` + etag}})
		if resp.StatusCode != http.StatusNotModified || len(raw) != 0 || resp.Header.Get("ETag") != etag {
			t.Errorf("conditional GET = %d with %d bytes, ETag %q; want 304, no body, %q", resp.StatusCode, len(raw), resp.Header.Get("ETag"), etag)
		}
		resp, _ = st.do(http.MethodGet, signed, "", nil, http.Header{"If-None-Match": {`"other"`}})
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET with a stale ETag = %d, want 200", resp.StatusCode)
		}
	})

	t.Run("expired signature", func(t *testing.T) {
		st.clock.Advance(10*time.Minute + time.Second)
		resp, raw := st.do(http.MethodGet, signed, "", nil, nil)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(raw), "expired") {
			t.Errorf("GET expired URL = %d %s, want 403 naming the expiry", resp.StatusCode, raw)
		}
		if resp, _ := st.do(http.MethodGet, signed, st.token("alice"), nil, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET expired URL with the owner's token = %d, want 200", resp.StatusCode)
		}
	})
}

func TestVerifyURL(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	s := &Service{key: []byte("key"), urlTTL: time.Hour, now: func() time.Time { return now }}
	u, exp := s.signedURL("img_x", now)
	if !exp.Equal(now.Add(time.Hour)) {
		t.Errorf("expiry = %v, want %v", exp, now.Add(time.Hour))
	}
	q, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	e, sig := q.Query().Get("exp"), q.Query().Get("sig")
	tests := []struct {
		name, id, exp, sig string
		at                 time.Time
		want               error
	}{
		{"valid", "img_x", e, sig, now, nil},
		{"just before expiry", "img_x", e, sig, exp.Add(-time.Second), nil},
		{"at expiry", "img_x", e, sig, exp, errURLExpired},
		{"other id", "img_y", e, sig, now, errURLSignature},
		{"other expiry", "img_x", e + "0", sig, now, errURLSignature},
		{"empty", "img_x", "", "", now, errURLSignature},
	}
	for _, tc := range tests {
		s.now = func() time.Time { return tc.at }
		if _, err := s.verifyURL(tc.id, tc.exp, tc.sig); err != tc.want {
			t.Errorf("%s: verifyURL(%s, %s, %s) = %v, want %v", tc.name, tc.id, tc.exp, tc.sig, err, tc.want)
		}
	}
	other := &Service{key: []byte("other key")}
	if other.sign("img_x", e) == sig {
		t.Errorf("a different key gave the same signature")
	}
}

func TestETagMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   bool
	}{
		{`"abc"`, true},
		{`W/"abc"`, true},
		{`"x", "abc"`, true},
		{`*`, true},
		{`"abcd"`, false},
		{``, false},
	}
	for _, tc := range tests {
		if got := etagMatch(tc.header, `"abc"`); got != tc.want {
			t.Errorf("etagMatch(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

func TestStoreError(t *testing.T) {
	t.Parallel()
	id := "img_" + strings.Repeat("0", 32)
	tests := []struct {
		name       string
		err        error
		wantStatus int
	}{
		{"missing image", fmt.Errorf("get %s: %w", id, imagestore.ErrNotFound), http.StatusNotFound},
		{"store down", errors.New("dial tcp: connection refused"), http.StatusServiceUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := httpapi.AsProblem(storeError(id, tc.err))
			if p.Status != tc.wantStatus || strings.Contains(p.Detail, "refused") {
				t.Errorf("storeError(%v) = %d %q, want %d without the cause", tc.err, p.Status, p.Detail, tc.wantStatus)
			}
		})
	}
}
