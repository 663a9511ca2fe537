package ses_test

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/bharatauth/bharatauth-go/adapters/ses"
	"github.com/bharatauth/bharatauth-go/ports"
)

// A Mailer over an SES client in the Mumbai region. Most applications build
// the client with sesv2.NewFromConfig(cfg) after config.LoadDefaultConfig
// (environment, shared files or an instance role); static keys keep this
// example short. It needs AWS, so it is compiled but not run.
func Example() {
	client := sesv2.New(sesv2.Options{
		Region:      "ap-south-1",
		Credentials: credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), ""),
	})
	mailer, err := ses.New(client, ses.Options{
		From:                 "BharatAuth <no-reply@example.in>",
		ConfigurationSetName: "bharatauth",
	})
	if err != nil {
		log.Fatal(err)
	}
	err = mailer.Send(context.Background(), ports.Message{
		To:      "rahul@example.in",
		Subject: "आपका OTP कोड",
		Text:    "Your code is 482913. It expires in 10 minutes.",
	})
	if err != nil {
		log.Printf("mail not sent: %v", err)
	}
}
