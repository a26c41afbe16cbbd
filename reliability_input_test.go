package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/getimg/getimgtest"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// smallPNG is a valid 64×64 PNG as base64.
func smallPNG(t testing.TB) string {
	t.Helper()
	return base64.StdEncoding.EncodeToString(getimgtest.EncodePNG(t, getimgtest.Pattern(64, 64, 3)))
}

// unsized hides a reader's length, so the body goes out chunked with no
// Content-Length for the server to refuse up front.
type unsized struct{ r io.Reader }

func (u unsized) Read(p []byte) (int, error) { return u.r.Read(p) }

// TestBadRequests sends hostile and malformed requests through the real
// API. Each gets its 4xx problem, naming the field where there is one;
// none gets a 5xx, and none reaches a provider or the queue.
func TestBadRequests(t *testing.T) {
	t.Parallel()
	oa := openaitest.New(t)
	gi := getimgtest.New(t)
	s := startService(t, map[string]string{
		"OPENAI_BASE_URL": oa.URL(), "OPENAI_API_KEY": "sk-bad-requests-0123456789",
		"GETIMG_BASE_URL": gi.URL(), "GETIMG_API_KEY": getimgtest.APIKey,
	})
	tok := servicetest.Token(t, "hostile-caller")
	png := smallPNG(t)
	zip := base64.StdEncoding.EncodeToString([]byte("PK\x03\x04\x14\x00\x00\x00\x08\x00 not an image at all"))
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	plot, err := os.ReadFile("shared/dnd/testdata/content/campaign_plot.json") // a plot built for 4 level-3 characters
	if err != nil {
		t.Fatal(err)
	}
	linked := func(typ, params string) string {
		return `{"type":"` + typ + `","parameters":{` + params + `},"campaign":` + string(plot) + `}`
	}
	summary := `{"title":"The Crooked Warren","antagonist":{"name":"Rixbit"},"setting":"Wickbrook"}`
	cases := []struct {
		name, method, path, body string
		hdr                      []string
		reader                   io.Reader // sent instead of body, without a length
		status                   int
		field                    string // a field the problem must name ("" for 413/415/403)
	}{
		{"malformed JSON", "POST", "/api/v2/text/character", `{"type":"combat",`, nil, nil, 400, "body"},
		{"trailing garbage", "POST", "/api/v2/text/character", `{"type":"combat"} {"x":1}`, nil, nil, 400, "body"},
		{"JSON nested 20000 deep", "POST", "/api/v2/text/character", deep, nil, nil, 400, "body"},
		{"wrong type of field", "POST", "/api/v2/text/campaign", `{"type":"plot","parameters":{"party_size":"four"}}`, nil, nil, 400, "parameters.party_size"},
		{"number too large for its type", "POST", "/api/v2/text/character", `{"type":"combat","parameters":{"character_level":1e400}}`, nil, nil, 400, ""},
		{"unknown type", "POST", "/api/v2/text/character", `{"type":"poem"}`, nil, nil, 400, "type"},
		{"level out of range", "POST", "/api/v2/text/character", `{"type":"combat","parameters":{"character_level":21}}`, nil, nil, 400, "parameters.character_level"},
		{"negative level", "POST", "/api/v2/text/character", `{"type":"combat","parameters":{"character_level":-3}}`, nil, nil, 400, "parameters.character_level"},
		{"temperature out of range", "POST", "/api/v2/text/character", `{"type":"combat","model":{"temperature":7}}`, nil, nil, 400, "model.temperature"},
		{"party size out of range", "POST", "/api/v2/text/campaign", `{"type":"plot","parameters":{"party_size":1000}}`, nil, nil, 400, "parameters.party_size"},
		{"model outside the chain", "POST", "/api/v2/text/character", `{"type":"combat","model":{"name":"gpt-2"}}`, nil, nil, 400, "model.name"},
		{"linked plot of another party level (parameters)", "POST", "/api/v2/text/campaign", linked("location", `"party_level":5`), nil, nil, 400, "parameters.party_level"},
		{"linked plot of another party level (campaign)", "POST", "/api/v2/text/campaign", linked("location", `"party_level":5`), nil, nil, 400, "campaign.party_level"},
		{"linked plot of another party size", "POST", "/api/v2/text/campaign", linked("quest", `"party_size":6`), nil, nil, 400, "campaign.party_size"},
		{"campaign on a plot request", "POST", "/api/v2/text/campaign", `{"type":"plot","campaign":` + summary + `}`, nil, nil, 400, "campaign"},
		{"campaign with an unknown field", "POST", "/api/v2/text/campaign", `{"type":"event","campaign":{"title":"T","antagonist":{"name":"X"},"setting":"S","villain":"X"}}`, nil, nil, 400, "campaign.villain"},
		{"campaign without its villain", "POST", "/api/v2/text/campaign", `{"type":"event","campaign":{"title":"T","antagonist":{"name":""},"setting":"S"}}`, nil, nil, 400, "campaign.antagonist.name"},
		{"campaign as null", "POST", "/api/v2/text/campaign", `{"type":"dialogue","campaign":null}`, nil, nil, 400, "campaign"},
		{"half a plot", "POST", "/api/v2/text/campaign", `{"type":"quest","campaign":{"title":"T","summary":"S","antagonist":{"name":"X"},"setting":"S"}}`, nil, nil, 400, "campaign.acts"},
		{"null body", "POST", "/api/v2/text/character", `null`, nil, nil, 400, "body"},
		{"empty body", "POST", "/api/v2/text/character", ``, []string{"Content-Type", "application/json"}, nil, 400, "body"},
		{"empty image body", "POST", "/api/v2/image/generate", ``, []string{"Content-Type", "application/json"}, nil, 400, "body"},
		{"2 MB prompt", "POST", "/api/v2/text/character", `{"type":"combat","prompt":"` + strings.Repeat("x", 2<<20) + `"}`, nil, nil, 413, ""},
		{"50 MB body", "POST", "/api/v2/image/enhance", `{"image":"` + strings.Repeat("A", 50<<20) + `"}`, nil, nil, 413, ""},
		{"50 MB body without a length", "POST", "/api/v2/image/enhance", "", nil,
			io.MultiReader(strings.NewReader(`{"image":"`), strings.NewReader(strings.Repeat("A", 50<<20)), strings.NewReader(`"}`)), 413, ""},
		{"wrong Content-Type", "POST", "/api/v2/text/character", personalityBody, []string{"Content-Type", "text/plain"}, nil, 415, ""},
		{"form Content-Type", "POST", "/api/v2/image/generate", `type=x`, []string{"Content-Type", "application/x-www-form-urlencoded"}, nil, 415, ""},
		{"invalid base64", "POST", "/api/v2/image/transform", `{"type":"item_illustration","prompt":"a sword","source_image":"not*base64!"}`, nil, nil, 400, "source_image"},
		{"an image that is a zip", "POST", "/api/v2/image/transform", `{"type":"item_illustration","prompt":"a sword","source_image":"` + zip + `"}`, nil, nil, 400, "source_image"},
		{"PNG claiming 100000x100000", "POST", "/api/v2/image/enhance", `{"image":"` + servicetest.PNGHeaderB64(100000, 100000) + `","enhancements":["upscale"]}`, nil, nil, 400, "image"},
		{"image size out of range", "POST", "/api/v2/image/generate", `{"type":"map_background","prompt":"a keep","size":{"width":100000,"height":256}}`, nil, nil, 400, "size.width"},
		{"unknown image type", "POST", "/api/v2/image/generate", `{"type":"selfie","prompt":"me"}`, nil, nil, 400, "type"},
		{"upscale factor out of range", "POST", "/api/v2/image/enhance", `{"image":"` + png + `","enhancements":["upscale"],"parameters":{"upscale_factor":9}}`, nil, nil, 400, "parameters.upscale_factor"},
		{"strength out of range", "POST", "/api/v2/image/transform", `{"type":"item_illustration","prompt":"a sword","source_image":"` + png + `","strength":2}`, nil, nil, 400, "strength"},
		{"bad priority", "POST", "/api/v2/text/character", `{"type":"combat","priority":"now!"}`, nil, nil, 400, "priority"},
		{"urgent without admin", "POST", "/api/v2/text/character", `{"type":"combat","priority":"urgent"}`, nil, nil, 403, ""},
		{"bad wait", "POST", "/api/v2/text/character?wait=NaN", `{"type":"combat"}`, nil, nil, 400, "wait"},
		{"negative wait", "POST", "/api/v2/text/character?wait=-1", `{"type":"combat"}`, nil, nil, 400, "wait"},
		{"prioritize wrong types", "POST", "/api/v2/queue/prioritize", `{"job_id":42,"priority":true}`, nil, nil, 400, "job_id"},
		{"prioritize unknown priority", "POST", "/api/v2/queue/prioritize", `{"job_id":"text_x","priority":"soonest"}`, nil, nil, 400, "priority"},
		{"job id too long", "GET", "/api/v2/queue/text_" + strings.Repeat("a", 5000), "", nil, nil, 400, "job_id"},
		{"job id of 101 characters", "GET", "/api/v2/queue/text_" + strings.Repeat("a", 96), "", nil, nil, 400, "job_id"},
		{"job id malformed", "GET", "/api/v2/queue/text_0123456789ABCDEF01234567", "", nil, nil, 400, "job_id"},
		{"job id of no queue", "GET", "/api/v2/queue/hub_0123456789abcdef01234567", "", nil, nil, 400, "job_id"},
		{"not a sub-route", "GET", "/api/v2/queue/stats", "", nil, nil, 400, "job_id"},
		{"cancel malformed", "DELETE", "/api/v2/queue/text_x", "", nil, nil, 400, "job_id"},
		{"status malformed job id", "GET", "/api/v2/queue/status?job_id=text_x", "", nil, nil, 400, "job_id"},
		{"prioritize malformed job id", "POST", "/api/v2/queue/prioritize", `{"job_id":"text_x","priority":"high"}`, nil, nil, 400, "job_id"},
		{"wait above 120", "POST", "/api/v2/text/character?wait=121", `{"type":"combat"}`, nil, nil, 400, "wait"},
		{"poll wait above 120", "GET", "/api/v2/queue/text_0123456789abcdef01234567?wait=500", "", nil, nil, 400, "wait"},
		{"usage bad date", "GET", "/api/v2/usage?from=yesterday", "", nil, nil, 400, "from"},
		{"usage range too long", "GET", "/api/v2/usage?from=2020-01-01&to=2026-01-01", "", nil, nil, 400, "to"},
		{"hub envelope malformed", "POST", "/api/v2/hub/messages", `{"message_type":`, nil, nil, 400, ""},
		{"hub unknown message type", "POST", "/api/v2/hub/messages", `{"message_type":"summon","payload":{}}`, nil, nil, 400, ""},
	}
	// Refusals no schema of the API document can say: a second JSON value
	// after the first (the document's validator reads one), the configured
	// model chain, what an image's bytes hold, and a range's length.
	beyondSchema := map[string]bool{
		"trailing garbage": true, "model outside the chain": true, "invalid base64": true,
		"an image that is a zip": true, "PNG claiming 100000x100000": true, "usage range too long": true,
		// A linked plot's party against the parameters, which request types
		// take a campaign, and a villain's name left empty.
		"linked plot of another party level (parameters)": true, "linked plot of another party level (campaign)": true,
		"linked plot of another party size": true, "campaign on a plot request": true, "campaign without its villain": true,
	}
	client := &http.Client{Timeout: time.Minute}
	fivexx := 0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r servicetest.Response
			var err error
			opts := []servicetest.Option{servicetest.Client(client)}
			if beyondSchema[tc.name] {
				opts = append(opts, servicetest.BeyondSchema())
			}
			if tc.reader != nil {
				r, err = servicetest.Send(tc.method, s.URL+tc.path, tok, "", append(opts, servicetest.BodyReader(unsized{tc.reader}))...)
			} else {
				r, err = servicetest.Send(tc.method, s.URL+tc.path, tok, tc.body, append(opts, servicetest.Header(tc.hdr...))...)
			}
			if err != nil {
				t.Fatalf("%s %s: %v", tc.method, tc.path, err)
			}
			if r.Status >= 500 {
				fivexx++
			}
			if r.Status != tc.status {
				t.Fatalf("%s = %d %.300s, want %d", tc.name, r.Status, r.Body, tc.status)
			}
			ct := r.Header.Get("Content-Type")
			if ct != "application/problem+json" && !strings.HasPrefix(tc.path, "/api/v2/hub/") {
				t.Errorf("Content-Type = %q, want application/problem+json", ct)
			}
			if tc.field == "" {
				return
			}
			var named []string
			for _, e := range r.JSON(t)["errors"].([]any) {
				named = append(named, e.(map[string]any)["field"].(string))
			}
			found := false
			for _, f := range named {
				found = found || f == tc.field
			}
			if !found {
				t.Errorf("problem names %v, want %q: %.300s", named, tc.field, r.Body)
			}
		})
	}
	if n := len(oa.Requests()) + len(gi.Requests()); n != 0 {
		t.Errorf("bad requests reached a provider %d times", n)
	}
	st := servicetest.Do(t, "GET", s.URL+"/api/v2/queue/status", tok, "").JSON(t)
	if jobs := st["jobs"].([]any); len(jobs) != 0 {
		t.Errorf("bad requests left jobs: %v", jobs)
	}
	figures(t, "requests_sent", len(cases), "answers_5xx", fivexx, "provider_calls", 0)
}

// hostileTokens are the bearer tokens that must never authenticate.
func hostileTokens(t testing.TB) map[string]string {
	t.Helper()
	now := time.Now()
	good := func() jwt.MapClaims {
		return jwt.MapClaims{"sub": "mallory", "exp": now.Add(time.Hour).Unix(), "scope": "admin"}
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	expired := good()
	expired["exp"] = now.Add(-time.Hour).Unix()
	notYet := good()
	notYet["nbf"] = now.Add(time.Hour).Unix()
	noSub := good()
	delete(noSub, "sub")
	blankSub := good()
	blankSub["sub"] = "   "
	noExp := good()
	delete(noExp, "exp")
	long := good()
	long["pad"] = strings.Repeat("x", 5000)
	return map[string]string{
		"expired":                    sign(jwt.SigningMethodHS256, []byte(servicetest.TestKey), expired),
		"not yet valid":              sign(jwt.SigningMethodHS256, []byte(servicetest.TestKey), notYet),
		"wrong key":                  sign(jwt.SigningMethodHS256, []byte(strings.Repeat("w", 64)), good()),
		"alg none":                   sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good()),
		"RS256":                      sign(jwt.SigningMethodRS256, rsaKey, good()),
		"HS256 with a public key":    sign(jwt.SigningMethodHS256, pubPEM, good()),
		"HS512 with the right key":   sign(jwt.SigningMethodHS512, []byte(servicetest.TestKey), good()),
		"no sub":                     sign(jwt.SigningMethodHS256, []byte(servicetest.TestKey), noSub),
		"blank sub":                  sign(jwt.SigningMethodHS256, []byte(servicetest.TestKey), blankSub),
		"no exp":                     sign(jwt.SigningMethodHS256, []byte(servicetest.TestKey), noExp),
		"over-long (validly signed)": sign(jwt.SigningMethodHS256, []byte(servicetest.TestKey), long),
		"garbage":                    "not-a-jwt",
		"signature stripped":         strings.Join(strings.Split(sign(jwt.SigningMethodHS256, []byte(servicetest.TestKey), good()), ".")[:2], ".") + ".",
	}
}

// TestAuth checks that every protected route refuses every hostile token
// (and no token) with 401, that callers see, cancel and reprioritize only
// their own jobs and images (404 for anyone else's), and that only an
// admin reads another caller's usage.
func TestAuth(t *testing.T) {
	t.Parallel()
	env := map[string]string{"TEXT_WORKERS": "0", "HUB_SERVICE_KEY": "hub-key-for-auth-test", "MESSAGE_HUB_URL": "off"}
	s := startService(t, env)
	routes := []struct{ method, path, body string }{
		{"GET", "/api/v2/queue/status", ""},
		{"GET", "/api/v2/queue/text_0123456789abcdef01234567", ""},
		{"DELETE", "/api/v2/queue/text_0123456789abcdef01234567", ""},
		{"POST", "/api/v2/queue/prioritize", `{"job_id":"text_0123456789abcdef01234567","priority":"high"}`},
		{"POST", "/api/v2/text/character", personalityBody},
		{"POST", "/api/v2/image/generate", `{"type":"map_background","prompt":"a keep"}`},
		{"GET", "/api/v2/image/img_0123456789abcdef0123456789abcdef", ""},
		{"GET", "/api/v2/usage", ""},
		{"POST", "/api/v2/hub/messages", `{"message_type":"generate_text","payload":{"prompt":"hi"}}`},
	}
	toks := hostileTokens(t)
	toks["none"] = ""
	refused := 0
	t.Run("hostile tokens", func(t *testing.T) {
		for name, tk := range toks {
			for _, rt := range routes {
				r := servicetest.Do(t, rt.method, s.URL+rt.path, tk, rt.body)
				if r.Status != 401 {
					t.Errorf("%s token on %s %s = %d %.200s, want 401", name, rt.method, rt.path, r.Status, r.Body)
					continue
				}
				refused++
				if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("%s token on %s %s: WWW-Authenticate = %q", name, rt.method, rt.path, r.Header.Get("WWW-Authenticate"))
				}
			}
		}
		// A wrong service key is no better than a bad token.
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/hub/messages", "", routes[8].body, servicetest.Header("X-Service-Key", "hub-key-for-auth-tesT"))
		if r.Status != 401 {
			t.Errorf("wrong X-Service-Key = %d, want 401", r.Status)
		}
	})

	alice, bob, admin := servicetest.Token(t, "alice"), servicetest.Token(t, "bob"), servicetest.Token(t, "ops", "admin")
	t.Run("ownership", func(t *testing.T) {
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", alice, seeded(9), servicetest.Header("Prefer", "respond-async"))
		if r.Status != 202 {
			t.Fatalf("alice's job = %d %s", r.Status, r.Body)
		}
		id := jobID(r)
		for _, rq := range []struct{ method, path, body string }{
			{"GET", "/api/v2/queue/" + id, ""},
			{"GET", "/api/v2/queue/" + id + "?wait=1", ""},
			{"GET", "/api/v2/queue/status?job_id=" + id, ""},
			{"DELETE", "/api/v2/queue/" + id, ""},
			{"POST", "/api/v2/queue/prioritize", `{"job_id":"` + id + `","priority":"high"}`},
		} {
			got := servicetest.Do(t, rq.method, s.URL+rq.path, bob, rq.body)
			if got.Status != 404 || bytes.Contains(got.Body, []byte("alice")) {
				t.Errorf("bob %s %s = %d %s, want 404 revealing nothing", rq.method, rq.path, got.Status, got.Body)
			}
		}
		if st := servicetest.Do(t, "GET", s.URL+"/api/v2/queue/status", bob, "").JSON(t); len(st["jobs"].([]any)) != 0 {
			t.Errorf("bob's status lists jobs: %v", st["jobs"])
		}
		j := jobOf(t, servicetest.Do(t, "GET", s.URL+"/api/v2/queue/"+id, alice, ""))
		if j["status"] != "queued" || j["priority"] != "normal" {
			t.Errorf("alice's job after bob's attempts = %v", j)
		}
		if r := servicetest.Do(t, "POST", s.URL+"/api/v2/queue/prioritize", alice, `{"job_id":"`+id+`","priority":"high"}`); r.Status != 200 {
			t.Errorf("alice reprioritizes her job = %d %s", r.Status, r.Body)
		}
		if r := servicetest.Do(t, "GET", s.URL+"/api/v2/queue/"+id, admin, ""); r.Status != 200 {
			t.Errorf("admin reads alice's job = %d", r.Status)
		}
		if r := servicetest.Do(t, "DELETE", s.URL+"/api/v2/queue/"+id, alice, ""); r.Status != 200 {
			t.Errorf("alice cancels her job = %d %s", r.Status, r.Body)
		}
	})

	t.Run("images", func(t *testing.T) {
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/image/generate", alice, `{"type":"map_background","prompt":"a keep","size":{"width":256,"height":256}}`)
		if r.Status != 200 {
			t.Fatalf("alice's image = %d %s", r.Status, r.Body)
		}
		res := resultOf(t, r)
		id := res["image_id"].(string)
		if g := servicetest.Do(t, "GET", s.URL+"/api/v2/image/"+id, bob, ""); g.Status != 404 {
			t.Errorf("bob reads alice's image = %d, want 404", g.Status)
		}
		g := servicetest.Do(t, "GET", s.URL+"/api/v2/image/"+id, alice, "")
		if g.Status != 200 || g.Header.Get("Content-Type") != "image/png" || g.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("alice reads her image = %d %q nosniff %q", g.Status, g.Header.Get("Content-Type"), g.Header.Get("X-Content-Type-Options"))
		}
		signed := res["url"].(string)
		if g := servicetest.Do(t, "GET", s.URL+signed, "", ""); g.Status != 200 || !strings.HasPrefix(g.Header.Get("Content-Type"), "image/") {
			t.Errorf("signed URL = %d %q, want the image", g.Status, g.Header.Get("Content-Type"))
		}
		u, _ := url.Parse(signed)
		q := u.Query()
		forged := url.Values{"exp": {q.Get("exp")}, "sig": {"A" + q.Get("sig")[1:]}}
		later := url.Values{"exp": {fmt.Sprint(time.Now().Add(48 * time.Hour).Unix())}, "sig": {q.Get("sig")}}
		past := url.Values{"exp": {fmt.Sprint(time.Now().Add(-time.Minute).Unix())}, "sig": {q.Get("sig")}}
		for name, v := range map[string]url.Values{"forged signature": forged, "extended expiry": later, "past expiry": past} {
			if g := servicetest.Do(t, "GET", s.URL+u.Path+"?"+v.Encode(), "", ""); g.Status != 403 {
				t.Errorf("%s = %d %s, want 403", name, g.Status, g.Body)
			}
		}
		// Only image types are served: a record whose type was changed in
		// the store (the store itself keeps nothing but PNG, JPEG and WebP)
		// is not served, under a valid signature or the owner's token.
		rdb, _ := redistest.New(t)
		key := "{" + env["REDIS_KEY_PREFIX"] + "images}:img:" + id
		if err := rdb.HSet(t.Context(), key, "mime", "text/html", "data", "<script>alert(1)</script>").Err(); err != nil {
			t.Fatal(err)
		}
		for name, g := range map[string]servicetest.Response{"owner": servicetest.Do(t, "GET", s.URL+"/api/v2/image/"+id, alice, ""), "signed": servicetest.Do(t, "GET", s.URL+signed, "", "")} {
			if g.Status != 404 || strings.Contains(string(g.Body), "<script>") {
				t.Errorf("%s reads an image stored as text/html = %d %q %s, want 404", name, g.Status, g.Header.Get("Content-Type"), g.Body)
			}
		}
	})

	t.Run("usage", func(t *testing.T) {
		if r := servicetest.Do(t, "GET", s.URL+"/api/v2/usage?caller=alice", bob, ""); r.Status != 403 {
			t.Errorf("bob reads alice's usage = %d, want 403", r.Status)
		}
		if r := servicetest.Do(t, "GET", s.URL+"/api/v2/usage?caller=*", bob, ""); r.Status != 403 {
			t.Errorf("bob reads everyone's usage = %d, want 403", r.Status)
		}
		if r := servicetest.Do(t, "GET", s.URL+"/api/v2/usage?caller=alice", admin, ""); r.Status != 200 {
			t.Errorf("admin reads alice's usage = %d, want 200", r.Status)
		}
	})
	figures(t, "hostile_tokens", len(toks), "routes", len(routes), "refused_401", refused)
}

// TestOutboundSafety puts URLs pointing at a listener in every request
// field a caller controls. The service fetches none of them: providers are
// called only at their configured base URLs, and images come as base64.
func TestOutboundSafety(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	canary := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		t.Errorf("the service fetched %s %s", r.Method, r.URL)
	}))
	defer canary.Close()
	oa := openaitest.New(t)
	oa.SetDefault(validAnswers(t))
	gi := getimgtest.New(t)
	s := startService(t, map[string]string{
		"OPENAI_BASE_URL": oa.URL(), "OPENAI_API_KEY": "sk-outbound-0123456789",
		"GETIMG_BASE_URL": gi.URL(), "GETIMG_API_KEY": getimgtest.APIKey, "HUB_SERVICE_KEY": "hub-key-outbound",
	})
	tok := servicetest.Token(t, "outbound-caller")
	link := canary.URL + "/x.png"
	reqs := []struct {
		path, body string
		beyond     bool // refused for a model outside the chain, or an image that is a URL
	}{
		{"/api/v2/text/character", `{"type":"backstory","prompt":"see ` + link + `","parameters":{"character_class":"` + link + `","background":"` + link + `"},"theme":{"style":"` + link + `"}}`, false},
		{"/api/v2/text/character", `{"type":"combat","model":{"name":"` + link + `"}}`, true},
		{"/api/v2/text/theme", `{"content":"The knight boarded the ship to Castle Vey.","theme":{"genre":"` + link + `","style":"` + link + `"}}`, false},
		{"/api/v2/image/generate", `{"type":"map_background","prompt":"` + link + `","size":{"width":256,"height":256},"parameters":{"negative_prompt":"` + link + `"}}`, false},
		{"/api/v2/image/transform", `{"type":"item_illustration","prompt":"a sword","source_image":"` + link + `"}`, true},
		{"/api/v2/image/transform", `{"type":"item_illustration","prompt":"a sword","source_image":"data:image/png;base64,` + link + `"}`, true},
		{"/api/v2/image/enhance", `{"image":"` + link + `","enhancements":["upscale"]}`, true},
		{"/api/v2/image/enhance", `{"image":"` + smallPNG(t) + `","enhancements":["style_transfer"],"parameters":{"style_preset":"` + link + `"}}`, false},
		{"/api/v2/hub/messages", `{"message_type":"generate_text","reply_to":"` + link + `","payload":{"prompt":"` + link + `","context":"` + link + `"}}`, false},
	}
	answered := 0
	for _, rq := range reqs {
		opts := []servicetest.Option{servicetest.Header("X-Callback-URL", link, "Referer", link)}
		if rq.beyond {
			opts = append(opts, servicetest.BeyondSchema())
		}
		r := servicetest.Do(t, "POST", s.URL+rq.path+"?wait=30", tok, rq.body, opts...)
		if r.Status >= 500 {
			t.Errorf("POST %s = %d %s", rq.path, r.Status, r.Body)
		}
		if id := jobID(r); id != "" && r.Status == 202 {
			pollFinal(t, s.URL, tok, id, 30*time.Second)
		}
		answered++
	}
	if r := servicetest.Do(t, "GET", s.URL+"/api/v2/queue/"+url.PathEscape(link), tok, ""); r.Status != 400 {
		t.Errorf("GET a job named by a URL = %d, want 400", r.Status)
	}
	for _, c := range gi.Requests() {
		if !strings.HasPrefix(c.Path, "/v1/") {
			t.Errorf("GetImg call to %s", c.Path)
		}
	}
	if len(oa.Requests()) == 0 || len(gi.Requests()) == 0 {
		t.Errorf("providers saw %d and %d calls; the valid requests should have reached them", len(oa.Requests()), len(gi.Requests()))
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the canary was fetched %d times", n)
	}
	figures(t, "requests_sent", answered, "urls_fetched", hits.Load())
}
