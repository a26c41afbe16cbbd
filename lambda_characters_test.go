package main

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"testing"

	"github.com/dndcc/dnd-llm-service/app"
	"github.com/dndcc/dnd-llm-service/functions/characters"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// TestLambdaWholeCharacter makes whole characters under the Lambda
// emulator: the text function writes the text steps in the call itself
// (200 when they are all the call asks for); a portrait waits for the
// scheduled worker (202), whose one run draws it and finishes the whole.
func TestLambdaWholeCharacter(t *testing.T) {
	servicetest.SkipShort(t, "emulator: builds the binary and the Lambda emulator, then runs the text function and the scheduled worker")
	t.Parallel()
	env := lambdaEnv(t, "text")
	workerEnv := maps.Clone(env)
	workerEnv["FUNCTION"] = config.FunctionWorker
	textFn := startEmulator(t, env)

	sample, err := os.ReadFile("local/events/characters-create.json")
	if err != nil {
		t.Fatal(err)
	}
	call := func(t *testing.T, body, wait string) (apiResponse, map[string]any) {
		t.Helper()
		var ev map[string]any
		if err := json.Unmarshal(sample, &ev); err != nil {
			t.Fatal(err)
		}
		ev["body"], ev["rawQueryString"], ev["queryStringParameters"] = body, "wait="+wait, map[string]string{"wait": wait}
		b, _ := json.Marshal(ev)
		var resp apiResponse
		if err := json.Unmarshal(textFn.invoke(t, b), &resp); err != nil {
			t.Fatal(err)
		}
		var job map[string]any
		if err := json.Unmarshal([]byte(resp.Body), &job); err != nil {
			t.Fatalf("answer %d is not JSON: %s", resp.StatusCode, resp.Body)
		}
		return resp, job
	}

	t.Run("text steps: written in the call", func(t *testing.T) {
		resp, job := call(t, `{"parameters":{"character_class":"Paladin","character_race":"Human","character_level":4},"include":["sheet","backstory","personality"],"seed":5}`, "20")
		if resp.StatusCode != 200 || job["status"] != "succeeded" || !statusIs("succeeded", "sheet", "backstory", "personality")(stepsOf(t, job)) {
			t.Fatalf("text function = %d %.400s, want 200 with every step succeeded", resp.StatusCode, resp.Body)
		}
	})

	t.Run("a portrait: the scheduled worker draws it", func(t *testing.T) {
		resp, job := call(t, `{"parameters":{"character_class":"Ranger","character_race":"Wood Elf","character_level":6},"seed":6}`, "2")
		steps := stepsOf(t, job)
		if resp.StatusCode != 202 || resp.Headers["Location"] != "/api/v2/queue/"+job["id"].(string) ||
			!statusIs("succeeded", "sheet", "backstory", "personality")(steps) || steps["portrait"]["status"] != "queued" {
			t.Fatalf("text function = %d %v %.400s, want 202 with the text steps done and the portrait queued", resp.StatusCode, resp.Headers, resp.Body)
		}
		worker := startEmulator(t, workerEnv)
		ev, err := os.ReadFile("local/events/worker-schedule.json")
		if err != nil {
			t.Fatal(err)
		}
		var res app.WorkerResult
		if err := json.Unmarshal(worker.invoke(t, ev), &res); err != nil || res.Ran < 1 {
			t.Fatalf("worker = %+v, %v, want the whole character run", res, err)
		}
		rdb, _ := redistest.New(t)
		q := queue.New(rdb, queue.Config{Name: "text", Prefix: env["REDIS_KEY_PREFIX"]})
		j, err := q.Get(context.Background(), job["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		var whole characters.Result
		if err := json.Unmarshal(j.Result, &whole); err != nil {
			t.Fatal(err)
		}
		if j.Status != queue.StatusSucceeded || len(whole.Steps) != 4 || whole.Steps[3].Name != "portrait" || whole.Steps[3].Status != "succeeded" {
			t.Errorf("after the worker's run the whole character = %s %+v, want succeeded with its portrait", j.Status, whole.Steps)
		}
	})
}
