package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
)

var _ ports.GuardianStore = (*Store)(nil)

// guardianRow is a child's guardianship; Proposed is stored as jsonb.
type guardianRow struct {
	bun.BaseModel `bun:"table:ba_guardianships"`

	ChildID       string                `bun:"child_id,pk"`
	GuardianEmail string                `bun:"guardian_email"`
	DateOfBirth   time.Time             `bun:"date_of_birth"`
	RequestedAt   time.Time             `bun:"requested_at"`
	Proposed      []ports.ConsentRecord `bun:"proposed,type:jsonb"`
	ConfirmedAt   bun.NullTime          `bun:"confirmed_at"`
	Method        string                `bun:"method"`
	GuardianID    string                `bun:"guardian_id"`
	Reference     string                `bun:"reference"`
}

func newGuardianRow(childID string, g ports.Guardianship) guardianRow {
	proposed := g.Proposed
	if proposed == nil {
		proposed = []ports.ConsentRecord{}
	}
	return guardianRow{ChildID: childID, GuardianEmail: g.GuardianEmail, DateOfBirth: utc(g.DateOfBirth),
		RequestedAt: utc(g.RequestedAt), Proposed: proposed}
}

func (r guardianRow) guardianship() ports.Guardianship {
	proposed := make([]ports.ConsentRecord, len(r.Proposed))
	for i, p := range r.Proposed {
		p.RecordedAt = utc(p.RecordedAt)
		proposed[i] = p
	}
	g := ports.Guardianship{ChildID: r.ChildID, GuardianEmail: r.GuardianEmail, DateOfBirth: utc(r.DateOfBirth),
		RequestedAt: utc(r.RequestedAt), Proposed: proposed, Method: r.Method, GuardianID: r.GuardianID, Reference: r.Reference}
	if !r.ConfirmedAt.IsZero() {
		g.ConfirmedAt = utc(r.ConfirmedAt.Time)
	}
	return g
}

// Guardianship returns the child's guardianship; ErrNotFound when none.
func (s *Store) Guardianship(ctx context.Context, childID string) (ports.Guardianship, error) {
	ctx, cancel := s.call(ctx)
	defer cancel()
	var row guardianRow
	if err := getRow(ctx, s.conn(ctx), "guardianship", &row, "child_id = ?", childID); err != nil {
		return ports.Guardianship{}, err
	}
	return row.guardianship(), nil
}

// ConfirmGuardianship confirms a pending guardianship and appends the child's
// consents in one transaction; the row lock makes one of two racing
// confirmations win.
func (s *Store) ConfirmGuardianship(ctx context.Context, childID string, c ports.GuardianConfirmation) (ports.Guardianship, error) {
	const op = "confirm guardianship"
	ctx, cancel := s.call(ctx)
	defer cancel()
	var row guardianRow
	err := s.conn(ctx).RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(&row).Where("child_id = ?", childID).For("UPDATE").Scan(ctx); err != nil {
			return err
		}
		if !row.ConfirmedAt.IsZero() {
			return errAlreadyConfirmed
		}
		row.ConfirmedAt = bun.NullTime{Time: utc(c.At)}
		row.Method, row.GuardianID, row.Reference = c.Method, c.GuardianID, c.Reference
		if _, err := tx.NewUpdate().Model(&row).Column("confirmed_at", "method", "guardian_id", "reference").WherePK().Exec(ctx); err != nil {
			return err
		}
		if len(c.Consents.Rows) == 0 {
			return nil
		}
		_, err := appendChain(ctx, tx, childID, c.Consents)
		return err
	})
	switch {
	case noRows(err):
		return ports.Guardianship{}, notFound(op)
	case errors.Is(err, errAlreadyConfirmed):
		return ports.Guardianship{}, fmt.Errorf("postgres: %s: %w", op, ports.ErrConflict)
	case err != nil:
		return ports.Guardianship{}, fail(ctx, op, err)
	}
	return row.guardianship(), nil
}

// errAlreadyConfirmed ends a confirmation's transaction without writing.
var errAlreadyConfirmed = errors.New("already confirmed")

// GuardianChildren returns the guardianships guardianID confirmed, oldest first.
func (s *Store) GuardianChildren(ctx context.Context, guardianID string) ([]ports.Guardianship, error) {
	if guardianID == "" {
		return []ports.Guardianship{}, nil // a guardian by verifier has no account
	}
	return listWhere(ctx, s, "guardian children", "guardian_id", guardianID, "confirmed_at, child_id", guardianRow.guardianship)
}

// DeletePendingChildren erases, in one transaction, the pending children
// requested before requestedBefore: tokens, events and credentials by user
// ID, then the users (accounts and guardianships cascade).
func (s *Store) DeletePendingChildren(ctx context.Context, requestedBefore time.Time) ([]string, error) {
	const op = "delete pending children"
	ctx, cancel := s.call(ctx)
	defer cancel()
	erased := []string{}
	err := s.conn(ctx).RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		erased = erased[:0]
		err := tx.NewSelect().Model((*guardianRow)(nil)).Column("child_id").
			Where("confirmed_at IS NULL AND requested_at < ?", utc(requestedBefore)).
			OrderExpr("child_id").For("UPDATE SKIP LOCKED").Scan(ctx, &erased)
		if err != nil || len(erased) == 0 {
			return err
		}
		for _, del := range []string{
			"DELETE FROM ba_otp_tokens WHERE subject IN (?)",
			"DELETE FROM ba_security_events WHERE user_id IN (?)",
			"DELETE FROM ba_credentials WHERE user_id IN (?)",
			"DELETE FROM ba_users WHERE id IN (?)",
		} {
			if _, err := tx.ExecContext(ctx, del, bun.In(erased)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fail(ctx, op, err)
	}
	return erased, nil
}

// DiscardGuardianship deletes the child's guardianship, if any.
func (s *Store) DiscardGuardianship(ctx context.Context, childID string) error {
	ctx, cancel := s.call(ctx)
	defer cancel()
	if _, err := s.conn(ctx).NewDelete().Model((*guardianRow)(nil)).Where("child_id = ?", childID).Exec(ctx); err != nil {
		return fail(ctx, "discard guardianship", err)
	}
	return nil
}
