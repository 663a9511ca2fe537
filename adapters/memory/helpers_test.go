package memory_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failingWriter refuses every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// lockedBuffer is a bytes.Buffer that records each Write as one chunk, so the
// test can see whether a printed message was split across writes.
type lockedBuffer struct {
	mu     sync.Mutex
	chunks []string
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.chunks = append(b.chunks, string(p))
	return len(p), nil
}

// String is everything written so far.
func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.chunks, "")
}

// assertOneWritePerSend checks that out holds sends chunks, one Write per
// send, each a whole printed message from head to tail: concurrent sends
// never interleave.
func assertOneWritePerSend(t *testing.T, out *lockedBuffer, sends int, head, tail string) {
	t.Helper()
	require.Len(t, out.chunks, sends)
	for _, chunk := range out.chunks {
		assert.True(t, strings.HasPrefix(chunk, head), "chunk %q", chunk)
		assert.True(t, strings.HasSuffix(chunk, tail), "chunk %q", chunk)
	}
}
