package ports

import (
	"strings"
	"testing"
)

func TestRecipientRefusesAMessageThatCannotBeSent(t *testing.T) {
	t.Parallel()
	ok := Message{To: "asha@example.in", Subject: "Your code", Text: "123456"}
	for _, tc := range []struct {
		name string
		edit func(*Message)
		want string
	}{
		{name: "bad address", edit: func(m *Message) { m.To = "not an address" }, want: "invalid recipient address"},
		{name: "subject over two lines", edit: func(m *Message) { m.Subject = "a\r\nBcc: x@example.in" }, want: "single lines"},
		{name: "name over two lines", edit: func(m *Message) { m.ToName = "Asha\nBcc: x@example.in" }, want: "single lines"},
		{name: "blank subject", edit: func(m *Message) { m.Subject = "  " }, want: "subject is required"},
		{name: "no body", edit: func(m *Message) { m.Text = "" }, want: "no body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := ok
			tc.edit(&m)
			if _, err := m.Recipient(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Recipient() error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestRecipientNamesTheAddress(t *testing.T) {
	t.Parallel()
	to, err := Message{To: " asha@example.in ", ToName: "Asha", Subject: "s", HTML: "<p>x</p>"}.Recipient()
	if err != nil {
		t.Fatal(err)
	}
	if to.Address != "asha@example.in" || to.Name != "Asha" {
		t.Fatalf("Recipient() = %+v, want asha@example.in named Asha", to)
	}
}
