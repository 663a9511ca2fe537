package porttest

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Endpoint is a recording stand-in for a provider's HTTP API: a test points a
// Mailer or SMSSender adapter's real client at it, so that the adapter is
// checked against a real HTTP exchange (signing, encoding, status codes, a
// client that gives up) rather than against a mocked client. It records every
// request and answers each with the answer function of its test; the
// provider's protocol (its answers, error bodies and headers) stays in the
// adapter's tests, written as such functions:
//
//	e := porttest.NewEndpoint(t, func(w http.ResponseWriter, _ *http.Request) {
//		w.Header().Set("Content-Type", "application/json")
//		_, _ = io.WriteString(w, `{"MessageId":"m-1"}`)
//	})
//	client := provider.New(provider.Options{BaseURL: e.URL, HTTPClient: e.Client()})
//	// … send through the adapter, then read e.Requests()
//
// The embedded server is closed at the end of the test; a test may close it
// earlier to see how the adapter takes an endpoint nobody listens at.
type Endpoint struct {
	*httptest.Server

	mu       sync.Mutex
	requests []Request
}

// Request is one request an Endpoint received, as the provider would see it.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// NewEndpoint starts an Endpoint that answers every request with answer,
// which may read the request body again, and closes it with t.Cleanup.
// answer runs on the server's goroutines, so it must not call t.FailNow.
func NewEndpoint(t *testing.T, answer http.HandlerFunc) *Endpoint {
	t.Helper()
	e := &Endpoint{}
	e.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return // the client went away mid-request: the provider saw no request
		}
		e.mu.Lock()
		e.requests = append(e.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		e.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		answer(w, r)
	}))
	// Every request's context ends with the test's (just before cleanup), so
	// a Hang still waiting then returns and Close does not wait on it.
	ctx := t.Context()
	e.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	e.Start()
	t.Cleanup(e.Close)
	return e
}

// Requests returns a copy of the list of requests received so far, in the
// order they arrived, so that later requests do not change what a test holds.
func (e *Endpoint) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Request(nil), e.requests...)
}

// Hang is an answer that never comes: it returns, writing nothing, once the
// client gives up or the test ends. It stands in for a provider that stalls,
// so that a test can check that the adapter honours its context's deadline.
func Hang(_ http.ResponseWriter, r *http.Request) {
	<-r.Context().Done()
}
