package proxmox

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"

	px "github.com/luthermonson/go-proxmox"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// nodeState is a node and what was read about it.
type nodeState struct {
	Name    string
	Online  bool
	IP      string // the address the cluster knows the node by
	Version *px.Version
	Network []nodeInterface
	// NetworkRead is set when the node's network configuration was read;
	// without it the node's interfaces and addresses are not known.
	NetworkRead bool
	Warnings    []string
}

// guestState is a guest and what was read about it; Detail is nil when the
// guest's node is offline and only /cluster/resources describes it.
type guestState struct {
	guest
	Detail *guestDetail
}

// guestDetail is what the per-guest calls returned. It is what a retry of
// the same run reuses.
type guestDetail struct {
	Config              guestConfig
	AgentInterfaces     []agentInterface
	AgentRead           bool
	ContainerInterfaces []containerInterface
	InterfacesRead      bool
	// IPsUnseen says why the guest's addresses were not read (its agent
	// did not answer, it does not run); empty when they were.
	IPsUnseen string
	// ConfigUnseen says why the guest's config was not read: its
	// interfaces and disks are not known either.
	ConfigUnseen string
	Warnings     []string
}

func (d *guestDetail) warn(format string, args ...any) {
	d.Warnings = append(d.Warnings, fmt.Sprintf(format, args...))
}

// survey is everything discovered, before it becomes records.
type survey struct {
	ClusterName string
	Standalone  bool
	Nodes       []*nodeState
	Guests      []*guestState
	Warnings    []string
}

// Discover reads the cluster and reports it as records. Per-node and
// per-guest calls run concurrently, at most Concurrency at a time; each
// finished guest is reported to p, and a retry of the same run skips the
// guests this worker already read (see runCache).
func (s *Source) Discover(ctx context.Context, p source.Progress) (*source.Snapshot, error) {
	secret, err := s.Secret(s.opts.secret())
	if err != nil {
		return nil, err
	}
	hc, err := newHTTPClient(s.opts)
	if err != nil {
		return nil, err
	}
	defer hc.CloseIdleConnections()
	return s.discover(ctx, p, newAPIClient(s.opts, hc, s.session, secret))
}

// discover is Discover's work through the API client c.
func (s *Source) discover(ctx context.Context, p source.Progress, c *px.Client) (*source.Snapshot, error) {
	prev, resumed := source.Resume[progressState](p)
	r := s.runs.begin(prev.Run, resumed)

	status, err := getClusterStatus(ctx, c)
	if err != nil {
		return nil, s.fatal(ctx, "read cluster status", err)
	}
	resources, err := getResources(ctx, c)
	if err != nil {
		return nil, s.fatal(ctx, "list cluster resources", err)
	}
	sv, err := s.plan(status, resources)
	if err != nil {
		return nil, err
	}

	online := map[string]bool{}
	for _, n := range sv.Nodes {
		online[n.Name] = n.Online
	}
	hb := source.NewHeartbeat(p, progressState{Run: r.id, NodesTotal: len(sv.Nodes), GuestsTotal: len(sv.Guests)})

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.Concurrency)
	for _, n := range sv.Nodes {
		if n.Online {
			g.Go(func() error { return s.readNode(gctx, c, n) })
		}
	}
	for _, gs := range byNodeInTurn(sv.Guests) {
		if gctx.Err() != nil {
			break // a call failed for good; Wait reports it
		}
		if !online[gs.Node] {
			guestDone(hb, false)
			continue
		}
		if d, ok := r.get(gs.id()); ok {
			gs.Detail = d
			guestDone(hb, true)
			continue
		}
		g.Go(func() error {
			d, err := s.readGuest(gctx, c, gs.guest)
			if err != nil {
				return err
			}
			gs.Detail = d
			r.put(gs.id(), d)
			guestDone(hb, false)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		// canceled between calls: what was read is incomplete
		return nil, fmt.Errorf("discover %s: %w", sv.ClusterName, err)
	}

	snap := s.snapshot(sv)
	s.Log.Info("proxmox discovery finished",
		zap.String("cluster", sv.ClusterName),
		zap.Int("nodes", len(sv.Nodes)),
		zap.Int("guests", len(sv.Guests)),
		zap.Int("guests_resumed", hb.State().GuestsResumed),
		zap.Int("records", len(snap.Records)),
		zap.Int("warnings", len(snap.Warnings)))
	return snap, nil
}

// byNodeInTurn orders guests for reading: one of each node in turn, so that
// the calls in flight spread over the nodes. pveproxy forwards a call to
// the guest's node, where the agent and container calls run in that node's
// pvedaemon (3 workers by default, shared with the web UI); guests read in
// node order would put every call in flight on one node at a time.
func byNodeInTurn(guests []*guestState) []*guestState {
	var nodes []string
	of := map[string][]*guestState{}
	for _, g := range guests {
		if _, ok := of[g.Node]; !ok {
			nodes = append(nodes, g.Node)
		}
		of[g.Node] = append(of[g.Node], g)
	}
	out := make([]*guestState, 0, len(guests))
	for i := 0; len(out) < len(guests); i++ {
		for _, n := range nodes {
			if i < len(of[n]) {
				out = append(out, of[n][i])
			}
		}
	}
	return out
}

// plan turns cluster status and resources into the cluster's name, its
// nodes and the guests to read, in a stable order. Answers that name no
// cluster and no node, with no cluster_name set, are malformed.
func (s *Source) plan(status []clusterStatusEntry, resources []resource) (*survey, error) {
	sv := &survey{}
	nodes := map[string]*nodeState{}
	node := func(name string) *nodeState {
		n, ok := nodes[name]
		if !ok {
			n = &nodeState{Name: name, Online: true}
			nodes[name] = n
		}
		return n
	}
	for _, e := range status {
		switch e.Type {
		case "cluster":
			sv.ClusterName = strings.TrimSpace(string(e.Name))
		case "node":
			n := node(string(e.Name))
			n.IP = string(e.IP)
			n.Online = n.Online && e.Online == 1
		}
	}
	for _, res := range resources {
		switch res.Type {
		case "node":
			n := node(string(res.Node))
			n.Online = n.Online && res.Status == "online"
		case "qemu", "lxc":
			if res.Template == 1 && !s.opts.IncludeTemplates {
				continue
			}
			if problem := guestProblem(res); problem != "" {
				sv.Warnings = append(sv.Warnings, fmt.Sprintf("cluster resource %s: %s; skipped", quoteID(res), problem))
				continue
			}
			sv.Guests = append(sv.Guests, &guestState{guest: guest{
				Type: string(res.Type), VMID: uint64(res.VMID), Name: string(res.Name),
				Node: string(res.Node), Status: string(res.Status), Tags: string(res.Tags),
				Template: res.Template == 1, MaxCPU: float64(res.MaxCPU), MaxMem: float64(res.MaxMem),
			}})
			node(string(res.Node))
		}
	}
	delete(nodes, "")
	for _, n := range nodes {
		sv.Nodes = append(sv.Nodes, n)
	}
	sort.Slice(sv.Nodes, func(i, j int) bool { return sv.Nodes[i].Name < sv.Nodes[j].Name })
	sort.Slice(sv.Guests, func(i, j int) bool {
		a, b := sv.Guests[i], sv.Guests[j]
		if a.Node != b.Node {
			return a.Node < b.Node
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.VMID < b.VMID
	})
	if sv.ClusterName == "" {
		sv.Standalone = true
		sv.ClusterName = s.opts.ClusterName
		if sv.ClusterName == "" && len(sv.Nodes) > 0 {
			sv.ClusterName = sv.Nodes[0].Name
		}
	}
	if sv.ClusterName == "" {
		return nil, fmt.Errorf("read cluster status: it names no cluster and no node; set cluster_name: %w", source.ErrMalformed)
	}
	sv.warnOffline()
	return sv, nil
}

// warnOffline warns of each offline node, and how many of its guests are
// known from cluster resources only.
func (sv *survey) warnOffline() {
	for _, n := range sv.Nodes {
		if n.Online {
			continue
		}
		count := 0
		for _, g := range sv.Guests {
			if g.Node == n.Name {
				count++
			}
		}
		sv.Warnings = append(sv.Warnings, fmt.Sprintf(
			"node %s is offline: reported with status offline, %d guests from cluster resources only (no interfaces, addresses or disks)", n.Name, count))
	}
}

// guestProblem says why a guest of cluster resources cannot be read: no
// node to ask, or a VMID that is no whole number from 1 on; "" when it can.
func guestProblem(res resource) string {
	switch {
	case res.Node == "":
		return "no node"
	case res.VMID < 1 || res.VMID > math.MaxUint32 || float64(res.VMID) != math.Trunc(float64(res.VMID)):
		return fmt.Sprintf("vmid %v is not a VMID", float64(res.VMID))
	}
	return ""
}

// quoteID names a cluster resource by its id, or by its type when it has none.
func quoteID(res resource) string {
	if res.ID != "" {
		return strconv.Quote(string(res.ID))
	}
	return string(res.Type)
}

// readNode reads a node's version and network configuration. Failures that
// concern only this node become warnings.
func (s *Source) readNode(ctx context.Context, c *px.Client, n *nodeState) error {
	v, err := getNodeVersion(ctx, c, n.Name)
	if err != nil {
		kind, werr := s.classify(ctx, "node "+n.Name+": read version", err)
		if kind == failFatal {
			return werr
		}
		n.Warnings = append(n.Warnings, werr.Error()+"; reported without platform")
		if kind == failNode {
			n.Warnings = append(n.Warnings, "node "+n.Name+": unreachable through the API; reported without interfaces")
			return nil
		}
	}
	n.Version = v
	network, err := getNodeNetwork(ctx, c, n.Name)
	if err != nil {
		kind, werr := s.classify(ctx, "node "+n.Name+": read network configuration", err)
		if kind == failFatal {
			return werr
		}
		n.Warnings = append(n.Warnings, werr.Error()+"; reported without interfaces")
		return nil
	}
	n.Network, n.NetworkRead = network, true
	return nil
}

// readGuest reads a guest's config and, when it runs, its addresses: from
// the guest agent for qemu, from the container's interfaces for lxc.
func (s *Source) readGuest(ctx context.Context, c *px.Client, g guest) (*guestDetail, error) {
	d := &guestDetail{}
	where := g.label() + " on " + g.Node
	cfg, err := getGuestConfig(ctx, c, g)
	if err != nil {
		kind, werr := s.classify(ctx, where+": read config", err)
		if kind == failFatal {
			return nil, werr
		}
		d.warn("%s; reported from cluster resources only", werr.Error())
		d.ConfigUnseen = where + ": config not read"
		return d, nil
	}
	d.Config = cfg
	if g.Status != "running" {
		if g.Type == "qemu" {
			d.IPsUnseen = where + ": not running, guest agent not asked"
		}
		return d, nil
	}
	if len(cfg.keys(func(k string) bool { return hasIndexedPrefix(k, "net") })) == 0 {
		// addresses are reported on the netN interfaces; without one
		// there is nothing to ask for
		return d, nil
	}
	switch g.Type {
	case "qemu":
		if !agentEnabled(cfg["agent"]) {
			d.IPsUnseen = where + ": guest agent not enabled"
			return d, nil
		}
		ifaces, err := getAgentInterfaces(ctx, c, g)
		if err != nil {
			kind, werr := s.classify(ctx, where+": read guest agent interfaces", err)
			var se *statusError
			isStatus := errors.As(err, &se)
			switch {
			case kind == failFatal:
				return nil, werr
			case kind == failAgent && isStatus:
				d.warn("%s: guest agent not running (%s); reported without IP addresses", where, se.Error())
			case isStatus && se.Code == http.StatusForbidden:
				d.warn("%s: %s may not read the guest agent (%s); grant it VM.Monitor (PVE 8) or VM.GuestAgent.Audit (PVE 9); reported without IP addresses",
					where, s.opts.credential(), se.Error())
			default:
				d.warn("%s; reported without IP addresses", werr.Error())
			}
			d.IPsUnseen = where + ": guest agent not read"
			return d, nil
		}
		d.AgentInterfaces, d.AgentRead = ifaces, true
	case "lxc":
		ifaces, err := getContainerInterfaces(ctx, c, g)
		if err != nil {
			kind, werr := s.classify(ctx, where+": read container interfaces", err)
			if kind == failFatal {
				return nil, werr
			}
			d.warn("%s; reported with the static addresses of its config only", werr.Error())
			d.IPsUnseen = where + ": container interfaces not read"
			return d, nil
		}
		d.ContainerInterfaces, d.InterfacesRead = ifaces, true
	}
	return d, nil
}

// agentEnabled reads qemu's agent setting: "1", "enabled=1,fstrim_cloned_disks=1".
func agentEnabled(s string) bool {
	for _, it := range propertyList(s) {
		if it.Key == "" || it.Key == "enabled" {
			return it.Value == "1" || it.Value == "true"
		}
	}
	return false
}

// fatal classifies the failure of a call the discovery cannot do without.
func (s *Source) fatal(ctx context.Context, what string, err error) error {
	kind, werr := s.classify(ctx, what, err)
	if kind == failFatal || errors.Is(werr, source.ErrMalformed) {
		return werr
	}
	var se *statusError
	if errors.As(err, &se) && se.Code == http.StatusForbidden {
		return fmt.Errorf("%w; grant it the PVEAuditor role on /: %w", werr, source.ErrAuth)
	}
	return fmt.Errorf("%w: %w", werr, source.ErrUnreachable)
}

// progressState is the heartbeat of a discovery and what a retry resumes
// from. It stays small whatever the cluster's size: the guests a retry can
// skip are found by Run in the worker's memory, not listed here.
type progressState struct {
	Run           string `json:"run"`
	NodesTotal    int    `json:"nodes_total"`
	GuestsDone    int    `json:"guests_done"`
	GuestsTotal   int    `json:"guests_total"`
	GuestsResumed int    `json:"guests_resumed,omitempty"`
}

// guestDone counts a guest read, or taken from the run cache when resumed.
func guestDone(hb *source.Heartbeat[progressState], resumed bool) {
	hb.Update(func(st *progressState) {
		st.GuestsDone++
		if resumed {
			st.GuestsResumed++
		}
	})
}
