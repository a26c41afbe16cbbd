package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// Containers cannot run here, so the Containerfile's promises are checked
// by reading it.
func TestContainerfileInvariants(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	stages := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(src, -1)
	if len(stages) < 2 {
		t.Fatalf("want a multi-stage build, got %d stages", len(stages))
	}
	// The base images are build arguments, so operators can pin digests;
	// their defaults are today's tags.
	args := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^ARG\s+(\w+)=(\S+)`).FindAllStringSubmatch(src, -1) {
		args[m[1]] = m[2]
	}
	base := func(from string) string {
		if name, ok := strings.CutPrefix(from, "${"); ok {
			return args[strings.TrimSuffix(name, "}")]
		}
		return from
	}
	if stages[0][1] != "${BUILDER_IMAGE}" || !strings.Contains(base(stages[0][1]), "golang") {
		t.Errorf("build stage FROM %s (%s), want ${BUILDER_IMAGE} defaulting to golang", stages[0][1], base(stages[0][1]))
	}
	if last := stages[len(stages)-1][1]; last != "${RUNTIME_IMAGE}" || base(last) != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("final stage FROM %s (%s), want ${RUNTIME_IMAGE} defaulting to distroless static nonroot", last, base(last))
	}
	for _, want := range []string{
		"CGO_ENABLED=0", "-trimpath", `-ldflags "-s -w`,
		"USER 65532", "EXPOSE 8000",
		`HEALTHCHECK`, `CMD ["/dnd-llm-service","healthcheck"]`,
		"org.opencontainers.image.title", "org.opencontainers.image.version", "org.opencontainers.image.source",
		"MESSAGE_HUB_URL=off",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("Containerfile lacks %q", want)
		}
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "make image") || !strings.Contains(string(readme), "--format docker") {
		t.Errorf("README does not say make image (podman build --format docker)")
	}
	if ignore, err := os.ReadFile(".containerignore"); err != nil || !strings.Contains(string(ignore), ".git") {
		t.Errorf(".containerignore is missing or does not leave out .git: %v", err)
	}
}
