package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The mailbox reads what memory.ConsoleMailer prints, between log lines, and
// hands a waiting reader the code of an email printed after it began waiting.
func TestMailboxFindsTheLinkAndTheCodeOfEachRecipient(t *testing.T) {
	t.Parallel()
	r, w := io.Pipe()
	mb := newMailbox()
	go mb.read(r)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err := io.WriteString(w, "a stray line\n----- email -----\nTo: asha@example.in\nSubject: Confirm your email for BharatAuth\n\n"+
		"http://127.0.0.1:1/verify-email?token=abc-DEF_123\n\nHello,\n----- end -----\n")
	require.NoError(t, err)
	token, err := mb.await(ctx, "asha@example.in", "Confirm your email", verifyLinkRE)
	require.NoError(t, err)
	assert.Equal(t, "abc-DEF_123", token)

	code := make(chan string, 1)
	go func() {
		c, err := mb.await(ctx, "asha@example.in", "sign-in code", codeRE)
		assert.NoError(t, err)
		code <- c
	}()
	_, err = io.WriteString(w, "----- email -----\nTo: ravi@example.in\nSubject: Your BharatAuth sign-in code\n\n111111\n----- end -----\n"+
		"----- email -----\nTo: asha@example.in\nSubject: Your BharatAuth sign-in code\n\nYour code\n\n463709\n\nIt expires in 10 minutes.\n----- end -----\n")
	require.NoError(t, err)
	assert.Equal(t, "463709", <-code)
	require.NoError(t, w.Close())
}

func TestMailboxGivesUpWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := newMailbox().await(ctx, "nobody@example.in", "sign-in code", codeRE)
	require.ErrorIs(t, err, context.Canceled)
}
