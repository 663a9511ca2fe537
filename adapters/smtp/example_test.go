package smtp_test

import (
	"context"
	"log"
	"time"

	"github.com/bharatauth/bharatauth-go/adapters/smtp"
	"github.com/bharatauth/bharatauth-go/ports"
)

// A Mailer for a submission server with mandatory STARTTLS. It needs a real
// server, so this example is compiled but not run.
func Example() {
	mailer, err := smtp.New(smtp.Config{
		Host:     "smtp.example.in",
		Username: "no-reply@example.in",
		Password: "app-password",
		From:     "BharatAuth <no-reply@example.in>",
		Timeout:  10 * time.Second,
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = mailer.Send(ctx, ports.Message{
		To:      "rahul@example.in",
		ToName:  "राहुल",
		Subject: "आपका OTP कोड",
		Text:    "Your code is 482913. It expires in 10 minutes.",
		HTML:    "<p>Your code is <b>482913</b>. It expires in 10 minutes.</p>",
	})
	if err != nil {
		log.Printf("mail not sent: %v", err)
	}
}
