// Command hub is a tiny development Message Hub. It speaks the hub's routes
// well enough for the service to register, deliver events and exchange
// messages on a laptop, and prints every registration, event and message as
// one JSON line on stdout.
//
//	go run ./local/hub -addr :8200
//	go run ./local/hub -reject-events 422   # refuse every event, to rehearse parking
//
// Routes:
//
//	POST /v1/services/register  -> {"status":"registered"}
//	POST /api/v1/events         -> 202 {"status":"accepted"}
//	POST /v1/messages/send      -> a reply echoing the envelope
//	GET  /health                -> {"status":"healthy"}
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/hub"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hub:", err)
		os.Exit(1)
	}
}

// run serves the development hub until ctx is cancelled. The listen
// address comes from -addr, else HUB_ADDR, else ":8200".
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hub", flag.ContinueOnError)
	fs.SetOutput(stderr)
	defAddr := getenv("HUB_ADDR")
	if defAddr == "" {
		defAddr = ":8200"
	}
	addr := fs.String("addr", defAddr, "listen address")
	reject := fs.Int("reject-events", 0, "answer every event with this status (e.g. 404 or 422), as a misconfigured hub does")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *reject != 0 && (*reject < 400 || *reject > 599) {
		return fmt.Errorf("-reject-events %d: want a 4xx or 5xx status", *reject)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           newHandler(stdout, time.Now, *reject),
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Fprintf(stderr, "dev message hub listening on %s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// maxBody caps request bodies: an envelope's payload may be up to
// hub.MaxPayloadLen.
const maxBody = 2 * hub.MaxPayloadLen

// devHub records what arrives as JSON lines on out.
type devHub struct {
	now    func() time.Time
	reject int // status every event is answered with; 0 accepts them
	mu     sync.Mutex
	out    *json.Encoder
}

// line is one record on stdout.
type line struct {
	Time           string            `json:"time"`
	Kind           string            `json:"kind"` // registration, event, refused_event, message
	IdempotencyKey string            `json:"idempotency_key,omitempty"`
	Registration   *hub.Registration `json:"registration,omitempty"`
	Event          *hub.Event        `json:"event,omitempty"`
	Message        *hub.Envelope     `json:"message,omitempty"`
}

// newHandler returns the development hub's routes. A reject status other
// than 0 refuses every event with it.
func newHandler(out io.Writer, now func() time.Time, reject int) http.Handler {
	h := &devHub{now: now, reject: reject, out: json.NewEncoder(out)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/services/register", h.register)
	mux.HandleFunc("POST /api/v1/events", h.event)
	mux.HandleFunc("POST /v1/messages/send", h.send)
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "healthy"})
	})
	return mux
}

func (h *devHub) print(l line) {
	l.Time = hub.FormatTime(h.now())
	h.mu.Lock()
	defer h.mu.Unlock()
	_ = h.out.Encode(l)
}

func (h *devHub) register(w http.ResponseWriter, r *http.Request) {
	var reg hub.Registration
	if !decode(w, r, &reg) {
		return
	}
	problems := map[string]string{}
	if reg.Name == "" {
		problems["name"] = "is required"
	}
	if reg.URL == "" {
		problems["url"] = "is required"
	}
	if len(problems) > 0 {
		writeProblem(w, http.StatusUnprocessableEntity, problems)
		return
	}
	h.print(line{Kind: "registration", Registration: &reg})
	writeJSON(w, http.StatusOK, map[string]string{"status": "registered"})
}

func (h *devHub) event(w http.ResponseWriter, r *http.Request) {
	var ev hub.Event
	if !decode(w, r, &ev) {
		return
	}
	problems := map[string]string{}
	if ev.EventType == "" {
		problems["event_type"] = "is required"
	}
	if ev.SourceService == "" {
		problems["source_service"] = "is required"
	}
	if h.reject != 0 {
		problems["event_type"] = "refused: the hub runs with -reject-events"
	}
	if len(problems) > 0 {
		status := cmp.Or(h.reject, http.StatusUnprocessableEntity)
		if h.reject != 0 {
			h.print(line{Kind: "refused_event", IdempotencyKey: r.Header.Get("Idempotency-Key"), Event: &ev})
		}
		writeProblem(w, status, problems)
		return
	}
	h.print(line{Kind: "event", IdempotencyKey: r.Header.Get("Idempotency-Key"), Event: &ev})
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
}

// send answers a message with a reply whose data echoes the envelope.
func (h *devHub) send(w http.ResponseWriter, r *http.Request) {
	var env hub.Envelope
	if !decode(w, r, &env) {
		return
	}
	reply := hub.Reply{CorrelationID: env.CorrelationID, Timestamp: hub.FormatTime(h.now())}
	if problems := env.Valid(r.Context()); len(problems) > 0 {
		reply.Status = hub.StatusError
		reply.Error = &hub.ReplyError{Code: "INVALID_MESSAGE", Message: describe(problems)}
		writeJSON(w, http.StatusBadRequest, reply)
		return
	}
	h.print(line{Kind: "message", Message: &env})
	reply.Status = hub.StatusSuccess
	reply.Data = env
	writeJSON(w, http.StatusOK, reply)
}

// decode reads a capped JSON body into v, answering 400 when it cannot.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeProblem(w, http.StatusBadRequest, map[string]string{"body": "must be one JSON object of at most 2 MiB"})
		return false
	}
	return true
}

// describe renders problems as "field: problem; ..." in field order.
func describe(problems map[string]string) string {
	fields := make([]string, 0, len(problems))
	for f := range problems {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f + ": " + problems[f]
	}
	return strings.Join(parts, "; ")
}

func writeProblem(w http.ResponseWriter, status int, problems map[string]string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type":   "about:blank",
		"title":  http.StatusText(status),
		"status": status,
		"detail": describe(problems),
		"errors": problems,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
