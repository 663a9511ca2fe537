package http

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
)

func TestConsentViewOfANeverRecordedCategory(t *testing.T) {
	t.Parallel()
	raw, err := json.Marshal(newConsentView(core.ConsentState{Category: "analytics", NoticeVersion: "1.0.0"}))
	require.NoError(t, err)
	assert.JSONEq(t, `{"category":"analytics","granted":false,"required":false,"notice_version":"1.0.0",
		"notice_language":"","source":"","consented_at":null,"reconsent_required":false}`, string(raw))
}
