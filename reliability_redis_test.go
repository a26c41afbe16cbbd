package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
)

// redisAnswerBound is the longest any request may take while Redis is
// unreachable: the bounded Redis timeouts, not the client, end it.
const redisAnswerBound = 6 * time.Second

// outageProbe sends a mix of requests while Redis is broken and checks each
// answer: a 503 problem (or a success, if it got through) within
// redisAnswerBound, never a hang, a 500 or a cut connection.
type outageProbe struct {
	t      *testing.T
	base   string
	tok    string
	client *http.Client
	tally  *tally
	mu     sync.Mutex
	slow   time.Duration // the slowest answer
	bad    []string
	health map[int]int // /health statuses
}

func newOutageProbe(t *testing.T, base, tok string) *outageProbe {
	return &outageProbe{
		t: t, base: base, tok: tok, tally: newTally(), health: map[int]int{},
		client: &http.Client{Timeout: 3 * redisAnswerBound},
	}
}

// round sends one of each request concurrently and waits for the answers.
func (p *outageProbe) round(seed int) {
	reqs := []struct{ method, path, body string }{
		{"GET", "/health", ""},
		{"POST", "/api/v2/text/character", seeded(seed)},
		{"POST", "/api/v2/text/character?wait=0", seeded(seed + 1)},
		{"GET", "/api/v2/queue/status", ""},
		{"GET", "/api/v2/queue/text_000000000000000000000000", ""},
		{"GET", "/api/v2/usage", ""},
	}
	var wg sync.WaitGroup
	for _, rq := range reqs {
		wg.Go(func() {
			tok := p.tok
			if rq.path == "/health" {
				tok = ""
			}
			start := time.Now()
			r, err := servicetest.Send(rq.method, p.base+rq.path, tok, rq.body, servicetest.Client(p.client))
			d := time.Since(start)
			p.tally.add(r.Status, err)
			p.mu.Lock()
			defer p.mu.Unlock()
			p.slow = max(p.slow, d)
			if rq.path == "/health" && err == nil {
				p.health[r.Status]++
			}
			switch {
			case err != nil:
				p.bad = append(p.bad, fmt.Sprintf("%s %s: %v after %v", rq.method, rq.path, err, d))
			case d > redisAnswerBound:
				p.bad = append(p.bad, fmt.Sprintf("%s %s: answered %d after %v", rq.method, rq.path, r.Status, d))
			case r.Status >= 500 && r.Status != 503:
				p.bad = append(p.bad, fmt.Sprintf("%s %s: %d %s", rq.method, rq.path, r.Status, r.Body))
			case r.Status == 503 && rq.path != "/health" && (r.Header.Get("Content-Type") != "application/problem+json" ||
				!strings.Contains(string(r.Body), `"code":"SERVICE_UNAVAILABLE"`) || r.Header.Get("Retry-After") == ""):
				p.bad = append(p.bad, fmt.Sprintf("%s %s: 503 without a SERVICE_UNAVAILABLE problem and Retry-After: %s", rq.method, rq.path, r.Body))
			}
		})
	}
	wg.Wait()
}

func (p *outageProbe) check(phase string) {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range p.bad {
		p.t.Errorf("%s: %s", phase, b)
	}
	p.t.Logf("%s: %s; slowest answer %v; /health %v", phase, p.tally, p.slow.Round(time.Millisecond), p.health)
}

// TestRedisFaults breaks the service's Redis three ways (every connection
// killed, the server frozen, the server killed and restarted) while jobs
// run. During each fault every request answers within a bound, with a 503
// problem when it needs Redis, and /health says unhealthy; afterwards the
// same process serves again without a restart, and every job accepted
// before the fault succeeds.
func TestRedisFaults(t *testing.T) {
	servicetest.SkipShort(t, "fault: the service's Redis killed, frozen and restarted under load")
	t.Parallel()
	rs := startOwnRedis(t)
	content := personalityContent(t)
	fake := openaitest.New(t)
	var calls atomic.Int32
	fake.SetDefault(func(req goopenai.ChatCompletionRequest) openaitest.Reply {
		calls.Add(1)
		r := openaitest.Completion(req.Model, content, 10, 10)
		r.Delay = 300 * time.Millisecond
		return r
	})
	s := startService(t, map[string]string{
		"REDIS_URL": rs.URL(), "REDIS_KEY_PREFIX": "rel:",
		"OPENAI_BASE_URL": fake.URL(), "OPENAI_API_KEY": "sk-redis-fault-0123456789",
		"OPENAI_MODELS": "gpt-4o", "TEXT_WORKERS": "2", "JOB_LEASE": "3s", "TEXT_RATE_LIMIT": "10000",
	})
	tok := servicetest.Token(t, "redis-fault-caller")
	var accepted []string
	seed := 5000
	enqueue := func(n int) {
		t.Helper()
		for range n {
			seed++
			r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, seeded(seed), servicetest.Header("Prefer", "respond-async"))
			if r.Status != 202 && r.Status != 200 {
				t.Fatalf("enqueue before the fault = %d %s", r.Status, r.Body)
			}
			accepted = append(accepted, jobID(r))
		}
	}
	healthy := func(phase string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			h, err := servicetest.Send("GET", s.URL+"/health", "", "")
			if err == nil && h.Status == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: /health = %d %v %s, want 200 again without a restart", phase, h.Status, err, h.Body)
			}
			time.Sleep(100 * time.Millisecond)
		}
		seed += 10
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, seeded(seed))
		if r.Status != 200 {
			t.Fatalf("%s: a request after recovery = %d %s, want 200", phase, r.Status, r.Body)
		}
		accepted = append(accepted, jobID(r))
	}

	t.Run("client kill", func(t *testing.T) {
		enqueue(8)
		p := newOutageProbe(t, s.URL, tok)
		killed := rs.clientKill(t)
		if killed == 0 {
			t.Fatalf("CLIENT KILL killed no connection")
		}
		p.round(100)
		rs.clientKill(t)
		p.round(200)
		p.check("after CLIENT KILL")
		if n := p.tally.fivexx(); n > 0 {
			t.Errorf("5xx answers after CLIENT KILL = %d (%s), want none: the pool reconnects", n, p.tally)
		}
		healthy("client kill")
		figures(t, "connections_killed", killed, "requests_sent", p.tally.total(), "answers", fmt.Sprint(p.tally.byStatus),
			"transport_errors", len(p.tally.errs), "slowest", p.slow.Round(time.Millisecond))
	})

	t.Run("frozen", func(t *testing.T) {
		enqueue(8)
		p := newOutageProbe(t, s.URL, tok)
		rs.freeze()
		p.round(300)
		p.round(400)
		rs.thaw()
		p.check("while frozen")
		if p.health[503] == 0 {
			t.Errorf("/health during the freeze = %v, want 503 unhealthy", p.health)
		}
		healthy("frozen")
		figures(t, "answers", fmt.Sprint(p.tally.byStatus), "transport_errors", len(p.tally.errs),
			"slowest", p.slow.Round(time.Millisecond), "health", fmt.Sprint(p.health))
	})

	t.Run("down and restarted", func(t *testing.T) {
		enqueue(8)
		p := newOutageProbe(t, s.URL, tok)
		rs.kill()
		down := time.Now()
		for i := 0; time.Since(down) < 3*time.Second; i++ {
			p.round(500 + 10*i)
		}
		rs.start()
		p.check("while down")
		if p.health[503] == 0 {
			t.Errorf("/health while Redis is down = %v, want 503 unhealthy", p.health)
		}
		healthy("restarted")
		figures(t, "answers", fmt.Sprint(p.tally.byStatus), "transport_errors", len(p.tally.errs),
			"slowest", p.slow.Round(time.Millisecond), "health", fmt.Sprint(p.health))
	})

	succeeded := 0
	for _, id := range accepted {
		if j := pollFinal(t, s.URL, tok, id, 60*time.Second); j["status"] == "succeeded" {
			succeeded++
		} else {
			t.Errorf("job %s accepted before a fault = %v, want succeeded", id, jsonString(j))
		}
	}
	figures(t, "jobs_accepted", len(accepted), "jobs_completed", succeeded, "jobs_lost", len(accepted)-succeeded,
		"provider_calls", calls.Load())
}
