package http

import (
	"encoding/json"
	"net/http"
	"strings"
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
	require.NoError(t, doc.Validate(t.Context()))
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

// Every operation is complete for a reader and for generated clients: a
// declared tag, a description, and an explicit security (empty on public
// routes, bearer on the others); schemas use enum, never const (which some
// generators still skip); the problem schema allows RFC 9457's instance.
func TestOpenAPIOperationsAreComplete(t *testing.T) {
	t.Parallel()
	var doc struct {
		Tags []struct {
			Name, Description string
		}
		Paths      map[string]map[string]map[string]json.RawMessage
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage
			}
		}
	}
	require.NoError(t, json.Unmarshal(openAPIDocument, &doc))
	declared := map[string]bool{}
	for _, tag := range doc.Tags {
		assert.NotEmpty(t, tag.Description, "tag %s", tag.Name)
		declared[tag.Name] = true
	}
	bearer := map[string]bool{}
	for _, rt := range routes() {
		bearer[strings.ToLower(rt.method)+" "+rt.path] = rt.bearer
	}
	for path, item := range doc.Paths {
		for method, op := range item {
			name := method + " " + path
			var tags []string
			require.NoError(t, json.Unmarshal(op["tags"], &tags), "%s: tags", name)
			require.NotEmpty(t, tags, "%s: tags", name)
			for _, tag := range tags {
				assert.True(t, declared[tag], "%s: tag %q is not declared", name, tag)
			}
			var description string
			require.NoError(t, json.Unmarshal(op["description"], &description), "%s: description", name)
			assert.NotEmpty(t, strings.TrimSpace(description), "%s: description", name)
			raw, ok := op["security"]
			require.True(t, ok, "%s: security must be explicit", name)
			var security []map[string][]string
			require.NoError(t, json.Unmarshal(raw, &security), name)
			if bearer[name] {
				assert.Equal(t, []map[string][]string{{"bearer": {}}}, security, name)
			} else {
				assert.Empty(t, security, "%s: public operations say security: []", name)
			}
		}
	}
	assert.NotContains(t, string(openAPIDocument), `"const"`, "enum, not const")
	assert.Contains(t, doc.Components.Schemas["Problem"].Properties, "instance")
}
