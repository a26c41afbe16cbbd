package httpapi

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// lingerServer serves a handler that decodes JSON behind limit on a real
// server.
func lingerServer(t *testing.T, limit BodyLimit) string {
	t.Helper()
	h := limit.Middleware()(HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		var v map[string]any
		if err := DecodeJSON(r, &v); err != nil {
			return err
		}
		JSON(w, http.StatusOK, v)
		return nil
	}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// hostile opens a connection and sends a request's head and the start of
// its body, then whatever send does (stall, or send without end).
func hostile(t *testing.T, addr string, chunked bool) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	head := "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
	if chunked {
		head += "Transfer-Encoding: chunked\r\n\r\n" + fmt.Sprintf("%x\r\n%s\r\n", 4096, strings.Repeat("a", 4096))
	} else {
		head += fmt.Sprintf("Content-Length: %d\r\n\r\n", 4<<20) + strings.Repeat("a", 4096)
	}
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	return c, bufio.NewReader(c)
}

// readProblem reads the 413 and then waits for the server to close the
// connection, failing when it is still open after deadline.
func readProblem(t *testing.T, c net.Conn, br *bufio.Reader, deadline time.Duration) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(deadline))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("read the answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !resp.Close || !strings.Contains(string(body), CodePayloadTooLarge) {
		t.Fatalf("answer = %d close %v %s, want 413 PAYLOAD_TOO_LARGE with Connection: close", resp.StatusCode, resp.Close, body)
	}
	_, err = io.Copy(io.Discard, br) // until the server closes (EOF, or a reset)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the connection is still open after %v: the drain is not bounded", deadline)
	}
}

// TestLingerIsBounded: a client that stops sending the rest of a refused
// body, or never stops sending, cannot hold the connection beyond the
// linger's bounds.
func TestLingerIsBounded(t *testing.T) {
	t.Parallel()
	const deadline = 20 * time.Second // far beyond either bound
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("stalls, chunked=%v", chunked), func(t *testing.T) {
			t.Parallel()
			addr := lingerServer(t, BodyLimit{Max: 1024, LingerTime: 200 * time.Millisecond})
			c, br := hostile(t, addr, chunked)
			readProblem(t, c, br, deadline)
		})
	}
	t.Run("sends without end", func(t *testing.T) {
		t.Parallel()
		addr := lingerServer(t, BodyLimit{Max: 1024, LingerBytes: 1 << 20, LingerTime: time.Hour})
		c, br := hostile(t, addr, true)
		sent := make(chan error, 1)
		go func() {
			chunk := fmt.Sprintf("%x\r\n%s\r\n", 32<<10, strings.Repeat("b", 32<<10))
			for {
				if _, err := io.WriteString(c, chunk); err != nil {
					sent <- err
					return
				}
			}
		}()
		readProblem(t, c, br, deadline)
		select {
		case <-sent:
		case <-time.After(deadline):
			t.Fatal("the server still reads an endless body")
		}
	})
}

// TestLingerSkipsWhatItCannotUse: a declared body past the linger bound is
// answered without reading any of it, and a client that waits for leave
// to send (Expect: 100-continue) is answered at once and never asked.
func TestLingerSkipsWhatItCannotUse(t *testing.T) {
	t.Parallel()
	addr := lingerServer(t, BodyLimit{Max: 1024, LingerBytes: 1 << 20, LingerTime: 200 * time.Millisecond})
	for _, head := range []string{
		fmt.Sprintf("Content-Length: %d\r\n", 2<<20),
		"Content-Length: 4096\r\nExpect: 100-continue\r\n",
	} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+head+"\r\n"); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		if line, err := br.Peek(12); err != nil || string(line) != "HTTP/1.1 413" {
			t.Fatalf("%q: the answer starts %q, %v; want HTTP/1.1 413 (no 100 Continue)", head, line, err)
		}
		readProblem(t, c, br, 20*time.Second)
	}
}
