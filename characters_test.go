package main

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/functions/image"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/cache"
	"github.com/dndcc/dnd-llm-service/shared/getimg/getimgtest"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// wholeBody asks for every document of a level 5 hill dwarf cleric.
const wholeBody = `{"parameters":{"character_class":"Cleric","character_race":"Hill Dwarf","character_level":5,` +
	`"alignment":"lawful good","background":"Acolyte","name":"Brenna Stonehelm","pronouns":"she/her"},` +
	`"include":["sheet","backstory","personality","combat","equipment","portrait"],"seed":114}`

// withSeed is body with another seed.
func withSeed(body string, seed int) string {
	return strings.Replace(body, `"seed":114`, fmt.Sprintf(`"seed":%d`, seed), 1)
}

// stepsOf returns a whole character's steps by name.
func stepsOf(t testing.TB, job map[string]any) map[string]map[string]any {
	t.Helper()
	res, ok := job["result"].(map[string]any)
	if !ok {
		t.Fatalf("job %v has no result", job["id"])
	}
	out := map[string]map[string]any{}
	for _, s := range res["steps"].([]any) {
		st := s.(map[string]any)
		out[st["name"].(string)] = st
	}
	return out
}

// contentOf is a text step's content.
func contentOf(t testing.TB, step map[string]any) map[string]any {
	t.Helper()
	res, ok := step["result"].(map[string]any)
	if !ok {
		t.Fatalf("step %v has no result: %v", step["name"], step)
	}
	return res["content"].(map[string]any)
}

// getJob reads a job through the service, waiting up to wait seconds for
// it to finish.
func getJob(t testing.TB, url, tok, id string, wait int) map[string]any {
	t.Helper()
	r := servicetest.Do(t, "GET", fmt.Sprintf("%s/api/v2/queue/%s?wait=%d", url, id, wait), tok, "")
	if r.Status != 200 {
		t.Fatalf("GET %s = %d %s", id, r.Status, r.Body)
	}
	return r.JSON(t)
}

// waitSteps polls the whole character id until cond holds of its steps.
func waitSteps(t testing.TB, url, tok, id, what string, cond func(map[string]map[string]any) bool) map[string]any {
	t.Helper()
	var job map[string]any
	servicetest.WaitFor(t, 30*time.Second, what, func() bool {
		job = getJob(t, url, tok, id, 0)
		return job["result"] != nil && cond(stepsOf(t, job))
	})
	return job
}

// statusIs says whether each named step has the status.
func statusIs(status string, names ...string) func(map[string]map[string]any) bool {
	return func(steps map[string]map[string]any) bool {
		for _, n := range names {
			if steps[n]["status"] != status {
				return false
			}
		}
		return true
	}
}

var textSteps = []string{"sheet", "backstory", "personality", "combat", "equipment"}

func TestWholeCharacter(t *testing.T) {
	t.Parallel()
	// Portraits go to a fake GetImg, so that the prompt built from the
	// sheet shows in the result.
	gi := getimgtest.New(t)
	s := startService(t, map[string]string{"TEXT_RATE_LIMIT": "100", "IMAGE_RATE_LIMIT": "50",
		"GETIMG_BASE_URL": gi.URL(), "GETIMG_API_KEY": getimgtest.APIKey})
	tok := servicetest.Token(t, "whole-character")

	var first map[string]any
	t.Run("sync: every document of one person", func(t *testing.T) {
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/characters", tok, wholeBody)
		if r.Status != 200 || r.Header.Get("X-Cache") != "MISS" {
			t.Fatalf("POST = %d X-Cache %q %.500s, want 200 MISS", r.Status, r.Header.Get("X-Cache"), r.Body)
		}
		// Five text requests and one image were charged.
		if got, want := r.Header.Get("RateLimit-Policy"), `"text";q=100;w=60, "image";q=50;w=60`; got != want {
			t.Errorf("RateLimit-Policy = %q, want %q", got, want)
		}
		if got := r.Header.Get("RateLimit"); !strings.HasPrefix(got, `"text";r=95;`) || !strings.Contains(got, `"image";r=49;`) {
			t.Errorf("RateLimit = %q, want 95 text and 49 image requests left", got)
		}
		first = r.JSON(t)
		if first["kind"] != "characters.create" || first["status"] != "succeeded" {
			t.Fatalf("job = %v %v, want a succeeded characters.create", first["kind"], first["status"])
		}
		steps := stepsOf(t, first)
		checkOnePerson(t, first, steps)
		checkPortrait(t, s.URL, tok, steps["portrait"], contentOf(t, steps["sheet"]))
	})

	t.Run("identical call: every step from the cache", func(t *testing.T) {
		if first == nil {
			t.Skip("no first call")
		}
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/characters", tok, wholeBody)
		if r.Status != 200 {
			t.Fatalf("POST = %d %.500s", r.Status, r.Body)
		}
		again := r.JSON(t)
		if again["id"] == first["id"] {
			t.Errorf("the second call answered the first job %v: a finished whole character is not cached, its steps are", first["id"])
		}
		before, after := stepsOf(t, first), stepsOf(t, again)
		for name, st := range after {
			res := st["result"].(map[string]any)
			if res["cached"] != true || st["job_id"] == before[name]["job_id"] {
				t.Errorf("step %s: cached %v, job %v (first call's %v); want a cache hit of its own", name, res["cached"], st["job_id"], before[name]["job_id"])
			}
		}
		if a, b := contentOf(t, before["backstory"]), contentOf(t, after["backstory"]); !reflect.DeepEqual(a, b) {
			t.Errorf("the cached backstory differs from the first")
		}
	})

	t.Run("async: 202, then poll", func(t *testing.T) {
		body := `{"parameters":{"character_class":"Wizard","character_race":"High Elf","character_level":3},"include":["sheet","personality"],"seed":7}`
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/characters", tok, body, servicetest.Header("Prefer", "respond-async"))
		job := r.JSON(t)
		if r.Status != 202 || r.Header.Get("Location") != "/api/v2/queue/"+job["id"].(string) || r.Header.Get("Retry-After") != "1" ||
			r.Header.Get("Preference-Applied") != "respond-async" {
			t.Fatalf("POST async = %d %v, want 202 with Location, Retry-After and Preference-Applied", r.Status, r.Header)
		}
		if steps := stepsOfAny(job); len(steps) > 0 && steps[0] != "sheet" {
			t.Errorf("steps = %v, want the sheet first", steps)
		}
		done := getJob(t, s.URL, tok, job["id"].(string), 30)
		if done["status"] != "succeeded" || len(stepsOf(t, done)) != 2 {
			t.Errorf("polled job = %v with %d steps, want succeeded with 2", done["status"], len(stepsOf(t, done)))
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for _, tc := range []struct {
			body, field string
			beyond      bool // the document's schema accepts the body
		}{
			{`{"include":["backstory"]}`, "include", true},
			{`{"include":["sheet","poem"]}`, "include[1]", false},
			{`{"include":["sheet","sheet"]}`, "include[1]", false},
			{`{"type":"sheet"}`, "type", false},
			{`{"parameters":{"alignment":"sneaky"}}`, "parameters.alignment", true},
			{`{"model":{"name":"gpt-7"}}`, "model.name", true},
		} {
			var opts []servicetest.Option
			if tc.beyond {
				opts = append(opts, servicetest.BeyondSchema())
			}
			r := servicetest.Do(t, "POST", s.URL+"/api/v2/characters", tok, tc.body, opts...)
			if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+tc.field+`"`) {
				t.Errorf("POST %s = %d %s, want 400 naming %s", tc.body, r.Status, r.Body, tc.field)
			}
		}
	})
}

// stepsOfAny lists the names of a job's steps, if it has any yet.
func stepsOfAny(job map[string]any) []string {
	res, _ := job["result"].(map[string]any)
	steps, _ := res["steps"].([]any)
	var out []string
	for _, s := range steps {
		out = append(out, s.(map[string]any)["name"].(string))
	}
	return out
}

// checkOnePerson checks that every document describes the sheet's
// character: the same identity, and the combat profile the same numbers.
func checkOnePerson(t *testing.T, job map[string]any, steps map[string]map[string]any) {
	t.Helper()
	sheet := contentOf(t, steps["sheet"])
	if sheet["name"] != "Brenna Stonehelm" || sheet["race"] != "Dwarf" || sheet["class"] != "Cleric" || sheet["level"] != 5.0 {
		t.Fatalf("sheet = %v %v %v %v, want Brenna Stonehelm, a level 5 dwarf cleric", sheet["name"], sheet["race"], sheet["class"], sheet["level"])
	}
	identity := map[string]any{}
	for _, k := range []string{"name", "pronouns", "race", "subrace", "class", "subclass", "level", "background", "alignment"} {
		identity[k] = sheet[k]
	}
	if got := job["result"].(map[string]any)["character"]; !reflect.DeepEqual(got, identity) {
		t.Errorf("result.character = %v, want the sheet's identity %v", got, identity)
	}
	for _, name := range textSteps[1:] {
		st := steps[name]
		if st["status"] != "succeeded" || st["kind"] != "text.character" {
			t.Errorf("step %s = %v %v, want a succeeded text.character", name, st["status"], st["kind"])
			continue
		}
		if got := contentOf(t, st)["character"]; !reflect.DeepEqual(got, identity) {
			t.Errorf("%s describes %v, want the sheet's %v", name, got, identity)
		}
	}
	combat := contentOf(t, steps["combat"])
	for _, k := range []string{"ability_scores", "armor_class", "hit_points", "proficiency_bonus"} {
		if !reflect.DeepEqual(combat[k], sheet[k]) {
			t.Errorf("combat %s = %v, want the sheet's %v", k, combat[k], sheet[k])
		}
	}
}

// checkPortrait checks that the portrait was drawn from the sheet, and that
// the whole character shows it without its bytes, which its job keeps.
func checkPortrait(t *testing.T, url, tok string, step, sheet map[string]any) {
	t.Helper()
	if step["status"] != "succeeded" || step["kind"] != "image.generate" {
		t.Fatalf("portrait = %v %v, want a succeeded image.generate", step["status"], step["kind"])
	}
	res := step["result"].(map[string]any)
	if _, ok := res["image_data"]; ok || res["image_data_omitted"] != true || res["url"] == "" {
		t.Errorf("portrait result carries image_data or lacks url: omitted %v url %v", res["image_data_omitted"], res["url"])
	}
	prompt := strings.ToLower(res["prompt_used"].(string))
	for _, w := range []string{"hill dwarf woman, cleric (life), a seasoned adventurer, lawful good", "wearing adamantine chain mail"} {
		if !strings.Contains(prompt, w) {
			t.Errorf("portrait prompt %q lacks %q from the sheet", prompt, w)
		}
	}
	if !strings.Contains(strings.ToLower(sheet["appearance"].(string)), "adamantine chain mail") {
		t.Errorf("the sheet's appearance %q does not mention its armour, which the check above assumes", sheet["appearance"])
	}
	own := getJob(t, url, tok, step["job_id"].(string), 0)
	if data, _ := own["result"].(map[string]any)["image_data"].(string); data == "" {
		t.Errorf("the portrait's own job has no image_data")
	}
}

// heldPortraits is an image worker beside a service that runs none: it
// runs the real offline image handler, but holds each job at a gate until
// the test lets it through, and then fails it instead when told to.
type heldPortraits struct {
	entered chan string // the id of a job that reached the gate
	release chan struct{}
	fail    atomic.Bool
	done    chan string // the id of a job that left the handler
}

func startHeldPortraits(t *testing.T, rdb redis.UniversalClient, prefix string) *heldPortraits {
	t.Helper()
	h := &heldPortraits{entered: make(chan string, 4), release: make(chan struct{}), done: make(chan string, 4)}
	q := queue.New(rdb, queue.Config{Name: image.QueueName, Prefix: prefix, FailureCode: httpapi.CodeImageGenerationFailed})
	real := image.New(image.Config{Queue: q, Redis: rdb, Prefix: prefix, Cache: cache.New(rdb, prefix, nil)}).Handlers()[image.KindGenerate]
	handler := queue.HandlerFunc(func(ctx context.Context, job *queue.Job) (queue.Result, error) {
		defer func() { h.done <- job.ID }()
		h.entered <- job.ID
		select {
		case <-h.release:
		case <-ctx.Done():
			return queue.Result{}, ctx.Err()
		}
		if h.fail.Load() {
			return queue.Result{}, queue.Permanent(httpapi.NewProblem(httpapi.CodeImageGenerationFailed, "The renderer ran out of paint."))
		}
		return real.Handle(ctx, job)
	})
	logger := slog.New(slog.DiscardHandler)
	n := queue.NewNotifier(rdb, prefix, logger)
	runner := queue.NewRunner(queue.RunnerConfig{Handlers: queue.HandlerMap{image.KindGenerate: handler}, Notifier: n, Logger: logger})
	pool := queue.NewPool(q, runner, 1, logger)
	pool.Idle = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { n.Run(ctx) })
	select {
	case <-n.Ready():
	case <-time.After(20 * time.Second):
		t.Fatal("the portrait worker's notifier did not subscribe")
	}
	wg.Go(func() { pool.Run(ctx, ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return h
}

// TestWholeCharacterSteps holds the portrait while the text steps run,
// then cancels and fails whole characters, with a worker beside the
// service that draws portraits when the test lets it.
func TestWholeCharacterSteps(t *testing.T) {
	t.Parallel()
	rdb, _ := redistest.New(t)
	env := map[string]string{"IMAGE_WORKERS": "0", "TEXT_RATE_LIMIT": "1000", "IMAGE_RATE_LIMIT": "1000"}
	s := startService(t, env)
	tok := servicetest.Token(t, "whole-steps")
	post := func(t *testing.T, body, query string, hdr ...string) servicetest.Response {
		t.Helper()
		return servicetest.Do(t, "POST", s.URL+"/api/v2/characters"+query, tok, body, servicetest.Header(hdr...))
	}

	t.Run("cancel with the portrait queued", func(t *testing.T) {
		// No image worker runs yet: the portrait waits in its queue.
		id := post(t, withSeed(wholeBody, 1), "", "Prefer", "respond-async").JSON(t)["id"].(string)
		job := waitSteps(t, s.URL, tok, id, "the text steps done, the portrait queued", func(st map[string]map[string]any) bool {
			return statusIs("succeeded", textSteps...)(st) && statusIs("queued", "portrait")(st)
		})
		portrait := stepsOf(t, job)["portrait"]["job_id"].(string)
		d := servicetest.Do(t, "DELETE", s.URL+"/api/v2/queue/"+id, tok, "")
		if d.Status != 200 || d.JSON(t)["status"] != "canceled" {
			t.Fatalf("DELETE = %d %.300s, want 200 canceled", d.Status, d.Body)
		}
		if st := statusIs("succeeded", textSteps...); !st(stepsOf(t, d.JSON(t))) {
			t.Errorf("the canceled whole character does not keep its finished steps: %s", d.Body)
		}
		if p := getJob(t, s.URL, tok, portrait, 0); p["status"] != "canceled" {
			t.Errorf("the queued portrait %s = %v after the whole was canceled, want canceled", portrait, p["status"])
		}
	})

	h := startHeldPortraits(t, rdb, env["REDIS_KEY_PREFIX"])

	t.Run("the sheet shows while the portrait is drawn", func(t *testing.T) {
		// A sync call that the portrait outlasts answers 202.
		r := post(t, withSeed(wholeBody, 2), "?wait=1")
		if r.Status != 202 || !strings.HasPrefix(r.Header.Get("Location"), "/api/v2/queue/") {
			t.Fatalf("POST ?wait=1 with the portrait held = %d %v, want 202 with Location", r.Status, r.Header)
		}
		id := r.JSON(t)["id"].(string)
		portrait := <-h.entered
		job := waitSteps(t, s.URL, tok, id, "the text steps done", statusIs("succeeded", textSteps...))
		steps := stepsOf(t, job)
		if job["status"] == "succeeded" || steps["portrait"]["status"] != "running" || steps["portrait"]["job_id"] != portrait {
			t.Fatalf("with the portrait held: whole %v, portrait %v %v; want it waiting for the running portrait %s",
				job["status"], steps["portrait"]["status"], steps["portrait"]["job_id"], portrait)
		}
		if contentOf(t, steps["sheet"])["name"] != "Brenna Stonehelm" || steps["portrait"]["result"] != nil {
			t.Errorf("while the portrait is drawn the sheet shows %v and the portrait %v; want the sheet, no portrait yet", contentOf(t, steps["sheet"])["name"], steps["portrait"]["result"])
		}
		h.release <- struct{}{}
		<-h.done
		done := getJob(t, s.URL, tok, id, 30)
		if done["status"] != "succeeded" || stepsOf(t, done)["portrait"]["result"] == nil {
			t.Errorf("after the portrait = %v, want succeeded with the portrait", done["status"])
		}
	})

	t.Run("cancel with the portrait running", func(t *testing.T) {
		id := post(t, withSeed(wholeBody, 3), "", "Prefer", "respond-async").JSON(t)["id"].(string)
		portrait := <-h.entered
		waitSteps(t, s.URL, tok, id, "the text steps done", statusIs("succeeded", textSteps...))
		d := servicetest.Do(t, "DELETE", s.URL+"/api/v2/queue/"+id, tok, "")
		if d.Status != 200 || d.JSON(t)["status"] != "canceled" {
			t.Fatalf("DELETE = %d %.300s, want 200 canceled", d.Status, d.Body)
		}
		if got := <-h.done; got != portrait {
			t.Fatalf("the worker let %s go, want the portrait %s", got, portrait)
		}
		if p := getJob(t, s.URL, tok, portrait, 10); p["status"] != "canceled" {
			t.Errorf("the running portrait = %v after the whole was canceled, want canceled", p["status"])
		}
	})

	t.Run("a failed step fails the whole, naming it", func(t *testing.T) {
		h.fail.Store(true)
		defer h.fail.Store(false)
		answer := make(chan servicetest.Response, 1)
		go func() {
			r, err := servicetest.Send("POST", s.URL+"/api/v2/characters?wait=60", tok, withSeed(wholeBody, 4))
			if err != nil {
				t.Error(err)
			}
			answer <- r
		}()
		<-h.entered
		h.release <- struct{}{}
		<-h.done
		r := <-answer
		p := r.JSON(t)
		if r.Status != 502 || p["code"] != httpapi.CodeImageGenerationFailed || !strings.Contains(p["detail"].(string), "The portrait step failed: The renderer ran out of paint.") {
			t.Fatalf("POST with the portrait failing = %d %s, want 502 IMAGE_GENERATION_FAILED naming the portrait step", r.Status, r.Body)
		}
		job := jobOf(t, r)
		steps := stepsOf(t, job)
		if job["status"] != "failed" || !statusIs("succeeded", textSteps...)(steps) || steps["portrait"]["status"] != "failed" {
			t.Errorf("failed whole = %v, steps %v; want failed, keeping the text steps", job["status"], steps)
		}
		if contentOf(t, steps["backstory"])["character"].(map[string]any)["name"] != "Brenna Stonehelm" {
			t.Errorf("the failed whole's backstory lacks its content")
		}
	})
}

// TestWholeCharacterAdmission: identical live calls share one job, and a
// call one of whose rate limits refuses it answers 429 and starts nothing.
func TestWholeCharacterAdmission(t *testing.T) {
	t.Parallel()
	s := startService(t, map[string]string{"TEXT_WORKERS": "0", "IMAGE_WORKERS": "0", "TEXT_RATE_LIMIT": "10", "IMAGE_RATE_LIMIT": "1"})
	async := servicetest.Header("Prefer", "respond-async")

	t.Run("identical live calls share a job", func(t *testing.T) {
		tok := servicetest.Token(t, "whole-dedup")
		body := `{"include":["sheet"],"seed":3}`
		a := servicetest.Do(t, "POST", s.URL+"/api/v2/characters", tok, body, async)
		b := servicetest.Do(t, "POST", s.URL+"/api/v2/characters", tok, body, async)
		if a.Status != 202 || b.Status != 202 || a.JSON(t)["id"] != b.JSON(t)["id"] || b.Header.Get("X-Deduplicated") != "true" {
			t.Errorf("two identical calls = %d %v and %d %v (X-Deduplicated %q), want one job", a.Status, a.JSON(t)["id"], b.Status, b.JSON(t)["id"], b.Header.Get("X-Deduplicated"))
		}
	})

	t.Run("429 starts nothing", func(t *testing.T) {
		tok := servicetest.Token(t, "whole-limited")
		if r := servicetest.Do(t, "POST", s.URL+"/api/v2/characters", tok, `{"seed":1}`, async); r.Status != 202 {
			t.Fatalf("first call = %d %s", r.Status, r.Body)
		}
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/characters", tok, `{"seed":2}`, async)
		if r.Status != 429 || r.JSON(t)["code"] != httpapi.CodeRateLimited || r.Header.Get("Retry-After") == "" {
			t.Fatalf("second call (the image limit is 1) = %d %v %s, want 429 RATE_LIMITED with Retry-After", r.Status, r.Header, r.Body)
		}
		jobs := servicetest.Do(t, "GET", s.URL+"/api/v2/queue/status", tok, "").JSON(t)["jobs"].([]any)
		if len(jobs) != 1 {
			t.Errorf("the caller has %d jobs after the refusal, want 1: the refused call started nothing", len(jobs))
		}
		// The three text requests the refused call took were given back:
		// ten, less three for the first call, less this one.
		x := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, personalityBody, async)
		if got := x.Header.Get("RateLimit"); !strings.HasPrefix(got, `"text";r=6;`) {
			t.Errorf("RateLimit after the refusal = %q, want 6 text requests left", got)
		}
	})
}

// TestWholeCharacterEvents: the hub hears one event per step, each the
// step's own job's, and one for the whole, all under the call's
// correlation id.
func TestWholeCharacterEvents(t *testing.T) {
	t.Parallel()
	fh := newFakeHub(t)
	s := startService(t, map[string]string{"MESSAGE_HUB_URL": fh.URL, "HUB_SERVICE_KEY": "hub-service-key-whole"})
	tok := servicetest.Token(t, "whole-events")
	body := `{"parameters":{"character_class":"Bard","character_race":"Halfling"},"seed":21}`
	r := servicetest.Do(t, "POST", s.URL+"/api/v2/characters", tok, body, servicetest.Header("X-Correlation-ID", "whole-21"))
	if r.Status != 200 {
		t.Fatalf("POST = %d %s", r.Status, r.Body)
	}
	job := r.JSON(t)
	want := map[string]string{job["id"].(string): "llm.characters.completed"} // job id → event type
	for _, st := range stepsOf(t, job) {
		want[st["job_id"].(string)] = "llm.text.completed"
		if st["name"] == "portrait" {
			want[st["job_id"].(string)] = "llm.image.completed"
		}
	}
	mine := func() map[string][]string {
		got := map[string][]string{}
		fh.mu.Lock()
		defer fh.mu.Unlock()
		for _, e := range fh.events {
			if e["correlation_id"] == "whole-21" {
				id := e["data"].(map[string]any)["job_id"].(string)
				got[id] = append(got[id], e["event_type"].(string))
			}
		}
		return got
	}
	servicetest.WaitFor(t, 30*time.Second, "an event per step and one for the whole", func() bool { return len(mine()) == len(want) })
	for id, types := range mine() {
		if len(types) != 1 || types[0] != want[id] {
			t.Errorf("events of %s = %v, want one %s", id, types, want[id])
		}
	}
	fh.mu.Lock()
	defer fh.mu.Unlock()
	for _, e := range fh.events {
		if e["event_type"] == "llm.characters.completed" {
			if steps, _ := e["data"].(map[string]any)["steps"].([]any); len(steps) != 4 {
				t.Errorf("the whole's event lists %d steps, want 4: %v", len(steps), e["data"])
			}
		}
	}
}
