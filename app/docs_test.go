package app_test

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/app/apptest"
	"github.com/dndcc/dnd-llm-service/functions/docs"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/config"
)

// docsMountHint tells what to do when the document's routes are not served.
const docsMountHint = "add functions/docs's Group to app.Groups"

// docsApp builds the program as FUNCTION=all in server mode and returns
// the route patterns it serves and the Message Hub types it accepts.
func docsApp(t testing.TB) (routes, messageTypes []string) {
	t.Helper()
	a := apptest.New(t, map[string]string{"FUNCTION": config.FunctionAll})
	for _, r := range a.Routes() {
		routes = append(routes, r.Pattern())
	}
	sort.Strings(routes)
	for _, m := range a.Messages() {
		messageTypes = append(messageTypes, m.Names()...)
	}
	sort.Strings(messageTypes)
	return routes, messageTypes
}

func TestDocsRoutesMatchSpec(t *testing.T) {
	t.Parallel()
	served, messageTypes := docsApp(t)
	spec := apptest.LoadSpec(t)
	documented := spec.Operations()
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
	if diff := servicetest.DiffSorted(messageTypes, spec.MessageTypes()); diff != "" {
		t.Errorf("Message Hub types: served %v, documented %v", messageTypes, spec.MessageTypes())
	}
}
