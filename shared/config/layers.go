package config

import (
	"encoding/json"
	"fmt"
)

// Over returns a getenv that answers from getenv first and then from
// values: the process environment wins over settings given as a JSON
// object (SERVICE_CONFIG_JSON, a secret's key/value pairs).
func Over(getenv func(string) string, values map[string]string) func(string) string {
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return values[k]
	}
}

// JSONValues parses a JSON object of settings, as SERVICE_CONFIG_JSON
// holds them: names of variables to strings, numbers or booleans. name is
// the variable it came from, for the error, which never repeats a value.
func JSONValues(name, raw string) (map[string]string, error) {
	if raw == "" {
		return nil, nil
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		return nil, fmt.Errorf("config: %s: must be a JSON object of settings", name)
	}
	out := make(map[string]string, len(obj))
	for k, v := range obj {
		switch x := v.(type) {
		case string:
			out[k] = x
		case float64, bool:
			out[k] = fmt.Sprint(x)
		default:
			return nil, fmt.Errorf("config: %s: %s must be a string, number or boolean", name, k)
		}
	}
	return out, nil
}
