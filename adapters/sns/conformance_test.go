package sns

import (
	"testing"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

// TestConformance runs the SMSSender suite against the fake SNS endpoint,
// which the real SDK client signs and sends to.
func TestConformance(t *testing.T) {
	t.Parallel()
	opts := Options{EntityID: testEntity, SenderID: "BHRATH"}
	porttest.SMSSender(t, porttest.SMSSenderHarness{
		NewSender: func(t *testing.T) (ports.SMSSender, func() []ports.SMS) {
			f := startFakeSNS(t, answer{})
			return newSender(t, f, opts), func() []ports.SMS {
				var msgs []ports.SMS
				for _, req := range f.Requests() {
					msgs = append(msgs, sentSMS(t, form(t, req)))
				}
				return msgs
			}
		},
		NewRefusingSender: func(t *testing.T) ports.SMSSender {
			f := startFakeSNS(t, answer{status: 400, errorType: "Sender", errorCode: "InvalidParameter", message: "Invalid parameter: PhoneNumber Reason: +919876543210 is not valid to publish to"})
			return newSender(t, f, opts)
		},
		NewDeferringSender: func(t *testing.T) ports.SMSSender {
			f := startFakeSNS(t, answer{status: 400, errorType: "Sender", errorCode: "Throttled", message: "Rate exceeded"})
			return newSender(t, f, opts)
		},
		KindUnseen:     true,
		ChecksMessages: true,
	})
}
