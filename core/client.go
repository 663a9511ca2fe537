package core

import (
	"net/netip"
	"strings"
	"unicode/utf8"
)

// Client describes who is calling: the client IP (as the transport resolved it
// from the connection and trusted proxies) and the user agent.
type Client struct {
	IP        string
	UserAgent string
}

// maxUserAgentLen bounds what is stored of a user agent.
const maxUserAgentLen = 512

// userAgent returns the user agent, cut to a storable length at a rune boundary
// and with invalid UTF-8 replaced, so a hostile header cannot bloat or poison rows.
func (c Client) userAgent() string {
	ua := strings.ToValidUTF8(c.UserAgent, "\uFFFD")
	if len(ua) <= maxUserAgentLen {
		return ua
	}
	cut := maxUserAgentLen
	for cut > 0 && !utf8.RuneStart(ua[cut]) {
		cut--
	}
	return ua[:cut]
}

// stored is c as records keep it (storedIP, userAgent): what work after an
// answer and the mail queue hold, so a hostile header is not kept at its
// full size beyond the request.
func (c Client) stored() Client {
	return Client{IP: storedIP(c.IP), UserAgent: c.userAgent()}
}

// ipKey is the address IP rules count: an IPv4 address, or an IPv6 address's /64
// (one subscriber usually holds a whole /64). It is "" when the IP is unknown or
// unparsable, and then IP rules do not apply.
func ipKey(ip string) string {
	addr, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return ""
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is4() {
		return addr.String()
	}
	p, err := addr.Prefix(64)
	if err != nil {
		return ""
	}
	return p.String()
}

// storedIP is the address kept in sessions and consent rows: the parsed,
// canonical form, or "" when the transport gave none.
func storedIP(ip string) string {
	addr, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return ""
	}
	return addr.Unmap().String()
}

// allowListed reports whether ip is exempt from IP blocks and per-IP limits.
func (a *Auth) allowListed(ip string) bool {
	addr, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, p := range a.cfg.IPBlock.AllowList {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
