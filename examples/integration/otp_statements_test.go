package integration

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
)

// A wrong code for an account with a live code (anyone can make one with
// RequestOTP) runs one ConsumeCode statement; for an unknown identifier the
// first finds no row and a second SELECT follows: one round trip more before
// the answer, for nobody.
func TestWrongOTPVerifiesRunTheSameStatementsForKnownAndUnknownIdentifiers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := newDB(t)
	stmts := &statementLog{}
	db.AddQueryHook(stmts)
	in := newInstance(t, db, setup{fastHashing: true})
	in.register(t, "known@example.in")
	for _, id := range []string{"known@example.in", "nobody@example.in"} {
		require.NoError(t, in.auth.RequestOTP(ctx, core.RequestOTPInput{Identifier: id, Client: client}))
	}
	verify := func(identifier string) []string {
		stmts.take()
		_, err := in.auth.VerifyOTP(ctx, core.VerifyOTPInput{Identifier: identifier, Code: "000000",
			Client: core.Client{IP: "198.51.100.3"}})
		require.Error(t, err)
		var before []string // the event is written after the answer in production
		for _, s := range stmts.take() {
			if !strings.Contains(s, "ba_security_events") {
				before = append(before, s)
			}
		}
		return before
	}
	known, unknown := verify("known@example.in"), verify("nobody@example.in")
	assert.Equal(t, len(unknown), len(known), "statements before the answer: known %d, unknown %d", len(known), len(unknown))
}
