package config

import (
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"
)

func vars(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(vars(nil))
	if err != nil {
		t.Fatalf("Load() = %v", err)
	}
	if cfg.Port != 8000 || cfg.Function != FunctionAll || cfg.TextRateLimit != 100 || cfg.ImageRateLimit != 50 {
		t.Errorf("defaults = %+v", cfg)
	}
	if cfg.OpenAIMaxCallsPerJob != 4 {
		t.Errorf("OPENAI_MAX_CALLS_PER_JOB = %d, want 4", cfg.OpenAIMaxCallsPerJob)
	}
	if cfg.OpenAIRequestTimeout.D() != 30*time.Second || cfg.JobTTL.D() != 24*time.Hour {
		t.Errorf("duration defaults = %v, %v", cfg.OpenAIRequestTimeout.D(), cfg.JobTTL.D())
	}
	if got := strings.Join(cfg.OpenAIModels, ","); got != "gpt-4o,gpt-4o-mini" {
		t.Errorf("OPENAI_MODELS = %s", got)
	}
	if cfg.RedisMode != RedisSingle {
		t.Errorf("REDIS_MODE = %q, want %q", cfg.RedisMode, RedisSingle)
	}
	if cfg.HubEnabled() {
		t.Errorf("hub enabled by default")
	}
	if cfg.Shutdown.D() != 8*time.Second || cfg.ReadinessDrain.D() != time.Second || cfg.LogRepeatWindow.D() != 10*time.Second {
		t.Errorf("SHUTDOWN_TIMEOUT, READINESS_DRAIN, LOG_REPEAT_WINDOW = %v, %v, %v, want 8s, 1s, 10s",
			cfg.Shutdown.D(), cfg.ReadinessDrain.D(), cfg.LogRepeatWindow.D())
	}
	if cfg.MetricsPort != nil || cfg.OTLPEndpoint != "" || cfg.OTelServiceName != "dnd-llm-service" {
		t.Errorf("METRICS_PORT, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME = %v, %q, %q, want unset, unset, dnd-llm-service",
			cfg.MetricsPort, cfg.OTLPEndpoint, cfg.OTelServiceName)
	}
	if cfg.TextProviderName() != "offline" || cfg.ImageProviderName() != "offline" {
		t.Errorf("providers = %s/%s, want offline without keys", cfg.TextProviderName(), cfg.ImageProviderName())
	}
}

func TestDurations(t *testing.T) {
	for in, want := range map[string]time.Duration{"30": 30 * time.Second, "0.5": 500 * time.Millisecond, "24h": 24 * time.Hour, "1m30s": 90 * time.Second} {
		cfg, err := Load(vars(map[string]string{"JOB_TTL": in}))
		if err != nil {
			t.Fatalf("JOB_TTL=%s: %v", in, err)
		}
		if cfg.JobTTL.D() != want {
			t.Errorf("JOB_TTL=%s = %v, want %v", in, cfg.JobTTL.D(), want)
		}
	}
}

// Failed and canceled jobs have a retention of their own, a week unless set.
func TestFailedJobTTL(t *testing.T) {
	for _, tc := range []struct {
		env                 map[string]string
		wantJob, wantFailed time.Duration
	}{
		{map[string]string{}, 24 * time.Hour, 7 * 24 * time.Hour},
		{map[string]string{"JOB_TTL": "1h", "FAILED_JOB_TTL": "72h"}, time.Hour, 72 * time.Hour},
		{map[string]string{"JOB_TTL": "48h"}, 48 * time.Hour, 7 * 24 * time.Hour},
	} {
		cfg, err := Load(vars(tc.env))
		if err != nil {
			t.Fatalf("Load(%v) = %v", tc.env, err)
		}
		if cfg.JobTTL.D() != tc.wantJob || cfg.FailedJobTTL.D() != tc.wantFailed {
			t.Errorf("Load(%v): JOB_TTL, FAILED_JOB_TTL = %v, %v, want %v, %v", tc.env, cfg.JobTTL.D(), cfg.FailedJobTTL.D(), tc.wantJob, tc.wantFailed)
		}
	}
}

func TestErrorsNameTheVariable(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"PORT": "http"}, "PORT"},
		{map[string]string{"JOB_TTL": "soon"}, "JOB_TTL"},
		{map[string]string{"FAILED_JOB_TTL": "0"}, "FAILED_JOB_TTL: must be a positive duration"},
		{map[string]string{"SECRET_KEY": "short"}, "SECRET_KEY"},
		{map[string]string{"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"},
		{map[string]string{"FUNCTION": "x"}, "FUNCTION"},
		{map[string]string{"REDIS_URL": "http://x"}, "REDIS_URL"},
		{map[string]string{"OPENAI_BASE_URL": "not a url"}, "OPENAI_BASE_URL"},
		{map[string]string{"TEXT_RATE_LIMIT": "0"}, "TEXT_RATE_LIMIT"},
		{map[string]string{"TEXT_PROVIDER": "claude"}, "TEXT_PROVIDER"},
		{map[string]string{"OPENAI_MAX_CALLS_PER_JOB": "0"}, "OPENAI_MAX_CALLS_PER_JOB"},
		{map[string]string{"OPENAI_PRICES": "gpt-4o=cheap"}, "OPENAI_PRICES"},
		{map[string]string{"AWS_LAMBDA_RUNTIME_API": "x"}, "REDIS_URL"},
		{map[string]string{"REDIS_MODE": "ring", "REDIS_URL": "redis://a:6379"}, "REDIS_MODE"},
		{map[string]string{"REDIS_MODE": "cluster"}, "REDIS_MODE"},
		{map[string]string{"REDIS_MODE": "sentinel", "REDIS_URL": "unix:///tmp/redis.sock"}, "REDIS_URL"},
		{map[string]string{"REDIS_KEY_PREFIX": "{llm}:"}, "REDIS_KEY_PREFIX"},
		{map[string]string{"REDIS_URL": "redis://redis:6379/0"}, "SECRET_KEY: is required when REDIS_URL is set"},
		{map[string]string{"READINESS_DRAIN": "-1s"}, "READINESS_DRAIN"},
		{map[string]string{"READINESS_DRAIN": "8s"}, "READINESS_DRAIN: must be shorter than SHUTDOWN_TIMEOUT"},
		{map[string]string{"READINESS_DRAIN": "3s", "SHUTDOWN_TIMEOUT": "2s"}, "READINESS_DRAIN"},
		{map[string]string{"METRICS_PORT": "70000"}, "METRICS_PORT"},
		{map[string]string{"METRICS_PORT": "8000"}, "METRICS_PORT: must differ from PORT"},
		{map[string]string{"METRICS_PORT": "metrics"}, "METRICS_PORT"},
		{map[string]string{"LOG_REPEAT_WINDOW": "-5s"}, "LOG_REPEAT_WINDOW"},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT"},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "grpc://collector:4317"}, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"},
	}
	for _, tc := range cases {
		_, err := Load(vars(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%v) = %v, want an error naming %s", tc.env, err, tc.want)
		}
	}
}

func TestRedisModes(t *testing.T) {
	for _, tc := range []struct {
		mode, url string
	}{
		{RedisSingle, ""},
		{RedisSingle, "unix:///tmp/redis.sock"},
		{RedisCluster, "redis://10.0.0.1:6379?addr=10.0.0.2:6379&addr=10.0.0.3:6379"},
		{RedisSentinel, "redis://10.0.0.1:26379?master_name=mymaster&addr=10.0.0.2:26379"},
	} {
		cfg, err := Load(vars(map[string]string{"REDIS_MODE": tc.mode, "REDIS_URL": tc.url, "SECRET_KEY": strings.Repeat("k", 64)}))
		if err != nil || cfg.RedisMode != tc.mode {
			t.Errorf("Load(REDIS_MODE=%s REDIS_URL=%s) = %q, %v, want %q", tc.mode, tc.url, cfg.RedisMode, err, tc.mode)
		}
	}
}

// TEXT_WORKERS and IMAGE_WORKERS default by provider when unset: hundreds
// for a remote one, whose jobs wait on the network, and the cores for the
// offline generator, whose jobs use the CPU. A value given is kept, 0 too.
func TestWorkerDefaults(t *testing.T) {
	cores := runtime.NumCPU()
	for _, tc := range []struct {
		name        string
		env         map[string]string
		text, image int
	}{
		{"offline", nil, cores, cores},
		{"remote providers", map[string]string{"OPENAI_API_KEY": "sk-x", "GETIMG_API_KEY": "key"}, DefaultTextWorkers, DefaultImageWorkers},
		{"remote text, offline images", map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:8080/v1"}, DefaultTextWorkers, cores},
		{"offline text, remote images", map[string]string{"TEXT_PROVIDER": "offline", "OPENAI_API_KEY": "sk-x", "IMAGE_PROVIDER": "getimg"}, cores, DefaultImageWorkers},
		{"given", map[string]string{"OPENAI_API_KEY": "sk-x", "TEXT_WORKERS": "12", "IMAGE_WORKERS": "3"}, 12, 3},
		{"none in this process", map[string]string{"OPENAI_API_KEY": "sk-x", "TEXT_WORKERS": "0", "IMAGE_WORKERS": "0"}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load(vars(tc.env))
			if err != nil {
				t.Fatalf("Load(%v) = %v", tc.env, err)
			}
			if cfg.TextWorkers != tc.text || cfg.ImageWorkers != tc.image {
				t.Errorf("Load(%v) workers = text %d, image %d, want %d, %d", tc.env, cfg.TextWorkers, cfg.ImageWorkers, tc.text, tc.image)
			}
		})
	}
	if DefaultTextWorkers != 256 || DefaultImageWorkers != 64 {
		t.Errorf("remote defaults = %d, %d, want 256, 64 (the README says so)", DefaultTextWorkers, DefaultImageWorkers)
	}
}

func TestOperationsSettings(t *testing.T) {
	cfg, err := Load(vars(map[string]string{
		"METRICS_PORT": "9090", "READINESS_DRAIN": "0", "LOG_REPEAT_WINDOW": "0",
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "SHUTDOWN_TIMEOUT": "30s",
	}))
	if err != nil {
		t.Fatalf("Load() = %v", err)
	}
	if cfg.MetricsPort == nil || *cfg.MetricsPort != 9090 {
		t.Errorf("METRICS_PORT = %v, want 9090", cfg.MetricsPort)
	}
	if cfg.ReadinessDrain != 0 || cfg.LogRepeatWindow != 0 || cfg.Shutdown.D() != 30*time.Second {
		t.Errorf("READINESS_DRAIN, LOG_REPEAT_WINDOW, SHUTDOWN_TIMEOUT = %v, %v, %v", cfg.ReadinessDrain.D(), cfg.LogRepeatWindow.D(), cfg.Shutdown.D())
	}
	if cfg.OTLPEndpoint != "http://collector:4318" {
		t.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT = %q", cfg.OTLPEndpoint)
	}
}

// Only the embedded store may run without SECRET_KEY: with REDIS_URL set,
// replicas share work and must share the key.
func TestSecretKeyRequiredWithRedis(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		ok   bool
	}{
		{"embedded store", map[string]string{}, true},
		{"redis with key", map[string]string{"REDIS_URL": "redis://redis:6379/0", "SECRET_KEY": strings.Repeat("k", 64)}, true},
		{"redis without key", map[string]string{"REDIS_URL": "redis://redis:6379/0"}, false},
		{"cluster without key", map[string]string{"REDIS_URL": "redis://a:6379", "REDIS_MODE": "cluster"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(vars(tc.env))
			if (err == nil) != tc.ok {
				t.Errorf("Load(%v) = %v, want ok = %v", tc.env, err, tc.ok)
			}
		})
	}
}

func TestSecretsAreRedacted(t *testing.T) {
	key := strings.Repeat("s", 64)
	cfg, err := Load(vars(map[string]string{"SECRET_KEY": key, "OPENAI_API_KEY": "sk-secret", "REDIS_URL": "redis://:hunter2@localhost:6379/0"}))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("cfg", "config", cfg, "key", cfg.SecretKey)
	out := b.String() + fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg)
	for _, s := range []string{key, "sk-secret", "hunter2"} {
		if strings.Contains(out, s) {
			t.Errorf("secret %q printed", s)
		}
	}
	if cfg.SecretKey.Value() != key {
		t.Errorf("Value() lost the secret")
	}
}
