package proxmox

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

func TestLimitedBody(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		limit   int64
		wantErr bool
	}{
		{"under the limit", "abc", 10, false},
		{"at the limit", "abcdefghij", 10, false},
		{"past the limit", "abcdefghijk", 10, true},
		{"far past the limit", strings.Repeat("x", 100000), 1000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &limitedBody{body: io.NopCloser(strings.NewReader(tt.body)), limit: tt.limit, left: tt.limit, path: "/api2/json/cluster/resources"}
			got, err := io.ReadAll(b)
			if !tt.wantErr {
				require.NoError(t, err)
				require.Equal(t, tt.body, string(got))
				return
			}
			require.Error(t, err)
			require.True(t, errors.Is(err, source.ErrMalformed))
			require.Contains(t, err.Error(), "/api2/json/cluster/resources")
			require.Contains(t, err.Error(), "larger than")
			require.LessOrEqual(t, int64(len(got)), tt.limit)
		})
	}
}
