package emails_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core/emails"
)

// rendered is one email that renderEveryKind made: the language, kind and
// data it was rendered from, and the message.
type rendered struct {
	lang string
	kind emails.Kind
	data emails.Data
	emails.Message
}

// renderEveryKind renders every kind in English and Hindi, each in its own
// parallel subtest named lang/kind, from fullData changed by edit (when not
// nil), and hands each email to check.
func renderEveryKind(t *testing.T, edit func(*emails.Data), check func(t *testing.T, m rendered)) {
	t.Helper()
	r := newRenderer(t)
	for _, lang := range []string{"en", "hi"} {
		for _, kind := range emails.Kinds() {
			t.Run(lang+"/"+string(kind), func(t *testing.T) {
				t.Parallel()
				d := fullData(kind)
				if edit != nil {
					edit(&d)
				}
				m, err := r.Render(kind, lang, d)
				require.NoError(t, err)
				check(t, rendered{lang: lang, kind: kind, data: d, Message: m})
			})
		}
	}
}
