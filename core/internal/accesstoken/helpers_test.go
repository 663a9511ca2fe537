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

// decodesAll checks one result of a decoder method like decodes and, when it
// succeeded, that d read all of its input.
func decodesAll[T any](t *testing.T, d *decoder, wantOK bool, want T) func(got T, ok bool) {
	return func(got T, ok bool) {
		t.Helper()
		if decodes(t, wantOK, want)(got, ok) {
			assert.True(t, d.end(), "all of the input is read")
		}
	}
}

// requireParseError checks the error of a Parse: none when want is nil, else
// one that is want. It returns whether Parse failed, for further checks of
// the error.
func requireParseError(t *testing.T, err, want error) bool {
	t.Helper()
	if want == nil {
		require.NoError(t, err)
		return false
	}
	require.ErrorIs(t, err, want)
	return true
}
