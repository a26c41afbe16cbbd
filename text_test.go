package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/dndcc/dnd-llm-service/app/apptest"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
)

const personalityBody = `{"type":"personality","parameters":{"character_class":"Cleric","character_race":"Dwarf","character_level":3,"alignment":"lawful good","background":"Acolyte","name":"Brenna Stonehelm","pronouns":"she/her"},"theme":{"genre":"fantasy","tone":"heroic"},"seed":42}`

// personalityContent is what a model writes for personalityBody at any
// seed: the words of a personality, repeating the character's identity.
func personalityContent(t testing.TB) string {
	t.Helper()
	return `{"character":{"name":"Brenna Stonehelm","pronouns":"she/her","race":"Dwarf","subrace":"Hill Dwarf","class":"Cleric","subclass":"Life","background":"Acolyte","alignment":"lawful good"},` +
		`"traits":["I pray before every meal, even stolen ones."],"ideals":["Faith. The rites keep the world whole."],` +
		`"bonds":["The temple that raised me burned, and I carry its last relic."],"flaws":["I trust anyone in vestments."],` +
		`"mannerisms":["Touches her holy symbol before an oath."],"voice":"Calm and measured, with a deep dwarven burr."}`
}

// jobOf decodes a job answer (or the job inside a problem).
func jobOf(t testing.TB, r servicetest.Response) map[string]any {
	t.Helper()
	m := r.JSON(t)
	if j, ok := m["job"].(map[string]any); ok {
		return j
	}
	return m
}

func resultOf(t testing.TB, r servicetest.Response) map[string]any {
	t.Helper()
	res, ok := jobOf(t, r)["result"].(map[string]any)
	if !ok {
		t.Fatalf("answer has no result: %d %s", r.Status, r.Body)
	}
	return res
}

func TestTextOffline(t *testing.T) {
	t.Parallel()
	s := startService(t, map[string]string{})
	tok := servicetest.Token(t, "character-service")

	t.Run("sync character", func(t *testing.T) {
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, personalityBody)
		if r.Status != 200 {
			t.Fatalf("status = %d, want 200: %s", r.Status, r.Body)
		}
		if r.Header.Get("X-Cache") != "MISS" {
			t.Errorf("X-Cache = %q, want MISS", r.Header.Get("X-Cache"))
		}
		if p := r.Header.Get("RateLimit-Policy"); p != `"text";q=100;w=60` {
			t.Errorf("RateLimit-Policy = %q", p)
		}
		job := jobOf(t, r)
		if job["status"] != "succeeded" || job["kind"] != "text.character" || job["owner"] != "character-service" {
			t.Errorf("job = %v", job)
		}
		res := resultOf(t, r)
		if res["provider"] != "offline" || res["cached"] != false || res["type"] != "personality" {
			t.Errorf("result = %v", res)
		}
		content, _ := json.Marshal(res["content"])
		if err := dnd.ValidateContent(dnd.KindCharacter, "personality", content); err != nil {
			t.Errorf("content does not validate: %v\n%s", err, content)
		}
		if u := res["usage"].(map[string]any); u["total_tokens"] != 0.0 {
			t.Errorf("offline usage = %v, want zero tokens", u)
		}
	})

	t.Run("cache hit", func(t *testing.T) {
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, personalityBody)
		if r.Status != 200 || r.Header.Get("X-Cache") != "HIT" {
			t.Fatalf("repeat = %d X-Cache %q, want 200 HIT: %s", r.Status, r.Header.Get("X-Cache"), r.Body)
		}
		if resultOf(t, r)["cached"] != true {
			t.Errorf("cached = %v, want true", resultOf(t, r)["cached"])
		}
		id := jobOf(t, r)["id"].(string)
		g := servicetest.Do(t, "GET", s.URL+"/api/v2/queue/"+id, tok, "")
		if g.Status != 200 || jobOf(t, g)["status"] != "succeeded" {
			t.Errorf("GET cached job = %d %s", g.Status, g.Body)
		}
		// The priority does not change the result, so it shares the entry;
		// any other field does not.
		prio := strings.Replace(personalityBody, "{", `{"priority":"high",`, 1)
		if r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, prio); r.Header.Get("X-Cache") != "HIT" {
			t.Errorf("same request at priority high: %d X-Cache %q, want HIT: %s", r.Status, r.Header.Get("X-Cache"), r.Body)
		}
		other := strings.Replace(personalityBody, "{", `{"prompt":"with a limp",`, 1)
		if r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, other); r.Header.Get("X-Cache") != "MISS" {
			t.Errorf("request with another prompt: %d X-Cache %q, want MISS: %s", r.Status, r.Header.Get("X-Cache"), r.Body)
		}
		nc := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, personalityBody, servicetest.Header("Cache-Control", "no-cache"))
		if nc.Header.Get("X-Cache") != "MISS" {
			t.Errorf("no-cache: X-Cache = %q, want MISS", nc.Header.Get("X-Cache"))
		}
	})

	t.Run("async then poll", func(t *testing.T) {
		body := `{"type":"plot","parameters":{"campaign_theme":"a drowned city","party_level":5,"party_size":4},"seed":7}`
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/campaign", tok, body, servicetest.Header("Prefer", "respond-async"))
		if r.Status != 202 {
			t.Fatalf("respond-async = %d, want 202: %s", r.Status, r.Body)
		}
		loc := r.Header.Get("Location")
		if !strings.HasPrefix(loc, "/api/v2/queue/text_") || r.Header.Get("Retry-After") != "1" {
			t.Errorf("Location %q Retry-After %q", loc, r.Header.Get("Retry-After"))
		}
		g := servicetest.Do(t, "GET", s.URL+loc+"?wait=20", tok, "")
		if g.Status != 200 || jobOf(t, g)["status"] != "succeeded" {
			t.Fatalf("poll = %d %s", g.Status, g.Body)
		}
		content, _ := json.Marshal(resultOf(t, g)["content"])
		if err := dnd.ValidateContent(dnd.KindCampaign, "plot", content); err != nil {
			t.Errorf("plot does not validate: %v", err)
		}
	})

	t.Run("theme", func(t *testing.T) {
		body := `{"content":"Brenna Coalbrook walked 3 miles to the old shrine at dawn.","theme":{"genre":"horror","tone":"dark"},"parameters":{"strength":0.9}}`
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/theme", tok, body)
		if r.Status != 200 {
			t.Fatalf("theme = %d %s", r.Status, r.Body)
		}
		c := resultOf(t, r)["content"].(map[string]any)
		if !strings.Contains(c["content"].(string), "Brenna Coalbrook") || !strings.Contains(c["content"].(string), "3") {
			t.Errorf("theme lost a proper noun or number: %q", c["content"])
		}
	})

	t.Run("linked location", func(t *testing.T) {
		body := `{"type":"plot","parameters":{"campaign_theme":"a frontier town beset by goblins","party_level":3,"party_size":4},"seed":40}`
		plot := resultOf(t, servicetest.Do(t, "POST", s.URL+"/api/v2/text/campaign", tok, body))["content"].(map[string]any)
		link, _ := json.Marshal(plot)
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/campaign", tok, `{"type":"location","seed":41,"campaign":`+string(link)+`}`)
		if r.Status != 200 {
			t.Fatalf("linked location = %d, want 200: %s", r.Status, r.Body)
		}
		loc, _ := json.Marshal(resultOf(t, r)["content"])
		town := strings.Split(plot["setting"].(string), ",")[0]
		if !strings.Contains(string(loc), town) {
			t.Errorf("location linked to a plot set in %s never names it: %s", town, loc)
		}
		for _, e := range resultOf(t, r)["content"].(map[string]any)["encounters"].([]any) {
			if th := e.(map[string]any)["party_thresholds"].(map[string]any); th["easy"] != 300.0 {
				t.Errorf("encounter thresholds %v, want the plot's party (4 level-3 characters: easy 300)", th)
			}
		}
	})

	t.Run("unknown genre", func(t *testing.T) {
		body := `{"content":"The old wizard walked into the tavern and sat down by the fire with his friends.","theme":{"genre":"solarpunk"}}`
		res := resultOf(t, servicetest.Do(t, "POST", s.URL+"/api/v2/text/theme", tok, body))
		c := res["content"].(map[string]any)
		if c["similarity_score"].(float64) >= 1 {
			t.Errorf("solarpunk restyle = %q, want the text changed", c["content"])
		}
		w, _ := res["warnings"].([]any)
		if len(w) != 1 || !strings.Contains(w[0].(string), "solarpunk") {
			t.Errorf("warnings = %v, want one saying what solarpunk was read as", res["warnings"])
		}
	})

	t.Run("validation", func(t *testing.T) {
		for name, tc := range map[string]struct {
			path, body, field string
			beyond            bool // the model chain is configuration, which no schema says
		}{
			"unknown type":    {"/api/v2/text/character", `{"type":"poem"}`, "type", false},
			"level 21":        {"/api/v2/text/character", `{"type":"combat","parameters":{"character_level":21}}`, "parameters.character_level", false},
			"model not chain": {"/api/v2/text/character", `{"type":"combat","model":{"name":"gpt-2"}}`, "model.name", true},
			"wrong type":      {"/api/v2/text/campaign", `{"type":"plot","parameters":{"party_size":"four"}}`, "parameters.party_size", false},
			"theme no text":   {"/api/v2/text/theme", `{"theme":{"genre":"noir"}}`, "content", false},
		} {
			var opts []servicetest.Option
			if tc.beyond {
				opts = append(opts, servicetest.BeyondSchema())
			}
			r := servicetest.Do(t, "POST", s.URL+tc.path, tok, tc.body, opts...)
			if r.Status != 400 {
				t.Errorf("%s: status = %d, want 400: %s", name, r.Status, r.Body)
				continue
			}
			found := false
			for _, e := range r.JSON(t)["errors"].([]any) {
				if e.(map[string]any)["field"] == tc.field {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: errors %s do not name %s", name, r.Body, tc.field)
			}
		}
		big := `{"type":"combat","prompt":"` + strings.Repeat("x", 2<<20) + `"}`
		if r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, big); r.Status != 413 {
			t.Errorf("2 MB prompt = %d, want 413", r.Status)
		}
	})
}

// openAIService starts the service against a fake OpenAI.
func openAIService(t *testing.T, env map[string]string) (*apptest.Service, *openaitest.Server) {
	t.Helper()
	fake := openaitest.New(t)
	env["OPENAI_BASE_URL"] = fake.URL()
	env["OPENAI_API_KEY"] = "sk-test-key-0123456789"
	return startService(t, env), fake
}

func TestTextOpenAI(t *testing.T) {
	t.Parallel()
	content := personalityContent(t)

	t.Run("success and usage", func(t *testing.T) {
		t.Parallel()
		s, fake := openAIService(t, map[string]string{})
		fake.Push("gpt-4o", openaitest.Completion("gpt-4o", content, 120, 80))
		tok := servicetest.Token(t, "usage-caller")
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, personalityBody)
		if r.Status != 200 {
			t.Fatalf("status = %d: %s", r.Status, r.Body)
		}
		res := resultOf(t, r)
		if res["model"] != "gpt-4o" || res["provider"] != "openai" || res["fallback"] != false {
			t.Errorf("result = %v", res)
		}
		reqs := fake.Requests()
		if len(reqs) != 1 || reqs[0].ResponseFormat == nil || reqs[0].ResponseFormat.Type != goopenai.ChatCompletionResponseFormatTypeJSONSchema || !reqs[0].ResponseFormat.JSONSchema.Strict {
			t.Errorf("request did not ask for a strict json_schema answer: %+v", reqs)
		}
		u := servicetest.Do(t, "GET", s.URL+"/api/v2/usage", tok, "")
		tot := u.JSON(t)["totals"].(map[string]any)
		if tot["prompt_tokens"] != 120.0 || tot["completion_tokens"] != 80.0 || tot["total_tokens"] != 200.0 || tot["requests"] != 1.0 {
			t.Errorf("usage totals = %v, want 120/80/200 and 1 request", tot)
		}
		if tot["cost_usd"].(float64) <= 0 {
			t.Errorf("cost_usd = %v, want > 0", tot["cost_usd"])
		}
		// A repeat is free.
		r = servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, personalityBody)
		if r.Header.Get("X-Cache") != "HIT" || fake.Calls("gpt-4o") != 1 {
			t.Errorf("repeat: X-Cache %q, calls %d; want HIT and 1 call", r.Header.Get("X-Cache"), fake.Calls("gpt-4o"))
		}
		other := servicetest.Do(t, "GET", s.URL+"/api/v2/usage?caller=someone-else", tok, "")
		if other.Status != 403 {
			t.Errorf("non-admin reading another caller's usage = %d, want 403", other.Status)
		}
	})

	t.Run("fallback after 5xx", func(t *testing.T) {
		t.Parallel()
		s, fake := openAIService(t, map[string]string{"OPENAI_MAX_RETRIES": "1"})
		fake.Push("gpt-4o", openaitest.Error(500, "server_error", "", "boom"), openaitest.Error(500, "server_error", "", "boom"))
		fake.Push("gpt-4o-mini", openaitest.Completion("gpt-4o-mini", content, 10, 10))
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", servicetest.Token(t, "a"), personalityBody)
		if r.Status != 200 {
			t.Fatalf("status = %d: %s", r.Status, r.Body)
		}
		if res := resultOf(t, r); res["model"] != "gpt-4o-mini" || res["fallback"] != true {
			t.Errorf("result model %v fallback %v, want gpt-4o-mini true", res["model"], res["fallback"])
		}
		if fake.Calls("gpt-4o") != 2 || fake.Calls("gpt-4o-mini") != 1 {
			t.Errorf("calls = %d/%d, want 2/1", fake.Calls("gpt-4o"), fake.Calls("gpt-4o-mini"))
		}
	})

	t.Run("insufficient quota fails without retry", func(t *testing.T) {
		t.Parallel()
		s, fake := openAIService(t, map[string]string{})
		fake.Push("", openaitest.InsufficientQuota())
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", servicetest.Token(t, "a"), personalityBody)
		if r.Status != 429 || r.JSON(t)["code"] != "QUOTA_EXCEEDED" {
			t.Fatalf("answer = %d %s, want 429 QUOTA_EXCEEDED", r.Status, r.Body)
		}
		if jobOf(t, r)["status"] != "failed" {
			t.Errorf("job = %v, want failed", jobOf(t, r))
		}
		if n := len(fake.Requests()); n != 1 {
			t.Errorf("provider calls = %d, want 1", n)
		}
	})

	t.Run("unauthorized shows in health", func(t *testing.T) {
		t.Parallel()
		s, fake := openAIService(t, map[string]string{})
		fake.Push("", openaitest.Error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided: sk-test-***"))
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", servicetest.Token(t, "a"), personalityBody)
		if r.Status != 502 || r.JSON(t)["code"] != "PROVIDER_REJECTED" {
			t.Fatalf("answer = %d %s, want 502 PROVIDER_REJECTED", r.Status, r.Body)
		}
		h := servicetest.Do(t, "GET", s.URL+"/health", "", "").JSON(t)
		if h["components"].(map[string]any)["openai"] != "unauthorized" || h["status"] != "degraded" {
			t.Errorf("health = %v, want openai unauthorized, degraded", h)
		}
		if strings.Contains(s.Logs.String(), "sk-test-key-0123456789") || strings.Contains(string(r.Body), "sk-test") {
			t.Errorf("the API key leaked into logs or the answer")
		}
	})

	t.Run("retry-after honoured", func(t *testing.T) {
		t.Parallel()
		s, fake := openAIService(t, map[string]string{})
		fake.Push("gpt-4o", openaitest.RateLimited("1"), openaitest.Completion("gpt-4o", content, 5, 5))
		start := time.Now()
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", servicetest.Token(t, "a"), personalityBody)
		if r.Status != 200 {
			t.Fatalf("status = %d: %s", r.Status, r.Body)
		}
		if time.Since(start) < time.Second {
			t.Errorf("answered in %v: the 1 s Retry-After was not honoured", time.Since(start))
		}
		if fake.Calls("gpt-4o") != 2 {
			t.Errorf("calls = %d, want 2", fake.Calls("gpt-4o"))
		}
	})

	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		s, fake := openAIService(t, map[string]string{"OPENAI_REQUEST_TIMEOUT": "0.2", "OPENAI_MAX_RETRIES": "0", "OPENAI_MODELS": "gpt-4o", "JOB_MAX_ATTEMPTS": "1"})
		slow := openaitest.Completion("gpt-4o", content, 1, 1)
		slow.Delay = 5 * time.Second
		fake.Push("gpt-4o", slow)
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", servicetest.Token(t, "a"), personalityBody)
		if r.Status != 504 || r.JSON(t)["code"] != "PROVIDER_TIMEOUT" {
			t.Fatalf("answer = %d %s, want 504 PROVIDER_TIMEOUT", r.Status, r.Body)
		}
	})

	t.Run("cancel mid-call", func(t *testing.T) {
		t.Parallel()
		s, fake := openAIService(t, map[string]string{})
		slow := openaitest.Completion("gpt-4o", content, 1, 1)
		slow.Delay = 60 * time.Second
		fake.Push("gpt-4o", slow)
		tok := servicetest.Token(t, "a")
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, personalityBody, servicetest.Header("Prefer", "respond-async"))
		id := jobOf(t, r)["id"].(string)
		servicetest.WaitFor(t, 10*time.Second, "the provider call", func() bool { return fake.Calls("gpt-4o") == 1 })
		start := time.Now()
		d := servicetest.Do(t, "DELETE", s.URL+"/api/v2/queue/"+id, tok, "")
		if d.Status != 200 || jobOf(t, d)["status"] != "canceled" {
			t.Fatalf("DELETE = %d %s, want 200 canceled", d.Status, d.Body)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("cancel took %v", time.Since(start))
		}
		again := servicetest.Do(t, "DELETE", s.URL+"/api/v2/queue/"+id, tok, "")
		if again.Status != 409 {
			t.Errorf("second DELETE = %d, want 409", again.Status)
		}
	})

	t.Run("repair then success", func(t *testing.T) {
		t.Parallel()
		s, fake := openAIService(t, map[string]string{})
		fake.Push("gpt-4o", openaitest.Completion("gpt-4o", `{"traits":"not a list"}`, 5, 5), openaitest.Completion("gpt-4o", content, 5, 5))
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", servicetest.Token(t, "a"), personalityBody)
		if r.Status != 200 {
			t.Fatalf("status = %d: %s", r.Status, r.Body)
		}
		if fake.Calls("gpt-4o") != 2 {
			t.Errorf("calls = %d, want 2 (answer + repair)", fake.Calls("gpt-4o"))
		}
	})

	t.Run("daily token quota", func(t *testing.T) {
		t.Parallel()
		s, fake := openAIService(t, map[string]string{"TEXT_DAILY_TOKEN_QUOTA": "100"})
		fake.Push("gpt-4o", openaitest.Completion("gpt-4o", content, 100, 50))
		tok := servicetest.Token(t, "thrifty")
		if r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, personalityBody); r.Status != 200 {
			t.Fatalf("first = %d %s", r.Status, r.Body)
		}
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, strings.Replace(personalityBody, `"seed":42`, `"seed":43`, 1))
		if r.Status != 429 || r.JSON(t)["code"] != "QUOTA_EXCEEDED" || r.Header.Get("Retry-After") == "" {
			t.Errorf("over quota = %d %s (Retry-After %q), want 429 QUOTA_EXCEEDED", r.Status, r.Body, r.Header.Get("Retry-After"))
		}
	})
}
