package core

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A display name goes into emails and admin screens, so it is plain text:
// a control character is refused wherever it stands, the first position
// included. (Leading whitespace controls such as a tab are trimmed instead.)
func TestRegisterRefusesControlCharacterAtStartOfDisplayName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		display string
	}{
		{name: "escape sequence first", display: "\x1b[2JAsha"},
		{name: "nul first", display: "\x00Asha"},
		{name: "delete first", display: "\x7fAsha"},
		{name: "only a control character", display: "\x1b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withoutLimiter())
			_, err := e.auth.Register(context.Background(), RegisterInput{Email: "asha@example.in", Password: testPassword,
				DisplayName: tc.display, Consents: allGranted(), Client: e.client})
			ce := requireKind(t, err, KindValidation)
			assert.Equal(t, "display_name", ce.Field)
			assert.Zero(t, e.outbox.Len(), "nothing is written or sent")
		})
	}
}
