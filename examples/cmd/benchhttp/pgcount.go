package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
)

// statementCounter is a TCP proxy between the server and PostgreSQL that
// counts the statements the server sends, read off the wire protocol: each
// simple Query message and each Execute of the extended protocol (how pgx
// runs bun's queries), BEGIN and COMMIT included. pg_stat_database has no
// statement counter and pg_stat_statements needs shared_preload_libraries,
// so the wire is the one place outside the server that sees every statement.
// The hop costs time, so the timed runs go to PostgreSQL directly.
type statementCounter struct {
	ln         net.Listener
	upstream   string
	statements atomic.Int64

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// newStatementCounter listens on a loopback port and forwards every
// connection to upstream (host:port of PostgreSQL).
func newStatementCounter(upstream string) (*statementCounter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("statement counter: %w", err)
	}
	c := &statementCounter{ln: ln, upstream: upstream, conns: map[net.Conn]struct{}{}}
	c.wg.Go(c.accept)
	return c, nil
}

// Addr is the host:port to give the server instead of PostgreSQL's.
func (c *statementCounter) Addr() string { return c.ln.Addr().String() }

// Statements is the number counted so far.
func (c *statementCounter) Statements() int64 { return c.statements.Load() }

// Close stops listening and cuts the connections still open.
func (c *statementCounter) Close() error {
	err := c.ln.Close()
	c.mu.Lock()
	c.closed = true
	for conn := range c.conns {
		_ = conn.Close()
	}
	c.mu.Unlock()
	c.wg.Wait()
	return err
}

func (c *statementCounter) accept() {
	for {
		client, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.wg.Go(func() { c.relay(client) })
	}
}

// track registers conns for Close; it reports false once the counter is
// closing.
func (c *statementCounter) track(conns ...net.Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	for _, conn := range conns {
		c.conns[conn] = struct{}{}
	}
	return true
}

func (c *statementCounter) untrack(conns ...net.Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range conns {
		delete(c.conns, conn)
		_ = conn.Close()
	}
}

// relay copies the backend's answers unread and the client's messages
// through the counter; when either side ends, both connections close.
func (c *statementCounter) relay(client net.Conn) {
	backend, err := net.Dial("tcp", c.upstream)
	if err != nil {
		_ = client.Close()
		return
	}
	defer c.untrack(client, backend)
	if !c.track(client, backend) {
		return
	}
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(client, backend)
		_ = client.Close()
		close(done)
	}()
	_ = copyFrontend(backend, client, func() { c.statements.Add(1) })
	_ = backend.Close()
	<-done
}

// Codes of the untyped messages a connection may open with
// (PostgreSQL protocol 3, "Message Formats").
const (
	sslRequestCode    = 80877103
	gssEncRequestCode = 80877104
)

// copyFrontend forwards the frontend half of a PostgreSQL connection from
// src to dst, calling statement for each simple Query (other than pgx's
// comment-only liveness ping) and each Execute. It needs a connection
// without TLS (sslmode=disable): an encrypted stream cannot be read.
func copyFrontend(dst io.Writer, src io.Reader, statement func()) error {
	r := bufio.NewReaderSize(src, 64*1024)
	w := bufio.NewWriterSize(dst, 64*1024)
	// Flush whenever the client has nothing more buffered: a message batch
	// (Bind, Execute, Sync) goes out in one write, and nothing waits.
	flush := func() error {
		if r.Buffered() == 0 {
			return w.Flush()
		}
		return nil
	}
	// The startup message, and an SSL or GSS request before it, carry no
	// type byte: a length (itself included) and a code.
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return err
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		if n < 8 {
			return errors.New("statement counter: malformed startup message")
		}
		if _, err := w.Write(hdr[:]); err != nil {
			return err
		}
		if _, err := io.CopyN(w, r, n-8); err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		if code := binary.BigEndian.Uint32(hdr[4:]); code != sslRequestCode && code != gssEncRequestCode {
			break
		}
	}
	for {
		var hdr [5]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return err
		}
		n := int64(binary.BigEndian.Uint32(hdr[1:]))
		if n < 4 {
			return errors.New("statement counter: malformed message")
		}
		if _, err := w.Write(hdr[:]); err != nil {
			return err
		}
		switch hdr[0] {
		case 'Q':
			body := make([]byte, n-4)
			if _, err := io.ReadFull(r, body); err != nil {
				return err
			}
			if !commentOnly(string(body)) {
				statement()
			}
			if _, err := w.Write(body); err != nil {
				return err
			}
		case 'E':
			statement()
			fallthrough
		default:
			if _, err := io.CopyN(w, r, n-4); err != nil {
				return err
			}
		}
		if err := flush(); err != nil {
			return err
		}
	}
}

// commentOnly reports whether a simple query's text (NUL-terminated) runs no
// statement: pgx checks an idle connection with "-- ping".
func commentOnly(query string) bool {
	for line := range strings.SplitSeq(strings.TrimRight(query, "\x00"), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && line != ";" && !strings.HasPrefix(line, "--") {
			return false
		}
	}
	return true
}
