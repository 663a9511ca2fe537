package policy

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireViolation checks the answer of a policy check: no error when
// wantReason is empty, else a *Violation of field giving wantReason. It
// returns whether err is a violation, for checks of its message.
func requireViolation(t *testing.T, err error, field, wantReason string) bool {
	t.Helper()
	if wantReason == "" {
		require.NoError(t, err)
		return false
	}
	var v *Violation
	require.True(t, errors.As(err, &v), "a *Violation")
	assert.Equal(t, field, v.Field)
	assert.Equal(t, wantReason, v.Reason)
	return true
}
