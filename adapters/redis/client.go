package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/rueidis"
)

// Fail-fast defaults of NewClient. They bound how long a request can wait on a
// dead or paused Redis; the per-call Options.Timeout of each adapter bounds it
// further.
const (
	defaultDialTimeout      = 300 * time.Millisecond
	defaultConnWriteTimeout = time.Second
	defaultKeepAlive        = 250 * time.Millisecond
)

// ClientOptions tunes NewClient. The zero value gives the fail-fast settings
// described in the package doc.
type ClientOptions struct {
	// DialTimeout bounds connecting; default 300 ms.
	DialTimeout time.Duration
	// ConnWriteTimeout bounds a write or a wait for a reply on a connection and
	// the background PINGs that find a paused server; default 1 s.
	ConnWriteTimeout time.Duration
	// DisableCache turns client-side caching off (for servers without RESP3
	// client tracking). SessionCache and IPBlockCache then read Redis over the
	// network on every call.
	DisableCache bool
	// CacheSizeEachConn is the client-side cache size per connection in bytes;
	// default rueidis' 128 MiB.
	CacheSizeEachConn int
	// Configure, when set, may change any other rueidis option last.
	Configure func(*rueidis.ClientOption)
}

// NewClientOption returns the recommended rueidis options for url: either a URL
// ("redis://user:pass@host:6379/0", "rediss://…", "unix://…"; a Redis Cluster
// as "redis://host1:7001?addr=host2:7002&addr=host3:7003") or bare addresses
// ("host:port", or "host1:7001,host2:7002,host3:7003" for a cluster). The
// client is a cluster client when the server is a cluster node. It fails on
// an unparseable URL and never touches the network.
func NewClientOption(url string, o ClientOptions) (rueidis.ClientOption, error) {
	url = strings.TrimSpace(url)
	if url == "" {
		return rueidis.ClientOption{}, errors.New("redis: empty address")
	}
	if o.DialTimeout < 0 || o.ConnWriteTimeout < 0 || o.CacheSizeEachConn < 0 {
		return rueidis.ClientOption{}, errors.New("redis: negative client option")
	}
	var opt rueidis.ClientOption
	if strings.Contains(url, "://") {
		parsed, err := rueidis.ParseURL(url)
		if err != nil {
			// The URL may hold a password: report only that it is invalid.
			return rueidis.ClientOption{}, errors.New("redis: invalid URL")
		}
		opt = parsed
	} else {
		for _, addr := range strings.Split(url, ",") {
			if addr = strings.TrimSpace(addr); addr != "" {
				opt.InitAddress = append(opt.InitAddress, addr)
			}
		}
	}
	opt.Dialer.Timeout = orDefault(o.DialTimeout, defaultDialTimeout)
	opt.Dialer.KeepAlive = defaultKeepAlive
	opt.ConnWriteTimeout = orDefault(o.ConnWriteTimeout, defaultConnWriteTimeout)
	// rueidis retries read commands until the context deadline by default;
	// failing open needs one try only.
	opt.DisableRetry = true
	// One pipelined connection: rueidis chooses a connection per call among
	// several otherwise, and SessionCache reads its own writes only when the
	// write and the cached read share a connection (see SessionCache.do).
	// rueidis pipelines concurrent calls on it.
	opt.PipelineMultiplex = -1
	opt.DisableCache = o.DisableCache
	opt.CacheSizeEachConn = o.CacheSizeEachConn
	if o.Configure != nil {
		o.Configure(&opt)
	}
	return opt, nil
}

// NewClient connects to Redis at url (see NewClientOption) with the fail-fast
// options. Like rueidis.NewClient it fails at once when Redis cannot be reached;
// see ConnectInBackground for starting without it. The error never contains the
// URL, which may hold a password.
func NewClient(url string, o ClientOptions) (rueidis.Client, error) {
	opt, err := NewClientOption(url, o)
	if err != nil {
		return nil, err
	}
	c, err := rueidis.NewClient(opt)
	if err != nil {
		return nil, fmt.Errorf("redis: connect: %w", err)
	}
	return c, nil
}

// ConnectInBackground keeps calling NewClient, waiting retry between attempts
// (1 s when retry <= 0), until it succeeds or ctx ends. On success it calls
// ready with the client, once, from its own goroutine. It returns at once: use
// it to start an app without Redis and switch the Redis layers on when Redis
// answers.
func ConnectInBackground(ctx context.Context, url string, o ClientOptions, retry time.Duration, ready func(rueidis.Client)) error {
	if ready == nil {
		return errors.New("redis: nil ready callback")
	}
	if _, err := NewClientOption(url, o); err != nil {
		return err
	}
	retry = orDefault(retry, time.Second)
	go func() {
		timer := time.NewTimer(0)
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
			if c, err := NewClient(url, o); err == nil {
				ready(c)
				return
			}
			timer.Reset(retry)
		}
	}()
	return nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
