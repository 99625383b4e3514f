// Package all imports every source package so that each registers itself;
// it is the one place that lists them.
package all

import (
	_ "github.com/netbox-agent/netbox-agent/activities/source/filesystem"    // inventory files
	_ "github.com/netbox-agent/netbox-agent/activities/source/homeassistant" // Home Assistant device registry
	_ "github.com/netbox-agent/netbox-agent/activities/source/proxmox"       // Proxmox VE
	_ "github.com/netbox-agent/netbox-agent/activities/source/scanner"       // network scanner
	_ "github.com/netbox-agent/netbox-agent/activities/source/truenas"       // TrueNAS JSON-RPC API
)
