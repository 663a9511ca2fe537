package redis_test

import (
	"strings"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	bredis "github.com/bharatauth/bharatauth-go/adapters/redis"
)

func TestNewClientOption(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		url         string
		opts        bredis.ClientOptions
		wantAddr    string
		wantAddrs   []string // several, for a cluster; wantAddr otherwise
		wantDB      int
		wantDial    time.Duration
		wantErr     bool
		errMustSkip string // text the error must not contain
	}{
		{name: "bare host:port", url: "127.0.0.1:6379", wantAddr: "127.0.0.1:6379", wantDial: 300 * time.Millisecond},
		{name: "URL with database", url: "redis://cache.internal:6380/2", wantAddr: "cache.internal:6380", wantDB: 2, wantDial: 300 * time.Millisecond},
		{name: "custom dial timeout", url: "127.0.0.1:6379", opts: bredis.ClientOptions{DialTimeout: time.Second}, wantAddr: "127.0.0.1:6379", wantDial: time.Second},
		{name: "cluster addresses", url: "127.0.0.1:7001, 127.0.0.1:7002,127.0.0.1:7003",
			wantAddrs: []string{"127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"}, wantDial: 300 * time.Millisecond},
		{name: "cluster URL", url: "redis://127.0.0.1:7001?addr=127.0.0.1:7002",
			wantAddrs: []string{"127.0.0.1:7001", "127.0.0.1:7002"}, wantDial: 300 * time.Millisecond},
		{name: "empty", url: "  ", wantErr: true},
		{name: "bad scheme keeps the password out of the error", url: "http://user:s3cret@host:1", wantErr: true, errMustSkip: "s3cret"},
		{name: "negative timeout", url: "127.0.0.1:6379", opts: bredis.ClientOptions{ConnWriteTimeout: -1}, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opt, err := bredis.NewClientOption(tc.url, tc.opts)
			if tc.wantErr {
				require.Error(t, err)
				if tc.errMustSkip != "" {
					assert.NotContains(t, err.Error(), tc.errMustSkip)
				}
				return
			}
			require.NoError(t, err)
			want := tc.wantAddrs
			if want == nil {
				want = []string{tc.wantAddr}
			}
			assert.Equal(t, want, opt.InitAddress)
			assert.Equal(t, tc.wantDB, opt.SelectDB)
			assert.Equal(t, tc.wantDial, opt.Dialer.Timeout)
			assert.True(t, opt.DisableRetry, "fail-fast needs one try")
			assert.Equal(t, time.Second, opt.ConnWriteTimeout)
		})
	}
}

func TestConnectInBackgroundValidates(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		url   string
		ready func(rueidis.Client)
	}{
		{name: "nil callback", url: "127.0.0.1:6379"},
		{name: "bad URL", url: "ftp://x", ready: func(rueidis.Client) {}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := bredis.ConnectInBackground(t.Context(), tc.url, bredis.ClientOptions{}, 0, tc.ready)
			require.Error(t, err)
			assert.False(t, strings.Contains(err.Error(), "://"), "no URL in errors")
		})
	}
}
