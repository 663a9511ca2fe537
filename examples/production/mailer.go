package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/bharatauth/bharatauth-go/adapters/ses"
	"github.com/bharatauth/bharatauth-go/adapters/smtp"
	"github.com/bharatauth/bharatauth-go/ports"
)

// newMailer builds the mailer MAILER names. The console mailer is loud about
// itself: codes and links in stdout end up in log collectors.
func newMailer(ctx context.Context, s settings, out io.Writer, log *slog.Logger) (ports.Mailer, error) {
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
	case "console":
		log.Warn("production: MAILER=console prints every email, its codes and links included, to stdout; use smtp or ses for real users")
		return consoleMailer(out), nil
	default:
		return nil, fmt.Errorf("MAILER must be smtp|ses|console (got %q)", s.Mailer)
	}
}
