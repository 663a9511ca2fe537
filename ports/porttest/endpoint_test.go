package porttest_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestEndpointRecordsAndAnswers(t *testing.T) {
	t.Parallel()
	e := porttest.NewEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, "got "+string(body))
	})
	post := func(body string) string {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.URL+"/v1/send", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer key")
		resp, err := e.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, http.StatusAccepted, resp.StatusCode)
		answer, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(answer)
	}

	assert.Equal(t, "got a=1", post("a=1"), "the answer reads the body the endpoint recorded")
	first := e.Requests()
	require.Len(t, first, 1)
	assert.Equal(t, http.MethodPost, first[0].Method)
	assert.Equal(t, "/v1/send", first[0].Path)
	assert.Equal(t, "Bearer key", first[0].Header.Get("Authorization"))
	assert.Equal(t, "a=1", string(first[0].Body))

	post("b=2")
	first[0] = porttest.Request{}
	all := e.Requests()
	assert.Len(t, first, 1, "a later request does not grow a list already returned")
	require.Len(t, all, 2)
	assert.Equal(t, "a=1", string(all[0].Body), "changing a returned list leaves the record")
	assert.Equal(t, "b=2", string(all[1].Body))
}

func TestEndpointHangEndsWhenClientGivesUp(t *testing.T) {
	t.Parallel()
	arrived, returned := make(chan struct{}), make(chan struct{})
	e := porttest.NewEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		porttest.Hang(w, r)
		close(returned)
	})
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.URL, nil)
	require.NoError(t, err)
	done := make(chan error)
	go func() {
		resp, err := e.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-arrived

	cancel()

	assert.ErrorIs(t, <-done, context.Canceled)
	<-returned // blocks for good if Hang outlives its client
	assert.Len(t, e.Requests(), 1)
}

func TestEndpointHangEndsWithTheTest(t *testing.T) {
	t.Parallel()
	done := make(chan error, 1)
	t.Run("client that never gives up", func(t *testing.T) {
		arrived := make(chan struct{})
		e := porttest.NewEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
			close(arrived)
			porttest.Hang(w, r)
		})
		go func() {
			resp, err := e.Client().Get(e.URL)
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
		<-arrived
		// The subtest ends with the request unanswered; its cleanup closes
		// the server, which would wait for the request for good if Hang did
		// not return.
	})
	<-done
}
