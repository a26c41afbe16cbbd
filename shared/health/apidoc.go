package health

import "github.com/dndcc/dnd-llm-service/shared/apidoc"

// Doc implements apidoc.Described.
func (Response) Doc() apidoc.Type {
	return apidoc.Type{
		Name:  "Health",
		About: "Answer of GET /health.",
		Fields: map[string]*apidoc.Schema{
			"status":  apidoc.Enum(Healthy, Degraded, Unhealthy),
			"version": apidoc.Describe("The running build."),
			"components": apidoc.Describe("State by component: redis, openai, getimg, message_hub, queue " +
				"(ok, offline, degraded, unauthorized, no_balance, unreachable, rejected, paused, not_configured, registered, disabled, ...)."),
		},
	}
}

// Doc implements apidoc.Described.
func (Probe) Doc() apidoc.Type {
	return apidoc.Type{
		Name:  "Probe",
		About: "Answer of GET /livez and GET /readyz.",
		Fields: map[string]*apidoc.Schema{
			"status": apidoc.Enum(ProbeOK, ProbeUnavailable),
			"reason": apidoc.Describe("Why the replica cannot take work: " + ReasonDraining + " (it is shutting down) or " + ReasonRedis + "."),
		},
	}
}
