package porttest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// The rules Mailer and SMSSender share, written once for a message of type
// M: a message arrives as sent, a cancelled context sends nothing, parallel
// sends each arrive once, a refused send is permanent and a deferred one
// ErrUnavailable without leaking the message, and a malformed message is
// refused before sending.

// sendFunc sends one message: a Mailer's Send or an SMSSender's SendSMS.
type sendFunc[M any] func(ctx context.Context, m M) error

// senderContract is a MailerHarness or an SMSSenderHarness as the shared
// cases see it.
type senderContract[M any] struct {
	// newSender returns a fresh sender and what its receiving side has got.
	newSender func(t *testing.T) (send sendFunc[M], received func() []M)
	// newRefusing and newDeferring return a sender whose receiving side
	// refuses every message for good, or for now.
	newRefusing, newDeferring func(t *testing.T) sendFunc[M]
	// message returns a valid message that carries the secret.
	message func() M
	// readdress gives m the i-th of distinct recipients.
	readdress func(m *M, i int)
	// arrived is m as the receiving side can see it.
	arrived func(m M) M
	// assertNoText checks that an error does not carry the message's text.
	assertNoText func(t *testing.T, err error)
	// assertNothingPrivate checks that the error of a refused or deferred
	// send carries nothing private: the text, and an SMS's number.
	assertNothingPrivate func(t *testing.T, err error)
	// malformed are the ways of spoiling a message that a sender which
	// checks messages refuses.
	malformed []spoiled[M]
}

// spoiled is one way of making a valid message malformed.
type spoiled[M any] struct {
	name  string
	spoil func(m *M)
}

// assertArrivesAsSent sends m through a fresh sender and checks that the
// receiving side got m and nothing else.
func assertArrivesAsSent[M any](t *testing.T, c senderContract[M], m M) {
	t.Helper()
	send, received := c.newSender(t)
	require.NoError(t, send(t.Context(), m))
	assert.Equal(t, []M{c.arrived(m)}, received())
}

func testSenderDeliversMessage[M any](t *testing.T, c senderContract[M]) {
	assertArrivesAsSent(t, c, c.message())
}

func testSenderCancelled[M any](t *testing.T, c senderContract[M]) {
	send, received := c.newSender(t)
	assertCancelled(t, send(cancelled(t), c.message()))
	assert.Empty(t, received())
}

func testSenderRefusalIsPermanent[M any](t *testing.T, c senderContract[M]) {
	err := c.newRefusing(t)(t.Context(), c.message())
	require.Error(t, err)
	assert.NotErrorIs(t, err, ports.ErrUnavailable, "sending again would be refused again")
	c.assertNothingPrivate(t, err)
}

func testSenderDeferralIsUnavailable[M any](t *testing.T, c senderContract[M]) {
	err := c.newDeferring(t)(t.Context(), c.message())
	require.Error(t, err)
	assert.ErrorIs(t, err, ports.ErrUnavailable, "sending again later may succeed")
	c.assertNothingPrivate(t, err)
}

func testSenderParallelSends[M any](t *testing.T, c senderContract[M]) {
	const senders = 8
	send, received := c.newSender(t)
	want := make([]M, senders)
	errs := make([]error, senders)
	for i := range want {
		want[i] = c.message()
		c.readdress(&want[i], i)
	}
	Together(senders, func(i int) { errs[i] = send(t.Context(), want[i]) })
	for i, err := range errs {
		require.NoError(t, err, "send %d", i)
		want[i] = c.arrived(want[i])
	}
	assert.ElementsMatch(t, want, received())
}

func testSenderRefusesMalformed[M any](t *testing.T, c senderContract[M]) {
	send, received := c.newSender(t)
	for _, s := range c.malformed {
		m := c.message()
		s.spoil(&m)
		err := send(t.Context(), m)
		if !assert.Error(t, err, s.name) {
			continue
		}
		assert.NotErrorIs(t, err, ports.ErrUnavailable, "%s: a malformed message stays malformed", s.name)
		c.assertNoText(t, err)
	}
	assert.Empty(t, received(), "a malformed message is never sent")
}
