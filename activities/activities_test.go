package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name          string
		err           error
		wantType      string
		nonRetryable  bool
		wantNextDelay time.Duration
	}{
		{"source auth", fmt.Errorf("list nodes: %w", source.ErrAuth), ErrTypeSourceAuth, true, 0},
		{"source config", fmt.Errorf("url: %w", source.ErrConfig), ErrTypeSourceConfig, true, 0},
		{"source unreachable", fmt.Errorf("dial: %w", source.ErrUnreachable), ErrTypeSourceUnreachable, false, 0},
		{"source malformed", fmt.Errorf("decode: %w", source.ErrMalformed), ErrTypeSourceMalformed, false, 0},
		{"missing blob", fmt.Errorf("load plan: %w", blob.ErrNotFound), ErrTypeBlobMissing, true, 0},
		{"netbox 400", &netbox.APIError{Status: 400, Method: "POST", Path: "/api/dcim/devices/"}, ErrTypeNetBoxValidation, true, 0},
		{"netbox 403", fmt.Errorf("plan: %w", &netbox.APIError{Status: 403}), ErrTypeNetBoxAuth, true, 0},
		{"netbox 429", &netbox.APIError{Status: 429, RetryAfter: 7 * time.Second}, ErrTypeNetBoxRateLimited, false, 7 * time.Second},
		{"netbox 503", &netbox.APIError{Status: 503}, ErrTypeNetBoxUnavailable, false, 0},
		{"unreadable answer", fmt.Errorf("plan: plan interface: %w", &netbox.AnswerError{Endpoint: "dcim/interfaces", Object: "#7 eth0", Field: "type", Problem: "no reading for this object", Value: `{"value":5}`}), ErrTypeNetBoxMalformed, true, 0},
		{"netbox too old", fmt.Errorf("read netbox version: %w", &netbox.UnsupportedError{Version: "4.1.11"}), ErrTypeNetBoxUnsupported, true, 0},
		{"setting netbox does not take", fmt.Errorf("plan: %w", &netbox.SettingError{Setting: `source "nas1" interface_types["eno1"]`, Value: "10g", Problem: "is not a type"}), ErrTypeSettingInvalid, true, 0},
		{"custom field of another type", fmt.Errorf("prepare netbox: %w", &netbox.SchemaError{Field: "agent_id", Problem: "has type integer"}), ErrTypeNetBoxSchema, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var appErr *temporal.ApplicationError
			require.True(t, errors.As(classify(tc.err), &appErr))
			assert.Equal(t, tc.wantType, appErr.Type())
			assert.Equal(t, tc.nonRetryable, appErr.NonRetryable())
			assert.Equal(t, tc.wantNextDelay, appErr.NextRetryDelay())
			assert.ErrorIs(t, appErr, tc.err, "the cause stays reachable")
		})
	}
	t.Run("the cause is written once", func(t *testing.T) {
		leaf := &netbox.AnswerError{Endpoint: "dcim/interfaces", Object: "#7 eth0", Field: "type", Problem: "no reading for this object", Value: `{"value":5}`}
		err := fmt.Errorf("plan: %w", fmt.Errorf("plan interface: %w", fmt.Errorf("list: %w", leaf)))
		classified := classify(err)
		assert.Equal(t, 1, strings.Count(classified.Error(), "/api/dcim/interfaces/"), classified.Error())
		// As Temporal writes it into the history and reads it back.
		fc := temporal.GetDefaultFailureConverter()
		back := fc.FailureToError(fc.ErrorToFailure(classified))
		assert.Equal(t, 1, strings.Count(back.Error(), "/api/dcim/interfaces/"), back.Error())
		assert.Equal(t, "plan: plan interface: list (type: NetBoxMalformed, retryable: false): "+leaf.Error(), back.Error())
	})
	t.Run("unknown errors retry as they are", func(t *testing.T) {
		err := errors.New("connection reset")
		assert.Same(t, err, classify(err))
	})
	assert.NoError(t, classify(nil))
}

func TestReadInventoryDropsOrigins(t *testing.T) {
	ctx := context.Background()
	store, err := blob.Open(ctx, "mem://", "")
	require.NoError(t, err)
	var r inventory.Record
	r.Kind, r.Key, r.Source = inventory.KindDevice, "filesystem/home/device/nas1", "home"
	r.Set("name", "nas1")
	r.Set("mtu", 9000)
	r.Ref("site", "site/home")
	r.Origin = map[string]string{"name": "home", "site": "home"}
	_, err = store.PutJSON(ctx, "inv.json", []inventory.Record{r})
	require.NoError(t, err)

	a := &Activities{Blob: store}
	var got []inventory.Record
	err = a.readInventory(ctx, "inv.json", false, func(r *inventory.Record) error {
		got = append(got, *r)
		return nil
	})
	require.NoError(t, err)
	require.Len(t, got, 1)
	want := r
	want.Origin = nil
	assert.Equal(t, want, got[0], "everything but the origins, numbers normalised")
}
