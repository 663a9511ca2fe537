package http

import (
	"net/http"
	"net/netip"
	"strings"
)

// clientIP resolves the caller's address. It is the connection's peer unless
// the peer is a trusted proxy; then X-Forwarded-For is read from the right
// (each proxy appends the address it saw) and the first hop that is not a
// trusted proxy is the client. Hops further left were written by the client
// and are never believed. Written here rather than imported: it is 30 lines
// and the rule is the rightmost-untrusted one.
//
// When every hop is a trusted proxy the leftmost one is the client (a probe
// from inside the proxy network); a garbled hop stops the walk at the last
// address a trusted proxy vouched for.
func (h *Handler) clientIP(r *http.Request) string {
	peer, ok := parseHop(r.RemoteAddr)
	if !ok {
		return ""
	}
	if !h.trusted(peer) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := parseHop(hops[i])
		if !ok {
			break
		}
		client = hop
		if !h.trusted(hop) {
			break
		}
	}
	return client.String()
}

// trusted reports whether addr is inside a configured trusted-proxy prefix.
func (h *Handler) trusted(addr netip.Addr) bool {
	for _, p := range h.trustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// parseHop parses "ip", "ip:port" or "[ipv6]:port", dropping any zone and
// unmapping IPv4-in-IPv6.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	addr, err := netip.ParseAddr(s)
	if err != nil {
		ap, perr := netip.ParseAddrPort(s)
		if perr != nil {
			return netip.Addr{}, false
		}
		addr = ap.Addr()
	}
	return addr.Unmap().WithZone(""), true
}
