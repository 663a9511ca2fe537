package memory_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestOutbox(t *testing.T) {
	t.Parallel()
	outage := fmt.Errorf("smtp down: %w", ports.ErrUnavailable)
	tests := []struct {
		name string
		run  func(t *testing.T, o *memory.Outbox)
	}{
		{"records messages in order and copies them out", func(t *testing.T, o *memory.Outbox) {
			require.NoError(t, o.Send(t.Context(), ports.Message{To: "a@example.com", Subject: "one"}))
			require.NoError(t, o.Send(t.Context(), ports.Message{To: "b@example.com", Subject: "two"}))
			msgs := o.Messages()
			require.Len(t, msgs, 2)
			assert.Equal(t, "one", msgs[0].Subject)
			msgs[0].Subject = "changed"
			assert.Equal(t, "one", o.Messages()[0].Subject, "Messages returns a copy")
			assert.Equal(t, 2, o.Len())
		}},
		{"Last finds the newest message to an address", func(t *testing.T, o *memory.Outbox) {
			for _, m := range []ports.Message{
				{To: "a@example.com", Subject: "first"},
				{To: "b@example.com", Subject: "other"},
				{To: "A@Example.com", Subject: "second"},
			} {
				require.NoError(t, o.Send(t.Context(), m))
			}
			m, ok := o.Last("a@example.com")
			require.True(t, ok)
			assert.Equal(t, "second", m.Subject)
			_, ok = o.Last("nobody@example.com")
			assert.False(t, ok)
		}},
		{"Reset forgets messages", func(t *testing.T, o *memory.Outbox) {
			require.NoError(t, o.Send(t.Context(), ports.Message{To: "a@example.com"}))
			o.Reset()
			assert.Equal(t, 0, o.Len())
			assert.Empty(t, o.Messages())
		}},
		{"FailWith fails later sends and nil restores", func(t *testing.T, o *memory.Outbox) {
			o.FailWith(outage)
			err := o.Send(t.Context(), ports.Message{To: "a@example.com"})
			assert.ErrorIs(t, err, ports.ErrUnavailable)
			assert.Equal(t, 0, o.Len(), "a failed send records nothing")
			o.FailWith(nil)
			require.NoError(t, o.Send(t.Context(), ports.Message{To: "a@example.com"}))
			assert.Equal(t, 1, o.Len())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, memory.NewOutbox())
		})
	}
}

func TestConsoleMailer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		msg  ports.Message
		want string
	}{
		{"plain recipient", ports.Message{To: "a@example.com", Subject: "Code", Text: "Your code is 123456"},
			"----- email -----\nTo: a@example.com\nSubject: Code\n\nYour code is 123456\n----- end -----\n"},
		{"named recipient, text ending in a newline, HTML not printed",
			ports.Message{To: "a@example.com", ToName: "Asha", Subject: "Hi", Text: "Hello\n", HTML: "<p>Hello</p>"},
			"----- email -----\nTo: Asha <a@example.com>\nSubject: Hi\n\nHello\n----- end -----\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			require.NoError(t, memory.NewConsoleMailer(&buf).Send(t.Context(), tt.msg))
			assert.Equal(t, tt.want, buf.String())
		})
	}
}

func TestConsoleMailerWriteFailure(t *testing.T) {
	t.Parallel()
	err := memory.NewConsoleMailer(failingWriter{}).Send(t.Context(), ports.Message{To: "a@example.com"})
	assert.ErrorIs(t, err, ports.ErrUnavailable)
}

func TestConsoleMailerDoesNotInterleave(t *testing.T) {
	t.Parallel()
	var out lockedBuffer
	c := memory.NewConsoleMailer(&out)
	porttest.Together(20, func(i int) {
		assert.NoError(t, c.Send(t.Context(), ports.Message{To: fmt.Sprintf("u%d@example.com", i), Subject: "s", Text: "line one\nline two"}))
	})
	assertOneWritePerSend(t, &out, 20, "----- email -----\n", "line one\nline two\n----- end -----\n")
}

func ExampleConsoleMailer() {
	mailer := memory.NewConsoleMailer(os.Stdout)
	_ = mailer.Send(context.Background(), ports.Message{
		To:      "asha@example.com",
		Subject: "Your BharatAuth login code",
		Text:    "Your code is 482913. It expires in 10 minutes.",
	})
	// Output:
	// ----- email -----
	// To: asha@example.com
	// Subject: Your BharatAuth login code
	//
	// Your code is 482913. It expires in 10 minutes.
	// ----- end -----
}
