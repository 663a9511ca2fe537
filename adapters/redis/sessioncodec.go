package redis

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// A cached session is one Redis string: a state byte, a 20-digit version and
// the session as JSON.
//
//	A00000001764115200000000000{"id":…}   active (or expired) session
//	R00000001764115200000000000{"id":…}   revoked session: a tombstone
//	R00000000000000000000                 a tombstone whose session could not be read
//
// Revocation is terminal, so a tombstone is final: the write scripts never
// replace one. The version is LastUsedAt in nanoseconds, which every rotation
// moves forward, so an update that arrives late cannot replace a newer one.
// Fixed-width digits compare as strings in Lua.
const (
	stateActive  = 'A'
	stateRevoked = 'R'
	headerLen    = 1 + 20
)

// updateScript writes an active session unless the key holds a tombstone or a
// newer version. KEYS[1] the key; ARGV[1] the value; ARGV[2] the TTL in ms.
const updateScript = `
local cur = redis.call('GET', KEYS[1])
if cur then
  if string.sub(cur, 1, 1) == 'R' then return 0 end
  if string.sub(cur, 2, 21) > string.sub(ARGV[1], 2, 21) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`

// sessionRow is the cached form of ports.Session. Times are Unix nanoseconds,
// 0 for the zero time, so they come back exactly (in UTC).
type sessionRow struct {
	ID                string `json:"id"`
	UserID            string `json:"uid"`
	RefreshHash       string `json:"rh"`
	DeviceFingerprint string `json:"fp,omitempty"`
	DeviceInfo        string `json:"di,omitempty"`
	IPAddress         string `json:"ip,omitempty"`
	IsPublicDevice    bool   `json:"pub,omitempty"`
	IsVerifiedDevice  bool   `json:"ver,omitempty"`
	AuthMethod        string `json:"am,omitempty"`
	CreatedAt         int64  `json:"c"`
	ExpiresAt         int64  `json:"e"`
	LastUsedAt        int64  `json:"lu,omitempty"`
	RevokedAt         int64  `json:"r,omitempty"`
	StepUpAt          int64  `json:"su,omitempty"`
}

// bareTombstone marks a session revoked without its data: readers then ask
// the inner store.
const bareTombstone = "R00000000000000000000"

func encodeSession(s ports.Session) (string, error) {
	row := sessionRow{
		ID: s.ID, UserID: s.UserID, RefreshHash: s.RefreshHash,
		DeviceFingerprint: s.DeviceFingerprint, DeviceInfo: s.DeviceInfo, IPAddress: s.IPAddress,
		IsPublicDevice: s.IsPublicDevice, IsVerifiedDevice: s.IsVerifiedDevice, AuthMethod: s.AuthMethod,
		CreatedAt: nanos(s.CreatedAt), ExpiresAt: nanos(s.ExpiresAt), LastUsedAt: nanos(s.LastUsedAt),
		RevokedAt: nanos(s.RevokedAt), StepUpAt: nanos(s.StepUpAt),
	}
	body, err := json.Marshal(row)
	if err != nil {
		return "", fmt.Errorf("redis: encode session: %w", err)
	}
	state := stateActive
	if !s.RevokedAt.IsZero() {
		state = stateRevoked
	}
	version := max(row.LastUsedAt, 0)
	return fmt.Sprintf("%c%020d%s", state, version, body), nil
}

// errNoBody is a tombstone without data.
var errNoBody = errors.New("tombstone without data")

func decodeSession(v string) (ports.Session, error) {
	if len(v) < headerLen || (v[0] != stateActive && v[0] != stateRevoked) {
		return ports.Session{}, errors.New("redis: malformed cached session")
	}
	if len(v) == headerLen {
		return ports.Session{}, errNoBody
	}
	var row sessionRow
	if err := json.Unmarshal([]byte(v[headerLen:]), &row); err != nil {
		return ports.Session{}, fmt.Errorf("redis: decode cached session: %w", err)
	}
	return ports.Session{
		ID: row.ID, UserID: row.UserID, RefreshHash: row.RefreshHash,
		DeviceFingerprint: row.DeviceFingerprint, DeviceInfo: row.DeviceInfo, IPAddress: row.IPAddress,
		IsPublicDevice: row.IsPublicDevice, IsVerifiedDevice: row.IsVerifiedDevice, AuthMethod: row.AuthMethod,
		CreatedAt: fromNanos(row.CreatedAt), ExpiresAt: fromNanos(row.ExpiresAt), LastUsedAt: fromNanos(row.LastUsedAt),
		RevokedAt: fromNanos(row.RevokedAt), StepUpAt: fromNanos(row.StepUpAt),
	}, nil
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// decodedSlots sizes the memo of decoded entries.
const decodedSlots = 4096

// decodedMemo remembers the last decoded form of cached values, so a hot
// session is not JSON-decoded on every request: the client-side cache returns
// the same string until the entry changes, and an identical string decodes to
// an identical session. It is direct-mapped by ID (bounded memory, no locks);
// a collision only costs a decode.
type decodedMemo struct {
	slots [decodedSlots]atomic.Pointer[decodedEntry]
}

type decodedEntry struct {
	raw     string
	session ports.Session
}

func (m *decodedMemo) decode(id, raw string) (ports.Session, error) {
	slot := &m.slots[slotOf(id)]
	if e := slot.Load(); e != nil && e.raw == raw {
		return e.session, nil
	}
	s, err := decodeSession(raw)
	if err != nil {
		return s, err
	}
	slot.Store(&decodedEntry{raw: raw, session: s})
	return s, nil
}

// slotOf is FNV-1a over id, reduced to a slot.
func slotOf(id string) int {
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	return int(h % decodedSlots)
}
