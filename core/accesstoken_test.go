package core

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signAccessToken signs an access token for p's session with key, the way
// releases before the derived key did: HS256, no kid, the signer's claims.
func (e *env) signAccessToken(p Principal, key []byte, iat, exp time.Time) string {
	e.t.Helper()
	cfg := e.auth.Config()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": cfg.Issuer, "sub": p.UserID, "aud": []string{cfg.Audience},
		"exp": exp.Unix(), "nbf": iat.Unix(), "iat": iat.Unix(), "jti": "at_legacy",
		"sid": p.SessionID, "trust": string(TrustNewDevice), "amr": []string{"pwd"},
	})
	tok.Header["typ"] = "at+jwt"
	signed, err := tok.SignedString(key)
	require.NoError(e.t, err)
	return signed
}

func TestAccessTokensSignedWithTheRawSecretKeyLastOneTTL(t *testing.T) {
	t.Parallel()
	ttl := DefaultConfig().AccessTokenTTL
	builtAt := testStart // newEnv builds the Auth at the clock's start
	// The longest-lived token an old release could have issued a second
	// before the upgrade: exp is past the window, so only the window decides.
	lastIat := builtAt.Add(-time.Second)
	lastExp := lastIat.Add(ttl + 30*time.Second)
	tests := []struct {
		name     string
		iat, exp time.Time
		at       time.Time // the clock when Authenticate runs
		refused  bool
	}{
		{name: "issued before the upgrade, just after it", iat: builtAt.Add(-time.Minute), exp: builtAt.Add(-time.Minute + ttl), at: builtAt},
		{name: "the window's last second", iat: lastIat, exp: lastExp, at: builtAt.Add(ttl - time.Second)},
		{name: "once one TTL has passed", iat: lastIat, exp: lastExp, at: builtAt.Add(ttl), refused: true},
		{name: "issued after the upgrade", iat: builtAt.Add(time.Second), exp: builtAt.Add(time.Second + ttl), at: builtAt.Add(time.Minute), refused: true},
		{name: "living longer than the TTL", iat: builtAt.Add(-time.Minute), exp: builtAt.Add(24 * time.Hour), at: builtAt, refused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, _ := newUserEnv(t, "legacy@example.in")
			p := e.principal(e.mustLogin("legacy@example.in"))
			token := e.signAccessToken(p, e.auth.Config().SecretKey, tt.iat, tt.exp)
			e.clock.Set(tt.at)
			got, err := e.auth.Authenticate(t.Context(), token)
			if !tt.refused {
				require.NoError(t, err)
				assert.Equal(t, p.SessionID, got.SessionID)
				return
			}
			assert.Equal(t, codeInvalidToken, requireKind(t, err, KindUnauthorized).Code)
		})
	}
}

func TestAccessTokensAreSignedWithADerivedKey(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "derived@example.in")
	e.clock.Advance(DefaultConfig().AccessTokenTTL) // past the raw key's window
	res := e.mustLogin("derived@example.in")
	e.principal(res)

	secretKey := e.auth.Config().SecretKey
	verify := func(key []byte) error {
		_, err := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation()).
			Parse(res.AccessToken, func(*jwt.Token) (any, error) { return key, nil })
		return err
	}
	require.ErrorIs(t, verify(secretKey), jwt.ErrTokenSignatureInvalid, "SecretKey never signs")
	require.NoError(t, verify(deriveKey(secretKey, "bharatauth/access-token-hs256/v1")))
}

func TestExplicitHS256SigningKeysAreUsedAsGiven(t *testing.T) {
	t.Parallel()
	chosen := []byte("an-operator-chosen-hs256-secret-32b!")
	e := newEnv(t, withoutLimiter(), func(c *Config, _ *Deps) {
		c.SigningKeys = []SigningKey{{Algorithm: "HS256", Secret: chosen}}
	})
	e.register("chosen@example.in")
	res := e.mustLogin("chosen@example.in")
	p := e.principal(res)
	_, err := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation()).
		Parse(res.AccessToken, func(*jwt.Token) (any, error) { return chosen, nil })
	require.NoError(t, err, "signed with the chosen secret itself")

	// SecretKey never signed tokens in this set-up, so it gets no window.
	issued := testStart.Add(-time.Minute)
	raw := e.signAccessToken(p, e.auth.Config().SecretKey, issued, issued.Add(DefaultConfig().AccessTokenTTL))
	requireKind(t, errOf(e.auth.Authenticate(t.Context(), raw)), KindUnauthorized)
}

func TestAccessTokensOfEndedSessionsFailAtOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		end  func(e *env, res LoginResult)
	}{
		{name: "logout", end: func(e *env, res LoginResult) {
			require.NoError(t, e.auth.Logout(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client}))
		}},
		{name: "logout all", end: func(e *env, res LoginResult) {
			p := e.principal(res)
			e.stepUp(p, res.User.Email)
			require.NoError(t, e.auth.LogoutAll(ctx, p, e.client))
		}},
		{name: "revoke session", end: func(e *env, res LoginResult) {
			other := e.principal(e.mustLogin(res.User.Email))
			e.stepUp(other, res.User.Email)
			require.NoError(t, e.auth.RevokeSession(ctx, other, RevokeSessionInput{SessionID: res.SessionID, Client: e.client}))
		}},
		{name: "password reset", end: func(e *env, res LoginResult) {
			require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: res.User.Email, Client: e.client}))
			require.NoError(t, errOf(e.auth.ConfirmPasswordReset(ctx, ConfirmPasswordResetInput{Token: e.lastToken(res.User.Email), NewPassword: "another fine passphrase", Client: e.client})))
		}},
		{name: "suspension", end: func(e *env, res LoginResult) {
			require.NoError(t, e.auth.Admin().Suspend(ctx, res.User.ID))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, _ := newUserEnv(t, "end@example.in")
			res := e.mustLogin("end@example.in")
			e.principal(res)
			tc.end(e, res)
			_, err := e.auth.Authenticate(ctx, res.AccessToken)
			assert.Equal(t, codeInvalidToken, requireKind(t, err, KindUnauthorized).Code)
		})
	}
}

func TestAccessTokenExpiresAfter15Minutes(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "ttl@example.in")
	res := e.mustLogin("ttl@example.in")
	e.clock.Advance(15*time.Minute - time.Second)
	e.principal(res)
	e.clock.Advance(time.Second)
	requireKind(t, errOf(e.auth.Authenticate(t.Context(), res.AccessToken)), KindTokenExpired)
}

func TestAuthenticateRejectsGarbage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	for _, tok := range []string{"", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "\xff\xfe"} {
		requireKind(t, errOf(e.auth.Authenticate(t.Context(), tok)), KindUnauthorized)
	}
}

func TestAccessTokenClientIDDefaultsToTheAudience(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "cid@example.in")
	assert.Equal(t, e.auth.Config().Audience, tokenClaims(t, e.mustLogin("cid@example.in").AccessToken)["client_id"])

	e = newEnv(t, withoutLimiter(), func(c *Config, _ *Deps) { c.ClientID = "asha-web" })
	e.register("cid@example.in")
	assert.Equal(t, "asha-web", tokenClaims(t, e.mustLogin("cid@example.in").AccessToken)["client_id"])
}

func TestClaimsHookAddsAppClaimsAtSignInAndRefresh(t *testing.T) {
	t.Parallel()
	var seen []ClaimsInput
	e := newEnv(t, withoutLimiter(), func(c *Config, _ *Deps) {
		c.Claims = func(_ context.Context, in ClaimsInput) (map[string]any, error) {
			seen = append(seen, in)
			return map[string]any{"tenant": "asha-shop", "roles": []string{"seller"}}, nil
		}
	})
	u := e.register("roles@example.in")
	res := e.mustLogin("roles@example.in")
	claims := tokenClaims(t, res.AccessToken)
	assert.Equal(t, "asha-shop", claims["tenant"])
	assert.Equal(t, []any{"seller"}, claims["roles"])
	e.principal(res) // still verifies

	next, err := e.auth.Refresh(t.Context(), RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})
	require.NoError(t, err)
	assert.Equal(t, "asha-shop", tokenClaims(t, next.AccessToken)["tenant"])
	require.Len(t, seen, 2)
	assert.Equal(t, ClaimsInput{UserID: u.ID, SessionID: res.SessionID, Trust: TrustNewDevice, AuthMethod: "pwd"}, seen[0])
}

func TestClaimsHookCannotTakeAReservedName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"sub", "Aud", "client_id", "scope", "acr", "sid", "trust"} {
		e := newEnv(t, withoutLimiter(), func(c *Config, _ *Deps) {
			c.Claims = func(context.Context, ClaimsInput) (map[string]any, error) {
				return map[string]any{name: "admin"}, nil
			}
		})
		u := e.register("reserved@example.in")
		_, err := e.login("reserved@example.in", testPassword)
		ce := requireKind(t, err, KindInternal)
		assert.ErrorContains(t, ce, "reserved claim name", name)
		sessions := inStore(e, e.store.Sessions, u.ID)
		assert.Empty(t, sessions, "%s: a refused sign-in leaves no session", name)
	}
}

func TestClaimsHookErrorFailsTheSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter(), func(c *Config, _ *Deps) {
		c.Claims = func(context.Context, ClaimsInput) (map[string]any, error) { return nil, errors.New("roles db down") }
	})
	e.register("down@example.in")
	_, err := e.login("down@example.in", testPassword)
	assert.ErrorContains(t, requireKind(t, err, KindInternal), "roles db down")
}
