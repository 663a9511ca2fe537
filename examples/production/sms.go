package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/adapters/sns"
	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/core/smstext"
	"github.com/bharatauth/bharatauth-go/ports"
)

// smsSettings turn on phone numbers and say how SMS are sent
// (BHARATAUTH_SMS and the variables beside it in the README's table).
type smsSettings struct {
	// Sender is "" (phone numbers off), "sns" or "console".
	Sender string
	// SNS: the region (BHARATAUTH_SNS_REGION, else AWS_REGION), an endpoint
	// override (tests, VPC endpoints), India's DLT Principal Entity ID, the
	// DLT-registered sender ID (header) and the most one SMS may cost.
	SNSRegion, SNSEndpoint, SNSEntityID, SNSSenderID, SNSMaxPrice string
	// Regions whose numbers are accepted, the first the default (["IN"]).
	Regions []string
	// Domain is the WebOTP line's host: the front end's (BHARATAUTH_PUBLIC_URL).
	Domain         string
	AndroidAppHash string
	// Templates are the texts registered on DLT, with their template ids
	// (BHARATAUTH_SMS_TEMPLATES, a JSON file); nil keeps the built-in texts.
	Templates map[string]map[smstext.Kind]smstext.Template
}

// loadSMSSettings reads the SMS variables through getenv; publicURL is the
// front end's base URL, whose host the WebOTP line names by default.
func loadSMSSettings(getenv func(string) string, publicURL string) (smsSettings, []error) {
	s := smsSettings{
		Sender:         strings.ToLower(strings.TrimSpace(getenv("BHARATAUTH_SMS"))),
		SNSRegion:      getenv("BHARATAUTH_SNS_REGION"),
		SNSEndpoint:    getenv("BHARATAUTH_SNS_ENDPOINT"),
		SNSEntityID:    getenv("BHARATAUTH_SNS_ENTITY_ID"),
		SNSSenderID:    getenv("BHARATAUTH_SNS_SENDER_ID"),
		SNSMaxPrice:    getenv("BHARATAUTH_SNS_MAX_PRICE"),
		Domain:         getenv("BHARATAUTH_SMS_DOMAIN"),
		AndroidAppHash: getenv("BHARATAUTH_ANDROID_APP_HASH"),
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch s.Sender {
	case "", "off":
		s.Sender = ""
		return s, nil
	case "console": // allowed when asked for by name; newSMSSender warns at start
	case "sns":
		if s.SNSRegion == "" {
			s.SNSRegion = getenv("AWS_REGION")
		}
		if s.SNSRegion == "" {
			bad("BHARATAUTH_SMS=sns needs BHARATAUTH_SNS_REGION (or AWS_REGION), e.g. ap-south-1")
		}
	default:
		bad("BHARATAUTH_SMS must be sns, console or off (got %q)", s.Sender)
	}
	for _, r := range strings.Split(getenv("BHARATAUTH_PHONE_REGIONS"), ",") {
		if r = strings.ToUpper(strings.TrimSpace(r)); r != "" {
			s.Regions = append(s.Regions, r)
		}
	}
	if s.Domain == "" {
		if u, err := url.Parse(publicURL); err == nil {
			s.Domain = u.Hostname()
		}
	}
	if path := getenv("BHARATAUTH_SMS_TEMPLATES"); path != "" {
		t, err := loadSMSTemplates(path)
		if err != nil {
			errs = append(errs, err)
		}
		s.Templates = t
	}
	return s, errs
}

// smsTemplateFile is BHARATAUTH_SMS_TEMPLATES: language → kind → the text
// registered on DLT and its template id, e.g.
//
//	{"en": {"signin_code": {"text": "{code} is your {app} sign-in code. Never share it.",
//	                        "template_id": "1107161234567890123"}}}
type smsTemplateFile map[string]map[smstext.Kind]struct {
	Text       string `json:"text"`
	TemplateID string `json:"template_id"`
}

// loadSMSTemplates reads a template file; core.New checks each text (its
// placeholders, and that it fits one SMS part).
func loadSMSTemplates(path string) (map[string]map[smstext.Kind]smstext.Template, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("BHARATAUTH_SMS_TEMPLATES: %w", err)
	}
	var file smsTemplateFile
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("BHARATAUTH_SMS_TEMPLATES: %s is not a template file ({\"en\": {\"signin_code\": {\"text\": …, \"template_id\": …}}}): %w", path, err)
	}
	out := make(map[string]map[smstext.Kind]smstext.Template, len(file))
	for lang, kinds := range file {
		out[lang] = make(map[smstext.Kind]smstext.Template, len(kinds))
		for kind, t := range kinds {
			out[lang][kind] = smstext.Template{Text: t.Text, TemplateID: t.TemplateID}
		}
	}
	return out, nil
}

// phoneConfig turns phone numbers on in cfg when an SMS sender is configured.
func (s smsSettings) phoneConfig(cfg *core.Config) {
	if s.Sender == "" {
		return
	}
	cfg.Phone.Enabled = true
	if len(s.Regions) > 0 {
		cfg.Phone.Regions = s.Regions
	}
	cfg.Phone.Domain = s.Domain
	cfg.Phone.AndroidAppHash = s.AndroidAppHash
	cfg.Phone.Templates = s.Templates
}

// newSMSSender builds the sender BHARATAUTH_SMS names. Like the console
// mailer, the console sender is loud about itself: codes in stdout end up in
// log collectors.
func newSMSSender(ctx context.Context, s smsSettings, out io.Writer, log *slog.Logger) (ports.SMSSender, error) {
	switch s.Sender {
	case "sns":
		awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(s.SNSRegion))
		if err != nil {
			return nil, fmt.Errorf("AWS configuration: %w", err)
		}
		client := awssns.NewFromConfig(awsCfg, func(o *awssns.Options) {
			if s.SNSEndpoint != "" {
				o.BaseEndpoint = aws.String(s.SNSEndpoint)
			}
		})
		return sns.New(client, sns.Options{EntityID: s.SNSEntityID, SenderID: s.SNSSenderID, MaxPrice: s.SNSMaxPrice})
	case "console":
		log.Warn("production: BHARATAUTH_SMS=console prints every SMS, its codes included, to stdout; use sns for real users")
		return memory.NewConsoleSMS(out), nil
	default:
		return nil, fmt.Errorf("BHARATAUTH_SMS must be sns, console or off (got %q)", s.Sender)
	}
}
