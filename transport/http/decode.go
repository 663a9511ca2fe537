package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/bharatauth/bharatauth-go/core"
)

// maxStringBytes caps every string field of a request body. Core applies the
// tighter per-field limits (an identifier 320 bytes, a secret 1024); this cap
// keeps fields core never inspects (a notice language, say) storable too.
const maxStringBytes = 1024

// decode reads a route's JSON body into dst (see decodeBody). In cookie mode
// the body must also say it is JSON (Content-Type: application/json, else
// 415): a browser sends that type from another origin only after a
// preflight, so no form or simple request of another site gets in. Without
// cookie mode the type is not checked: nothing there is attached by the
// browser itself, so a forged request carries no credential of the victim
// and sets nothing in the browser, and clients that never sent the header
// keep working.
func (h *Handler) decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if h.cookies != nil && !isJSON(r.Header.Get("Content-Type")) {
		return &requestError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
			detail: "the body must be sent as Content-Type: application/json"}
	}
	return decodeBody(w, r, h.maxBody, dst)
}

// isJSON reports whether a Content-Type header names application/json
// (parameters such as charset allowed).
func isJSON(contentType string) bool {
	t, _, err := mime.ParseMediaType(contentType)
	return err == nil && t == "application/json"
}

// decodeBody reads r's body into dst, a pointer to a request struct, and checks
// its fields. Malformed, oversized, wrongly typed or non-UTF-8 bodies answer a
// *requestError (400); a missing required field or an over-long string a core
// validation error (422) naming the field. Unknown fields are ignored.
func decodeBody(w http.ResponseWriter, r *http.Request, maxBytes int64, dst any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return &requestError{code: "body_too_large", detail: fmt.Sprintf("the body is larger than %d bytes", maxBytes)}
	case err != nil:
		return &requestError{code: "malformed_json", detail: "the body could not be read"}
	}
	// encoding/json silently replaces invalid UTF-8 with U+FFFD, so check the
	// raw bytes: a mangled identifier must never reach a lookup.
	if !utf8.Valid(body) {
		return &requestError{code: "invalid_utf8", detail: "the body is not valid UTF-8"}
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return &requestError{code: "malformed_json", detail: "the body must be a JSON object"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &requestError{code: "malformed_json", detail: "unexpected data after the JSON object"}
	}
	return checkFields(reflect.ValueOf(dst).Elem(), "")
}

// jsonError turns an encoding/json error into a 400 that names the field but
// never quotes the input.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return &requestError{code: "wrong_type", field: typeErr.Field,
			detail: fmt.Sprintf("%s: must be a JSON %s", typeErr.Field, jsonKind(typeErr.Type))}
	case errors.As(err, &syntaxErr):
		return &requestError{code: "malformed_json", detail: fmt.Sprintf("malformed JSON at byte %d", syntaxErr.Offset)}
	default:
		return &requestError{code: "malformed_json", detail: "malformed JSON"}
	}
}

// jsonKind names the JSON type a Go type decodes from.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	default:
		return "number"
	}
}

// checkFields walks a decoded request struct: a field tagged
// `check:"required"` must be present and non-blank, one tagged
// `check:"required_or=phone"` too unless the string field named phone (by its
// JSON name) is given instead, and no string may exceed maxStringBytes. Nested
// structs and slices of structs are walked with their JSON path
// ("consents[2].granted").
func checkFields(v reflect.Value, prefix string) error {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		name := prefix + strings.Split(sf.Tag.Get("json"), ",")[0]
		fv := v.Field(i)
		required := sf.Tag.Get("check") == "required"
		alternative, orElse := strings.CutPrefix(sf.Tag.Get("check"), "required_or=")
		switch fv.Kind() {
		case reflect.String:
			if required && strings.TrimSpace(fv.String()) == "" {
				return fieldError(name, "is required")
			}
			if orElse && strings.TrimSpace(fv.String()) == "" && strings.TrimSpace(jsonField(v, alternative)) == "" {
				return fieldError(name, "is required (or "+prefix+alternative+" instead)")
			}
			if len(fv.String()) > maxStringBytes {
				return fieldError(name, "is too long")
			}
		case reflect.Pointer, reflect.Slice:
			if required && fv.IsNil() {
				return fieldError(name, "is required")
			}
			if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Struct {
				for j := range fv.Len() {
					if err := checkFields(fv.Index(j), fmt.Sprintf("%s[%d].", name, j)); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// jsonField is the string field of struct v whose JSON name is name.
func jsonField(v reflect.Value, name string) string {
	for i := range v.NumField() {
		if strings.Split(v.Type().Field(i).Tag.Get("json"), ",")[0] == name && v.Field(i).Kind() == reflect.String {
			return v.Field(i).String()
		}
	}
	return ""
}

// fieldError is a 422 for a well-formed body with a bad value; it reuses
// core's error type so that one mapping function says it in HTTP.
func fieldError(field, msg string) error {
	return &core.Error{Kind: core.KindValidation, Op: "decode", Field: field, Message: msg}
}
