package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// countingProxy forwards TCP connections to Redis and counts, on the way
// in, the commands the clients send (by name; scripts by their first key)
// and the writes that carry them: a write is one round trip, a pipeline's
// commands arrive in one write.
type countingProxy struct {
	ln     net.Listener
	target string
	prefix string // stripped from script keys in the labels

	mu     sync.Mutex
	cmds   map[string]int64
	writes int64
	conns  []net.Conn
}

func startCountingProxy(target, prefix string) (*countingProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &countingProxy{ln: ln, target: target, prefix: prefix, cmds: map[string]int64{}}
	go p.serve()
	return p, nil
}

func (p *countingProxy) Addr() string { return p.ln.Addr().String() }

func (p *countingProxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

func (p *countingProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() {
			io.Copy(c, up)
			c.Close()
		}()
		go func() {
			p.pump(up, c)
			up.Close()
		}()
	}
}

// pump copies client bytes to Redis, parsing the RESP commands in them.
func (p *countingProxy) pump(dst io.Writer, src io.Reader) {
	buf := make([]byte, 64<<10)
	var pending []byte
	for {
		n, err := src.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if _, werr := dst.Write(chunk); werr != nil {
				return
			}
			fresh := len(pending) == 0
			pending = append(pending, chunk...)
			var names []string
			for {
				args, used, ok := parseCommand(pending)
				if !ok {
					break
				}
				names = append(names, p.label(args))
				pending = pending[used:]
			}
			pending = append([]byte(nil), pending...)
			p.mu.Lock()
			if fresh {
				p.writes++
			}
			for _, name := range names {
				p.cmds[name]++
			}
			p.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// label names a command; a script call is named by its first key, which
// tells the scripts apart (the prefix is cut).
func (p *countingProxy) label(args []string) string {
	if len(args) == 0 {
		return "?"
	}
	name := strings.ToUpper(args[0])
	if (name == "EVALSHA" || name == "EVAL") && len(args) >= 4 {
		nkeys, _ := strconv.Atoi(args[2])
		key := strings.ReplaceAll(args[3], p.prefix, "")
		return fmt.Sprintf("%s %s (%d keys)", name, key, nkeys)
	}
	return name
}

// parseCommand reads one RESP array of bulk strings from b.
func parseCommand(b []byte) (args []string, used int, ok bool) {
	line := func(at int) (string, int, bool) {
		i := bytes.Index(b[at:], []byte("\r\n"))
		if i < 0 {
			return "", 0, false
		}
		return string(b[at : at+i]), at + i + 2, true
	}
	head, at, ok := line(0)
	if !ok || len(head) < 2 || head[0] != '*' {
		return nil, 0, false
	}
	n, err := strconv.Atoi(head[1:])
	if err != nil {
		return nil, 0, false
	}
	for range n {
		h, next, ok := line(at)
		if !ok || len(h) < 2 || h[0] != '$' {
			return nil, 0, false
		}
		l, err := strconv.Atoi(h[1:])
		if err != nil || next+l+2 > len(b) {
			return nil, 0, false
		}
		args = append(args, string(b[next:next+l]))
		at = next + l + 2
	}
	return args, at, true
}

// counts is a snapshot of the proxy's counters.
type counts struct {
	cmds   map[string]int64
	writes int64
}

func (p *countingProxy) snapshot() counts {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := counts{cmds: map[string]int64{}, writes: p.writes}
	for k, v := range p.cmds {
		c.cmds[k] = v
	}
	return c
}

// commandStats reads INFO commandstats: calls by command, including the
// commands scripts run inside Redis.
func commandStats(ctx context.Context, rdb *redis.Client) (map[string]int64, error) {
	info, err := rdb.Info(ctx, "commandstats").Result()
	if err != nil {
		return nil, fmt.Errorf("redis INFO commandstats: %w", err)
	}
	out := map[string]int64{}
	for _, line := range strings.Split(info, "\n") {
		line = strings.TrimSpace(line)
		name, rest, ok := strings.Cut(strings.TrimPrefix(line, "cmdstat_"), ":")
		if !ok || !strings.HasPrefix(line, "cmdstat_") {
			continue
		}
		for _, kv := range strings.Split(rest, ",") {
			if v, ok := strings.CutPrefix(kv, "calls="); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				out[strings.ToUpper(name)] = n
			}
		}
	}
	return out, nil
}

// perJob is one command's count per job.
type perJob struct {
	Name string
	N    float64
}

// roundTripRow is the Redis cost of one sync text job.
type roundTripRow struct {
	Jobs        int
	Writes      float64  // client writes (round trips) per job
	Wire        []perJob // commands the service sent, per job
	Server      []perJob // commands Redis executed (scripts' inside too), per job
	ServerTotal float64
	WireTotal   float64
	Note        string
}

// rowRoundTrips runs jobs sequential sync text jobs through a service
// whose Redis connection goes through the counting proxy, and subtracts an
// idle window of the same length (idle workers block on Redis once a
// second).
func (h *harness) rowRoundTrips(ctx context.Context) (roundTripRow, error) {
	r := roundTripRow{Jobs: h.opts.RoundTrips}
	px, redisURL, err := h.proxyRedis(h.prefix)
	if err != nil {
		return r, err
	}
	defer px.Close()
	svc, err := h.startService(ctx, "round-trips", "REDIS_URL="+redisURL)
	if err != nil {
		return r, err
	}
	defer svc.stop(5 * time.Second)
	fn := h.textCall(svc, "MISS")
	for range 5 {
		if ok, st, err := fn(ctx, 0); !ok {
			return r, fmt.Errorf("warm-up request: %s", describe(st, err))
		}
	}
	w0, s0, err := h.countersNow(ctx, px)
	if err != nil {
		return r, err
	}
	start := time.Now()
	for range r.Jobs {
		if ok, st, err := fn(ctx, 0); !ok {
			return r, fmt.Errorf("sync request: %s", describe(st, err))
		}
	}
	busy := time.Since(start)
	w1, s1, err := h.countersNow(ctx, px)
	if err != nil {
		return r, err
	}
	select {
	case <-time.After(busy):
	case <-ctx.Done():
		return r, ctx.Err()
	}
	w2, s2, err := h.countersNow(ctx, px)
	if err != nil {
		return r, err
	}
	jobs := float64(r.Jobs)
	r.Writes = (float64(w1.writes-w0.writes) - float64(w2.writes-w1.writes)) / jobs
	r.Wire, r.WireTotal = net3(w0.cmds, w1.cmds, w2.cmds, jobs)
	r.Server, r.ServerTotal = net3(s0, s1, s2, jobs)
	// INFO itself is counted by Redis; one INFO per snapshot, not per job.
	r.Note = fmt.Sprintf("%d sequential sync jobs in %s, less an idle window as long", r.Jobs, busy.Round(time.Millisecond))
	return r, nil
}

func (h *harness) countersNow(ctx context.Context, px *countingProxy) (counts, map[string]int64, error) {
	c := px.snapshot()
	s, err := commandStats(ctx, h.rdb)
	return c, s, err
}

// net3 is (busy - idle) per job for every command, largest first; counts
// under 0.05 a job are dropped as noise.
func net3(a, b, c map[string]int64, jobs float64) ([]perJob, float64) {
	names := map[string]bool{}
	for _, m := range []map[string]int64{a, b, c} {
		for k := range m {
			names[k] = true
		}
	}
	var out []perJob
	var total float64
	for k := range names {
		if k == "INFO" {
			continue
		}
		v := (float64(b[k]-a[k]) - float64(c[k]-b[k])) / jobs
		if v < 0.05 {
			continue
		}
		out = append(out, perJob{Name: k, N: v})
		total += v
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Name < out[j].Name
	})
	return out, total
}
