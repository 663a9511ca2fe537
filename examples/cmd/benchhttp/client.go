package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// sources hands out client source addresses from 127.16.0.1 on (any
// 127.0.0.0/8 address is local on Linux), one per client, so that the
// server's per-IP rules see many clients: the login limit is 20 per 15
// minutes per IP, registration 20 per hour.
type sources struct{ next atomic.Uint32 }

// sourceAddr returns the n-th source address, skipping .0 and .255.
func sourceAddr(n uint32) net.IP {
	return net.IPv4(127, byte(16+n/(254*256)), byte(n/254%256), byte(1+n%254))
}

// client returns an HTTP client whose one keep-alive connection comes from a
// source address of its own.
func (s *sources) client() *http.Client {
	local := &net.TCPAddr{IP: sourceAddr(s.next.Add(1) - 1)}
	d := &net.Dialer{LocalAddr: local, Timeout: 5 * time.Second}
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DialContext:         d.DialContext,
			MaxIdleConns:        1,
			MaxIdleConnsPerHost: 1,
			DisableCompression:  true,
		},
	}
}

// call sends a JSON request (body nil: none) with an optional bearer token
// and decodes a JSON answer into out (nil: discarded). An answer other than
// want is an error carrying the status and the problem's code, never a token.
func call(ctx context.Context, c *http.Client, method, url, bearer string, body, out any, want int) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		var problem struct {
			Code   string `json:"code"`
			Detail string `json:"detail"`
		}
		_ = json.Unmarshal(raw, &problem)
		return fmt.Errorf("%s %s: status %d %s %s", method, req.URL.Path, resp.StatusCode, problem.Code, problem.Detail)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: %w", method, req.URL.Path, err)
	}
	return nil
}
