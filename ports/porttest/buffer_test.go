package porttest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestBufferKeepsEveryConcurrentWriteWhole(t *testing.T) {
	t.Parallel()
	var b porttest.Buffer
	porttest.Together(20, func(i int) {
		_, _ = fmt.Fprintf(&b, "line %02d\n", i)
	})
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	assert.Len(t, lines, 20)
	for i := range 20 {
		assert.Contains(t, lines, fmt.Sprintf("line %02d", i))
	}
}
