package main

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestProductionServesPrometheusMetricsWhenAsked(t *testing.T) {
	out, logs := &porttest.Buffer{}, &porttest.Buffer{}
	at := startServerWith(t, out, logs, map[string]string{"BHARATAUTH_METRICS_ADDR": "127.0.0.1:0"})
	require.NotEmpty(t, at.Metrics)
	status, _ := post(t, "http://"+at.API+"/auth/login", "", `{"identifier":"nobody@example.in","password":"not the password"}`)
	require.Equal(t, http.StatusUnauthorized, status)

	res, err := http.Get("http://" + at.Metrics + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	text := string(body)
	assert.Regexp(t, `bharatauth_sign_ins_total\{[^}]*method="password"[^}]*result="unauthorized"[^}]*\} 1`, text)
	assert.Regexp(t, `bharatauth_flow_duration_seconds_count\{[^}]*flow="Login"[^}]*outcome="unauthorized"[^}]*\} 1`, text)
	assert.Contains(t, text, "bharatauth_store_duration_seconds_bucket")
	assert.Contains(t, text, "bharatauth_hash_wait_seconds_count")
	assert.Contains(t, text, "go_goroutines", "the Go runtime's metrics too")
	assert.NotContains(t, text, "nobody", "no identifier in any label")
}

func TestProductionServesNoMetricsByDefault(t *testing.T) {
	out, logs := &porttest.Buffer{}, &porttest.Buffer{}
	at := startServerWith(t, out, logs, nil)
	assert.Empty(t, at.Metrics)
	res, err := http.Get("http://" + at.API + "/metrics")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "metrics are never on the public API's listener")
}
