package app_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dndcc/dnd-llm-service/app/apptest"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
)

// TestOversizedBodyGetsItsProblem posts a 2 MB prompt to a text route
// from a raw client that writes the whole body before it reads, as simple
// clients do, 40 times with a Content-Length, 40 times chunked and 40
// times without a token, against the app's handler on a real server whose
// socket buffers cannot hold the body: every try must read the 413
// problem, not a reset or a broken pipe.
func TestOversizedBodyGetsItsProblem(t *testing.T) {
	t.Parallel()
	a := apptest.New(t, map[string]string{"TEXT_WORKERS": "0", "IMAGE_WORKERS": "0"})
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := smallBuffers{inner.(*net.TCPListener)}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	tok := servicetest.Token(t, "uploader")
	prompt := `{"type":"personality","prompt":"` + strings.Repeat("a", 2<<20) + `"}`

	for _, tc := range []struct {
		name    string
		tok     string
		chunked bool
	}{
		{"Content-Length", tok, false},
		{"chunked", tok, true},
		{"no token", "", false}, // refused for its size first
	} {
		t.Run(tc.name, func(t *testing.T) {
			failed := 0
			for i := range 40 {
				status, body, err := postWhole(ln.Addr().String(), tc.tok, prompt, tc.chunked)
				if err != nil || status != 413 || !strings.Contains(body, `"code":"PAYLOAD_TOO_LARGE"`) {
					failed++
					t.Errorf("try %d: %d %.200s, %v; want the 413 problem", i, status, body, err)
				}
			}
			if failed > 0 {
				t.Errorf("%d of 40 tries did not get the 413 problem", failed)
			}
		})
	}
}

// socketBuffer is the size of the test's socket buffers: small, as over
// a real network, so that the kernels cannot hold a refused body that the
// server does not read.
const socketBuffer = 64 << 10

// smallBuffers is a listener whose connections have small receive
// buffers.
type smallBuffers struct{ *net.TCPListener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.AcceptTCP()
	if err != nil {
		return nil, err
	}
	if err := c.SetReadBuffer(socketBuffer); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// postWhole sends body to the character route on a new connection, all of
// it, and only then reads the answer.
func postWhole(addr, tok, body string, chunked bool) (int, string, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return 0, "", err
	}
	defer c.Close()
	if err := c.(*net.TCPConn).SetWriteBuffer(socketBuffer); err != nil {
		return 0, "", err
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	w := bufio.NewWriterSize(c, 64<<10)
	fmt.Fprintf(w, "POST /api/v2/text/character HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n", addr)
	if tok != "" {
		fmt.Fprintf(w, "Authorization: Bearer %s\r\n", tok)
	}
	if chunked {
		fmt.Fprintf(w, "Transfer-Encoding: chunked\r\n\r\n")
		for rest := body; rest != ""; {
			n := min(len(rest), 32<<10)
			fmt.Fprintf(w, "%x\r\n%s\r\n", n, rest[:n])
			rest = rest[n:]
		}
		fmt.Fprintf(w, "0\r\n\r\n")
	} else {
		fmt.Fprintf(w, "Content-Length: %d\r\n\r\n%s", len(body), body)
	}
	if err := w.Flush(); err != nil {
		return 0, "", fmt.Errorf("send: %w", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, "", fmt.Errorf("read the answer: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, string(b), fmt.Errorf("read the answer's body: %w", err)
	}
	if !resp.Close { // (ReadResponse takes Connection: close out of the header)
		return resp.StatusCode, string(b), fmt.Errorf("no Connection: close")
	}
	return resp.StatusCode, string(b), nil
}
