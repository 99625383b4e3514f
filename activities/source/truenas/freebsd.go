package truenas

import (
	"regexp"
	"strconv"
	"strings"
)

// TrueNAS CORE runs on FreeBSD: interfaces are named after their driver
// (igb0, ix0, lagg0, vlan10, bridge0) and ifmedia describes the link
// ("1000baseT <full-duplex>", "10Gbase-SR", "25GBase-CR").

// ifaceName splits a FreeBSD interface name into its driver and unit.
var ifaceName = regexp.MustCompile(`^([a-z]+)([0-9]+)$`)

// cloneTypes are the NetBox types of FreeBSD's cloned interfaces, by
// driver, for an entry whose TrueNAS type says nothing.
var cloneTypes = map[string]string{"lagg": "lag", "vlan": "virtual", "bridge": "bridge"}

// driverTypes are the NetBox types of FreeBSD NIC drivers, for a NIC
// whose media tells nothing (a link that is down): the port the
// driver's NICs usually have.
var driverTypes = map[string]string{
	// gigabit copper
	"em": "1000base-t", "igb": "1000base-t", "lem": "1000base-t", "re": "1000base-t", "bge": "1000base-t",
	"bce": "1000base-t", "msk": "1000base-t", "sk": "1000base-t", "nfe": "1000base-t", "alc": "1000base-t",
	"age": "1000base-t", "jme": "1000base-t",
	"fxp": "100base-tx",
	"igc": "2.5gbase-t",
	// 10 GbE and faster, SFP+ unless the media says otherwise
	"ix": "10gbase-x-sfpp", "ixl": "10gbase-x-sfpp", "cxl": "10gbase-x-sfpp", "cc": "25gbase-x-sfp28",
	"mlxen": "10gbase-x-sfpp", "mce": "25gbase-x-sfp28", "bxe": "10gbase-x-sfpp", "ice": "25gbase-x-sfp28",
	"bnxt": "10gbase-x-sfpp", "qlnxe": "25gbase-x-sfp28", "sfxge": "10gbase-x-sfpp", "oce": "10gbase-x-sfpp",
}

// freebsdDriver is the driver of a FreeBSD interface name ("ix" of
// "ix0"), or "".
func freebsdDriver(name string) string {
	if m := ifaceName.FindStringSubmatch(strings.TrimSpace(name)); m != nil {
		return m[1]
	}
	return ""
}

// mediaMode reads a link mode as ethtool ("10000baseSR/Full") or FreeBSD's
// ifmedia ("1000baseT <full-duplex>", "10Gbase-SR", "25GBase-CR")
// describes it: its speed in Mb/s and whether it is twisted pair.
var mediaMode = regexp.MustCompile(`([0-9]+)(G?)[Bb](?:ase|ASE)-?([A-Za-z]+)`)

func parseMediaMode(s string) (speed int, copper, ok bool) {
	m := mediaMode.FindStringSubmatch(s)
	if m == nil {
		return 0, false, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n <= 0 {
		return 0, false, false
	}
	if m[2] == "G" {
		n *= 1000
	}
	return n, copperMedia[strings.ToUpper(m[3])], true
}

// copperMedia are the twisted-pair media words ("1000baseT", "100baseTX",
// "10baseT/UTP"); "Twinax" is a direct-attach cable.
var copperMedia = map[string]bool{"T": true, "TX": true, "T2": true, "T4": true}
