package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/dndcc/dnd-llm-service/app"
	"github.com/dndcc/dnd-llm-service/functions/docs"
	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/getimg/getimgtest"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// docsMountHint tells what to do when the document's routes are not served.
const docsMountHint = "add functions/docs's Group to app.Groups"

// docsApp builds the program as FUNCTION=all in server mode and returns
// the route patterns it serves and the Message Hub types it accepts.
func docsApp(t testing.TB) (routes, messageTypes []string) {
	t.Helper()
	_, prefix := redistest.New(t)
	cfg, err := config.Load(func(k string) string {
		return map[string]string{
			"SECRET_KEY": testKey, "REDIS_URL": redistest.URL(), "REDIS_KEY_PREFIX": prefix, "FUNCTION": config.FunctionAll,
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, app.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, r := range a.Routes() {
		routes = append(routes, r.Pattern())
	}
	sort.Strings(routes)
	for _, m := range a.Messages() {
		messageTypes = append(messageTypes, m.Type)
	}
	sort.Strings(messageTypes)
	return routes, messageTypes
}

// docsSpec is the served document, loaded and resolved.
type docsSpec struct{ *openapi3.T }

func loadDocsSpec(t testing.TB) docsSpec {
	t.Helper()
	b, err := docs.Spec()
	if err != nil {
		t.Fatalf("docs.Spec() = %v", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatalf("load /openapi.json: %v", err)
	}
	return docsSpec{doc}
}

// operations lists "METHOD /path" for every documented operation.
func (d docsSpec) operations() []string {
	var out []string
	for path, item := range d.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	sort.Strings(out)
	return out
}

// messageTypes lists the documented Message Hub message types.
func (d docsSpec) messageTypes() []string {
	var out []string
	for _, v := range d.Components.Schemas["HubEnvelope"].Value.Properties["message_type"].Value.Enum {
		out = append(out, v.(string))
	}
	return out
}

// route returns the documented operation "METHOD /path".
func (d docsSpec) route(t testing.TB, op string) *routers.Route {
	t.Helper()
	method, path, _ := strings.Cut(op, " ")
	item := d.Paths.Value(path)
	if item == nil || item.GetOperation(method) == nil {
		t.Fatalf("/openapi.json does not document %s", op)
	}
	return &routers.Route{Spec: d.T, Path: path, PathItem: item, Method: method, Operation: item.GetOperation(method)}
}

// checkResponse validates an answer against what the document says op
// answers with that status: headers, content type and body schema.
func (d docsSpec) checkResponse(t testing.TB, op string, x docsExchange) {
	t.Helper()
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: x.req, Route: d.route(t, op)},
		Status:                 x.resp.Status,
		Header:                 x.resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(x.resp.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s answered %d, which /openapi.json does not describe: %v\nbody: %.600s", op, x.resp.Status, err, x.resp.Body)
	}
}

// docsExchange is one request and its answer.
type docsExchange struct {
	req  *http.Request
	resp response
}

func docsSend(t testing.TB, method, url, tok string, body []byte, hdr ...string) docsExchange {
	t.Helper()
	x, err := docsDo(method, url, tok, body, hdr...)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// docsDo is docsSend for any goroutine.
func docsDo(method, url, tok string, body []byte, hdr ...string) (docsExchange, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return docsExchange{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return docsExchange{}, fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return docsExchange{}, fmt.Errorf("%s %s: read answer: %w", method, url, err)
	}
	return docsExchange{req: req, resp: response{Status: resp.StatusCode, Header: resp.Header, Body: b}}, nil
}

// docsExamples returns the request examples of op, by name, as JSON.
func (d docsSpec) examples(t testing.TB, op string) map[string][]byte {
	t.Helper()
	body := d.route(t, op).Operation.RequestBody
	if body == nil || body.Value == nil {
		return nil
	}
	mt := body.Value.Content.Get("application/json")
	if mt == nil {
		t.Fatalf("%s: request body is not application/json", op)
	}
	out := map[string][]byte{}
	for name, ex := range mt.Examples {
		b, err := json.Marshal(ex.Value.Value)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	return out
}

// firstExample is op's example with the smallest name, for requests that
// need a valid body.
func (d docsSpec) firstExample(t testing.TB, op string) []byte {
	t.Helper()
	xs := d.examples(t, op)
	names := make([]string, 0, len(xs))
	for n := range xs {
		names = append(names, n)
	}
	if len(names) == 0 {
		t.Fatalf("%s has no request example", op)
	}
	sort.Strings(names)
	return xs[names[0]]
}

func TestDocsRoutesMatchSpec(t *testing.T) {
	t.Parallel()
	served, messageTypes := docsApp(t)
	spec := loadDocsSpec(t)
	documented := spec.operations()
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("the service serves %s, but /openapi.json does not document it: describe it in functions/docs/openapigen, then go generate ./functions/docs", r)
		}
	}
	for _, op := range documented {
		if slices.Contains(served, op) {
			continue
		}
		if strings.Contains(op, docs.SpecPath) || strings.Contains(op, docs.UIPath) {
			t.Errorf("/openapi.json documents %s, but FUNCTION=all does not serve it: %s", op, docsMountHint)
			continue
		}
		t.Errorf("/openapi.json documents %s, but FUNCTION=all does not serve it", op)
	}
	if diff := cmpStrings(messageTypes, sortedCopy(spec.messageTypes())); diff != "" {
		t.Errorf("Message Hub types: served %v, documented %v", messageTypes, spec.messageTypes())
	}
}

func sortedCopy(xs []string) []string {
	out := slices.Clone(xs)
	sort.Strings(out)
	return out
}

func cmpStrings(a, b []string) string {
	if slices.Equal(a, b) {
		return ""
	}
	return fmt.Sprintf("%v != %v", a, b)
}

func TestDocsSpecIsValidOpenAPI(t *testing.T) {
	t.Parallel()
	d := loadDocsSpec(t)
	if d.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", d.OpenAPI)
	}
	if err := d.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("/openapi.json is not a valid OpenAPI document: %v", err)
	}
	bearer := d.Components.SecuritySchemes["bearerAuth"]
	if bearer == nil || bearer.Value.Type != "http" || bearer.Value.Scheme != "bearer" || bearer.Value.BearerFormat != "JWT" {
		t.Errorf("bearerAuth = %+v, want an http bearer JWT scheme", bearer)
	}
	if len(d.Security) != 1 || d.Security[0]["bearerAuth"] == nil {
		t.Errorf("document security = %v, want bearerAuth", d.Security)
	}
	public := []string{"GET /health", "GET /metrics", "GET " + docs.SpecPath, "GET " + docs.UIPath, "GET " + docs.UIPath + "/{file}"}
	for _, op := range d.operations() {
		o := d.route(t, op).Operation
		isPublic := o.Security != nil && len(*o.Security) == 0
		if isPublic != slices.Contains(public, op) {
			t.Errorf("%s: public = %v, want %v", op, isPublic, !isPublic)
		}
	}
	codes := d.Components.Schemas["Problem"].Value.Properties["code"].Value.Enum
	var got []string
	for _, c := range codes {
		got = append(got, c.(string))
	}
	var want []string
	for c := range httpapi.Codes() {
		want = append(want, c)
	}
	if diff := cmpStrings(sortedCopy(want), sortedCopy(got)); diff != "" {
		t.Errorf("Problem.code enum differs from httpapi.Codes(): %s", diff)
	}
}

// TestDocsExamples checks that every request example matches its schema
// and is accepted by its handler.
func TestDocsExamples(t *testing.T) {
	t.Parallel()
	d := loadDocsSpec(t)
	s := startService(t, map[string]string{})
	held := startService(t, map[string]string{"TEXT_WORKERS": "0", "IMAGE_WORKERS": "0"})
	tok := token(t, "docs-examples")
	seen := 0
	for _, op := range d.operations() {
		xs := d.examples(t, op)
		if d.route(t, op).Operation.RequestBody != nil && len(xs) == 0 {
			t.Errorf("%s has a request body but no example", op)
		}
		for name, body := range xs {
			seen++
			t.Run(op+"/"+name, func(t *testing.T) {
				method, path, _ := strings.Cut(op, " ")
				req, _ := http.NewRequest(method, "http://127.0.0.1"+path, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				in := &openapi3filter.RequestValidationInput{Request: req, Route: d.route(t, op),
					Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
				if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
					t.Errorf("example does not match the request schema: %v", err)
				}
				base := s.URL
				if path == "/api/v2/queue/prioritize" {
					// Prioritizing needs a queued job: make one where no
					// worker runs it, and name it in the example.
					q := docsSend(t, "POST", held.URL+"/api/v2/text/theme", tok, d.firstExample(t, "POST /api/v2/text/theme"), "Prefer", "respond-async")
					var m map[string]any
					_ = json.Unmarshal(body, &m)
					m["job_id"] = q.resp.JSON(t)["id"]
					body, _ = json.Marshal(m)
					base = held.URL
				}
				x := docsSend(t, method, base+path, tok, body)
				if x.resp.Status != http.StatusOK && x.resp.Status != http.StatusAccepted {
					t.Errorf("%s with example %s = %d, want 200 or 202: %.500s", op, name, x.resp.Status, x.resp.Body)
				}
				d.checkResponse(t, op, x)
			})
		}
	}
	if seen == 0 {
		t.Fatal("the document has no request examples")
	}
}

// docsRedisProxy forwards TCP connections to the test Redis until it is
// broken, so a service can lose its Redis mid-test.
type docsRedisProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

// startDocsRedisProxy returns the proxy and a Redis URL through it.
func startDocsRedisProxy(t testing.TB) (*docsRedisProxy, string) {
	t.Helper()
	u, err := url.Parse(redistest.URL())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &docsRedisProxy{ln: ln, target: u.Host}
	go p.serve()
	t.Cleanup(p.breakDown)
	u.Host = ln.Addr().String()
	return p, u.String()
}

func (p *docsRedisProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { io.Copy(up, c); up.Close() }()
		go func() { io.Copy(c, up); c.Close() }()
	}
}

// breakDown closes the listener and every connection: Redis is gone.
func (p *docsRedisProxy) breakDown() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// docsCase produces one documented status of one operation.
type docsCase struct {
	op     string
	status int
	run    func(t *testing.T) docsExchange
}

// TestDocsResponseStatuses produces every status the document lists for
// every operation, against running services, and checks each answer
// against the document.
func TestDocsResponseStatuses(t *testing.T) {
	t.Parallel()
	d := loadDocsSpec(t)

	// Every documented status needs a case below, and every case a
	// documented status.
	documented := map[string]bool{}
	for _, op := range d.operations() {
		for code := range d.route(t, op).Operation.Responses.Map() {
			if code != "default" {
				documented[op+" "+code] = true
			}
		}
	}
	var mu sync.Mutex
	covered := map[string]bool{}
	runCases := func(t *testing.T, cases []docsCase) {
		for _, c := range cases {
			key := c.op + " " + strconv.Itoa(c.status)
			mu.Lock()
			covered[key] = true
			mu.Unlock()
			if !documented[key] {
				t.Errorf("%s: a case produces %d, which /openapi.json does not document", c.op, c.status)
			}
			t.Run(key, func(t *testing.T) {
				x := c.run(t)
				if x.resp.Status != c.status {
					t.Fatalf("%s = %d, want %d: %.600s", c.op, x.resp.Status, c.status, x.resp.Body)
				}
				d.checkResponse(t, c.op, x)
			})
		}
	}
	t.Cleanup(func() {
		var missing []string
		for key := range documented {
			if !covered[key] {
				missing = append(missing, key)
			}
		}
		sort.Strings(missing)
		for _, key := range missing {
			t.Errorf("no case produces the documented answer %s", key)
		}
	})

	submits := []string{
		"POST /api/v2/text/character", "POST /api/v2/text/campaign", "POST /api/v2/text/theme",
		"POST /api/v2/image/generate", "POST /api/v2/image/transform", "POST /api/v2/image/enhance",
	}
	path := func(op string) string { _, p, _ := strings.Cut(op, " "); return p }
	example := func(op string) []byte { return d.firstExample(t, op) }
	withField := func(body []byte, k string, v any) []byte {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		m[k] = v
		b, _ := json.Marshal(m)
		return b
	}
	callers := 0
	fresh := func(prefix string) string {
		mu.Lock()
		defer mu.Unlock()
		callers++
		return token(t, fmt.Sprintf("docs-%s-%d", prefix, callers))
	}

	t.Run("offline", func(t *testing.T) {
		t.Parallel()
		s := startService(t, map[string]string{})
		tok := token(t, "docs-caller")
		// A finished text job and a stored image to look at.
		textJob := docsSend(t, "POST", s.URL+"/api/v2/text/character", tok, example("POST /api/v2/text/character"))
		if textJob.resp.Status != 200 {
			t.Fatalf("text setup = %d %s", textJob.resp.Status, textJob.resp.Body)
		}
		jobID := textJob.resp.JSON(t)["id"].(string)
		img := docsSend(t, "POST", s.URL+"/api/v2/image/generate", tok, example("POST /api/v2/image/generate"))
		if img.resp.Status != 200 {
			t.Fatalf("image setup = %d %s", img.resp.Status, img.resp.Body)
		}
		res := img.resp.JSON(t)["result"].(map[string]any)
		imageID, imageURL := res["image_id"].(string), res["url"].(string)
		get := func(p, tok string, hdr ...string) func(*testing.T) docsExchange {
			return func(t *testing.T) docsExchange { return docsSend(t, "GET", s.URL+p, tok, nil, hdr...) }
		}
		send := func(method, p, tok string, body []byte, hdr ...string) func(*testing.T) docsExchange {
			return func(t *testing.T) docsExchange { return docsSend(t, method, s.URL+p, tok, body, hdr...) }
		}

		var cases []docsCase
		for _, op := range submits {
			p, limit := path(op), 1<<20
			if strings.Contains(op, "/image/") {
				limit = 16 << 20
			}
			big := append(append([]byte(`{"prompt":"`), bytes.Repeat([]byte("a"), limit)...), `"}`...)
			cases = append(cases,
				docsCase{op, 200, send("POST", p, tok, example(op))},
				docsCase{op, 400, send("POST", p, tok, []byte(`{}`))},
				docsCase{op, 401, send("POST", p, "", example(op))},
				docsCase{op, 403, send("POST", p, tok, withField(example(op), "priority", "urgent"))},
				docsCase{op, 413, send("POST", p, tok, big)},
				docsCase{op, 415, send("POST", p, tok, example(op), "Content-Type", "text/plain")},
			)
		}
		const imgOp = "GET /api/v2/image/{image_id}"
		missingImage := "/api/v2/image/img_" + strings.Repeat("0", 32)
		var etag string
		cases = append(cases,
			docsCase{imgOp, 200, func(t *testing.T) docsExchange {
				x := docsSend(t, "GET", s.URL+imageURL, "", nil)
				etag = x.resp.Header.Get("ETag")
				return x
			}},
			docsCase{imgOp, 304, func(t *testing.T) docsExchange {
				return docsSend(t, "GET", s.URL+"/api/v2/image/"+imageID, tok, nil, "If-None-Match", etag)
			}},
			docsCase{imgOp, 401, get("/api/v2/image/"+imageID, "")},
			docsCase{imgOp, 403, get("/api/v2/image/"+imageID+"?exp=4102444800&sig=forged", "")},
			docsCase{imgOp, 404, get(missingImage, tok)},

			docsCase{"GET /api/v2/queue/status", 200, get("/api/v2/queue/status", tok)},
			docsCase{"GET /api/v2/queue/status", 401, get("/api/v2/queue/status", "")},
			docsCase{"GET /api/v2/queue/status", 404, get("/api/v2/queue/status?job_id=text_"+strings.Repeat("0", 24), tok)},

			docsCase{"GET /api/v2/queue/{job_id}", 200, get("/api/v2/queue/"+jobID, tok)},
			docsCase{"GET /api/v2/queue/{job_id}", 400, get("/api/v2/queue/"+jobID+"?wait=soon", tok)},
			docsCase{"GET /api/v2/queue/{job_id}", 401, get("/api/v2/queue/"+jobID, "")},
			docsCase{"GET /api/v2/queue/{job_id}", 404, get("/api/v2/queue/"+jobID, token(t, "docs-someone-else"))},

			docsCase{"DELETE /api/v2/queue/{job_id}", 401, send("DELETE", "/api/v2/queue/"+jobID, "", nil)},
			docsCase{"DELETE /api/v2/queue/{job_id}", 404, send("DELETE", "/api/v2/queue/text_"+strings.Repeat("0", 24), tok, nil)},
			docsCase{"DELETE /api/v2/queue/{job_id}", 409, send("DELETE", "/api/v2/queue/"+jobID, tok, nil)},
		)
		const prio = "POST /api/v2/queue/prioritize"
		prioBody := func(id, p string) []byte { return []byte(`{"job_id":"` + id + `","priority":"` + p + `"}`) }
		cases = append(cases,
			docsCase{prio, 400, send("POST", path(prio), tok, prioBody(jobID, "soon"))},
			docsCase{prio, 401, send("POST", path(prio), "", prioBody(jobID, "high"))},
			docsCase{prio, 403, send("POST", path(prio), tok, prioBody(jobID, "urgent"))},
			docsCase{prio, 404, send("POST", path(prio), tok, prioBody("text_"+strings.Repeat("0", 24), "high"))},
			docsCase{prio, 409, send("POST", path(prio), tok, prioBody(jobID, "high"))},
			docsCase{prio, 413, send("POST", path(prio), tok, prioBody(strings.Repeat("a", 70<<10), "high"))},
			docsCase{prio, 415, send("POST", path(prio), tok, prioBody(jobID, "high"), "Content-Type", "text/plain")},

			docsCase{"GET /api/v2/usage", 200, get("/api/v2/usage", tok)},
			docsCase{"GET /api/v2/usage", 400, get("/api/v2/usage?from=2026-13-01", tok)},
			docsCase{"GET /api/v2/usage", 401, get("/api/v2/usage", "")},
			docsCase{"GET /api/v2/usage", 403, get("/api/v2/usage?caller=someone-else", tok)},
		)
		const hubOp = "POST /api/v2/hub/messages"
		hubMsg := example(hubOp)
		urgent := []byte(`{"message_type":"character_content","payload":{"type":"personality","priority":"urgent"}}`)
		hugeHub := append(append([]byte(`{"message_type":"generate_text","payload":{"prompt":"`), bytes.Repeat([]byte("a"), 1<<20)...), `"}}`...)
		cases = append(cases,
			docsCase{hubOp, 202, send("POST", path(hubOp), tok, hubMsg)},
			docsCase{hubOp, 400, send("POST", path(hubOp), tok, []byte(`{"payload":{}}`))},
			docsCase{hubOp, 401, send("POST", path(hubOp), "", hubMsg)},
			docsCase{hubOp, 403, send("POST", path(hubOp), tok, urgent)},
			docsCase{hubOp, 413, send("POST", path(hubOp), tok, hugeHub)},
			docsCase{hubOp, 415, send("POST", path(hubOp), tok, hubMsg, "Content-Type", "text/plain")},

			docsCase{"GET /health", 200, get("/health", "")},
			docsCase{"GET /metrics", 200, get("/metrics", "")},
			docsCase{"GET /openapi.json", 200, get("/openapi.json", "")},
			docsCase{"GET /docs", 200, get("/docs", "")},
			docsCase{"GET /docs/{file}", 200, get("/docs/swagger-ui.css", "")},
			docsCase{"GET /docs/{file}", 404, get("/docs/no-such-file.js", "")},
		)
		runCases(t, cases)
	})

	t.Run("no workers", func(t *testing.T) {
		t.Parallel()
		rdb, prefix := redistest.New(t)
		s := startService(t, map[string]string{
			"REDIS_URL": redistest.URL(), "REDIS_KEY_PREFIX": prefix,
			"TEXT_WORKERS": "0", "IMAGE_WORKERS": "0", "TEXT_RATE_LIMIT": "1", "IMAGE_RATE_LIMIT": "1",
		})
		// queued submits a job nobody runs and returns its id.
		queued := func(t *testing.T, op, tok string) string {
			x := docsSend(t, "POST", s.URL+path(op), tok, example(op), "Prefer", "respond-async")
			if x.resp.Status != 202 {
				t.Fatalf("%s (async) = %d %s", op, x.resp.Status, x.resp.Body)
			}
			return x.resp.JSON(t)["id"].(string)
		}
		var cases []docsCase
		for _, op := range submits {
			cases = append(cases,
				docsCase{op, 202, func(t *testing.T) docsExchange {
					return docsSend(t, "POST", s.URL+path(op), fresh("async"), example(op), "Prefer", "respond-async")
				}},
				docsCase{op, 429, func(t *testing.T) docsExchange {
					tok := fresh("limited")
					queued(t, op, tok)
					return docsSend(t, "POST", s.URL+path(op), tok, withField(example(op), "priority", "low"))
				}},
				docsCase{op, 409, func(t *testing.T) docsExchange {
					// A request waits for its job; the job is canceled.
					tok := fresh("canceled")
					type answer struct {
						x   docsExchange
						err error
					}
					done := make(chan answer, 1)
					body := example(op)
					go func() {
						x, err := docsDo("POST", s.URL+path(op)+"?wait=60", tok, body)
						done <- answer{x, err}
					}()
					var id string
					docsWaitFor(t, 10*time.Second, func() bool {
						jobs, _ := docsSend(t, "GET", s.URL+"/api/v2/queue/status", tok, nil).resp.JSON(t)["jobs"].([]any)
						if len(jobs) == 1 {
							id = jobs[0].(map[string]any)["id"].(string)
						}
						return id != ""
					})
					if c := docsSend(t, "DELETE", s.URL+"/api/v2/queue/"+id, tok, nil); c.resp.Status != 200 {
						t.Fatalf("cancel = %d %s", c.resp.Status, c.resp.Body)
					}
					a := <-done
					if a.err != nil {
						t.Fatal(a.err)
					}
					return a.x
				}},
			)
		}
		cases = append(cases,
			docsCase{"DELETE /api/v2/queue/{job_id}", 200, func(t *testing.T) docsExchange {
				tok := fresh("cancel")
				id := queued(t, "POST /api/v2/text/theme", tok)
				return docsSend(t, "DELETE", s.URL+"/api/v2/queue/"+id, tok, nil)
			}},
			docsCase{"DELETE /api/v2/queue/{job_id}", 202, func(t *testing.T) docsExchange {
				// A worker holds the job and does not stop within the wait.
				tok := fresh("stuck")
				id := queued(t, "POST /api/v2/text/theme", tok)
				q := queue.New(rdb, queue.Config{Name: "text", Prefix: prefix, Lease: 10 * time.Minute})
				if c, err := q.Claim(context.Background(), queue.NewJobID("stuck-worker"), id); err != nil || c.Job == nil {
					t.Fatalf("claim %s: %v %+v", id, err, c)
				}
				return docsSend(t, "DELETE", s.URL+"/api/v2/queue/"+id, tok, nil)
			}},
			docsCase{"POST /api/v2/queue/prioritize", 200, func(t *testing.T) docsExchange {
				tok := fresh("prio")
				id := queued(t, "POST /api/v2/text/theme", tok)
				return docsSend(t, "POST", s.URL+"/api/v2/queue/prioritize", tok, []byte(`{"job_id":"`+id+`","priority":"high"}`))
			}},
			docsCase{"POST /api/v2/hub/messages", 429, func(t *testing.T) docsExchange {
				tok := fresh("hub")
				msg := example("POST /api/v2/hub/messages")
				if x := docsSend(t, "POST", s.URL+"/api/v2/hub/messages", tok, msg); x.resp.Status != 202 {
					t.Fatalf("first hub message = %d %s", x.resp.Status, x.resp.Body)
				}
				return docsSend(t, "POST", s.URL+"/api/v2/hub/messages", tok, msg)
			}},
		)
		runCases(t, cases)
	})

	t.Run("redis lost", func(t *testing.T) {
		t.Parallel()
		proxy, redisURL := startDocsRedisProxy(t)
		_, prefix := redistest.New(t)
		s := startService(t, map[string]string{"REDIS_URL": redisURL, "REDIS_KEY_PREFIX": prefix})
		tok := token(t, "docs-caller")
		proxy.breakDown()
		send := func(method, p string, body []byte) func(*testing.T) docsExchange {
			return func(t *testing.T) docsExchange { return docsSend(t, method, s.URL+p, tok, body) }
		}
		jobID := "text_" + strings.Repeat("0", 24)
		var cases []docsCase
		for _, op := range submits {
			cases = append(cases, docsCase{op, 503, send("POST", path(op), example(op))})
		}
		cases = append(cases,
			docsCase{"GET /api/v2/image/{image_id}", 503, send("GET", "/api/v2/image/img_"+strings.Repeat("0", 32), nil)},
			docsCase{"GET /api/v2/queue/status", 503, send("GET", "/api/v2/queue/status", nil)},
			docsCase{"GET /api/v2/queue/{job_id}", 503, send("GET", "/api/v2/queue/"+jobID, nil)},
			docsCase{"DELETE /api/v2/queue/{job_id}", 503, send("DELETE", "/api/v2/queue/"+jobID, nil)},
			docsCase{"POST /api/v2/queue/prioritize", 503, send("POST", "/api/v2/queue/prioritize", []byte(`{"job_id":"`+jobID+`","priority":"high"}`))},
			docsCase{"GET /api/v2/usage", 503, send("GET", "/api/v2/usage", nil)},
			docsCase{"POST /api/v2/hub/messages", 503, send("POST", "/api/v2/hub/messages", example("POST /api/v2/hub/messages"))},
			docsCase{"GET /health", 503, send("GET", "/health", nil)},
		)
		runCases(t, cases)
	})

	t.Run("failing providers", func(t *testing.T) {
		t.Parallel()
		oa := openaitest.New(t)
		gi := getimgtest.New(t)
		s := startService(t, map[string]string{
			"OPENAI_BASE_URL": oa.URL(), "OPENAI_API_KEY": "sk-docs-test-0123456789", "OPENAI_MODELS": "gpt-4o",
			"OPENAI_MAX_RETRIES": "0", "OPENAI_REQUEST_TIMEOUT": "0.3",
			"GETIMG_BASE_URL": gi.URL(), "GETIMG_API_KEY": getimgtest.APIKey, "GETIMG_REQUEST_TIMEOUT": "0.3",
			"JOB_MAX_ATTEMPTS": "1",
		})
		tok := token(t, "docs-caller")
		endpoints := map[string]string{
			"POST /api/v2/image/generate":  getimgtest.PathSDXLText,
			"POST /api/v2/image/transform": getimgtest.PathSDXLImage,
			"POST /api/v2/image/enhance":   getimgtest.PathUpscale,
		}
		failWith := func(op string, status int) func(*testing.T) docsExchange {
			return func(t *testing.T) docsExchange {
				if ep, ok := endpoints[op]; ok {
					if status == 502 {
						gi.Push(ep, getimgtest.ErrorReply(400, "invalid_parameter", "width must be a multiple of 64"))
					} else {
						slow := getimgtest.ErrorReply(500, "slow", "never sent")
						slow.Delay = 30 * time.Second
						gi.Push(ep, slow, slow, slow) // the client tries 3 times
					}
				} else if status == 502 {
					oa.Push("gpt-4o", openaitest.Error(400, "invalid_request_error", "", "The request is invalid."))
				} else {
					slow := openaitest.Completion("gpt-4o", "{}", 1, 1)
					slow.Delay = 30 * time.Second
					oa.Push("gpt-4o", slow) // one attempt: OPENAI_MAX_RETRIES=0, one model
				}
				body := example(op)
				if op == "POST /api/v2/image/enhance" {
					body = d.examples(t, op)["upscale"]
				}
				return docsSend(t, "POST", s.URL+path(op), tok, body, "Cache-Control", "no-cache")
			}
		}
		var cases []docsCase
		for _, op := range submits {
			cases = append(cases, docsCase{op, 502, failWith(op, 502)}, docsCase{op, 504, failWith(op, 504)})
		}
		runCases(t, cases)
	})
}

// docsWaitFor polls cond until it holds or d passes.
func docsWaitFor(t testing.TB, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
