package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
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
		`HEALTHCHECK`, `CMD ["/dnd-llm-service","healthcheck","live"]`,
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

// The image's HEALTHCHECK probes liveness: an engine that restarts
// unhealthy containers must not restart them through a Redis outage. The
// compose file's probes readiness, which is what its dependents wait for.
func TestContainerProbes(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("local/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Healthcheck struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatalf("local/compose.yaml: %v", err)
	}
	got := compose.Services["llm-service"].Healthcheck.Test
	if want := []string{"CMD", "/dnd-llm-service", "healthcheck", "ready"}; !slices.Equal(got, want) {
		t.Errorf("llm-service healthcheck = %q, want %q", got, want)
	}
	cf, err := os.ReadFile("Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	hc := regexp.MustCompile(`(?m)^HEALTHCHECK .*CMD (\[.*\])$`).FindSubmatch(cf)
	if hc == nil || string(hc[1]) != `["/dnd-llm-service","healthcheck","live"]` {
		t.Errorf("Containerfile HEALTHCHECK = %q, want the live probe", hc)
	}
}
