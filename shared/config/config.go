// Package config reads the service's settings from the environment, once,
// into one struct, and validates them. Every error names the variable.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/dndcc/dnd-llm-service/shared/usage"
)

// Modes the binary can run as, chosen by FUNCTION, besides the function
// of each endpoint group (which the app declares).
const (
	FunctionAll    = "all"    // every group, and workers
	FunctionWorker = "worker" // workers only
)

// Redis topologies, chosen by REDIS_MODE.
const (
	RedisSingle   = "single"
	RedisCluster  = "cluster"
	RedisSentinel = "sentinel"
)

// MinSecretKeyLen is the shortest SECRET_KEY accepted.
const MinSecretKeyLen = 64

// Config holds every setting. Defaults are documented beside each field and
// applied when the variable is unset.
type Config struct {
	// Process and HTTP.
	Port     int      `env:"PORT" envDefault:"8000"`           // HTTP port
	Function string   `env:"FUNCTION" envDefault:"all"`        // all, worker, or a group's function (text, image, queue)
	LogLevel string   `env:"LOG_LEVEL" envDefault:"INFO"`      // DEBUG|INFO|WARNING|ERROR
	Version  string   `env:"SERVICE_VERSION" envDefault:"dev"` // reported by /health and to the hub
	Shutdown Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"8s"` // grace period for in-flight work on SIGTERM, READINESS_DRAIN included
	// ReadinessDrain is how long /readyz fails on SIGTERM before the
	// listener closes, so load balancers stop sending work; 0 = none.
	ReadinessDrain Duration `env:"READINESS_DRAIN" envDefault:"1s"`
	// MetricsPort, when set, serves /metrics on a listener of its own
	// instead of PORT (0 picks a free port).
	MetricsPort *int `env:"METRICS_PORT"`
	// LogRepeatWindow coalesces repeated warnings: one line per window
	// with a count; 0 writes every line.
	LogRepeatWindow Duration `env:"LOG_REPEAT_WINDOW" envDefault:"10s"`

	// Tracing (OpenTelemetry, OTLP over HTTP): off unless an endpoint is set.
	OTLPEndpoint       string `env:"OTEL_EXPORTER_OTLP_ENDPOINT"`        // collector base URL; /v1/traces is appended
	OTLPTracesEndpoint string `env:"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"` // full traces URL, used as is; wins
	OTelServiceName    string `env:"OTEL_SERVICE_NAME" envDefault:"dnd-llm-service"`

	// Settings from elsewhere, read before the rest (the environment wins).
	ServiceConfigJSON Secret `env:"SERVICE_CONFIG_JSON"` // a JSON object of settings, e.g. {"TEXT_RATE_LIMIT":200}
	SecretsID         string `env:"SECRETS_ID"`          // a Secrets Manager secret of key/value settings, read through the AWS Parameters and Secrets Lambda Extension

	// Auth.
	SecretKey         Secret `env:"SECRET_KEY"`          // HS256 key, ≥ 64 characters; generated when unset on the embedded store only
	SecretKeyPrevious Secret `env:"SECRET_KEY_PREVIOUS"` // also accepted when verifying, for key rotation
	JWTIssuer         string `env:"JWT_ISSUER"`          // checked when set
	JWTAudience       string `env:"JWT_AUDIENCE"`        // checked when set

	// Redis. Empty: an embedded single-instance store (server mode only).
	RedisURL Secret `env:"REDIS_URL"`
	// RedisMode says how REDIS_URL is read: single (one server), cluster
	// (seed nodes: redis://host1:6379?addr=host2:6379&addr=host3:6379) or
	// sentinel (sentinels, with ?master_name=...).
	RedisMode      string `env:"REDIS_MODE" envDefault:"single"`
	RedisKeyPrefix string `env:"REDIS_KEY_PREFIX" envDefault:"llm:"` // prefix of every key, so services can share a Redis

	// OpenAI.
	OpenAIAPIKey         Secret   `env:"OPENAI_API_KEY"`
	OpenAIBaseURL        string   `env:"OPENAI_BASE_URL"`                               // includes the version path; default https://api.openai.com/v1
	OpenAIModels         []string `env:"OPENAI_MODELS" envDefault:"gpt-4o,gpt-4o-mini"` // fallback chain
	OpenAIRequestTimeout Duration `env:"OPENAI_REQUEST_TIMEOUT" envDefault:"30s"`       // per attempt
	OpenAIMaxRetries     int      `env:"OPENAI_MAX_RETRIES" envDefault:"2"`             // per model
	OpenAIMaxCallsPerJob int      `env:"OPENAI_MAX_CALLS_PER_JOB" envDefault:"4"`       // paid completions (answers, valid or not) per job run
	TextProvider         string   `env:"TEXT_PROVIDER" envDefault:"auto"`               // auto|openai|offline
	OpenAIPrices         string   `env:"OPENAI_PRICES"`                                 // "model=prompt:completion,..." USD per 1M tokens, over the defaults

	// GetImg.AI.
	GetImgAPIKey         Secret   `env:"GETIMG_API_KEY"`
	GetImgBaseURL        string   `env:"GETIMG_BASE_URL"`                                        // without a version path; default https://api.getimg.ai
	GetImgRequestTimeout Duration `env:"GETIMG_REQUEST_TIMEOUT" envDefault:"60s"`                // per attempt
	GetImgGenerateModel  string   `env:"GETIMG_GENERATE_MODEL" envDefault:"stable-diffusion-xl"` // text-to-image family
	ImageProvider        string   `env:"IMAGE_PROVIDER" envDefault:"auto"`                       // auto|getimg|offline

	// Message Hub. Empty or "off" disables it.
	MessageHubURL          string   `env:"MESSAGE_HUB_URL"`
	ServiceURL             string   `env:"SERVICE_URL" envDefault:"http://llm-service:8000"` // how the hub reaches us
	ServiceURLParameter    string   `env:"SERVICE_URL_PARAMETER"`                            // an SSM parameter holding SERVICE_URL (SAM sets it to the stack's API URL)
	HubServiceKey          Secret   `env:"HUB_SERVICE_KEY"`                                  // accepted as X-Service-Key on /api/v2/hub/messages
	HubHeartbeat           Duration `env:"HUB_HEARTBEAT" envDefault:"30s"`
	HubQueueStatusInterval Duration `env:"HUB_QUEUE_STATUS_INTERVAL" envDefault:"60s"`
	HubEventTTL            Duration `env:"HUB_EVENT_TTL" envDefault:"168h"`
	HubParkedTTL           Duration `env:"HUB_PARKED_TTL" envDefault:"168h"` // events the hub refused are kept this long for redelivery
	HubOutboxMax           int64    `env:"HUB_OUTBOX_MAX" envDefault:"100000"`
	HubClaimIdle           Duration `env:"HUB_CLAIM_IDLE" envDefault:"2m"` // events held this long by a vanished replica are taken over

	// Rate limits, requests per minute per caller.
	TextRateLimit  int `env:"TEXT_RATE_LIMIT" envDefault:"100"`
	ImageRateLimit int `env:"IMAGE_RATE_LIMIT" envDefault:"50"`

	// Queue.
	QueueMaxDepth   int      `env:"QUEUE_MAX_DEPTH" envDefault:"10000"`
	JobQueueTimeout Duration `env:"JOB_QUEUE_TIMEOUT" envDefault:"15m"`
	JobMaxAttempts  int      `env:"JOB_MAX_ATTEMPTS" envDefault:"3"`
	JobTTL          Duration `env:"JOB_TTL" envDefault:"24h"`         // succeeded jobs are kept this long
	FailedJobTTL    Duration `env:"FAILED_JOB_TTL" envDefault:"168h"` // failed and canceled jobs are kept this long, to be found and retried
	JobLease        Duration `env:"JOB_LEASE" envDefault:"30s"`
	// Text and image jobs running at once per process (0 = none in this
	// process). Unset: DefaultTextWorkers and DefaultImageWorkers with a
	// remote provider, the number of cores with the offline generator (see
	// defaultWorkers).
	TextWorkers  int `env:"TEXT_WORKERS"`
	ImageWorkers int `env:"IMAGE_WORKERS"`
	// Running jobs across all replicas (0 = no cap): an OpenAI or GetImg
	// tier's concurrent budget.
	TextMaxInFlight       int      `env:"TEXT_MAX_IN_FLIGHT" envDefault:"0"`
	ImageMaxInFlight      int      `env:"IMAGE_MAX_IN_FLIGHT" envDefault:"0"`
	ProviderMaxRetryAfter Duration `env:"PROVIDER_MAX_RETRY_AFTER" envDefault:"60s"`

	// Text cache, usage and quota.
	TextCacheTTL        Duration `env:"TEXT_CACHE_TTL" envDefault:"24h"`
	TextDailyTokenQuota int64    `env:"TEXT_DAILY_TOKEN_QUOTA" envDefault:"0"` // 0 = unlimited

	// Images.
	ImageTTL            Duration `env:"IMAGE_TTL" envDefault:"24h"`
	ImageURLTTL         Duration `env:"IMAGE_URL_TTL" envDefault:"1h"`
	ImageStoreBudget    int64    `env:"IMAGE_STORE_BUDGET" envDefault:"1073741824"` // bytes of images kept in Redis
	ImageDailyCostQuota float64  `env:"IMAGE_DAILY_COST_QUOTA" envDefault:"0"`      // USD per caller, 0 = unlimited
}

// Lambda reports whether the process runs under AWS Lambda.
func Lambda(getenv func(string) string) bool {
	return getenv("AWS_LAMBDA_RUNTIME_API") != ""
}

// Load parses the environment through getenv and validates the result.
// functions are the FUNCTION values the endpoint groups add to all and
// worker.
func Load(getenv func(string) string, functions ...string) (Config, error) {
	var cfg Config
	params, err := env.GetFieldParams(&cfg)
	if err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	vars := make(map[string]string, len(params))
	for _, p := range params {
		if v := getenv(p.Key); v != "" {
			vars[p.Key] = v
		}
	}
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: vars}); err != nil {
		return cfg, namedError(err)
	}
	cfg.defaultWorkers(vars, runtime.NumCPU())
	if err := cfg.validate(Lambda(getenv), functions); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// Worker defaults for remote providers. Their jobs wait seconds on the
// network, so a process holds many at once; MAX_IN_FLIGHT, not these, is
// what matches a provider's limits.
const (
	DefaultTextWorkers  = 256
	DefaultImageWorkers = 64
)

// defaultWorkers fills in TEXT_WORKERS and IMAGE_WORKERS when set, the
// variables given, lacks them (an explicit 0 stays 0): the remote default,
// or cores when the group's provider is the offline generator, whose jobs
// use the CPU.
func (c *Config) defaultWorkers(set map[string]string, cores int) {
	if _, ok := set["TEXT_WORKERS"]; !ok {
		c.TextWorkers = workersFor(c.TextProviderName(), DefaultTextWorkers, cores)
	}
	if _, ok := set["IMAGE_WORKERS"]; !ok {
		c.ImageWorkers = workersFor(c.ImageProviderName(), DefaultImageWorkers, cores)
	}
}

func workersFor(provider string, remote, cores int) int {
	if provider == "offline" {
		return cores
	}
	return remote
}

// namedError rewrites the library's field-named errors into ones that name
// the environment variable, without echoing the value (it may be a secret).
func namedError(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return fmt.Errorf("config: %w", err)
	}
	var msgs []string
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			msgs = append(msgs, fmt.Sprintf("%s: invalid %s value", varOf(pe.Name), typeName(pe.Type)))
			continue
		}
		msgs = append(msgs, e.Error())
	}
	return fmt.Errorf("config: %s", strings.Join(msgs, "; "))
}

func typeName(t reflect.Type) string {
	switch t {
	case reflect.TypeOf(Duration(0)):
		return "duration (like 30s, 24h, or a number of seconds)"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		return "integer"
	case reflect.Float64:
		return "number"
	}
	return t.String()
}

func varOf(field string) string {
	f, ok := reflect.TypeOf(Config{}).FieldByName(field)
	if !ok {
		return field
	}
	return f.Tag.Get("env")
}

func (c *Config) validate(lambda bool, functions []string) error {
	var p problems
	c.checkProcess(&p, lambda, functions)
	c.checkProviders(&p)
	c.checkLimits(&p)
	c.checkDurations(&p)
	if len(p) > 0 {
		// Map iteration order varies; keep messages stable.
		slices.Sort(p)
		return fmt.Errorf("config: %s", strings.Join(p, "; "))
	}
	return nil
}

// problems collects what is wrong with the config, each naming its
// variable.
type problems []string

func (p *problems) bad(name, format string, args ...any) {
	*p = append(*p, name+": "+fmt.Sprintf(format, args...))
}

func (p *problems) oneOf(name, v string, allowed ...string) {
	if !slices.Contains(allowed, v) {
		p.bad(name, "must be one of %s", strings.Join(allowed, ", "))
	}
}

func (p *problems) httpURL(name, v string) {
	if v == "" {
		return
	}
	if pu, err := url.Parse(v); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		p.bad(name, "must be an http:// or https:// URL")
	}
}

func (p *problems) positive(name string, v int64) {
	if v <= 0 {
		p.bad(name, "must be a positive integer")
	}
}

func (p *problems) nonNegative(name string, v float64) {
	if v < 0 {
		p.bad(name, "must not be negative")
	}
}

// checkProcess checks the process, auth and Redis settings.
func (c *Config) checkProcess(p *problems, lambda bool, functions []string) {
	if c.Port < 0 || c.Port > 65535 {
		p.bad("PORT", "must be between 0 and 65535")
	}
	fns := []string{FunctionAll}
	for _, f := range functions {
		if !slices.Contains(fns, f) && f != FunctionWorker {
			fns = append(fns, f)
		}
	}
	p.oneOf("FUNCTION", c.Function, append(fns, FunctionWorker)...)
	if _, err := ParseLogLevel(c.LogLevel); err != nil {
		p.bad("LOG_LEVEL", "must be one of DEBUG, INFO, WARNING, ERROR")
	}
	if k := c.SecretKey.Value(); k != "" && len(k) < MinSecretKeyLen {
		p.bad("SECRET_KEY", "must be at least %d characters", MinSecretKeyLen)
	}
	if k := c.SecretKeyPrevious.Value(); k != "" && len(k) < MinSecretKeyLen {
		p.bad("SECRET_KEY_PREVIOUS", "must be at least %d characters", MinSecretKeyLen)
	}
	switch {
	case c.SecretKey.Value() != "":
	case lambda:
		p.bad("SECRET_KEY", "is required under AWS Lambda")
	case c.RedisURL.Value() != "":
		// Each replica would make a key of its own, and log an admin token.
		p.bad("SECRET_KEY", "is required when REDIS_URL is set (every replica must sign with the same key); only the embedded store generates one")
	}
	if lambda {
		if c.RedisURL.Value() == "" {
			p.bad("REDIS_URL", "is required under AWS Lambda (the embedded store does not outlive an invocation)")
		}
	}
	if u := c.RedisURL.Value(); u != "" {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "redis" && pu.Scheme != "rediss" && pu.Scheme != "unix") {
			p.bad("REDIS_URL", "must be a redis://, rediss:// or unix:// URL")
		}
	}
	c.checkRedisMode(p)
	if c.HubEnabled() {
		p.httpURL("MESSAGE_HUB_URL", c.MessageHubURL)
	}
	p.httpURL("SERVICE_URL", c.ServiceURL)
	c.checkOperations(p)
}

// checkOperations checks the shutdown, metrics, log and tracing settings.
func (c *Config) checkOperations(p *problems) {
	if c.ReadinessDrain < 0 {
		p.bad("READINESS_DRAIN", "must not be negative")
	} else if c.Shutdown > 0 && c.ReadinessDrain >= c.Shutdown {
		p.bad("READINESS_DRAIN", "must be shorter than SHUTDOWN_TIMEOUT (%s), which includes it", c.Shutdown.D())
	}
	if mp := c.MetricsPort; mp != nil {
		switch {
		case *mp < 0 || *mp > 65535:
			p.bad("METRICS_PORT", "must be between 0 and 65535")
		case *mp != 0 && *mp == c.Port:
			p.bad("METRICS_PORT", "must differ from PORT (leave it unset to serve /metrics on PORT)")
		}
	}
	if c.LogRepeatWindow < 0 {
		p.bad("LOG_REPEAT_WINDOW", "must not be negative")
	}
	p.httpURL("OTEL_EXPORTER_OTLP_ENDPOINT", c.OTLPEndpoint)
	p.httpURL("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", c.OTLPTracesEndpoint)
	if strings.TrimSpace(c.OTelServiceName) == "" {
		p.bad("OTEL_SERVICE_NAME", "must not be empty")
	}
}

// checkRedisMode checks REDIS_MODE against the URL, and the key prefix.
func (c *Config) checkRedisMode(p *problems) {
	switch c.RedisMode {
	case RedisSingle:
	case RedisCluster, RedisSentinel:
		if c.RedisURL.Value() == "" {
			p.bad("REDIS_MODE", "%s needs REDIS_URL (the embedded store is a single instance)", c.RedisMode)
		} else if u, err := url.Parse(c.RedisURL.Value()); err == nil && u.Scheme == "unix" {
			p.bad("REDIS_URL", "must be a redis:// or rediss:// URL when REDIS_MODE is %s", c.RedisMode)
		}
	default:
		p.bad("REDIS_MODE", "must be one of single, cluster, sentinel")
	}
	if strings.ContainsAny(c.RedisKeyPrefix, "{}") {
		// The service adds hash tags of its own; a tag in the prefix would
		// put every key on one Redis Cluster slot.
		p.bad("REDIS_KEY_PREFIX", "must not contain { or }")
	}
}

// checkProviders checks the OpenAI and GetImg settings.
func (c *Config) checkProviders(p *problems) {
	p.httpURL("OPENAI_BASE_URL", c.OpenAIBaseURL)
	p.httpURL("GETIMG_BASE_URL", c.GetImgBaseURL)
	if len(c.OpenAIModels) == 0 {
		p.bad("OPENAI_MODELS", "must name at least one model")
	}
	if slices.ContainsFunc(c.OpenAIModels, func(m string) bool { return strings.TrimSpace(m) == "" }) {
		p.bad("OPENAI_MODELS", "has an empty model name")
	}
	if _, err := usage.ParsePrices(c.OpenAIPrices); err != nil {
		p.bad("OPENAI_PRICES", "%v", err)
	}
	p.oneOf("TEXT_PROVIDER", c.TextProvider, "auto", "openai", "offline")
	p.oneOf("IMAGE_PROVIDER", c.ImageProvider, "auto", "getimg", "offline")
	p.oneOf("GETIMG_GENERATE_MODEL", c.GetImgGenerateModel, "stable-diffusion-xl", "flux-schnell")
}

// checkLimits checks the counts, limits and quotas.
func (c *Config) checkLimits(p *problems) {
	p.positive("TEXT_RATE_LIMIT", int64(c.TextRateLimit))
	p.positive("IMAGE_RATE_LIMIT", int64(c.ImageRateLimit))
	p.positive("QUEUE_MAX_DEPTH", int64(c.QueueMaxDepth))
	p.positive("JOB_MAX_ATTEMPTS", int64(c.JobMaxAttempts))
	p.positive("HUB_OUTBOX_MAX", c.HubOutboxMax)
	p.nonNegative("OPENAI_MAX_RETRIES", float64(c.OpenAIMaxRetries))
	p.positive("OPENAI_MAX_CALLS_PER_JOB", int64(c.OpenAIMaxCallsPerJob))
	p.nonNegative("TEXT_WORKERS", float64(c.TextWorkers))
	p.nonNegative("IMAGE_WORKERS", float64(c.ImageWorkers))
	p.nonNegative("TEXT_MAX_IN_FLIGHT", float64(c.TextMaxInFlight))
	p.nonNegative("IMAGE_MAX_IN_FLIGHT", float64(c.ImageMaxInFlight))
	p.nonNegative("TEXT_DAILY_TOKEN_QUOTA", float64(c.TextDailyTokenQuota))
	p.nonNegative("IMAGE_DAILY_COST_QUOTA", c.ImageDailyCostQuota)
	if c.ImageStoreBudget <= 0 {
		p.bad("IMAGE_STORE_BUDGET", "must be a positive number of bytes")
	}
}

// checkDurations checks that every duration is positive.
func (c *Config) checkDurations(p *problems) {
	for name, d := range map[string]Duration{
		"SHUTDOWN_TIMEOUT": c.Shutdown, "OPENAI_REQUEST_TIMEOUT": c.OpenAIRequestTimeout,
		"GETIMG_REQUEST_TIMEOUT": c.GetImgRequestTimeout, "HUB_HEARTBEAT": c.HubHeartbeat,
		"HUB_QUEUE_STATUS_INTERVAL": c.HubQueueStatusInterval, "HUB_EVENT_TTL": c.HubEventTTL, "HUB_CLAIM_IDLE": c.HubClaimIdle,
		"HUB_PARKED_TTL":    c.HubParkedTTL,
		"JOB_QUEUE_TIMEOUT": c.JobQueueTimeout, "JOB_TTL": c.JobTTL, "FAILED_JOB_TTL": c.FailedJobTTL, "JOB_LEASE": c.JobLease,
		"PROVIDER_MAX_RETRY_AFTER": c.ProviderMaxRetryAfter, "TEXT_CACHE_TTL": c.TextCacheTTL,
		"IMAGE_TTL": c.ImageTTL, "IMAGE_URL_TTL": c.ImageURLTTL,
	} {
		if d <= 0 {
			p.bad(name, "must be a positive duration")
		}
	}
}

// TextProviderName resolves TEXT_PROVIDER: auto picks OpenAI when a key or a
// base URL is set (local servers need no key), the offline generator otherwise.
func (c *Config) TextProviderName() string {
	if c.TextProvider != "auto" {
		return c.TextProvider
	}
	if c.OpenAIAPIKey.Value() != "" || c.OpenAIBaseURL != "" {
		return "openai"
	}
	return "offline"
}

// ImageProviderName resolves IMAGE_PROVIDER the same way for GetImg.
func (c *Config) ImageProviderName() string {
	if c.ImageProvider != "auto" {
		return c.ImageProvider
	}
	if c.GetImgAPIKey.Value() != "" || c.GetImgBaseURL != "" {
		return "getimg"
	}
	return "offline"
}

// HubEnabled reports whether a Message Hub is configured.
func (c *Config) HubEnabled() bool {
	return c.MessageHubURL != "" && !strings.EqualFold(c.MessageHubURL, "off")
}

// ParseLogLevel maps LOG_LEVEL to a slog level.
func ParseLogLevel(s string) (slog.Level, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "DEBUG":
		return slog.LevelDebug, nil
	case "INFO", "":
		return slog.LevelInfo, nil
	case "WARNING", "WARN":
		return slog.LevelWarn, nil
	case "ERROR":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("unknown log level %q", s)
}

// Duration accepts Go duration syntax ("30s", "24h") or a plain number of
// seconds ("30", "0.5").
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		*d = Duration(f * float64(time.Second))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid duration %q", s)
	}
	*d = Duration(v)
	return nil
}

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Secret holds a value that must never be printed. Its String and LogValue
// are "REDACTED"; call Value to use it.
type Secret string

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Secret) UnmarshalText(b []byte) error {
	*s = Secret(strings.TrimSpace(string(b)))
	return nil
}

// Value returns the secret itself.
func (s Secret) Value() string { return string(s) }

// String redacts the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "REDACTED"
}

// LogValue redacts the secret in structured logs.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText redacts the secret in JSON and other encodings.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// GoString redacts the secret under %#v.
func (s Secret) GoString() string { return s.String() }
