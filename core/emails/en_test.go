package emails

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCapitalFirst(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{in: "reset now", want: "Reset now"},
		{in: "a", want: "A"},
		{in: "zero", want: "Zero"},
		{in: "Already", want: "Already"},
		{in: "`quoted", want: "`quoted"}, // the byte before 'a'
		{in: "{brace", want: "{brace"},   // the byte after 'z'
		{in: "", want: ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, capitalFirst(tt.in), "capitalFirst(%q)", tt.in)
	}
}
