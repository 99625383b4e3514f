// Package scanner discovers what answers on the networks it is given: each
// live address becomes a NetBox IP address with its reverse DNS name and
// the TCP ports it has open (and the UDP ports named, 161/udp by an SNMP
// GetRequest, that answer), and, when the kernel's neighbour table knows
// it, a MAC address. It finds the hosts no API reports (switches, printers,
// appliances, forgotten boxes); the merge joins an address another source
// knows with that source's record instead of making a second one.
//
// Every probe but arp and ndp (raw sockets, off by default) runs without
// privileges: TCP connects, UDP datagrams to the UDP ports named, ICMP
// echo through an unprivileged ping socket (where
// net.ipv4.ping_group_range allows it), a read of /proc/net/arp and
// reverse lookups through net.Resolver. Nothing is sent outside the
// configured CIDRs (ndp's solicitations go to the solicited-node multicast
// group of an address in them), and never faster than the rate.
package scanner

import (
	"encoding/json"
	"sync"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// SourceType is the name the source registers under.
const SourceType = "scanner"

func init() { source.Register(SourceType, New) }

// Source scans the configured networks of one instance.
type Source struct {
	source.Instance
	opts options
	runs runCache
	// last is the state the last Discover left, for callers that do not
	// carry it (DiscoverFrom is the durable path the activity takes).
	lastMu sync.Mutex
	last   json.RawMessage
	// icmpOff says once per worker that ICMP echo cannot run.
	icmpOff sync.Once
}

// New builds a scanner source from its settings and checks that the
// secret snmp_community, when it is set, resolves to a community.
func New(cfg source.Config, log *zap.Logger) (source.Source, error) {
	inst, o, err := source.NewInstance(cfg, log, DefaultSettings(), Settings.validate)
	if err != nil {
		return nil, err
	}
	s := &Source{Instance: inst, opts: o}
	if _, err := s.community(); err != nil {
		return nil, err
	}
	return s, nil
}

// community resolves the SNMPv2c community on every scan, so that a
// rotated snmp_community_file is picked up without a restart: the secret
// snmp_community, or DefaultSNMPCommunity when it is set nowhere. Set but
// empty or unreadable, it is an error that names the setting and never
// holds the community.
func (s *Source) community() (string, error) {
	v, ok, err := s.OptionalSecret(SecretSNMPCommunity)
	if err != nil {
		return "", err
	}
	if !ok {
		return DefaultSNMPCommunity, nil
	}
	return v, nil
}
