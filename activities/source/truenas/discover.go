package truenas

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// survey is everything discovered, before it becomes records.
type survey struct {
	Info       systemInfo
	Interfaces []iface
	Pools      []pool
	PoolsRead  bool
	// RootDatasets are the pools' root datasets, read for their sizes
	// when pool.query has none (TrueNAS CORE).
	RootDatasets []dataset
	LocalIP      string // the address the session reached the system at

	Services     []serviceEntry
	ServicesRead bool
	NFS          []nfsShare
	SMB          []smbShare
	ISCSI        iscsiGlobal
	Targets      []iscsiTarget
	Extents      []iscsiExtent

	// Failed holds the optional calls TrueNAS answered with an error, and
	// the error: what they list is not known.
	Failed   map[string]string
	Warnings []string
}

// step is one API call of a discovery and where its answer goes.
type step struct {
	method string
	params []any
	out    any
	// required calls end the discovery when TrueNAS answers them with an
	// error; the others become a warning saying what is missing.
	required bool
	// missing says what the snapshot lacks when an optional call fails.
	missing string
	// role is what the key's user needs for the call, named when TrueNAS
	// refuses it.
	role string
	// read, when set, records that the call succeeded.
	read *bool
}

// steps lists the calls of a discovery in order.
func (s *Source) steps(sv *survey) []step {
	out := []step{
		{method: "system.info", out: &sv.Info, required: true},
		{method: "interface.query", out: &sv.Interfaces, required: true},
		{method: "interface.websocket_local_ip", out: &sv.LocalIP, role: "FULL_ADMIN: it declares no role on 25.04 and later; on 24.10 the key's allowlist must name it",
			missing: "no primary IP from it; NetBox keeps the device's primary IP"},
		{method: methodPoolQuery, out: &sv.Pools, role: "POOL_READ", missing: "no pool health or capacity", read: &sv.PoolsRead},
	}
	if !s.opts.IncludeServices {
		return out
	}
	return append(out,
		step{method: "service.query", out: &sv.Services, role: "SERVICE_READ", missing: "services reported whatever their state", read: &sv.ServicesRead},
		step{method: "sharing.nfs.query", out: &sv.NFS, role: "SHARING_NFS_READ", missing: "no NFS service"},
		step{method: "sharing.smb.query", out: &sv.SMB, role: "SHARING_SMB_READ", missing: "no SMB service"},
		step{method: "iscsi.global.config", out: &sv.ISCSI, role: "SHARING_ISCSI_GLOBAL_READ", missing: "iSCSI on port 3260, targets without base name"},
		step{method: "iscsi.target.query", out: &sv.Targets, role: "SHARING_ISCSI_TARGET_READ", missing: "no iSCSI service"},
		step{method: "iscsi.extent.query", out: &sv.Extents, role: "SHARING_ISCSI_EXTENT_READ", missing: "no iSCSI extents in the description"},
	)
}

// Discover connects, logs in with the API key, reads the system and
// reports it as records. The connection is closed when it returns.
func (s *Source) Discover(ctx context.Context, p source.Progress) (*source.Snapshot, error) {
	key, err := s.apiKey()
	if err != nil {
		return nil, err
	}
	c, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		// the discovery's outcome stands; a close that fails after a
		// cancellation or a dropped connection is expected
		if cerr := c.close(); cerr != nil {
			s.Log.Debug("closing the TrueNAS connection failed", zap.Error(cerr))
		}
	}()
	if err := c.login(ctx, s.opts.Username, key); err != nil {
		return nil, err
	}

	sv := &survey{}
	steps := s.steps(sv)
	hb := source.NewHeartbeat(p, progressState{CallsTotal: len(steps)})
	for i := 0; i < len(steps); i++ {
		st := steps[i]
		if err := c.call(ctx, st.method, st.params, st.out); err != nil {
			if werr := s.stepFailed(st, err, sv); werr != nil {
				return nil, werr
			}
		} else if st.read != nil {
			*st.read = true
		}
		if st.method == methodPoolQuery {
			// CORE's pool.query has no sizes: read them from the root datasets
			if extra, ok := rootDatasetStep(sv); ok {
				steps = slices.Insert(steps, i+1, extra)
				hb.Update(func(st *progressState) { st.CallsTotal++ })
			}
		}
		hb.Update(func(st *progressState) { st.CallsDone++ })
	}
	applyRootDatasets(sv)

	snap, err := s.snapshot(sv)
	if err != nil {
		return nil, err
	}
	s.Log.Info("truenas discovery finished",
		zap.String("hostname", sv.Info.Hostname),
		zap.String("version", sv.Info.Version),
		zap.String("protocol", c.protocolName()),
		zap.Int("interfaces", len(sv.Interfaces)),
		zap.Int("pools", len(sv.Pools)),
		zap.Int("records", len(snap.Records)),
		zap.Int("warnings", len(snap.Warnings)))
	return snap, nil
}

// stepFailed decides what a failed call means: a JSON-RPC error answer to
// an optional call is a warning, anything else ends the discovery.
func (s *Source) stepFailed(st step, err error, sv *survey) error {
	var re *RPCError
	if !errors.As(err, &re) {
		return err // the connection or the answer failed: nothing more can be read
	}
	if st.required {
		return requiredCallError(re)
	}
	msg := re.Error()
	if re.Errname == errnameAccessDenied && st.role != "" {
		msg += " (needs " + st.role + ")"
	}
	sv.Warnings = append(sv.Warnings, fmt.Sprintf("%s; %s", msg, st.missing))
	if sv.Failed == nil {
		sv.Failed = map[string]string{}
	}
	sv.Failed[st.method] = re.Error()
	return nil
}

// requiredCallError classifies an error answer to a call the discovery
// cannot do without.
func requiredCallError(re *RPCError) error {
	switch {
	case re.Errname == errnameAccessDenied || re.Errname == errnameNotAuth:
		return fmt.Errorf("%w; give the API key's user a privilege with the READONLY_ADMIN role (Read-only Administrator): %w", re, source.ErrAuth)
	case re.methodNotFound() || re.Code == codeInvalidRequest || re.invalidParams():
		return fmt.Errorf("%w; this TrueNAS does not have a method this source needs: %w", re, source.ErrConfig)
	case re.tooManyCalls():
		return fmt.Errorf("%w: %w", re, source.ErrUnreachable)
	}
	return re
}

// progressState is the heartbeat of a discovery: a handful of calls, so
// there is nothing to resume from; a retry starts over.
type progressState struct {
	CallsDone  int `json:"calls_done"`
	CallsTotal int `json:"calls_total"`
}
