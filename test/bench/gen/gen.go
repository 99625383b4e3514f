// Package gen writes synthetic inventories for the scale benchmark: a
// directory of inventory files (docs/inventory-files.md) that the
// filesystem source reads, describing a data centre of a chosen size.
//
// The inventory is a few sites, manufacturers, device types, roles and
// platforms; clusters of hypervisors, each with four interfaces, a MAC on
// every interface and up to two IP addresses, running virtual machines with
// two interfaces, MACs, one or two IP addresses and one or two disks; and
// standalone switches and storage devices. Everything follows from the
// seed: the same options write the same bytes.
package gen

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// Format is the encoding of the written files.
type Format string

// The formats the filesystem source reads that the generator writes. JSON
// parses several times faster, so it is the default.
const (
	JSON Format = "json"
	YAML Format = "yaml"
)

// MinObjects is the smallest inventory the generator writes: the shared
// records and one cluster with a host and a guest.
const MinObjects = 60

// Options say what inventory to write.
type Options struct {
	// Objects is the number of NetBox objects the inventory describes, every
	// kind counted (sites, devices, interfaces, MACs, IPs, disks, ...).
	Objects int
	// Seed decides every name, size and choice.
	Seed uint64
	// Changed is the share of objects (0 to 1) written with one field
	// modified: a device's serial, a VM's memory, a disk's size, another
	// object's description. Keys stay the same, so a sync updates exactly
	// these objects.
	Changed float64
	// Format is JSON (the default) or YAML.
	Format Format
}

// Summary says what was written.
type Summary struct {
	Objects int                    `json:"objects"`
	ByKind  map[inventory.Kind]int `json:"by_kind"`
	// Changed counts the objects written with a modified field.
	Changed int   `json:"changed"`
	Files   int   `json:"files"`
	Bytes   int64 `json:"bytes"`
}

// Shape of the estate: hosts and guests per cluster, standalone devices per
// cluster, and how many clusters or devices share a file.
const (
	hostsPerCluster      = 4
	vmsPerCluster        = 24
	standalonePerCluster = 2
	clustersPerFile      = 10
	devicesPerFile       = 200
)

var (
	sites         = []string{"Bench DC North", "Bench DC South", "Bench DC East"}
	manufacturers = []string{"Dell Inc.", "Supermicro", "Arista", "NetApp"}
	deviceTypes   = []deviceType{
		{Model: "PowerEdge R650", Manufacturer: "Dell Inc.", UHeight: 1},
		{Model: "SYS-1029P-WTR", Manufacturer: "Supermicro", UHeight: 1},
		{Model: "DCS-7050TX-64", Manufacturer: "Arista", UHeight: 1},
		{Model: "FAS2750", Manufacturer: "NetApp", UHeight: 2},
	}
	deviceRoles = []deviceRole{
		{Name: "Hypervisor", Color: "ff5722"},
		{Name: "Switch", Color: "3f51b5"},
		{Name: "Storage", Color: "009688"},
		{Name: "Server", Color: "2196f3", VMRole: true},
	}
	platforms    = []string{"Proxmox VE 8.2", "EOS 4.30", "ONTAP 9.14"}
	clusterTypes = []string{"Proxmox VE"}

	vcpuChoices   = []int{1, 2, 4, 8}
	memoryChoices = []int{1024, 2048, 4096, 8192, 16384}
	diskChoices   = []int{8192, 16384, 32768, 65536, 131072}
)

// Write writes the inventory into dir, creating it, and removes the
// inventory files an earlier Write left there, so a directory can be
// regenerated in place between runs.
func Write(dir string, o Options) (Summary, error) {
	if o.Format == "" {
		o.Format = JSON
	}
	if o.Format != JSON && o.Format != YAML {
		return Summary{}, fmt.Errorf("format %q: want json or yaml", o.Format)
	}
	files, sum, err := Build(o)
	if err != nil {
		return Summary{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Summary{}, fmt.Errorf("create inventory directory: %w", err)
	}
	if err := removeInventoryFiles(dir); err != nil {
		return Summary{}, err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		data, err := encode(files[n], o.Format)
		if err != nil {
			return Summary{}, fmt.Errorf("encode %s: %w", n, err)
		}
		if err := os.WriteFile(filepath.Join(dir, n+"."+string(o.Format)), data, 0o644); err != nil {
			return Summary{}, fmt.Errorf("write inventory file: %w", err)
		}
		sum.Files++
		sum.Bytes += int64(len(data))
	}
	return sum, nil
}

// Files encodes the inventory in memory, keyed by file name, as Write would
// write it; filesystem.Read takes the result.
func Files(o Options) (map[string][]byte, Summary, error) {
	if o.Format == "" {
		o.Format = JSON
	}
	docs, sum, err := Build(o)
	if err != nil {
		return nil, Summary{}, err
	}
	out := make(map[string][]byte, len(docs))
	for n, d := range docs {
		data, err := encode(d, o.Format)
		if err != nil {
			return nil, Summary{}, fmt.Errorf("encode %s: %w", n, err)
		}
		out[n+"."+string(o.Format)] = data
		sum.Files++
		sum.Bytes += int64(len(data))
	}
	return out, sum, nil
}

func encode(d *document, f Format) ([]byte, error) {
	if f == YAML {
		return yaml.Marshal(d)
	}
	return json.Marshal(d)
}

func removeInventoryFiles(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list inventory directory: %w", err)
	}
	var errs []error
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".json", ".yaml", ".yml", ".csv":
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove old inventory files: %w", err)
	}
	return nil
}

// Build makes the inventory's documents, keyed by file name without its
// extension.
func Build(o Options) (map[string]*document, Summary, error) {
	if o.Objects < MinObjects {
		return nil, Summary{}, fmt.Errorf("objects: %d is too few, want at least %d", o.Objects, MinObjects)
	}
	if o.Changed < 0 || o.Changed > 1 || math.IsNaN(o.Changed) {
		return nil, Summary{}, fmt.Errorf("changed: %g is not a share between 0 and 1", o.Changed)
	}
	b := newBuilder(o)
	b.build()
	if b.used != o.Objects {
		return nil, Summary{}, fmt.Errorf("generated %d objects, want %d", b.used, o.Objects)
	}
	return b.files, Summary{Objects: b.used, ByKind: b.byKind, Changed: b.changed}, nil
}
