package truenas

import (
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

// PlatformPrefix names the platform: "TrueNAS 25.04".
const PlatformPrefix = "TrueNAS"

// snapshot maps the survey to records.
func (s *Source) snapshot(sv *survey) (*source.Snapshot, error) {
	host := strings.TrimSpace(sv.Info.Hostname)
	if host == "" {
		return nil, fmt.Errorf("system.info: no hostname: %w", source.ErrMalformed)
	}
	b := source.NewBuilder(SourceType, s.Name)
	warnings := append([]string(nil), sv.Warnings...)

	site := b.Shared(inventory.KindSite, s.opts.Site)
	role := b.Shared(inventory.KindDeviceRole, s.opts.DeviceRole)
	mfName, model := s.deviceType(sv.Info)
	dt := b.DeviceType(mfName, model, "")

	dev := source.NewRecord(inventory.KindDevice, b.Key())
	dev.Set("name", host)
	dev.Set("serial", str(sv.Info.SystemSerial))
	dev.Set("status", "active")
	dev.Ref("site", site)
	dev.Ref("role", role)
	dev.Ref("device_type", dt)
	if name := platformName(sv.Info.Version); name != "" {
		dev.Ref("platform", b.Shared(inventory.KindPlatform, name))
	} else {
		warnings = append(warnings, fmt.Sprintf("system.info: version %q has no major.minor; reported without platform", sv.Info.Version))
	}
	if sv.PoolsRead {
		setPoolAttrs(&dev, sv.Pools)
	}

	ips := s.interfaces(b, dev.Key, sv.Interfaces)
	if a, err := netip.ParseAddr(strings.TrimSpace(sv.LocalIP)); err == nil {
		a = a.Unmap().WithZone("")
		if k, ok := ips[a]; ok {
			dev.Ref(source.PrimaryIPField(a), k)
		}
	}
	b.Add(dev)

	if s.opts.IncludeServices {
		warnings = append(warnings, services(b, dev.Key, sv)...)
	}

	sort.Strings(warnings)
	return b.Snapshot(warnings), nil
}

// deviceType is the manufacturer and model of the device: the configured
// ones, else DMI's, else the defaults.
func (s *Source) deviceType(info systemInfo) (manufacturer, model string) {
	manufacturer, model = s.opts.Manufacturer, s.opts.Model
	if manufacturer == "" {
		manufacturer = dmiValue(str(info.SystemManufacturer), DefaultManufacturer)
	}
	if model == "" {
		model = dmiValue(str(info.SystemProduct), DefaultModel)
	}
	return manufacturer, model
}

// dmiPlaceholders are values firmware leaves in DMI fields nobody filled in.
var dmiPlaceholders = map[string]bool{
	"system manufacturer": true, "system product name": true, "to be filled by o.e.m.": true,
	"to be filled by oem": true, "default string": true, "not specified": true, "not applicable": true,
	"unknown": true, "none": true, "n/a": true, "0": true, "o.e.m.": true, "oem": true,
}

func dmiValue(v, fallback string) string {
	v = strings.TrimSpace(v)
	if v == "" || dmiPlaceholders[strings.ToLower(v)] {
		return fallback
	}
	return v
}

var versionPattern = regexp.MustCompile(`([0-9]+)\.([0-9]+)`)

// platformName is "TrueNAS 25.04" for "25.04.2.4", "TrueNAS-SCALE-24.10.2"
// or "25.10-RC.1"; "" when the version has no major.minor.
func platformName(version string) string {
	m := versionPattern.FindStringSubmatch(version)
	if m == nil {
		return ""
	}
	return PlatformPrefix + " " + m[1] + "." + m[2]
}

// setPoolAttrs records the pools' health and capacity on the device, in
// pool name order: pool_health ("tank: ONLINE, backup: DEGRADED"),
// pool_capacity ("tank: 44% of 7.27 TiB used") and pools_healthy.
func setPoolAttrs(dev *inventory.Record, pools []pool) {
	if len(pools) == 0 {
		return
	}
	sorted := append([]pool(nil), pools...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	health := make([]string, 0, len(sorted))
	capacity := make([]string, 0, len(sorted))
	healthy := true
	for _, p := range sorted {
		status := strings.TrimSpace(p.Status)
		if status == "" {
			status = "UNKNOWN"
		}
		if !p.Healthy {
			healthy = false
			if d := str(p.StatusDetail); d != "" {
				status += " (" + d + ")"
			}
		}
		health = append(health, p.Name+": "+status)
		capacity = append(capacity, p.Name+": "+poolCapacity(p))
	}
	dev.Set("pool_health", strings.Join(health, ", "))
	dev.Set("pool_capacity", strings.Join(capacity, ", "))
	dev.Set("pools_healthy", healthy)
}

func poolCapacity(p pool) string {
	if p.Size == nil || *p.Size <= 0 {
		return "size unknown"
	}
	var used int64
	switch {
	case p.Allocated != nil:
		used = *p.Allocated
	case p.Free != nil:
		used = *p.Size - *p.Free
	default:
		return "size " + iecBytes(*p.Size)
	}
	pct := float64(used) * 100 / float64(*p.Size)
	return fmt.Sprintf("%.0f%% of %s used", pct, iecBytes(*p.Size))
}

// iecBytes renders a byte count in binary units, as TrueNAS's UI does.
func iecBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.2f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
