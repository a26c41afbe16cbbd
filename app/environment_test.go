package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/app"
)

// TestEnvironmentLayers reads settings from the environment first, then
// the secret that SECRETS_ID names (through the secrets extension), then
// SERVICE_CONFIG_JSON.
func TestEnvironmentLayers(t *testing.T) {
	t.Parallel()
	ext := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("secretId") != "dnd-llm-service" || r.Header.Get("X-Aws-Parameters-Secrets-Token") != "tok" {
			http.Error(w, "no", http.StatusBadRequest)
			return
		}
		w.Write([]byte(`{"SecretString":"{\"SECRET_KEY\":\"from-secret\",\"REDIS_URL\":\"redis://secret:6379\",\"JWT_ISSUER\":\"secret\"}"}`))
	}))
	defer ext.Close()
	port := ext.URL[strings.LastIndex(ext.URL, ":")+1:]
	env := map[string]string{
		"AWS_SESSION_TOKEN": "tok", "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": port,
		"SERVICE_CONFIG_JSON": `{"SECRETS_ID":"dnd-llm-service","JWT_ISSUER":"json","JWT_AUDIENCE":"json","REDIS_URL":"redis://json:6379"}`,
		"REDIS_URL":           "redis://env:6379",
	}
	get, err := app.Environment(context.Background(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"REDIS_URL": "redis://env:6379", "SECRET_KEY": "from-secret", "JWT_ISSUER": "secret", "JWT_AUDIENCE": "json",
	} {
		if got := get(k); got != want {
			t.Errorf("getenv(%s) = %q, want %q", k, got, want)
		}
	}
	env["SECRETS_ID"] = "missing"
	if _, err := app.Environment(context.Background(), func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "SECRETS_ID") {
		t.Errorf("Environment() with a secret the extension refuses = %v, want an error naming SECRETS_ID", err)
	}
}
