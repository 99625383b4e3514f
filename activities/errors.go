package activities

import (
	"context"
	"errors"
	"net/http"

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
	ErrTypeBlobMissing       = "BlobMissing"
)

// classify turns an error from a source, NetBox or the blob store into an
// application error whose type names the cause and whose retryability
// follows it: bad config, refused credentials and NetBox 400 never heal by
// retrying; everything else may.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var apiErr *netbox.APIError
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, source.ErrAuth):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeSourceAuth, err)
	case errors.Is(err, source.ErrConfig):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeSourceConfig, err)
	case errors.Is(err, source.ErrUnreachable):
		return temporal.NewApplicationErrorWithCause(err.Error(), ErrTypeSourceUnreachable, err)
	case errors.Is(err, source.ErrMalformed):
		return temporal.NewApplicationErrorWithCause(err.Error(), ErrTypeSourceMalformed, err)
	case errors.Is(err, blob.ErrNotFound):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeBlobMissing, err)
	case errors.As(err, &apiErr):
		switch {
		case apiErr.Status == http.StatusBadRequest:
			return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeNetBoxValidation, err)
		case apiErr.Status == http.StatusUnauthorized || apiErr.Status == http.StatusForbidden:
			return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeNetBoxAuth, err)
		case apiErr.Status == http.StatusTooManyRequests:
			return temporal.NewApplicationErrorWithOptions(err.Error(), ErrTypeNetBoxRateLimited,
				temporal.ApplicationErrorOptions{Cause: err, NextRetryDelay: apiErr.RetryAfter})
		default:
			return temporal.NewApplicationErrorWithCause(err.Error(), ErrTypeNetBoxUnavailable, err)
		}
	}
	return err
}
