package image

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dndcc/dnd-llm-service/shared/getimg"
	"github.com/dndcc/dnd-llm-service/shared/getimg/getimgtest"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/usage"
)

var errCrash = errors.New("process died")

// crashAfterSave persists a provider answer, then fails as a process that
// dies before finishing the job would: the job is retried.
type crashAfterSave struct {
	checkpoints
	step int // the step whose save "crashes"

	mu      sync.Mutex
	crashed bool
}

func (c *crashAfterSave) Save(ctx context.Context, jobID string, step int, img getimg.Image) error {
	if err := c.checkpoints.Save(ctx, jobID, step, img); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if step == c.step && !c.crashed {
		c.crashed = true
		return errCrash
	}
	return nil
}

func TestCrashAfterProviderAnswerDoesNotPayTwice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		path      string
		body      func(t *testing.T) map[string]any
		crashStep int
		wantCalls map[string]int
	}{
		{
			name:      "generate",
			path:      "/api/v2/image/generate",
			body:      func(*testing.T) map[string]any { return generateBody(21) },
			wantCalls: map[string]int{getimgtest.PathSDXLText: 1},
		},
		{
			name: "transform",
			path: "/api/v2/image/transform",
			body: func(t *testing.T) map[string]any {
				return map[string]any{"type": "item_illustration", "prompt": "a lantern", "source_image": pngB64(t, 256, 256, 5)}
			},
			wantCalls: map[string]int{getimgtest.PathSDXLImage: 1},
		},
		{
			name: "second step of an enhance chain",
			path: "/api/v2/image/enhance",
			body: func(t *testing.T) map[string]any {
				return map[string]any{"image": pngB64(t, 64, 64, 6), "enhancements": []string{"upscale", "detail_enhancement", "face_fix"}}
			},
			crashStep: 2,
			wantCalls: map[string]int{getimgtest.PathUpscale: 1, getimgtest.PathFaceFix: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			crash := &crashAfterSave{step: tc.crashStep}
			st := newStack(t, stackConfig{getimg: true, wrapSteps: func(c checkpoints) checkpoints {
				crash.checkpoints = c
				return crash
			}})
			j, _ := st.succeed(tc.path, tc.body(t), nil)
			if j.Attempts != 2 {
				t.Errorf("attempts = %d, want 2 (one crash, one retry)", j.Attempts)
			}
			got := map[string]int{}
			for path := range tc.wantCalls {
				got[path] = st.fake.Calls(path)
			}
			if diff := cmp.Diff(tc.wantCalls, got); diff != "" {
				t.Errorf("provider calls (-want +got):\n%s", diff)
			}
			var cost float64
			for _, r := range st.usageRows("alice") {
				cost += r.CostUSD
			}
			if roundCost(cost) != j.Result.Cost || cost == 0 {
				t.Errorf("usage cost = %v, want the job's cost %v counted once", cost, j.Result.Cost)
			}
			// The checkpoints are gone once the job is done.
			if n, err := st.rdb.Exists(context.Background(), st.prefix+"imagesteps:{"+j.ID+"}").Result(); err != nil || n != 0 {
				t.Errorf("checkpoints of %s left behind (%d, %v)", j.ID, n, err)
			}
		})
	}
}

// A job that stored its image but died before its outcome was recorded is
// answered from the stored image on retry: no call, no second image, no
// second count.
func TestRetryAfterStoredImage(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{getimg: true})
	p, err := json.Marshal(payload{Type: "item_illustration", Prompt: "a key", Width: 256, Height: 256, Seed: ptr[int64](3)})
	if err != nil {
		t.Fatal(err)
	}
	job := &queue.Job{ID: queue.NewJobID(QueueName), Kind: KindGenerate, Owner: "carol", Payload: p}
	first, err := st.svc.run(t.Context(), job)
	if err != nil {
		t.Fatalf("run = %v", err)
	}
	second, err := st.svc.run(t.Context(), job)
	if err != nil {
		t.Fatalf("rerun = %v", err)
	}
	var a, b Result
	json.Unmarshal(first.Value, &a)
	json.Unmarshal(second.Value, &b)
	if a.ImageID != b.ImageID || a.ImageData != b.ImageData || a.Cost != b.Cost || a.Seed != b.Seed {
		t.Errorf("rerun result = %s/%v/%d, want the first %s/%v/%d", b.ImageID, b.Cost, b.Seed, a.ImageID, a.Cost, a.Seed)
	}
	if first.Event["image_id"] != a.ImageID || first.Event["url"] != a.URL {
		t.Errorf("event = %v, want image_id and url", first.Event)
	}
	if n := st.fake.Calls(getimgtest.PathSDXLText); n != 1 {
		t.Errorf("provider calls = %d, want 1", n)
	}
	want := []usage.Row{{Date: usage.Day(time.Now()), Caller: "carol", Model: "getimg/stable-diffusion-xl", Requests: 1, Images: 1, CostUSD: a.Cost}}
	if diff := cmp.Diff(want, st.usageRows("carol")); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
	u, err := st.svc.store.Usage(t.Context())
	if err != nil || u.Images != 1 {
		t.Errorf("store holds %d images (%v), want 1", u.Images, err)
	}
}

func TestBadPayloadIsPermanent(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{})
	for _, payload := range []string{`{`, `{"type":"nope","prompt":"p","width":256,"height":256}`} {
		_, err := st.svc.run(t.Context(), &queue.Job{ID: queue.NewJobID(QueueName), Kind: KindGenerate, Owner: "x", Payload: []byte(payload)})
		var p *httpapi.Problem
		if !errors.As(err, &p) || p.Code != httpapi.CodeInvalidParameters {
			t.Errorf("run(%s) = %v, want an INVALID_PARAMETERS problem", payload, err)
		}
	}
}
