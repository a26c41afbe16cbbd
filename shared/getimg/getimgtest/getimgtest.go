// Package getimgtest is an in-process fake of the GetImg.AI v1 API for
// tests. It speaks the real wire format: bearer auth, JSON bodies, the
// {"image","seed","cost"} answer, {"error":{...}} failures, X-RateLimit-*
// headers and Retry-After. Unscripted calls get real images; scripted
// replies reproduce failures, delays and broken connections.
package getimgtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // decode WebP inputs
)

// APIKey is the key the fake expects unless WithAPIKey says otherwise.
const APIKey = "getimgtest-key"

// RateLimitPerWindow is the X-RateLimit-Limit the fake reports.
const RateLimitPerWindow = 60

// Pricing: GetImg bills by pixel-steps. A 1024x1024 image at 30 steps
// costs $0.0066, as in the provider's example answer.
const costPerPixelStep = 0.0066 / (1024 * 1024 * 30)

// Paths the fake serves.
const (
	PathSDXLText  = "/v1/stable-diffusion-xl/text-to-image"
	PathFluxText  = "/v1/flux-schnell/text-to-image"
	PathSDXLImage = "/v1/stable-diffusion-xl/image-to-image"
	PathUpscale   = "/v1/enhancements/upscale"
	PathFaceFix   = "/v1/enhancements/face-fix"
)

// maxSide bounds generated images, as the provider does.
const maxSide = 2048

// Reply is one scripted answer.
type Reply struct {
	Status int         // default 200
	Header http.Header // sent as is; X-RateLimit-* are added when absent
	Body   []byte
	// Delay is waited before answering, or until the client gives up.
	Delay time.Duration
	// ResetMidBody sends the status, the headers with the full
	// Content-Length and half the body, then closes the connection.
	ResetMidBody bool
}

// Recorded is one request the fake received.
type Recorded struct {
	Path   string
	Header http.Header
	Body   map[string]any // nil when the body was not a JSON object
}

// Server is the fake. It is safe for concurrent use.
type Server struct {
	srv *httptest.Server
	key string
	now func() time.Time

	mu       sync.Mutex
	scripts  map[string][]Reply
	requests []Recorded
	calls    map[string]int
	served   int
}

// Option configures New.
type Option func(*Server)

// WithAPIKey sets the key the fake accepts (default APIKey).
func WithAPIKey(key string) Option { return func(s *Server) { s.key = key } }

// New starts a fake closed when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{key: APIKey, now: time.Now, scripts: map[string][]Reply{}, calls: map[string]int{}}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.srv.Close)
	return s
}

// URL is the base URL without /v1, as getimg.Config.BaseURL takes it.
func (s *Server) URL() string { return s.srv.URL }

// Push scripts replies for endpoint (a path such as PathSDXLText), used in
// order by the next calls to it after authentication passes. When they run
// out the fake answers normally again.
func (s *Server) Push(endpoint string, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[endpoint] = append(s.scripts[endpoint], replies...)
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Recorded, len(s.requests))
	copy(out, s.requests)
	return out
}

// Calls counts the requests received for endpoint.
func (s *Server) Calls(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[endpoint]
}

// Success is a 200 answer carrying img.
func Success(img []byte, seed int64, cost float64) Reply {
	body, _ := json.Marshal(map[string]any{"image": base64.StdEncoding.EncodeToString(img), "seed": seed, "cost": cost})
	return Reply{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
}

// ErrorReply is a failure in GetImg's shape,
// {"error":{"code","message","type"}}. A 429 carries Retry-After: 1 and
// X-RateLimit-Remaining: 0; use code "rate_limit" for a concurrency limit.
func ErrorReply(status int, code, message string) Reply {
	body, _ := json.Marshal(map[string]any{"error": map[string]string{"code": code, "message": message, "type": errorType(status)}})
	h := http.Header{"Content-Type": {"application/json"}}
	if status == http.StatusTooManyRequests {
		h.Set("Retry-After", "1")
		h.Set("X-RateLimit-Remaining", "0")
	}
	return Reply{Status: status, Header: h, Body: body}
}

func errorType(status int) string {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "authentication_error"
	case status == http.StatusPaymentRequired:
		return "billing_error"
	case status == http.StatusNotFound:
		return "not_found_error"
	case status == http.StatusTooManyRequests:
		return "rate_limit_error"
	case status >= 500:
		return "server_error"
	}
	return "invalid_request_error"
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rec := Recorded{Path: r.URL.Path, Header: r.Header.Clone()}
	var body map[string]any
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<20))
	dec.UseNumber()
	bodyErr := dec.Decode(&body)
	rec.Body = body

	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.calls[r.URL.Path]++
	s.served++
	remaining := max(RateLimitPerWindow-s.served, 0)
	var script *Reply
	authOK := r.Header.Get("Authorization") == "Bearer "+s.key
	if authOK && len(s.scripts[r.URL.Path]) > 0 {
		script = &s.scripts[r.URL.Path][0]
		s.scripts[r.URL.Path] = s.scripts[r.URL.Path][1:]
	}
	s.mu.Unlock()

	rl := http.Header{}
	rl.Set("X-RateLimit-Limit", strconv.Itoa(RateLimitPerWindow))
	rl.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	rl.Set("X-RateLimit-Reset", strconv.FormatInt(s.now().Add(time.Minute).Unix(), 10))

	var reply Reply
	switch {
	case !authOK:
		reply = ErrorReply(http.StatusUnauthorized, "invalid_api_key", "Invalid or missing API key.")
	case script != nil:
		reply = *script
	case r.Method != http.MethodPost:
		reply = ErrorReply(http.StatusMethodNotAllowed, "method_not_allowed", "Only POST is supported.")
	case bodyErr != nil:
		reply = ErrorReply(http.StatusBadRequest, "invalid_json", "The request body is not a JSON object.")
	default:
		reply = generate(r.URL.Path, body)
	}
	s.write(w, r, reply, rl)
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, reply Reply, rl http.Header) {
	if reply.Delay > 0 {
		t := time.NewTimer(reply.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	status := reply.Status
	if status == 0 {
		status = http.StatusOK
	}
	h := reply.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	for k, v := range rl {
		if h.Get(k) == "" {
			h[k] = v
		}
	}
	if reply.ResetMidBody {
		resetMidBody(w, status, h, reply.Body)
		return
	}
	for k, v := range h {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(reply.Body)))
	w.WriteHeader(status)
	w.Write(reply.Body)
}

// resetMidBody writes a response by hand on the raw connection, promising
// the whole body but closing after half of it.
func resetMidBody(w http.ResponseWriter, status int, h http.Header, body []byte) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Connection", "close")
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	h.Write(buf)
	buf.WriteString("\r\n")
	buf.Write(body[:len(body)/2])
	buf.Flush()
}

// generate answers an unscripted, authenticated request like the provider.
func generate(path string, body map[string]any) Reply {
	spec, ok := endpoints[path]
	if !ok {
		return ErrorReply(http.StatusNotFound, "not_found", "Unknown endpoint.")
	}
	for k := range body {
		if !spec.fields[k] {
			return ErrorReply(http.StatusBadRequest, "invalid_parameter", fmt.Sprintf("Unknown parameter %q.", k))
		}
	}
	if rf, ok := body["response_format"]; ok && rf != "b64" && rf != "url" {
		return ErrorReply(http.StatusBadRequest, "invalid_parameter", "response_format must be b64 or url.")
	}
	if of, ok := body["output_format"]; ok && of != "png" && of != "jpeg" && of != "webp" {
		return ErrorReply(http.StatusBadRequest, "invalid_parameter", "output_format must be png, jpeg or webp.")
	}
	if rf := body["response_format"]; rf == "url" {
		return ErrorReply(http.StatusBadRequest, "unsupported_parameter", "This fake only answers response_format b64.")
	}
	return spec.run(body)
}

type endpointSpec struct {
	fields map[string]bool
	run    func(map[string]any) Reply
}

func fieldSet(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

var sdxlFields = []string{"prompt", "negative_prompt", "width", "height", "steps", "guidance", "seed", "output_format", "response_format"}

var endpoints = map[string]endpointSpec{
	PathSDXLText:  {fieldSet(sdxlFields...), func(b map[string]any) Reply { return textToImage(b, 30) }},
	PathFluxText:  {fieldSet("prompt", "width", "height", "steps", "seed", "output_format", "response_format"), func(b map[string]any) Reply { return textToImage(b, 4) }},
	PathSDXLImage: {fieldSet(append([]string{"image", "strength"}, sdxlFields...)...), imageToImage},
	PathUpscale:   {fieldSet("image", "model", "scale", "response_format"), upscale},
	PathFaceFix:   {fieldSet("image", "model", "response_format"), faceFix},
}

type badParam string

func textToImage(b map[string]any, defaultSteps int) Reply {
	return guard(func() Reply {
		prompt := str(b, "prompt")
		if strings.TrimSpace(prompt) == "" {
			panic(badParam("prompt is required."))
		}
		w, h := side(b, "width", 1024), side(b, "height", 1024)
		steps := intIn(b, "steps", defaultSteps, 1, 100)
		seed := seedOf(b, prompt)
		return answer(pattern(w, h, seed), str(b, "output_format"), seed, cost(w*h, steps))
	})
}

func imageToImage(b map[string]any) Reply {
	return guard(func() Reply {
		prompt := str(b, "prompt")
		if strings.TrimSpace(prompt) == "" {
			panic(badParam("prompt is required."))
		}
		src := inputImage(b)
		if s, ok := b["strength"]; ok {
			if f, err := s.(json.Number).Float64(); err != nil || f < 0 || f > 1 {
				panic(badParam("strength must be between 0 and 1."))
			}
		}
		w, h := side(b, "width", src.Bounds().Dx()), side(b, "height", src.Bounds().Dy())
		steps := intIn(b, "steps", 30, 1, 100)
		seed := seedOf(b, prompt)
		return answer(pattern(w, h, seed), str(b, "output_format"), seed, cost(w*h, steps))
	})
}

func upscale(b map[string]any) Reply {
	return guard(func() Reply {
		src := inputImage(b)
		scale := intIn(b, "scale", 4, 1, 4)
		bounds := src.Bounds()
		w, h := bounds.Dx()*scale, bounds.Dy()*scale
		if w > 4*maxSide || h > 4*maxSide {
			panic(badParam("the upscaled image would be too large."))
		}
		dst := image.NewNRGBA(image.Rect(0, 0, w, h))
		draw.NearestNeighbor.Scale(dst, dst.Bounds(), src, bounds, draw.Src, nil)
		return answer(dst, "png", 0, cost(w*h, 1))
	})
}

func faceFix(b map[string]any) Reply {
	return guard(func() Reply {
		raw := inputBytes(b)
		src := decode(raw)
		return Success(raw, 0, cost(src.Bounds().Dx()*src.Bounds().Dy(), 1))
	})
}

// guard turns a badParam panic into a 400 in the provider's shape.
func guard(f func() Reply) (r Reply) {
	defer func() {
		if v := recover(); v != nil {
			msg, ok := v.(badParam)
			if !ok {
				panic(v)
			}
			r = ErrorReply(http.StatusBadRequest, "invalid_parameter", string(msg))
		}
	}()
	return f()
}

func str(b map[string]any, k string) string {
	v, ok := b[k]
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		panic(badParam(k + " must be a string."))
	}
	return s
}

func intIn(b map[string]any, k string, def, lo, hi int) int {
	v, ok := b[k]
	if !ok {
		return def
	}
	num, ok := v.(json.Number)
	if !ok {
		panic(badParam(k + " must be an integer."))
	}
	n, err := num.Int64()
	if err != nil || n < int64(lo) || n > int64(hi) {
		panic(badParam(fmt.Sprintf("%s must be an integer between %d and %d.", k, lo, hi)))
	}
	return int(n)
}

func side(b map[string]any, k string, def int) int { return intIn(b, k, def, 64, maxSide) }

func seedOf(b map[string]any, prompt string) int64 {
	if v, ok := b["seed"]; ok {
		num, ok := v.(json.Number)
		if !ok {
			panic(badParam("seed must be an integer."))
		}
		n, err := num.Int64()
		if err != nil {
			panic(badParam("seed must be an integer."))
		}
		return n
	}
	h := fnv.New32a()
	h.Write([]byte(prompt))
	return int64(h.Sum32())
}

func inputBytes(b map[string]any) []byte {
	s := str(b, "image")
	if s == "" {
		panic(badParam("image is required."))
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(badParam("image must be base64 encoded."))
	}
	return raw
}

func inputImage(b map[string]any) image.Image { return decode(inputBytes(b)) }

func decode(raw []byte) image.Image {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil || cfg.Width > maxSide*2 || cfg.Height > maxSide*2 {
		panic(badParam("image is not a supported image."))
	}
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		panic(badParam("image is not a supported image."))
	}
	return img
}

func cost(pixels, steps int) float64 {
	c := float64(pixels) * float64(steps) * costPerPixelStep
	return float64(int64(c*1e6+0.5)) / 1e6
}

// Pattern is the image the fake generates for a seed: a gradient whose
// colours depend on the seed. Tests can compare answers against it.
func Pattern(w, h int, seed int64) image.Image { return pattern(w, h, seed) }

func pattern(w, h int, seed int64) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r, g := uint8(seed), uint8(seed>>8)
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{R: r + uint8(x), G: g + uint8(y), B: uint8(x ^ y), A: 255})
		}
	}
	return img
}

// answer encodes img as format. Go has no WebP encoder, so a WebP request
// is answered with a PNG; clients must sniff the bytes, not trust the
// format they asked for.
func answer(img image.Image, format string, seed int64, usd float64) Reply {
	var buf bytes.Buffer
	var err error
	if format == "jpeg" {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
	} else {
		err = png.Encode(&buf, img)
	}
	if err != nil {
		return ErrorReply(http.StatusInternalServerError, "internal_error", "Encoding failed.")
	}
	return Success(buf.Bytes(), seed, usd)
}

// EncodePNG returns img as PNG bytes, failing tb on error.
func EncodePNG(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatalf("png.Encode: %v", err)
	}
	return buf.Bytes()
}
