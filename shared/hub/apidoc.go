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
			"timestamp":      apidoc.With(apidoc.MaxLen(MaxTimestampLen), apidoc.Describe("When the hub sent it: an RFC 3339 time; one without a zone (as Python's datetime.utcnow().isoformat() writes it) is taken as UTC, and fractional seconds may have any length.")),
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

// Doc implements apidoc.Described.
func (ParkedEvent) Doc() apidoc.Type {
	return apidoc.Type{
		Name:  "HubParkedEvent",
		About: "An event the Message Hub refused with a 4xx, parked until it is re-sent or expires (HUB_PARKED_TTL).",
		Fields: map[string]*apidoc.Schema{
			"outbox":       apidoc.Describe("The outbox it came from: a queue (text, image), or service for the events tied to no job."),
			"event_id":     apidoc.Describe("The event's id (metadata.event_id), its Idempotency-Key on the hub; redeliver selects by it."),
			"status":       apidoc.With(apidoc.Between(400, 499), apidoc.Describe("The hub's HTTP status.")),
			"body":         apidoc.With(apidoc.MaxLen(MaxParkedBody), apidoc.Describe("The start of the hub's answer, credentials removed.")),
			"parked_at":    apidoc.Format("date-time"),
			"times_parked": apidoc.With(apidoc.Int(1), apidoc.Describe("How often the hub refused it; each redelivery it refuses adds one.")),
		},
		Replace: map[string]*apidoc.Schema{
			"event": {Type: []string{"object", "null"}, Description: "The event as it is posted to the hub's POST /api/v1/events; null when the stored entry cannot be read."},
		},
	}
}

// Doc implements apidoc.Described.
func (ParkedPage) Doc() apidoc.Type {
	return apidoc.Type{
		Name:  "HubParkedPage",
		About: "Answer of GET /api/v2/hub/parked: parked events, oldest first within each outbox, the outboxes in name order.",
		Fields: map[string]*apidoc.Schema{
			"total":       apidoc.Describe("Parked events in every outbox, before any filter."),
			"next_cursor": apidoc.Describe("Pass it as cursor for the next page; absent on the last page."),
		},
	}
}

var maxIDs uint64 = MaxRedeliverIDs

// Doc implements apidoc.Described.
func (RedeliverRequest) Doc() apidoc.Type {
	return apidoc.Type{
		Name:     "HubRedeliverRequest",
		About:    "Which parked events to re-send: all, or those matching every selector given.",
		Required: []string{},
		Fields: map[string]*apidoc.Schema{
			"all":    apidoc.Describe("Every parked event (of outbox, when given). Required when neither ids, status nor outbox is given; excludes ids and status."),
			"ids":    apidoc.With(&apidoc.Schema{MaxItems: &maxIDs}, apidoc.Describe("Event ids (event_id in the list).")),
			"status": apidoc.With(apidoc.Between(400, 499), apidoc.Describe("The hub's status when it refused them.")),
			"outbox": apidoc.Describe("Only this outbox: a queue (text, image), or service."),
		},
	}
}

// Doc implements apidoc.Described.
func (RedeliverResult) Doc() apidoc.Type {
	return apidoc.Type{
		Name:  "HubRedeliverResult",
		About: "What POST /api/v2/hub/parked/redeliver did.",
		Fields: map[string]*apidoc.Schema{
			"redelivered": apidoc.Describe("Events put back at the end of their outbox; the dispatcher posts them again (a refusal parks them again)."),
			"missing":     apidoc.Describe("Ids asked for that no parked event has (delivered, expired, or never parked)."),
		},
	}
}
