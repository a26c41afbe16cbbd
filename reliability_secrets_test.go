package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/getimg/getimgtest"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
)

// Known secret values of the secrets scenario. Each is distinctive, so a
// leak cannot hide behind a common substring.
const (
	leakSecretKey = "SECRETKEY-LEAKCANARY-6f1d2c-0123456789-0123456789-0123456789-0123456789"
	leakOpenAIKey = "sk-proj-LEAKCANARY-openai-7c2e9a41b0d3"
	leakGetImgKey = "key-LEAKCANARY-getimg-5d8f3b2a9e71"
	leakHubKey    = "hubkey-LEAKCANARY-4a9c1e7f2b6d"
	leakRedisPass = "redispass-LEAKCANARY-8e3b5f1a"
)

// Distinctive prompts: they may be logged at DEBUG, never above.
var leakPrompts = []string{
	"Zanthrax the Unwilling guards the Obsidian Ledger",
	"Quillisandra hums beneath the Ninefold Bridge",
	"Morrowgast the tidebound lantern keep",
	"Vellumira counts the drowned bells of Ysk",
}

// secretsScenario runs a full session against a service process holding
// known secrets: successes, cache hits, async jobs, cancels, provider
// errors that echo the key and the prompt, images, hub messages, bad
// tokens, a Redis outage and a SIGTERM. It returns everything the process
// wrote, every answer's headers and body, and every token used.
func secretsScenario(t *testing.T, level string) (logs string, answers []string, tokens []string) {
	t.Helper()
	rs := startOwnRedisWithPassword(t, leakRedisPass)
	oa := openaitest.New(t)
	oa.SetAPIKey(leakOpenAIKey)
	oa.SetDefault(validAnswers(t))
	gi := getimgtest.New(t, getimgtest.WithAPIKey(leakGetImgKey))
	fh := newFakeHub(t)
	p := startProc(t, map[string]string{
		"REDIS_URL": rs.URL(), "REDIS_KEY_PREFIX": "leak:", "SECRET_KEY": leakSecretKey,
		"OPENAI_BASE_URL": oa.URL(), "OPENAI_API_KEY": leakOpenAIKey,
		"GETIMG_BASE_URL": gi.URL(), "GETIMG_API_KEY": leakGetImgKey,
		"MESSAGE_HUB_URL": fh.URL, "HUB_SERVICE_KEY": leakHubKey,
		"LOG_LEVEL": level, "JOB_LEASE": "3s",
	})
	mint := func(sub string, ttl time.Duration, scopes ...string) string {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
			"sub": sub, "exp": time.Now().Add(ttl).Unix(), "scope": strings.Join(scopes, " "),
		}).SignedString([]byte(leakSecretKey))
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
		return tok
	}
	tok := mint("leak-caller", time.Hour)
	admin := mint("leak-admin", time.Hour, "admin")
	expired := mint("leak-caller", -time.Hour)
	wrong, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "x", "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(strings.Repeat("q", 64)))
	tokens = append(tokens, wrong)

	call := func(method, path, tk, body string, hdr ...string) servicetest.Response {
		t.Helper()
		r, err := servicetest.Send(method, p.URL+path, tk, body, servicetest.Header(hdr...))
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		var h strings.Builder
		r.Header.Write(&h)
		answers = append(answers, fmt.Sprintf("%s %s -> %d\n%s\n%s", method, path, r.Status, h.String(), r.Body))
		return r
	}
	want := func(r servicetest.Response, status int, what string) {
		t.Helper()
		if r.Status != status {
			t.Errorf("%s = %d %.300s, want %d", what, r.Status, r.Body, status)
		}
	}
	character := func(prompt string, seed int) string {
		return fmt.Sprintf(`{"type":"backstory","prompt":%q,"parameters":{"character_class":"Bard"},"seed":%d}`, prompt, seed)
	}

	want(call("POST", "/api/v2/text/character", tok, character(leakPrompts[0], 1)), 200, "text")
	want(call("POST", "/api/v2/text/character", tok, character(leakPrompts[0], 1)), 200, "text cache hit")
	r := call("POST", "/api/v2/text/campaign", tok, fmt.Sprintf(`{"type":"plot","prompt":%q,"parameters":{"party_size":4}}`, leakPrompts[1]), "Prefer", "respond-async")
	want(call("GET", "/api/v2/queue/"+jobID(r)+"?wait=20", tok, ""), 200, "poll")

	// The provider echoes the key, the bearer header and the prompt in
	// its error bodies; nothing of them may reach a log or an answer.
	echo := "Invalid request with key " + leakOpenAIKey + " (Authorization: Bearer " + leakOpenAIKey + ") for prompt: " + leakPrompts[2]
	oa.Push("", openaitest.Error(400, "invalid_request_error", "", echo))
	want(call("POST", "/api/v2/text/character", tok, character(leakPrompts[2], 2)), 502, "provider 400")
	oa.Push("", openaitest.Reply{Status: 500, Body: []byte("<html>upstream " + leakOpenAIKey + " " + leakPrompts[2] + "</html>")})
	want(call("POST", "/api/v2/text/character", tok, character(leakPrompts[2], 3)), 200, "provider 500 then success")
	oa.SetAPIKey("sk-some-other-key-entirely-000")
	want(call("POST", "/api/v2/text/character", tok, character(leakPrompts[2], 4)), 502, "provider 401")
	oa.SetAPIKey(leakOpenAIKey)

	gi.Push(getimgtest.PathSDXLText, getimgtest.ErrorReply(400, "invalid_prompt", "Key "+leakGetImgKey+" refused prompt "+leakPrompts[3]))
	want(call("POST", "/api/v2/image/generate", tok, fmt.Sprintf(`{"type":"map_background","prompt":%q,"size":{"width":256,"height":256}}`, leakPrompts[3])), 502, "image provider 400")
	gi.Push(getimgtest.PathSDXLText, getimgtest.ErrorReply(500, "internal_error", "boom for "+leakGetImgKey))
	img := call("POST", "/api/v2/image/generate", tok, fmt.Sprintf(`{"type":"map_background","prompt":%q,"size":{"width":256,"height":256},"parameters":{"seed":5}}`, leakPrompts[3]))
	want(img, 200, "image after a 500")
	if img.Status == 200 {
		want(call("GET", resultOf(t, img)["url"].(string), "", ""), 200, "signed image URL")
	}

	hubMsg := fmt.Sprintf(`{"source":"character-service","message_type":"generate_text","correlation_id":"leak-1","payload":{"prompt":%q}}`, leakPrompts[0]+" via the hub")
	hr := call("POST", "/api/v2/hub/messages", "", hubMsg, "X-Service-Key", leakHubKey)
	want(hr, 202, "hub message")
	if hr.Status == 202 {
		id := hr.JSON(t)["data"].(map[string]any)["job_id"].(string)
		want(call("GET", "/api/v2/queue/"+id+"?wait=20", admin, ""), 200, "hub job")
	}
	want(call("POST", "/api/v2/hub/messages", "", hubMsg, "X-Service-Key", leakHubKey+"x"), 401, "hub message with a wrong key")
	want(call("GET", "/api/v2/queue/status", expired, ""), 401, "expired token")
	want(call("GET", "/api/v2/queue/status", wrong, ""), 401, "token with the wrong key")
	want(call("GET", "/api/v2/usage?caller=*", admin, ""), 200, "admin usage")

	// A slow job to cancel while it runs.
	slow := openaitest.Completion("gpt-4o", "{}", 1, 1)
	slow.Delay = time.Minute
	oa.Push("", slow)
	sent := len(oa.Requests())
	c := call("POST", "/api/v2/text/character", tok, character(leakPrompts[1], 6), "Prefer", "respond-async")
	// Cancel only once the provider holds the call: a job canceled before
	// its call is sent would leave the slow reply for the next request.
	servicetest.WaitFor(t, 10*time.Second, "the slow job to run and reach the provider", func() bool {
		if len(oa.Requests()) == sent {
			return false
		}
		r, err := servicetest.Send("GET", p.URL+"/api/v2/queue/"+jobID(c), tok, "")
		return err == nil && r.Status == 200 && strings.Contains(string(r.Body), `"status":"running"`)
	})
	want(call("DELETE", "/api/v2/queue/"+jobID(c), tok, ""), 200, "cancel")

	// Redis drops every connection, then goes away for a moment.
	rs.clientKill(t)
	rs.kill()
	call("POST", "/api/v2/text/character", tok, character(leakPrompts[0], 7))
	call("GET", "/health", "", "")
	rs.start()
	servicetest.WaitFor(t, 20*time.Second, "/health to answer 200 again", func() bool {
		r, err := servicetest.Send("GET", p.URL+"/health", "", "")
		return err == nil && r.Status == 200
	})
	want(call("POST", "/api/v2/text/character", tok, character(leakPrompts[0], 8)), 200, "text after the outage")

	p.signal(t, syscall.SIGTERM)
	if err := p.wait(t, 30*time.Second); err != nil {
		t.Errorf("exit = %v", err)
	}
	return p.Logs.String(), answers, tokens
}

// TestSecretsNeverLeak runs the secrets scenario at INFO and checks every
// log line and every answer for the secret values and bearer tokens, and
// the log for the prompts. At DEBUG a prompt may appear, on DEBUG lines only.
func TestSecretsNeverLeak(t *testing.T) {
	servicetest.SkipShort(t, "fault: a service process with known secrets through provider errors, a Redis outage and SIGTERM")
	t.Parallel()
	secrets := map[string]string{
		"SECRET_KEY": leakSecretKey, "OPENAI_API_KEY": leakOpenAIKey, "GETIMG_API_KEY": leakGetImgKey,
		"HUB_SERVICE_KEY": leakHubKey, "Redis password": leakRedisPass,
	}
	for _, level := range []string{"INFO", "DEBUG"} {
		t.Run(level, func(t *testing.T) {
			t.Parallel()
			logs, answers, tokens := secretsScenario(t, level)
			lines := strings.Split(strings.TrimSpace(logs), "\n")
			leaks := 0
			check := func(where, text string) {
				for name, v := range secrets {
					if strings.Contains(text, v) {
						leaks++
						t.Errorf("%s holds %s: %.400s", where, name, text)
					}
				}
				for i, tk := range tokens {
					if strings.Contains(text, tk) || strings.Contains(text, tk[strings.LastIndex(tk, ".")+1:]) {
						leaks++
						t.Errorf("%s holds bearer token %d: %.400s", where, i, text)
					}
				}
			}
			for _, l := range lines {
				check("log line", l)
			}
			for _, a := range answers {
				check("answer", a)
			}
			promptLines := 0
			for _, l := range lines {
				for _, pr := range leakPrompts {
					if !strings.Contains(l, pr) {
						continue
					}
					var m map[string]any
					json.Unmarshal([]byte(l), &m)
					if level != "DEBUG" || m["level"] != "DEBUG" {
						t.Errorf("a prompt appears on a %v line at LOG_LEVEL=%s: %.400s", m["level"], level, l)
					}
					promptLines++
				}
			}
			for _, l := range lines {
				if !json.Valid([]byte(l)) {
					t.Errorf("log line is not JSON: %.300s", l)
				}
			}
			if os.Getenv("RELIABILITY_SHOW_LOGS") != "" {
				t.Logf("logs:\n%s", logs)
			}
			figures(t, "log_lines", len(lines), "answers_checked", len(answers), "secrets_checked", len(secrets),
				"tokens_checked", len(tokens), "secrets_leaked", leaks, "prompt_lines", promptLines)
		})
	}
}
