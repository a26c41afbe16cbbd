package hub

import (
	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
)

// Doc implements apidoc.Described. The document adds the message types and
// their payloads.
func (Envelope) Doc() apidoc.Type {
	return apidoc.Type{
		Name:     "HubEnvelope",
		About:    "A request from the Message Hub. The payload's shape depends on message_type.",
		Required: []string{"message_type", "payload"},
		Fields: map[string]*apidoc.Schema{
			"source":         apidoc.With(apidoc.MaxLen(MaxNameLen), apidoc.Describe("The sending service; it is the caller when the X-Service-Key authenticates.")),
			"destination":    apidoc.MaxLen(MaxNameLen),
			"message_type":   apidoc.MaxLen(MaxNameLen),
			"correlation_id": apidoc.With(apidoc.MaxLen(MaxCorrelationIDLen), apidoc.Describe("Carried to the job's events; the job id when empty.")),
			"timestamp":      apidoc.With(apidoc.MaxLen(MaxTimestampLen), apidoc.Format("date-time")),
			"reply_to":       apidoc.With(apidoc.MaxLen(MaxReplyToLen), apidoc.Describe("Where the hub delivers the job's events.")),
		},
	}
}

// Doc implements apidoc.Described.
func (Reply) Doc() apidoc.Type {
	return apidoc.Type{
		Name:  "HubReply",
		About: "The answer to a Message Hub request.",
		Fields: map[string]*apidoc.Schema{
			"status":    apidoc.Enum("accepted", "rejected"),
			"timestamp": apidoc.Format("date-time"),
		},
		Replace: map[string]*apidoc.Schema{
			"data": {
				Description: "On accepted: the job's id, status and location.",
				Type:        []string{"object", "null"},
				Properties: map[string]*apidoc.Schema{
					"job_id":   apidoc.Str(),
					"status":   {Type: "string", Enum: []any{"queued", "running", "succeeded", "failed", "canceled"}},
					"location": {Type: "string", Description: "Poll it: GET /api/v2/queue/{job_id}."},
				},
			},
		},
	}
}

// Doc implements apidoc.Described.
func (ReplyError) Doc() apidoc.Type {
	return apidoc.Type{
		Name:   "HubReplyError",
		About:  "Why a hub request was rejected.",
		Fields: map[string]*apidoc.Schema{"code": apidoc.Enum(httpapi.SortedCodes()...)},
	}
}
