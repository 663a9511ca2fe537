package emails_test

import (
	"fmt"
	"time"

	"github.com/bharatauth/bharatauth-go/core/emails"
)

func ExampleRenderer() {
	r, err := emails.NewRenderer("en", nil)
	if err != nil {
		panic(err)
	}
	m, err := r.Render(emails.LoginOTP, "en-IN", emails.Data{
		AppName:     "Acme",
		DisplayName: "Asha",
		Code:        "483920",
		ExpiresIn:   10 * time.Minute,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("Subject:", m.Subject)
	fmt.Print(m.Text)
	// Output:
	// Subject: Your Acme sign-in code
	// Your Acme sign-in code
	//
	// 483920
	//
	// Hello Asha,
	//
	// Enter this code in Acme to sign in. It expires in 10 minutes and works only once.
	//
	// Do not share this code with anyone, even someone who says they are from Acme.
	//
	// Did not ask for this code? Ignore this email — your account is safe. Someone may have typed your email address by mistake.
}
