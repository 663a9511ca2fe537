package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/bharatauth/bharatauth-go/core"
)

// breachFile is the JSON notice -notify-breach reads: what DPDP Rules 2025,
// Rule 7(1) has each affected user told, and whom to tell.
//
//	{"description": "…", "occurred_at": "2026-11-20T10:00:00+05:30",
//	 "consequences": "…", "measures": "…", "user_actions": "…",
//	 "user_ids": ["…", "…"], "per_second": 10}
type breachFile struct {
	Description  string    `json:"description"`
	OccurredAt   time.Time `json:"occurred_at"`
	Consequences string    `json:"consequences"`
	Measures     string    `json:"measures"`
	UserActions  string    `json:"user_actions"`
	UserIDs      []string  `json:"user_ids"`
	PerSecond    int       `json:"per_second"`
}

// readBreach decodes a notice, refusing unknown fields and trailing data.
func readBreach(r io.Reader) (breachFile, error) {
	var f breachFile
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return breachFile{}, fmt.Errorf("breach notice: %w", err)
	}
	if dec.More() {
		return breachFile{}, fmt.Errorf("breach notice: data after the JSON object")
	}
	if len(f.UserIDs) == 0 {
		return breachFile{}, fmt.Errorf("breach notice: user_ids is empty")
	}
	return f, nil
}

// notifyBreach wires the app, emails the notice at path to its users and
// writes the report (who was told, who was not) to out as JSON. Reporting to
// the Data Protection Board (Rule 7(2)) stays with the operator.
func notifyBreach(ctx context.Context, s settings, path string, out io.Writer, log *slog.Logger) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	f, err := readBreach(file)
	if err != nil {
		return err
	}
	a, err := build(ctx, s, out, log)
	if err != nil {
		return err
	}
	defer a.close()
	report, err := a.auth.NotifyBreach(ctx, core.BreachNotice{Description: f.Description, OccurredAt: f.OccurredAt,
		Consequences: f.Consequences, Measures: f.Measures, UserActions: f.UserActions, PerSecond: f.PerSecond}, f.UserIDs)
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	if encErr := enc.Encode(report); encErr != nil && err == nil {
		err = encErr
	}
	return err
}
