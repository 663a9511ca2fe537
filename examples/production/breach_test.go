package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/postgres/pgtest"
	"github.com/bharatauth/bharatauth-go/core"
)

func TestReadBreachRefusesWhatItDoesNotKnow(t *testing.T) {
	for name, doc := range map[string]string{
		"an unknown field": `{"description":"d","user_ids":["u"],"extra":1}`,
		"no users":         `{"description":"d","user_ids":[]}`,
		"trailing data":    `{"description":"d","user_ids":["u"]} {}`,
		"not JSON":         `description: d`,
	} {
		_, err := readBreach(strings.NewReader(doc))
		require.Error(t, err, name)
	}
}

func TestNotifyBreachCommandReportsWhoWasTold(t *testing.T) {
	_, schema := pgtest.NewSchema(t)
	s := databaseSettings(t, pgtest.WithSearchPath(t, pgtest.URL(), schema))
	path := filepath.Join(t.TempDir(), "notice.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"description":"A copy of the user table was read.",
		"occurred_at":"2026-11-20T10:00:00+05:30","consequences":"Phishing emails.","measures":"The hole is closed.",
		"user_actions":"Ignore emails asking for codes.","user_ids":["usr_nobody"],"per_second":100}`), 0o600))
	var out bytes.Buffer
	require.NoError(t, notifyBreach(t.Context(), s, path, &out, slog.New(slog.NewTextHandler(io.Discard, nil))))
	var report core.BreachReport
	require.NoError(t, json.Unmarshal(out.Bytes(), &report))
	assert.Equal(t, []core.BreachFailure{{UserID: "usr_nobody", Reason: "no such user"}}, report.Failed)
}
