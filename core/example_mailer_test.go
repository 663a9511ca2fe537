package core_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
)

// smsGateway stands in for any provider (SendGrid, an internal mail API…):
// a Mailer is one method.
type smsGateway struct{ sent []string }

func (g *smsGateway) Send(_ context.Context, m ports.Message) error {
	if strings.HasSuffix(m.To, "@bounce.example") {
		// Wrap ports.ErrUnavailable for failures worth retrying; core logs the
		// failure and records a mail_failed event, and never changes its answer.
		return fmt.Errorf("gateway: throttled: %w", ports.ErrUnavailable)
	}
	g.sent = append(g.sent, m.To+": "+m.Subject)
	return nil
}

// Plug in your own email backend by implementing ports.Mailer.
func Example_customMailer() {
	store := memory.New()
	gateway := &smsGateway{}
	cfg := core.DefaultConfig()
	cfg.SecretKey = []byte("replace-with-32-or-more-random-bytes!!")
	cfg.AppName = "Asha's Shop"
	cfg.MailInline = true // so this example can print what was sent; leave it off in production
	auth, err := core.New(cfg, core.Deps{
		Storage: store, Mailer: gateway,
	})
	if err != nil {
		panic(err)
	}
	var consents []core.ConsentDecision
	for _, c := range core.DefaultCategories() {
		consents = append(consents, core.ConsentDecision{Category: c.Name, Granted: true})
	}
	_, err = auth.Register(context.Background(), core.RegisterInput{
		Email: "ravi@example.in", Password: "a long memorable passphrase", Consents: consents, Language: "hi",
		NoticeLanguage: "en", // the notice shown was DefaultNotices' English one
	})
	fmt.Println(err)
	fmt.Println(gateway.sent[0])
	// Output:
	// <nil>
	// ravi@example.in: Asha's Shop के लिए अपने ईमेल की पुष्टि करें
}

// Read what went wrong with errors.Is and errors.As.
func ExampleError() {
	store := memory.New()
	cfg := core.DefaultConfig()
	cfg.SecretKey = []byte("replace-with-32-or-more-random-bytes!!")
	cfg.UnsafeFastHashingForTests = true
	auth, err := core.New(cfg, core.Deps{
		Storage: store, Mailer: memory.NewOutbox(),
	})
	if err != nil {
		panic(err)
	}
	for i := 1; i <= 5; i++ {
		_, err = auth.Login(context.Background(), core.LoginInput{Identifier: "nobody@example.in", Password: "guess number " + fmt.Sprint(i)})
	}
	var e *core.Error
	if errors.Is(err, core.ErrLocked) && errors.As(err, &e) {
		fmt.Println(e.ErrorCode(), !e.LockedUntil.IsZero(), e.RequiresEmailVerify)
	}
	// Output:
	// account_locked true false
}
