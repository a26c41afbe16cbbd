package eventgen_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/dndcc/dnd-llm-service/local/eventgen"
)

// eventsDir is local/events, from this package's folder.
const eventsDir = "../events"

// TestSampleEventsAreCurrent keeps local/events in step with the routes.
func TestSampleEventsAreCurrent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := eventgen.Write(dir); err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	got, _ := filepath.Glob(filepath.Join(eventsDir, "*.json"))
	if len(got) != len(want) {
		t.Errorf("local/events has %d files, make events writes %d: run make events", len(got), len(want))
	}
	for _, w := range want {
		a, _ := os.ReadFile(w)
		b, err := os.ReadFile(filepath.Join(eventsDir, filepath.Base(w)))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("local/events/%s is stale or missing: run make events", filepath.Base(w))
		}
	}
}
