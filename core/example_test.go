package core_test

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core"
)

// Wire core with the memory adapters, register a user and sign them in.
func Example() {
	store := memory.New() // one value provides every storage port
	outbox := memory.NewOutbox()

	cfg := core.DefaultConfig()
	cfg.SecretKey = []byte("replace-with-32-or-more-random-bytes!!")
	auth, err := core.New(cfg, core.Deps{
		Storage: store, Mailer: outbox, Limiter: memory.NewLimiter(),
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	client := core.Client{IP: "203.0.113.7", UserAgent: "example"}

	var consents []core.ConsentDecision
	for _, c := range core.DefaultCategories() {
		consents = append(consents, core.ConsentDecision{Category: c.Name, Granted: c.Required})
	}
	user, err := auth.Register(ctx, core.RegisterInput{
		Email: "asha@example.in", Password: "a long memorable passphrase", Consents: consents, Client: client,
	})
	if err != nil {
		panic(err)
	}
	// Password login needs a verified email: the owner clicks the emailed
	// link. Mail goes out in the background; Drain waits for it, within a
	// bound (as at shutdown).
	drainCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := auth.Drain(drainCtx); err != nil {
		panic(err)
	}
	verify, _ := outbox.Last("asha@example.in")
	token := regexp.MustCompile(`token=([A-Za-z0-9_-]+)`).FindStringSubmatch(verify.Text)[1]
	if err := auth.VerifyEmail(ctx, core.LinkInput{Token: token, Client: client}); err != nil {
		panic(err)
	}
	res, err := auth.Login(ctx, core.LoginInput{
		Identifier: "asha@example.in", Password: "a long memorable passphrase", Client: client,
	})
	if err != nil {
		panic(err)
	}
	principal, err := auth.Authenticate(ctx, res.AccessToken)
	if err != nil {
		panic(err)
	}
	fmt.Println(principal.UserID == user.ID, res.Trust, res.TokenType, res.ExpiresIn)
	// Output:
	// true new_device bearer 900
}
