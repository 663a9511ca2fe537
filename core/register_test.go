package core

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every length limit of registration, on both sides of the line.
func TestRegisterInputLimits(t *testing.T) {
	t.Parallel()
	// 35 bytes: a language tag as long as one may be.
	tag35 := "abcdefgh-abcdefgh-abcdefgh-abcdefgh"
	for _, tc := range []struct {
		name  string
		in    RegisterInput
		field string // "" when accepted
	}{
		{name: "email of 254 bytes", in: RegisterInput{Email: emailOfLen(254)}},
		{name: "email of 255 bytes", in: RegisterInput{Email: emailOfLen(255)}, field: "email"},
		{name: "username of 3", in: RegisterInput{Email: "a@example.in", Username: "abc"}},
		{name: "username of 2", in: RegisterInput{Email: "a@example.in", Username: "ab"}, field: "username"},
		{name: "username of 32", in: RegisterInput{Email: "a@example.in", Username: strings.Repeat("a", 32)}},
		{name: "username of 33", in: RegisterInput{Email: "a@example.in", Username: strings.Repeat("a", 33)}, field: "username"},
		{name: "display name of 100 code points", in: RegisterInput{Email: "a@example.in", DisplayName: strings.Repeat("अ", 100)}},
		{name: "display name of 101 code points", in: RegisterInput{Email: "a@example.in", DisplayName: strings.Repeat("अ", 101)}, field: "display_name"},
		{name: "display name starting with NUL", in: RegisterInput{Email: "a@example.in", DisplayName: "\x00Asha"}, field: "display_name"},
		{name: "display name starting with ESC", in: RegisterInput{Email: "a@example.in", DisplayName: "\x1b[31mAsha"}, field: "display_name"},
		{name: "display name starting with DEL", in: RegisterInput{Email: "a@example.in", DisplayName: "\x7fAsha"}, field: "display_name"},
		{name: "language tag of 35", in: RegisterInput{Email: "a@example.in", Language: tag35}},
		{name: "language tag of 36", in: RegisterInput{Email: "a@example.in", Language: tag35 + "a"}, field: "language"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withoutLimiter())
			in := tc.in
			in.Password, in.Consents, in.Client = testPassword, allGranted(), e.client
			u, err := e.auth.Register(context.Background(), in)
			if tc.field == "" {
				require.NoError(t, err)
				assert.Equal(t, in.Email, u.Email)
				assert.Equal(t, in.Username, u.Username)
				assert.Equal(t, in.DisplayName, u.DisplayName)
				assert.Equal(t, in.Language, u.Language)
				return
			}
			ce := requireKind(t, err, KindValidation)
			assert.Equal(t, tc.field, ce.Field)
			assert.Zero(t, e.outbox.Len(), "nothing is written or sent")
		})
	}
}
