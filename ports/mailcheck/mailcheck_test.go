package mailcheck

import (
	"strings"
	"testing"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestRecipientRefusesAMessageThatCannotBeSent(t *testing.T) {
	t.Parallel()
	ok := ports.Message{To: "asha@example.in", Subject: "Your code", Text: "123456"}
	for _, tc := range []struct {
		name string
		edit func(*ports.Message)
		want string
	}{
		{name: "bad address", edit: func(m *ports.Message) { m.To = "not an address" }, want: "invalid recipient address"},
		{name: "subject over two lines", edit: func(m *ports.Message) { m.Subject = "a\r\nBcc: x@example.in" }, want: "single lines"},
		{name: "name over two lines", edit: func(m *ports.Message) { m.ToName = "Asha\nBcc: x@example.in" }, want: "single lines"},
		{name: "blank subject", edit: func(m *ports.Message) { m.Subject = "  " }, want: "subject is required"},
		{name: "no body", edit: func(m *ports.Message) { m.Text = "" }, want: "no body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := ok
			tc.edit(&m)
			if _, err := Recipient(m); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Recipient() error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestRecipientNamesTheAddress(t *testing.T) {
	t.Parallel()
	to, err := Recipient(ports.Message{To: " asha@example.in ", ToName: "Asha", Subject: "s", HTML: "<p>x</p>"})
	if err != nil {
		t.Fatal(err)
	}
	if to.Address != "asha@example.in" || to.Name != "Asha" {
		t.Fatalf("Recipient() = %+v, want asha@example.in named Asha", to)
	}
}
