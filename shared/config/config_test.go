package config

import (
	"fmt"
	"log/slog"
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

func TestErrorsNameTheVariable(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"PORT": "http"}, "PORT"},
		{map[string]string{"JOB_TTL": "soon"}, "JOB_TTL"},
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
		cfg, err := Load(vars(map[string]string{"REDIS_MODE": tc.mode, "REDIS_URL": tc.url}))
		if err != nil || cfg.RedisMode != tc.mode {
			t.Errorf("Load(REDIS_MODE=%s REDIS_URL=%s) = %q, %v, want %q", tc.mode, tc.url, cfg.RedisMode, err, tc.mode)
		}
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
