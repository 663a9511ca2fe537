package integration

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/core"
)

// roundTrips is what one request cost PostgreSQL, read off bun's query hook:
// statements as the wire sees them (BEGIN and COMMIT included) and commits
// (an autocommit statement, or a transaction's COMMIT).
type roundTrips struct {
	statements, commits int
	// readOnlyCommits are commits that wrote nothing: a read that committed
	// alone, or a transaction of reads.
	readOnlyCommits int
	log             []string
}

var writes = regexp.MustCompile(`(?i)\b(INSERT INTO|DELETE FROM)\b|\bUPDATE "?ba_`)

// count sorts stmts, a request's statements in order, into round trips.
func count(stmts []string) roundTrips {
	var (
		r            roundTrips
		inTx, wrote  bool
		commitIfDone = func(write bool) {
			r.commits++
			if !write {
				r.readOnlyCommits++
			}
		}
	)
	for _, s := range stmts {
		r.statements++
		r.log = append(r.log, s)
		switch strings.ToUpper(strings.TrimSpace(s)) {
		case "BEGIN":
			inTx, wrote = true, false
		case "COMMIT":
			commitIfDone(wrote)
			inTx = false
		case "ROLLBACK":
			inTx = false
		default:
			w := writes.MatchString(s)
			if inTx {
				wrote = wrote || w
			} else {
				commitIfDone(w)
			}
		}
	}
	return r
}

// The hot paths of the API cost PostgreSQL at most these round trips per
// request (make bench-http measures the same on the wire). A change that adds
// a statement to one of them fails here, with the statements listed.
func TestHotPathsStayWithinTheirRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	type budget struct {
		statements, commits int
		readsCommitAlone    bool // reads may commit on their own
	}
	for _, path := range []struct {
		name  string
		redis bool
		max   budget
		// prepare runs before counting and returns the request to count.
		prepare func(t *testing.T, in *instance) func() error
	}{
		{name: "GET /me, PostgreSQL only", max: budget{statements: 1, commits: 1, readsCommitAlone: true},
			prepare: func(t *testing.T, in *instance) func() error {
				res := in.login(t, "asha@example.in")
				return func() error { return me(ctx, in.auth, res.AccessToken) }
			}},
		{name: "GET /me, with Redis", redis: true, max: budget{},
			prepare: func(t *testing.T, in *instance) func() error {
				res := in.login(t, "asha@example.in")
				require.NoError(t, me(ctx, in.auth, res.AccessToken)) // the session and the user are cached now
				return func() error { return me(ctx, in.auth, res.AccessToken) }
			}},
		{name: "POST /refresh", max: budget{statements: 1, commits: 1},
			prepare: func(t *testing.T, in *instance) func() error {
				res := in.login(t, "asha@example.in")
				return func() error {
					_, err := in.auth.Refresh(ctx, core.RefreshInput{RefreshToken: res.RefreshToken, Client: client})
					return err
				}
			}},
		{name: "POST /refresh, with Redis", redis: true, max: budget{statements: 1, commits: 1},
			prepare: func(t *testing.T, in *instance) func() error {
				res := in.login(t, "asha@example.in")
				require.NoError(t, me(ctx, in.auth, res.AccessToken)) // the user is cached now
				return func() error {
					_, err := in.auth.Refresh(ctx, core.RefreshInput{RefreshToken: res.RefreshToken, Client: client})
					return err
				}
			}},
		// A sign-in reads the IP's block, the user, whether the device is
		// known, the account's guardianship (a pending one keeps a child out)
		// and its newest erasure request (a sign-in within the grace cancels
		// it, DPDP §12(3)) in one statement (ports.SignInUsers), and ends its
		// attempts, creates its session and records its events in one more
		// (ports.SignInSessions).
		{name: "POST /login, known device", max: budget{statements: 8, commits: 2},
			prepare: func(t *testing.T, in *instance) func() error {
				in.trustedPrincipal(t, "asha@example.in")
				return func() error {
					res, err := in.auth.Login(ctx, core.LoginInput{Identifier: "asha@example.in", Password: password,
						DeviceFingerprint: fp, Client: client})
					if err == nil && res.Trust != core.TrustKnown {
						t.Fatalf("the device is not known: %s", res.Trust)
					}
					return err
				}
			}},
		// With Redis the device check goes through the Redis DeviceTrust
		// wrapper, so the IP block, the user, the device and the holds are
		// read one by one (no ports.SignInUsers).
		{name: "POST /login, known device, with Redis", redis: true, max: budget{statements: 13, commits: 3},
			prepare: func(t *testing.T, in *instance) func() error {
				in.trustedPrincipal(t, "asha@example.in")
				return func() error {
					_, err := in.auth.Login(ctx, core.LoginInput{Identifier: "asha@example.in", Password: password,
						DeviceFingerprint: fp, Client: client})
					return err
				}
			}},
		// The sign-in's read, the attempt's admission, the code's use and the
		// sign-in's end: one statement each.
		{name: "POST /otp/verify", max: budget{statements: 4, commits: 4, readsCommitAlone: true},
			prepare: func(t *testing.T, in *instance) func() error {
				in.trustedPrincipal(t, "asha@example.in") // a known device, as for the login
				require.NoError(t, in.auth.RequestOTP(ctx, core.RequestOTPInput{Identifier: "asha@example.in", DeviceFingerprint: fp, Client: client}))
				code := in.lastCode(t, "asha@example.in")
				return func() error {
					_, err := in.auth.VerifyOTP(ctx, core.VerifyOTPInput{Identifier: "asha@example.in", Code: code,
						DeviceFingerprint: fp, Client: client})
					return err
				}
			}},
	} {
		t.Run(path.name, func(t *testing.T) {
			t.Parallel()
			db := newDB(t)
			stmts := &statementLog{}
			db.AddQueryHook(stmts)
			s := setup{fastHashing: true}
			if path.redis {
				s.redisPrefix = newPrefix()
			}
			// Registered through an instance of its own, so that no request of
			// the instance under count has run before the one counted.
			newInstance(t, db, setup{fastHashing: true}).register(t, "asha@example.in")
			in := newInstance(t, db, s)
			request := path.prepare(t, in)
			stmts.take()
			require.NoError(t, request())
			got := count(stmts.take())
			t.Logf("%d statements, %d commits:\n%s", got.statements, got.commits, strings.Join(got.log, "\n"))
			assert.LessOrEqual(t, got.statements, path.max.statements, "statements")
			assert.LessOrEqual(t, got.commits, path.max.commits, "commits")
			if !path.max.readsCommitAlone {
				assert.Zero(t, got.readOnlyCommits, "reads that committed without a write")
			}
		})
	}
}

// me is GET /me: authenticate the bearer token, then read the caller.
func me(ctx context.Context, a *core.Auth, accessToken string) error {
	p, err := a.Authenticate(ctx, accessToken)
	if err == nil {
		_, err = a.Me(ctx, p)
	}
	return err
}

var _ bun.QueryHook = (*statementLog)(nil)
