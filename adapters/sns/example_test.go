package sns_test

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/credentials"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/bharatauth/bharatauth-go/adapters/sns"
	"github.com/bharatauth/bharatauth-go/ports"
)

// A Sender over an SNS client in the Mumbai region, with the DLT entity id
// and sender ID of an Indian business. Most applications build the client
// with sns.NewFromConfig(cfg) after config.LoadDefaultConfig (environment,
// shared files or an instance role); static keys keep this example short. It
// needs AWS, so it is compiled but not run.
func Example() {
	client := awssns.New(awssns.Options{
		Region:      "ap-south-1",
		Credentials: credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), ""),
	})
	sender, err := sns.New(client, sns.Options{
		EntityID: "1101456789012345678",
		SenderID: "BHRATH",
		MaxPrice: "0.05",
	})
	if err != nil {
		log.Fatal(err)
	}
	err = sender.SendSMS(context.Background(), ports.SMS{
		To:         "+919876543210",
		Text:       "482913 is your BharatAuth sign-in code.\n@example.in #482913",
		TemplateID: "1107161234567890123",
		Kind:       "signin_code",
	})
	if err != nil {
		log.Printf("SMS not sent: %v", err)
	}
}
