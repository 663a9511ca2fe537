package http

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeBody with a tiny limit, to see the limit is the one configured.
func TestDecodeBodyHonoursTheLimit(t *testing.T) {
	t.Parallel()
	var dst struct {
		Identifier string `json:"identifier"`
	}
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{"identifier":"asha@example.in"}`))
	err := decodeBody(httptest.NewRecorder(), r, 10, &dst)
	var re *requestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "body_too_large", re.code)
}
