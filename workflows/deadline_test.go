package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
)

func TestDeadline(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		retry   activities.RetryPolicy
		want    time.Duration
	}{
		// 3 attempts and one timeout of waiting, plus the waits 1s and 2s.
		{"three attempts", time.Minute, activities.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 3}, 4*time.Minute + 3*time.Second},
		// The waits stop growing at the maximum interval: 1s, 2s, 2s.
		{"capped waits", time.Minute, activities.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 2 * time.Second, MaximumAttempts: 4}, 5*time.Minute + 5*time.Second},
		// Unlimited attempts are bounded at ten.
		{"unlimited", time.Minute, activities.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 1, MaximumInterval: time.Second}, 11*time.Minute + 9*time.Second},
		{"one attempt", time.Minute, activities.RetryPolicy{MaximumAttempts: 1}, 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, deadline(tt.timeout, tt.retry))
		})
	}
}
