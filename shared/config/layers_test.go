package config

import (
	"strings"
	"testing"
)

func TestJSONValuesAndOver(t *testing.T) {
	values, err := JSONValues("SERVICE_CONFIG_JSON", `{"TEXT_RATE_LIMIT":200,"JWT_ISSUER":"dnd","HUB_ENABLED":true,"LOG_LEVEL":"DEBUG"}`)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"LOG_LEVEL": "ERROR"}
	get := Over(func(k string) string { return env[k] }, values)
	for k, want := range map[string]string{"TEXT_RATE_LIMIT": "200", "JWT_ISSUER": "dnd", "HUB_ENABLED": "true", "LOG_LEVEL": "ERROR", "PORT": ""} {
		if got := get(k); got != want {
			t.Errorf("getenv(%s) = %q, want %q", k, got, want)
		}
	}
	cfg, err := Load(get)
	if err != nil || cfg.TextRateLimit != 200 || cfg.JWTIssuer != "dnd" {
		t.Errorf("Load() = %+v, %v", cfg, err)
	}
	for _, bad := range []string{`[1]`, `{"A":{"b":1}}`, `{"SECRET_KEY":"x"`} {
		_, err := JSONValues("SERVICE_CONFIG_JSON", bad)
		if err == nil || !strings.Contains(err.Error(), "SERVICE_CONFIG_JSON") {
			t.Errorf("JSONValues(%s) error = %v, want one naming SERVICE_CONFIG_JSON", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "x\"") {
			t.Errorf("error %q repeats a value", err)
		}
	}
}
