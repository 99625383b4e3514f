package truenas

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

// Ports of the storage services.
const (
	PortNFS   = 2049
	PortSMB   = 445
	PortISCSI = 3260
)

// maxDescription is NetBox's limit on a service's description.
const maxDescription = 200

// serviceSpec is one storage service: its NetBox name, its middleware
// service name (service.query) and what it offers.
type serviceSpec struct {
	name    string // "NFS"
	service string // "nfs"
	port    int
	// items names what is shared, in a stable order; none means the
	// service is not reported.
	items []string
	what  string // "exports", for the description and warnings
	extra string // appended to the description
	// list is the call that lists what is shared; when it failed the
	// service is not known either way.
	list string
}

// services adds the NFS, SMB and iSCSI services that have something to
// share, with the shares in their description; a service whose state
// service.query reports as other than RUNNING is left out with a warning.
func services(b *source.Builder, devKey string, sv *survey) []string {
	state := map[string]string{}
	for _, e := range sv.Services {
		state[e.Service] = e.State
	}
	var warnings []string
	for _, spec := range serviceSpecs(sv) {
		key := source.ChildKey(devKey, "service", strings.ToLower(spec.name))
		if why, failed := sv.Failed[spec.list]; failed {
			b.RecordUnseen(inventory.KindService, key, spec.name+" service not known: "+why)
			continue
		}
		if len(spec.items) == 0 {
			continue
		}
		if st, known := state[spec.service]; sv.ServicesRead && (!known || st != "RUNNING") {
			if !known {
				st = "not listed by service.query"
			}
			warnings = append(warnings, fmt.Sprintf("%s has %s but its service is %s; not reported", spec.name, count(len(spec.items), spec.what), st))
			continue
		}
		r := source.NewRecord(inventory.KindService, key)
		r.Set("name", spec.name)
		r.Set("protocol", "tcp")
		r.Set("ports", []int64{int64(spec.port)})
		r.Set("description", describe(spec.name+" "+spec.what+": ", spec.items, spec.extra))
		r.Ref("parent", devKey)
		b.Add(r)
	}
	return warnings
}

func serviceSpecs(sv *survey) []serviceSpec {
	var nfs, smb []string
	for _, sh := range sv.NFS {
		if !sh.Enabled {
			continue
		}
		for _, p := range append([]string{sh.Path}, sh.Paths...) {
			if p = strings.TrimSpace(p); p != "" {
				nfs = append(nfs, p)
			}
		}
	}
	for _, sh := range sv.SMB {
		if !sh.Enabled || strings.TrimSpace(sh.Name) == "" {
			continue
		}
		item := strings.TrimSpace(sh.Name)
		if p := strings.TrimSpace(sh.Path); p != "" {
			item += " (" + p + ")"
		}
		smb = append(smb, item)
	}
	targets, extents := iscsiItems(sv)
	port := PortISCSI
	if sv.ISCSI.ListenPort > 0 {
		port = sv.ISCSI.ListenPort
	}
	extra := ""
	if len(extents) > 0 {
		extra = "; extents: " + strings.Join(sortedUnique(extents), ", ")
	}
	return []serviceSpec{
		{name: "NFS", service: "nfs", port: PortNFS, items: sortedUnique(nfs), what: "exports", list: "sharing.nfs.query"},
		{name: "SMB", service: "cifs", port: PortSMB, items: sortedUnique(smb), what: "shares", list: "sharing.smb.query"},
		{name: "iSCSI", service: "iscsitarget", port: port, items: sortedUnique(targets), what: "targets", extra: extra, list: "iscsi.target.query"},
	}
}

// iscsiItems names the targets served over iSCSI (not Fibre Channel only)
// by their IQN, and the enabled extents by what backs them.
func iscsiItems(sv *survey) (targets, extents []string) {
	for _, t := range sv.Targets {
		name := strings.TrimSpace(t.Name)
		if name == "" || t.Mode == "FC" {
			continue
		}
		if base := strings.TrimSpace(sv.ISCSI.Basename); base != "" {
			name = base + ":" + name
		}
		targets = append(targets, name)
	}
	if len(targets) == 0 {
		return nil, nil
	}
	for _, e := range sv.Extents {
		if !e.Enabled {
			continue
		}
		backing := str(e.Disk)
		if e.Type == "FILE" || backing == "" {
			backing = str(e.Path)
		}
		if backing == "" {
			backing = strings.TrimSpace(e.Name)
		}
		if backing != "" {
			extents = append(extents, backing)
		}
	}
	return targets, extents
}

// describe joins items after prefix, then extra, within NetBox's limit.
// What does not fit is dropped, extra first, then the last items, which are
// counted ("… and 12 more").
func describe(prefix string, items []string, extra string) string {
	if s := prefix + strings.Join(items, ", ") + extra; len(s) <= maxDescription {
		return s
	}
	if s := prefix + strings.Join(items, ", "); len(s) <= maxDescription {
		return s
	}
	for n := len(items) - 1; n >= 1; n-- {
		s := prefix + strings.Join(items[:n], ", ") + " … and " + strconv.Itoa(len(items)-n) + " more"
		if len(s) <= maxDescription {
			return s
		}
	}
	return truncate(prefix+strings.Join(items, ", "), maxDescription)
}

// truncate cuts s to at most n bytes on a character boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	cut := n - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

// count says "1 export" or "3 exports".
func count(n int, plural string) string {
	if n == 1 {
		return "1 " + strings.TrimSuffix(plural, "s")
	}
	return strconv.Itoa(n) + " " + plural
}

func sortedUnique(xs []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}
