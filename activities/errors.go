package activities

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

// Error type names carried by application errors; the Temporal UI shows
// them, and the workflow and operators tell failures apart by them.
const (
	ErrTypeBadRequest        = "BadRequest"
	ErrTypeSourceAuth        = "SourceAuth"
	ErrTypeSourceConfig      = "SourceConfig"
	ErrTypeSourceUnreachable = "SourceUnreachable"
	ErrTypeSourceMalformed   = "SourceMalformed"
	ErrTypeNetBoxValidation  = "NetBoxValidation"
	ErrTypeNetBoxAuth        = "NetBoxAuth"
	ErrTypeNetBoxRateLimited = "NetBoxRateLimited"
	ErrTypeNetBoxUnavailable = "NetBoxUnavailable"
	// ErrTypeNetBoxMalformed: NetBox answered something the agent cannot read.
	ErrTypeNetBoxMalformed = "NetBoxMalformed"
	// ErrTypeNetBoxUnsupported: a NetBox release older than the agent needs.
	ErrTypeNetBoxUnsupported = "NetBoxUnsupported"
	// ErrTypeNetBoxSchema: a custom field only an operator can put right.
	ErrTypeNetBoxSchema = "NetBoxSchema"
	// ErrTypeSettingInvalid: a setting whose value the connected NetBox does not take.
	ErrTypeSettingInvalid = "SettingInvalid"
	ErrTypeBlobMissing    = "BlobMissing"
	// ErrTypeNetBoxBranching: the run's netbox-branching branch cannot be
	// used (no plugin, a failed branch or merge, conflicts to settle).
	ErrTypeNetBoxBranching = "NetBoxBranching"
)

// classify turns an error from a source, NetBox or the blob store into an
// application error whose type names the cause and whose retryability
// follows it: bad config, refused credentials, NetBox 400 and answers the
// agent cannot read never heal by retrying; everything else may.
//
// The error's text crosses Temporal once: the application error's message
// is the steps that led to the cause, and its cause is the innermost error
// alone (errors.Is and errors.As still reach the whole chain), so that
// neither the history nor the starter repeats a message per wrapping layer.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var (
		apiErr         *netbox.APIError
		answerErr      *netbox.AnswerError
		unsupportedErr *netbox.UnsupportedError
		settingErr     *netbox.SettingError
		schemaErr      *netbox.SchemaError
		branchErr      *netbox.BranchingError
	)
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, source.ErrAuth):
		return nonRetryable(err, ErrTypeSourceAuth)
	case errors.Is(err, source.ErrConfig):
		return nonRetryable(err, ErrTypeSourceConfig)
	case errors.Is(err, source.ErrUnreachable):
		return retryable(err, ErrTypeSourceUnreachable)
	case errors.Is(err, source.ErrMalformed):
		return retryable(err, ErrTypeSourceMalformed)
	case errors.Is(err, blob.ErrNotFound):
		return nonRetryable(err, ErrTypeBlobMissing)
	case errors.As(err, &answerErr):
		return nonRetryable(err, ErrTypeNetBoxMalformed)
	case errors.As(err, &unsupportedErr):
		return nonRetryable(err, ErrTypeNetBoxUnsupported)
	case errors.As(err, &settingErr):
		return nonRetryable(err, ErrTypeSettingInvalid)
	case errors.As(err, &schemaErr):
		return nonRetryable(err, ErrTypeNetBoxSchema)
	case errors.As(err, &branchErr):
		return nonRetryable(err, ErrTypeNetBoxBranching)
	case errors.As(err, &apiErr):
		switch {
		case netbox.IsValidation(err):
			return nonRetryable(err, ErrTypeNetBoxValidation)
		case netbox.IsAuth(err):
			return nonRetryable(err, ErrTypeNetBoxAuth)
		case apiErr.Status == http.StatusTooManyRequests:
			msg, cause := split(err)
			return temporal.NewApplicationErrorWithOptions(msg, ErrTypeNetBoxRateLimited,
				temporal.ApplicationErrorOptions{Cause: cause, NextRetryDelay: apiErr.RetryAfter})
		default:
			return retryable(err, ErrTypeNetBoxUnavailable)
		}
	}
	return err
}

func nonRetryable(err error, errType string) error {
	msg, cause := split(err)
	return temporal.NewNonRetryableApplicationError(msg, errType, cause)
}

func retryable(err error, errType string) error {
	msg, cause := split(err)
	return temporal.NewApplicationErrorWithCause(msg, errType, cause)
}

// split parts err into the steps that led to its innermost error ("plan:
// plan interface") and that error, kept as a cause through which
// errors.Is and errors.As reach all of err. When the text does not end
// with the innermost error's (a sentinel wrapped at the front), the steps
// are the whole text.
func split(err error) (string, error) {
	leaf := err
	for {
		next := errors.Unwrap(leaf)
		if next == nil {
			break
		}
		leaf = next
	}
	full, last := err.Error(), leaf.Error()
	msg := full
	if leaf != err && strings.HasSuffix(full, ": "+last) {
		msg = strings.TrimSuffix(full, ": "+last)
	}
	return msg, &errorString{text: last, chain: err}
}

// errorString is the cause of a classified error: it reads as the innermost
// error and matches the whole chain, but has no chain of its own for
// Temporal to write out layer by layer. It bears the name of the standard
// library's errors.New type, which Temporal writes as a plain message
// without a type (TestClassify holds it to that).
type errorString struct {
	text  string
	chain error
}

func (e *errorString) Error() string { return e.text }

// Is lets errors.Is match any error of the chain.
func (e *errorString) Is(target error) bool { return errors.Is(e.chain, target) }

// As lets errors.As find any error of the chain.
func (e *errorString) As(target any) bool { return errors.As(e.chain, target) }
