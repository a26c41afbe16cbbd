package image

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/imagestore"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

var imageIDPattern = regexp.MustCompile(`^img_[0-9a-f]{32}$`)

// Signature failures.
var (
	errURLExpired   = errors.New("signed URL expired")
	errURLSignature = errors.New("signed URL signature invalid")
)

// signedURL returns the relative URL of image id, signed until now+URLTTL.
func (s *Service) signedURL(id string, now time.Time) (string, time.Time) {
	exp := now.Add(s.urlTTL).Truncate(time.Second)
	e := strconv.FormatInt(exp.Unix(), 10)
	q := url.Values{"exp": {e}, "sig": {s.sign(id, e)}}
	return "/api/v2/image/" + id + "?" + q.Encode(), exp.UTC()
}

// sign is the URL signature: HMAC-SHA256 over a purpose label, the image id
// and the expiry, so it cannot be confused with any other use of the key.
func (s *Service) sign(id, exp string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("dnd-llm-service image url v1\n" + id + "\n" + exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verifyURL checks a signature in constant time, then the expiry. It
// returns the expiry of a valid URL.
func (s *Service) verifyURL(id, exp, sig string) (time.Time, error) {
	want := s.sign(id, exp)
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return time.Time{}, errURLSignature
	}
	secs, err := strconv.ParseInt(exp, 10, 64)
	if err != nil {
		return time.Time{}, errURLSignature
	}
	t := time.Unix(secs, 0)
	if !s.now().Before(t) {
		return time.Time{}, errURLExpired
	}
	return t, nil
}

// serveImage answers GET /api/v2/image/{image_id}: the stored bytes with
// their type, an ETag and private caching bounded by the image's (and the
// URL's) remaining life. A valid signed URL needs no token; otherwise the
// bearer token of the owner or an admin is required, and anyone else gets
// the same 404 as for a missing image.
func (s *Service) serveImage(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("image_id")
	if !imageIDPattern.MatchString(id) {
		return imageNotFound(id)
	}
	q := r.URL.Query()
	var (
		signedUntil time.Time
		sigProblem  *httpapi.Problem
		claims      *auth.Claims
	)
	if q.Has("sig") || q.Has("exp") {
		t, err := s.verifyURL(id, q.Get("exp"), q.Get("sig"))
		switch {
		case errors.Is(err, errURLExpired):
			sigProblem = httpapi.NewProblem(httpapi.CodeForbidden, "The signed image URL has expired; fetch a new one or send a bearer token.")
		case err != nil:
			sigProblem = httpapi.NewProblem(httpapi.CodeForbidden, "The image URL signature is invalid.")
		default:
			signedUntil = t
		}
	}
	if signedUntil.IsZero() {
		token, ok := auth.BearerToken(r)
		if !ok {
			if sigProblem != nil {
				return sigProblem
			}
			return httpapi.NewProblem(httpapi.CodeUnauthorized, "A signed URL or a bearer token is required.")
		}
		c, err := s.verifier.Verify(token)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="dnd-llm-service", error="invalid_token"`)
			return httpapi.NewProblem(httpapi.CodeUnauthorized, "The bearer token is invalid or expired.")
		}
		httpapi.SetCaller(r.Context(), c.Subject)
		claims = &c
	}

	info, err := s.store.Get(r.Context(), id)
	if err != nil {
		return storeError(id, err)
	}
	if claims != nil && info.Owner != claims.Subject && !claims.Admin() {
		return imageNotFound(id)
	}
	if !imagestore.AllowedMIME(info.MIME) {
		return imageNotFound(id)
	}

	maxAge := info.TTL
	if !signedUntil.IsZero() {
		maxAge = min(maxAge, signedUntil.Sub(s.now()))
	}
	etag := `"` + info.SHA256 + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", fmt.Sprintf("private, max-age=%d", max(int64(maxAge/time.Second), 0)))
	h.Set("Vary", "Authorization")
	h.Set("Last-Modified", info.Created.UTC().Format(http.TimeFormat))
	if etagMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	data, err := s.store.Data(r.Context(), id)
	if err != nil {
		return storeError(id, err)
	}
	h.Set("Content-Type", info.MIME)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Content-Disposition", `inline; filename="`+id+extension(info.MIME)+`"`)
	w.WriteHeader(http.StatusOK)
	w.Write(data)
	return nil
}

// storeError is the answer to a failed read of image id from the store: the
// 404 of a missing image, or 503 when the store cannot answer.
func storeError(id string, err error) error {
	if errors.Is(err, imagestore.ErrNotFound) {
		return imageNotFound(id)
	}
	return submit.Unavailable(err)
}

func imageNotFound(id string) *httpapi.Problem {
	if len(id) > 64 {
		id = id[:64]
	}
	return httpapi.NewProblem(httpapi.CodeNotFound, "No image "+id+" is visible to you.")
}

// etagMatch reports whether an If-None-Match header matches etag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func etagMatch(header, etag string) bool {
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
		if v == "*" || v == etag {
			return true
		}
	}
	return false
}

func extension(mime string) string {
	switch mime {
	case "image/png":
		return ".png"
	case "image/jpeg":
		return ".jpg"
	case "image/webp":
		return ".webp"
	}
	return ""
}
