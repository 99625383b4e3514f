package scanner

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// FuzzParseARP feeds arbitrary neighbour tables to the parser: every entry
// it keeps has an address, a normalised MAC that is not all zero and a
// device; it counts no more bad lines than there are; and the entries it
// keeps, written back as /proc/net/arp writes them, read back the same.
func FuzzParseARP(f *testing.F) {
	recorded, err := os.ReadFile("testdata/arp")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(recorded)
	f.Add([]byte("IP address       HW type     Flags       HW address            Mask     Device\n"))
	f.Add([]byte("fe80::1 0x1 0x2 52:54:00:aa:00:02 * eth0\n10.0.0.1 0x1 0xzz 52:54:00:aa:00:03 * eth0\n\n  \n10.0.0.2 0x1 0x2\n"))
	f.Add([]byte("10.0.0.1 0x1 0x6 5254.00aa.0002 * eth0 extra\r\n::ffff:10.0.0.3 0x1 0x2 52-54-00-AA-00-04 * br0"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, bad, err := parseARP(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, errTooLong(data)) {
				t.Fatalf("error on a table whose lines fit: %v", err)
			}
			return
		}
		lines := strings.Count(string(data), "\n") + 1
		if bad < 0 || bad+len(got) > lines {
			t.Fatalf("%d bad and %d kept of %d lines", bad, len(got), lines)
		}
		var again bytes.Buffer
		again.WriteString("IP address       HW type     Flags       HW address            Mask     Device\n")
		for _, n := range got {
			if !n.addr.IsValid() || n.device == "" || n.mac == "00:00:00:00:00:00" {
				t.Fatalf("kept an incomplete entry %+v", n)
			}
			if m, ok := inventory.NormalizeMAC(n.mac); !ok || m != n.mac {
				t.Fatalf("MAC %q not normalised", n.mac)
			}
			fmt.Fprintf(&again, "%-16s 0x1         0x2         %-17s     *        %s\n", n.addr, n.mac, n.device)
		}
		back, badBack, err := parseARP(&again)
		if err != nil || badBack != 0 || !reflect.DeepEqual(back, got) {
			t.Fatalf("written back, the table reads %v, %d bad, %v; want %v", back, badBack, err, got)
		}
	})
}

// errTooLong is the error a table with a line longer than bufio.Scanner
// reads gives, or nil when every line fits.
func errTooLong(data []byte) error {
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(line) >= 64*1024 {
			return bufio.ErrTooLong
		}
	}
	return nil
}

// FuzzSNMPAnswers feeds arbitrary datagrams to the GetResponse check: it
// never panics, a datagram answers at most one request ID, and a
// GetRequest never answers, whatever its ID and community.
func FuzzSNMPAnswers(f *testing.F) {
	for _, id := range []int32{1, -1, 0x12345678} {
		req, err := snmpGetRequest("public", id)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(req, id)
		resp := bytes.Clone(req)
		resp[bytes.IndexByte(resp, pduGetRequest)] = 0xa2
		f.Add(resp, id)
	}
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x01}, int32(0))
	f.Fuzz(func(t *testing.T, data []byte, id int32) {
		if snmpAnswers(data, id) && snmpAnswers(data, id+1) {
			t.Fatalf("% x answers requests %d and %d", data, id, id+1)
		}
		req, err := snmpGetRequest(string(data), id)
		if err != nil {
			t.Fatal(err)
		}
		if snmpAnswers(req, id) {
			t.Fatalf("the GetRequest % x answers itself", req)
		}
	})
}
