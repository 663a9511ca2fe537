package accesstoken

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodes checks one result of a decoding function: it succeeds exactly when
// wantOK, and then yields want. It returns whether it succeeded, for checks
// that only a success allows.
func decodes[T any](t *testing.T, wantOK bool, want T) func(got T, ok bool) bool {
	return func(got T, ok bool) bool {
		t.Helper()
		require.Equal(t, wantOK, ok)
		if ok {
			assert.Equal(t, want, got)
		}
		return ok
	}
}
