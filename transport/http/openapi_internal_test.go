package http

import (
	"context"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every route the handler serves is an operation of the OpenAPI document with
// the responses it can give, and the document describes nothing else.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(openAPIDocument)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	require.Equal(t, "3.1.0", doc.OpenAPI)

	served := map[string]bool{}
	for _, rt := range routes() {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			served[rt.method+" "+rt.path] = true
			item := doc.Paths.Value(rt.path)
			require.NotNil(t, item, "path missing from openapi.json")
			op := item.GetOperation(rt.method)
			require.NotNil(t, op, "method missing from openapi.json")
			want := []int{http.StatusInternalServerError}
			if rt.bearer {
				want = append(want, http.StatusUnauthorized)
				assert.NotEmpty(t, op.Security, "bearer routes declare their security")
			}
			if op.RequestBody != nil {
				want = append(want, http.StatusBadRequest, http.StatusUnprocessableEntity)
			}
			for _, status := range want {
				assert.NotNil(t, op.Responses.Status(status), "response %d undocumented", status)
			}
			assert.NotEmpty(t, op.OperationID)
		})
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			assert.True(t, served[method+" "+path], "%s %s is documented but not served", method, path)
		}
	}
}
