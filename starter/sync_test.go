package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/workflows"
)

func TestPrintResultNamesTheNetBox(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version string
		want    string
	}{
		{"a run that read the release", "4.7.3", "NetBox 4.7.3"},
		{"a run from before the release was read", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, printResult(&b, "netbox-agent-sync-1", workflows.SyncResult{NetBoxVersion: tc.version}))
			if tc.want == "" {
				assert.NotContains(t, b.String(), "NetBox ")
				return
			}
			assert.Contains(t, b.String(), tc.want)
		})
	}
}
