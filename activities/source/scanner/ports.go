package scanner

import (
	"fmt"
	"strconv"
	"strings"
)

// Port is one entry of the ports setting: a TCP port as a number (22) or
// with its protocol ("22/tcp", "161/udp").
type Port string

// The protocols a port names.
const (
	protoTCP = "tcp"
	protoUDP = "udp"
)

// snmpPort is the UDP port an SNMP GetRequest is sent to.
const snmpPort = 161

// parse reads the port: its number and protocol.
func (p Port) parse() (int, string, error) {
	text := strings.ToLower(strings.TrimSpace(string(p)))
	num, proto, found := strings.Cut(text, "/")
	if !found {
		proto = protoTCP
	}
	if proto != protoTCP && proto != protoUDP {
		return 0, "", fmt.Errorf("%q is not a port (22, 22/tcp or 161/udp): %q is not tcp or udp", string(p), proto)
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		return 0, "", fmt.Errorf("%q is not a port (22, 22/tcp or 161/udp)", string(p))
	}
	if n < 1 || n > 65535 {
		return 0, "", fmt.Errorf("%d is not a %s port (1-65535)", n, strings.ToUpper(proto))
	}
	return n, proto, nil
}
