package e2e

import (
	"fmt"

	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/config"
)

// quickRetry is the sync block of tests whose sources answer at once: a
// failed activity is tried again soon, three times at most.
const quickRetry = `sync:
  retry:
    initial_interval: 100ms
    maximum_attempts: 3
`

// proxmoxAlpha is the sources entry "alpha" of the Proxmox fixture served
// at url, by its API token, and the environment entry that gives the
// token's secret.
func proxmoxAlpha(url string) (entry, secretEnv string) {
	entry = fmt.Sprintf(`  - name: alpha
    type: proxmox
    url: %s
    token_id: %s
    site: Home Lab
`, url, proxmoxtest.TokenID)
	return entry, config.SecretEnv("alpha", "token_secret") + "=" + proxmoxtest.TokenSecret
}
