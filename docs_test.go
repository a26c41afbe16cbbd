package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
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

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/dndcc/dnd-llm-service/app/apptest"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/getimg/getimgtest"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// TestDocsExamples checks that every request example matches its schema
// and is accepted by its handler.
func TestDocsExamples(t *testing.T) {
	t.Parallel()
	d := apptest.LoadSpec(t)
	s := startService(t, map[string]string{})
	held := startService(t, map[string]string{"TEXT_WORKERS": "0", "IMAGE_WORKERS": "0"})
	tok, admin := servicetest.Token(t, "docs-examples"), servicetest.Token(t, "docs-examples-admin", "admin")
	adminOps := map[string]bool{}
	for _, g := range builtGroups(t) {
		for _, r := range g.Routes {
			adminOps[r.Pattern()] = r.Auth == group.Admin
		}
	}
	seen := 0
	for _, op := range d.Operations() {
		xs := d.Examples(t, op)
		if d.Route(t, op).Operation.RequestBody != nil && len(xs) == 0 {
			t.Errorf("%s has a request body but no example", op)
		}
		for name, body := range xs {
			seen++
			t.Run(op+"/"+name, func(t *testing.T) {
				method, path, _ := strings.Cut(op, " ")
				req, _ := http.NewRequest(method, "http://127.0.0.1"+path, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				in := &openapi3filter.RequestValidationInput{Request: req, Route: d.Route(t, op),
					Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
				if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
					t.Errorf("example does not match the request schema: %v", err)
				}
				base := s.URL
				if path == "/api/v2/queue/prioritize" {
					// Prioritizing needs a queued job: make one where no
					// worker runs it, and name it in the example.
					q := servicetest.Do(t, "POST", held.URL+"/api/v2/text/theme", tok, string(d.FirstExample(t, "POST /api/v2/text/theme")), servicetest.Header("Prefer", "respond-async"))
					var m map[string]any
					_ = json.Unmarshal(body, &m)
					m["job_id"] = q.JSON(t)["id"]
					body, _ = json.Marshal(m)
					base = held.URL
				}
				caller := tok
				if adminOps[op] {
					caller = admin
				}
				x := servicetest.Do(t, method, base+path, caller, string(body))
				if x.Status != http.StatusOK && x.Status != http.StatusAccepted {
					t.Errorf("%s with example %s = %d, want 200 or 202: %.500s", op, name, x.Status, x.Body)
				}
				d.CheckResponse(t, op, x)
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
	run    func(t *testing.T) servicetest.Response
}

// TestDocsResponseStatuses produces every status the document lists for
// every operation, against running services, and checks each answer
// against the document.
func TestDocsResponseStatuses(t *testing.T) {
	t.Parallel()
	d := apptest.LoadSpec(t)

	// Every documented status needs a case below, and every case a
	// documented status.
	documented := map[string]bool{}
	for _, op := range d.Operations() {
		for code := range d.Route(t, op).Operation.Responses.Map() {
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
				if x.Status != c.status {
					t.Fatalf("%s = %d, want %d: %.600s", c.op, x.Status, c.status, x.Body)
				}
				d.CheckResponse(t, c.op, x)
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

	// The generation routes (those under the sync/async contract) and
	// their body caps, as the groups declare them.
	var submits []string
	bodyCap := map[string]int{}
	for _, g := range builtGroups(t) {
		for _, r := range g.Routes {
			if slices.ContainsFunc(r.Doc.Params, func(p apidoc.Param) bool { return p.Ref == "SubmitWait" }) {
				submits = append(submits, r.Pattern())
				bodyCap[r.Pattern()] = int(r.MaxBody)
			}
		}
	}
	path := func(op string) string { _, p, _ := strings.Cut(op, " "); return p }
	example := func(op string) []byte { return d.FirstExample(t, op) }
	withField := func(body []byte, k string, v any) []byte {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		m[k] = v
		b, _ := json.Marshal(m)
		return b
	}
	// invalid is a body the route refuses with 400: {} names no required
	// field, but every field of a whole character is optional.
	invalid := func(op string) []byte {
		if op == "POST /api/v2/characters" {
			return []byte(`{"include":["poem"]}`)
		}
		return []byte(`{}`)
	}
	// single is the route's first example, but a whole character of its
	// sheet alone: one request of the rate limit, as every other route's.
	single := func(op string) []byte {
		if op == "POST /api/v2/characters" {
			return withField(example(op), "include", []string{"sheet"})
		}
		return example(op)
	}
	callers := 0
	fresh := func(prefix string) string {
		mu.Lock()
		defer mu.Unlock()
		callers++
		return servicetest.Token(t, fmt.Sprintf("docs-%s-%d", prefix, callers))
	}

	t.Run("offline", func(t *testing.T) {
		t.Parallel()
		s := startService(t, map[string]string{})
		tok := servicetest.Token(t, "docs-caller")
		// A finished text job and a stored image to look at.
		textJob := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, string(example("POST /api/v2/text/character")))
		if textJob.Status != 200 {
			t.Fatalf("text setup = %d %s", textJob.Status, textJob.Body)
		}
		jobID := textJob.JSON(t)["id"].(string)
		img := servicetest.Do(t, "POST", s.URL+"/api/v2/image/generate", tok, string(example("POST /api/v2/image/generate")))
		if img.Status != 200 {
			t.Fatalf("image setup = %d %s", img.Status, img.Body)
		}
		res := img.JSON(t)["result"].(map[string]any)
		imageID, imageURL := res["image_id"].(string), res["url"].(string)
		get := func(p, tok string, hdr ...string) func(*testing.T) servicetest.Response {
			return func(t *testing.T) servicetest.Response {
				return servicetest.Do(t, "GET", s.URL+p, tok, "", servicetest.Header(hdr...))
			}
		}
		send := func(method, p, tok string, body []byte, hdr ...string) func(*testing.T) servicetest.Response {
			return func(t *testing.T) servicetest.Response {
				return servicetest.Do(t, method, s.URL+p, tok, string(body), servicetest.Header(hdr...))
			}
		}

		var cases []docsCase
		for _, op := range submits {
			p, limit := path(op), bodyCap[op]
			big := append(append([]byte(`{"prompt":"`), bytes.Repeat([]byte("a"), limit)...), `"}`...)
			cases = append(cases,
				docsCase{op, 200, send("POST", p, tok, example(op))},
				docsCase{op, 400, send("POST", p, tok, invalid(op))},
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
			docsCase{imgOp, 200, func(t *testing.T) servicetest.Response {
				x := servicetest.Do(t, "GET", s.URL+imageURL, "", "")
				etag = x.Header.Get("ETag")
				return x
			}},
			docsCase{imgOp, 304, func(t *testing.T) servicetest.Response {
				return servicetest.Do(t, "GET", s.URL+"/api/v2/image/"+imageID, tok, "", servicetest.Header("If-None-Match", etag))
			}},
			docsCase{imgOp, 401, get("/api/v2/image/"+imageID, "")},
			docsCase{imgOp, 403, get("/api/v2/image/"+imageID+"?exp=4102444800&sig=forged", "")},
			docsCase{imgOp, 404, get(missingImage, tok)},

			docsCase{"GET /api/v2/queue/status", 200, get("/api/v2/queue/status", tok)},
			docsCase{"GET /api/v2/queue/status", 400, get("/api/v2/queue/status?job_id=text_x", tok)},
			docsCase{"GET /api/v2/queue/status", 401, get("/api/v2/queue/status", "")},
			docsCase{"GET /api/v2/queue/status", 404, get("/api/v2/queue/status?job_id=text_"+strings.Repeat("0", 24), tok)},

			docsCase{"GET /api/v2/queue/{job_id}", 200, get("/api/v2/queue/"+jobID, tok)},
			docsCase{"GET /api/v2/queue/{job_id}", 400, get("/api/v2/queue/"+jobID+"?wait=soon", tok)},
			docsCase{"GET /api/v2/queue/{job_id}", 401, get("/api/v2/queue/"+jobID, "")},
			docsCase{"GET /api/v2/queue/{job_id}", 404, get("/api/v2/queue/"+jobID, servicetest.Token(t, "docs-someone-else"))},

			docsCase{"DELETE /api/v2/queue/{job_id}", 400, send("DELETE", "/api/v2/queue/"+strings.Repeat("text_", 30), tok, nil)},
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
		)
		const parkedOp, redeliverOp = "GET /api/v2/hub/parked", "POST /api/v2/hub/parked/redeliver"
		admin := servicetest.Token(t, "docs-admin", "admin")
		bigRedeliver := []byte(`{"ids":["` + strings.Repeat("a", 70<<10) + `"]}`)
		cases = append(cases,
			docsCase{parkedOp, 200, get(path(parkedOp)+"?limit=10", admin)},
			docsCase{parkedOp, 400, get(path(parkedOp)+"?status=200", admin)},
			docsCase{parkedOp, 401, get(path(parkedOp), "")},
			docsCase{parkedOp, 403, get(path(parkedOp), tok)},
			docsCase{redeliverOp, 200, send("POST", path(redeliverOp), admin, example(redeliverOp))},
			// "name at least one selector" is beyond what the schema says.
			docsCase{redeliverOp, 400, func(t *testing.T) servicetest.Response {
				return servicetest.Do(t, "POST", s.URL+path(redeliverOp), admin, `{}`, servicetest.BeyondSchema())
			}},
			docsCase{redeliverOp, 401, send("POST", path(redeliverOp), "", example(redeliverOp))},
			docsCase{redeliverOp, 403, send("POST", path(redeliverOp), tok, example(redeliverOp))},
			docsCase{redeliverOp, 413, send("POST", path(redeliverOp), admin, bigRedeliver)},
			docsCase{redeliverOp, 415, send("POST", path(redeliverOp), admin, example(redeliverOp), "Content-Type", "text/plain")},
		)
		const jobsOp, retryOp = "GET /api/v2/queue/jobs", "POST /api/v2/queue/{job_id}/retry"
		retryPath := func(id string) string { return "/api/v2/queue/" + id + "/retry" }
		cases = append(cases,
			docsCase{jobsOp, 200, get(path(jobsOp)+"?status=succeeded&limit=5", admin)},
			docsCase{jobsOp, 400, get(path(jobsOp)+"?status=done", admin)},
			docsCase{jobsOp, 401, get(path(jobsOp), "")},
			docsCase{jobsOp, 403, get(path(jobsOp), tok)},
			docsCase{retryOp, 400, send("POST", retryPath("text_x"), admin, nil)},
			docsCase{retryOp, 401, send("POST", retryPath(jobID), "", nil)},
			docsCase{retryOp, 403, send("POST", retryPath(jobID), tok, nil)},
			docsCase{retryOp, 404, send("POST", retryPath("text_"+strings.Repeat("0", 24)), admin, nil)},
			docsCase{retryOp, 409, send("POST", retryPath(jobID), admin, nil)}, // it succeeded

			docsCase{"GET /health", 200, get("/health", "")},
			docsCase{"GET /livez", 200, get("/livez", "")},
			docsCase{"GET /readyz", 200, get("/readyz", "")},
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
			x := servicetest.Do(t, "POST", s.URL+path(op), tok, string(single(op)), servicetest.Header("Prefer", "respond-async"))
			if x.Status != 202 {
				t.Fatalf("%s (async) = %d %s", op, x.Status, x.Body)
			}
			return x.JSON(t)["id"].(string)
		}
		var cases []docsCase
		for _, op := range submits {
			cases = append(cases,
				docsCase{op, 202, func(t *testing.T) servicetest.Response {
					return servicetest.Do(t, "POST", s.URL+path(op), fresh("async"), string(single(op)), servicetest.Header("Prefer", "respond-async"))
				}},
				docsCase{op, 429, func(t *testing.T) servicetest.Response {
					tok := fresh("limited")
					queued(t, op, tok)
					return servicetest.Do(t, "POST", s.URL+path(op), tok, string(withField(single(op), "priority", "low")))
				}},
				docsCase{op, 409, func(t *testing.T) servicetest.Response {
					// A request waits for its job; the job is canceled.
					tok := fresh("canceled")
					type answer struct {
						x   servicetest.Response
						err error
					}
					done := make(chan answer, 1)
					body := single(op)
					go func() {
						x, err := servicetest.Send("POST", s.URL+path(op)+"?wait=60", tok, string(body))
						done <- answer{x, err}
					}()
					var id string
					servicetest.WaitFor(t, 10*time.Second, "the waiting request's job", func() bool {
						jobs, _ := servicetest.Do(t, "GET", s.URL+"/api/v2/queue/status", tok, "").JSON(t)["jobs"].([]any)
						if len(jobs) == 1 {
							id = jobs[0].(map[string]any)["id"].(string)
						}
						return id != ""
					})
					if c := servicetest.Do(t, "DELETE", s.URL+"/api/v2/queue/"+id, tok, ""); c.Status != 200 {
						t.Fatalf("cancel = %d %s", c.Status, c.Body)
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
			docsCase{"DELETE /api/v2/queue/{job_id}", 200, func(t *testing.T) servicetest.Response {
				tok := fresh("cancel")
				id := queued(t, "POST /api/v2/text/theme", tok)
				return servicetest.Do(t, "DELETE", s.URL+"/api/v2/queue/"+id, tok, "")
			}},
			docsCase{"DELETE /api/v2/queue/{job_id}", 202, func(t *testing.T) servicetest.Response {
				// A worker holds the job and does not stop within the wait.
				tok := fresh("stuck")
				id := queued(t, "POST /api/v2/text/theme", tok)
				q := queue.New(rdb, queue.Config{Name: "text", Prefix: prefix, Lease: 10 * time.Minute})
				if c, err := q.Claim(context.Background(), queue.NewJobID("stuck-worker"), id); err != nil || c.Job == nil {
					t.Fatalf("claim %s: %v %+v", id, err, c)
				}
				return servicetest.Do(t, "DELETE", s.URL+"/api/v2/queue/"+id, tok, "")
			}},
			docsCase{"POST /api/v2/queue/prioritize", 200, func(t *testing.T) servicetest.Response {
				tok := fresh("prio")
				id := queued(t, "POST /api/v2/text/theme", tok)
				return servicetest.Do(t, "POST", s.URL+"/api/v2/queue/prioritize", tok, `{"job_id":"`+id+`","priority":"high"}`)
			}},
			docsCase{"POST /api/v2/queue/{job_id}/retry", 202, func(t *testing.T) servicetest.Response {
				tok := fresh("retry")
				id := queued(t, "POST /api/v2/text/theme", tok)
				if c := servicetest.Do(t, "DELETE", s.URL+"/api/v2/queue/"+id, tok, ""); c.Status != 200 {
					t.Fatalf("cancel = %d %s", c.Status, c.Body)
				}
				return servicetest.Do(t, "POST", s.URL+"/api/v2/queue/"+id+"/retry", servicetest.Token(t, "docs-admin", "admin"), "")
			}},
			docsCase{"POST /api/v2/hub/messages", 429, func(t *testing.T) servicetest.Response {
				tok := fresh("hub")
				msg := example("POST /api/v2/hub/messages")
				if x := servicetest.Do(t, "POST", s.URL+"/api/v2/hub/messages", tok, string(msg)); x.Status != 202 {
					t.Fatalf("first hub message = %d %s", x.Status, x.Body)
				}
				return servicetest.Do(t, "POST", s.URL+"/api/v2/hub/messages", tok, string(msg))
			}},
		)
		runCases(t, cases)
	})

	t.Run("redis lost", func(t *testing.T) {
		t.Parallel()
		proxy, redisURL := startDocsRedisProxy(t)
		_, prefix := redistest.New(t)
		s := startService(t, map[string]string{"REDIS_URL": redisURL, "REDIS_KEY_PREFIX": prefix})
		tok := servicetest.Token(t, "docs-caller")
		proxy.breakDown()
		send := func(method, p string, body []byte) func(*testing.T) servicetest.Response {
			return func(t *testing.T) servicetest.Response { return servicetest.Do(t, method, s.URL+p, tok, string(body)) }
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
			docsCase{"GET /readyz", 503, send("GET", "/readyz", nil)},
		)
		admin := servicetest.Token(t, "docs-admin", "admin")
		asAdmin := func(method, p string, body []byte) func(*testing.T) servicetest.Response {
			return func(t *testing.T) servicetest.Response {
				return servicetest.Do(t, method, s.URL+p, admin, string(body))
			}
		}
		cases = append(cases,
			docsCase{"GET /api/v2/hub/parked", 503, asAdmin("GET", "/api/v2/hub/parked", nil)},
			docsCase{"POST /api/v2/hub/parked/redeliver", 503, asAdmin("POST", "/api/v2/hub/parked/redeliver", []byte(`{"all":true}`))},
			docsCase{"GET /api/v2/queue/jobs", 503, asAdmin("GET", "/api/v2/queue/jobs", nil)},
			docsCase{"POST /api/v2/queue/{job_id}/retry", 503, asAdmin("POST", "/api/v2/queue/"+jobID+"/retry", nil)},
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
		tok := servicetest.Token(t, "docs-caller")
		endpoints := map[string]string{
			"POST /api/v2/image/generate":  getimgtest.PathSDXLText,
			"POST /api/v2/image/transform": getimgtest.PathSDXLImage,
			"POST /api/v2/image/enhance":   getimgtest.PathUpscale,
		}
		failWith := func(op string, status int) func(*testing.T) servicetest.Response {
			return func(t *testing.T) servicetest.Response {
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
					body = d.Examples(t, op)["upscale"]
				}
				return servicetest.Do(t, "POST", s.URL+path(op), tok, string(body), servicetest.Header("Cache-Control", "no-cache"))
			}
		}
		var cases []docsCase
		for _, op := range submits {
			cases = append(cases, docsCase{op, 502, failWith(op, 502)}, docsCase{op, 504, failWith(op, 504)})
		}
		runCases(t, cases)
	})
}
