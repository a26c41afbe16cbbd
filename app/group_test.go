package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/app"
	"github.com/dndcc/dnd-llm-service/app/apptest"
	"github.com/dndcc/dnd-llm-service/functions/docs/openapigen"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/local/eventgen"
	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// npcRequest is the body of the test group's route.
type npcRequest struct {
	Name string `json:"name"`
}

func (r npcRequest) Valid(context.Context) map[string]string {
	if strings.TrimSpace(r.Name) == "" {
		return map[string]string{"name": "is required"}
	}
	return nil
}

// npcResult is what its job answers.
type npcResult struct {
	Greeting string `json:"greeting"`
}

// npcGroup is a group as a new engineer would add one: a folder of its own
// with one authenticated route whose jobs run on the text queue.
var npcGroup = group.Def{
	Name:     "npc",
	Function: "npc",
	About:    "Non-player characters.",
	Tags:     []apidoc.Tag{{Name: "npc", Description: "Non-player characters."}},
	New: func(d group.Deps) (group.Parts, error) {
		build := func(w http.ResponseWriter, r *http.Request) error {
			req, err := httpapi.Decode[npcRequest](r)
			if err != nil {
				return err
			}
			payload, _ := json.Marshal(req)
			return d.Submit.Handle(w, r, submit.Request{Queue: "text", Kind: "text.npc", Payload: payload, Canonical: req.Name})
		}
		greet := queue.HandlerFunc(func(_ context.Context, j *queue.Job) (queue.Result, error) {
			var req npcRequest
			if err := json.Unmarshal(j.Payload, &req); err != nil {
				return queue.Result{}, queue.Permanent(err)
			}
			b, _ := json.Marshal(npcResult{Greeting: "Well met, " + req.Name + "."})
			return queue.Result{Value: b}, nil
		})
		return group.Parts{
			Routes: []group.Route{{
				Method: http.MethodPost, Path: "/api/v2/npc", Auth: group.Bearer, MaxBody: 1 << 10, Handler: build,
				Doc: apidoc.Operation{
					ID: "npcGreet", Summary: "Greet an NPC",
					Params:    submit.DocParams(),
					Body:      &apidoc.Body{Schema: "npcRequest", Examples: []apidoc.Example{{Name: "one", Value: npcRequest{Name: "Mirela"}}}},
					Responses: submit.DocResponses("NpcJob", httpapi.CodeTextGenerationFailed),
				},
			}},
			Jobs:  []group.Job{{Kind: "text.npc", Queue: "text", Handler: greet, Result: "npcResult", Schema: "NpcJob"}},
			Types: []any{npcRequest{}, npcResult{}},
		}, nil
	},
}

// TestNewGroupIsWiredEverywhere adds a group to the list and checks that it
// is mounted, runs its jobs, is documented, has a FUNCTION value (its
// Lambda function) and a sample event.
func TestNewGroupIsWiredEverywhere(t *testing.T) {
	t.Parallel()
	groups := append(slices.Clone(app.Groups), npcGroup)
	a := apptest.New(t, nil, apptest.Groups(groups))

	t.Run("mounted and runs jobs", func(t *testing.T) {
		srv := httptest.NewServer(a.Handler())
		defer srv.Close()
		post := func(tok string) servicetest.Response {
			return servicetest.Do(t, http.MethodPost, srv.URL+"/api/v2/npc?wait=0", tok, `{"name":"Mirela"}`)
		}
		if resp := post(""); resp.Status != http.StatusUnauthorized {
			t.Errorf("POST /api/v2/npc without a token = %d, want 401", resp.Status)
		}
		tok := servicetest.Token(t, "npc-tester")
		if resp := post(tok); resp.Status != http.StatusAccepted {
			t.Errorf("POST /api/v2/npc = %d, want 202", resp.Status)
		}
		kinds := a.Kinds()
		if !slices.Contains(kinds, "text.npc") {
			t.Errorf("job kinds %v lack text.npc", kinds)
		}
	})

	t.Run("documented", func(t *testing.T) {
		b, err := openapigen.BuildFor(groups)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Paths      map[string]map[string]struct{ OperationID string } `json:"paths"`
			Components struct{ Schemas map[string]any }                   `json:"components"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if got := doc.Paths["/api/v2/npc"]["post"].OperationID; got != "npcGreet" {
			t.Errorf("document's POST /api/v2/npc operation = %q, want npcGreet", got)
		}
		for _, c := range []string{"npcRequest", "npcResult", "NpcJob"} {
			if doc.Components.Schemas[c] == nil {
				t.Errorf("document lacks component %s", c)
			}
		}
	})

	t.Run("Lambda function and sample event", func(t *testing.T) {
		if fns := app.Functions(groups); !slices.Contains(fns, "npc") {
			t.Errorf("FUNCTION values %v lack npc", fns)
		}
		events, err := eventgen.Events(a.Built())
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(events, func(e eventgen.Event) bool { return e.Route == "POST /api/v2/npc" })
		if i < 0 {
			t.Fatalf("no sample event for POST /api/v2/npc")
		}
		if e := events[i]; e.Function != "npc" || e.File != "npc-greet.json" || !strings.Contains(e.Body, "Mirela") || e.Public {
			t.Errorf("sample event = %+v, want npc-greet.json for FUNCTION=npc with a token and the example body", e)
		}
	})
}
