package servicetest

import (
	"bytes"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"
)

// LogSink collects what a service logs and tells when a line arrives. It
// keeps every byte written and decodes each whole line that is a JSON
// object, however the writes split the lines. Its zero value is ready to
// use, from any number of goroutines.
type LogSink struct {
	mu    sync.Mutex
	cond  *sync.Cond
	buf   bytes.Buffer
	part  []byte // the unfinished last line
	lines []map[string]any
}

// Write appends p.
func (s *LogSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	s.part = append(s.part, p...)
	for {
		i := bytes.IndexByte(s.part, '\n')
		if i < 0 {
			break
		}
		var m map[string]any
		if json.Unmarshal(s.part[:i], &m) == nil {
			s.lines = append(s.lines, m)
		}
		s.part = s.part[i+1:]
	}
	s.condLocked().Broadcast()
	return len(p), nil
}

func (s *LogSink) condLocked() *sync.Cond {
	if s.cond == nil {
		s.cond = sync.NewCond(&s.mu)
	}
	return s.cond
}

// String returns everything written so far.
func (s *LogSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// Tail returns the last n bytes written, after "…" when there were more.
func (s *LogSink) Tail(n int) string {
	return tail(s.String(), n)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// Lines returns the JSON lines written so far, decoded.
func (s *LogSink) Lines() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.lines)
}

// Count returns how many lines have msg.
func (s *LogSink) Count(msg string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, l := range s.lines {
		if l["msg"] == msg {
			n++
		}
	}
	return n
}

// WaitFor returns the first line with msg, waiting up to d.
func (s *LogSink) WaitFor(tb testing.TB, msg string, d time.Duration) map[string]any {
	tb.Helper()
	return s.WaitForAny(tb, d, msg)
}

// WaitForAny returns the first line whose msg is one of msgs, waiting up
// to d.
func (s *LogSink) WaitForAny(tb testing.TB, d time.Duration, msgs ...string) map[string]any {
	tb.Helper()
	deadline := time.Now().Add(d)
	timer := time.AfterFunc(d, func() { s.mu.Lock(); s.condLocked().Broadcast(); s.mu.Unlock() })
	defer timer.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		for _, l := range s.lines {
			if msg, _ := l["msg"].(string); slices.Contains(msgs, msg) {
				return l
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no %q log line within %v; logs:\n%s", msgs, d, tail(s.buf.String(), 8000))
		}
		s.condLocked().Wait()
	}
}
