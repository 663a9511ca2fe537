package main

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/bharatauth/bharatauth-go/adapters/ses"
	"github.com/bharatauth/bharatauth-go/adapters/smtp"
	"github.com/bharatauth/bharatauth-go/ports"
)

// newMailer builds the mailer MAILER names.
func newMailer(ctx context.Context, s settings, out io.Writer) (ports.Mailer, error) {
	switch s.Mailer {
	case "smtp":
		mode := map[string]smtp.TLSMode{"": smtp.TLSStartTLS, "starttls": smtp.TLSStartTLS,
			"implicit": smtp.TLSImplicit, "none": smtp.TLSNone}[s.SMTPTLS]
		return smtp.New(smtp.Config{Host: s.SMTPHost, Port: s.SMTPPort, Username: s.SMTPUsername,
			Password: s.SMTPPassword, From: s.SMTPFrom, TLS: mode})
	case "ses":
		awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(s.AWSRegion))
		if err != nil {
			return nil, fmt.Errorf("AWS configuration: %w", err)
		}
		client := sesv2.NewFromConfig(awsCfg, func(o *sesv2.Options) {
			if s.SESEndpoint != "" {
				o.BaseEndpoint = aws.String(s.SESEndpoint)
			}
		})
		return ses.New(client, ses.Options{From: s.SESFrom})
	default:
		return consoleMailer(out), nil
	}
}
