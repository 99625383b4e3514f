package scanner

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// neighbour is one complete entry of the kernel's neighbour table.
type neighbour struct {
	addr   netip.Addr
	mac    string
	device string
}

// atfCom is the flag of an entry whose MAC is known (ATF_COM in
// linux/if_arp.h); entries without it are incomplete: asked, not answered.
const atfCom = 0x2

// parseARP reads /proc/net/arp: a header line, then "IP address, HW type,
// Flags, HW address, Mask, Device" per entry. Incomplete entries, all-zero
// MACs and lines that do not read are left out; the count of the latter
// is returned.
func parseARP(r io.Reader) ([]neighbour, int, error) {
	sc := bufio.NewScanner(r)
	var out []neighbour
	bad := 0
	first := true
	for sc.Scan() {
		line := sc.Text()
		if first {
			first = false
			if strings.HasPrefix(line, "IP address") {
				continue
			}
		}
		f := strings.Fields(line)
		if len(f) < 6 {
			if strings.TrimSpace(line) != "" {
				bad++
			}
			continue
		}
		a, err := netip.ParseAddr(f[0])
		flags, ferr := strconv.ParseUint(strings.TrimPrefix(f[2], "0x"), 16, 32)
		mac, ok := inventory.NormalizeMAC(f[3])
		if err != nil || ferr != nil || !ok {
			bad++
			continue
		}
		if flags&atfCom == 0 || mac == "00:00:00:00:00:00" {
			continue
		}
		out = append(out, neighbour{addr: a, mac: mac, device: f[5]})
	}
	if err := sc.Err(); err != nil {
		return nil, bad, fmt.Errorf("read neighbour table: %w", err)
	}
	return out, bad, nil
}
