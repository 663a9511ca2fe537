package porttest_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestTogether(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		n    int
	}{
		{name: "none", n: 0},
		{name: "one", n: 1},
		{name: "fifty", n: 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int64
			seen := make([]atomic.Bool, tc.n)
			porttest.Together(tc.n, func(i int) {
				seen[i].Store(true)
				calls.Add(1)
			})
			assert.Equal(t, int64(tc.n), calls.Load(), "every call returned before Together did")
			for i := range seen {
				assert.True(t, seen[i].Load(), "index %d", i)
			}
		})
	}
}

func ExampleTogether() {
	var sum atomic.Int64
	porttest.Together(4, func(i int) { sum.Add(int64(i)) })
	fmt.Println(sum.Load())
	// Output: 6
}
