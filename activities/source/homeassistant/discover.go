package homeassistant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// registry is what was read from Home Assistant, before it becomes records.
type registry struct {
	Version string
	Areas   map[string]area  // by area_id
	Floors  map[string]floor // by floor_id
	Devices []device         // sorted by id
	// Splits maps a device id of before 2026.8 that spanned several config
	// entries to the devices it was split into.
	Splits map[string]composite
	// SplitsUnread says why the map of split devices could not be read on
	// a release that has it; empty when it was read or does not exist.
	SplitsUnread string
	Domains      map[string]string // config entry id -> integration domain
	// Unread are the device registry entries that did not decode, by
	// their id when it could be read, with why; such a device is not
	// known, so NetBox keeps what it holds of it.
	Unread   []unreadEntry
	Warnings []string
}

// unreadEntry is a device registry entry that did not decode.
type unreadEntry struct {
	ID  string // empty when not even the id could be read
	Why string
}

func (r *registry) warn(format string, args ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}

// Progress is the heartbeat of a discovery: the step it is at and what it
// has counted so far ({"step":"devices","areas":12,"devices":148}).
type Progress struct {
	Step     string `json:"step"` // connect, areas, devices, integrations, done
	Areas    int    `json:"areas,omitempty"`
	Devices  int    `json:"devices,omitempty"`
	Reported int    `json:"reported,omitempty"`
}

// The steps a Progress names.
const (
	StepConnect      = "connect"
	StepAreas        = "areas"
	StepDevices      = "devices"
	StepIntegrations = "integrations"
	StepDone         = "done"
)

// Discover reads the area, device and integration registries over one
// WebSocket connection and reports the devices as records. The whole read
// takes a few commands, so a retry simply starts over.
func (s *Source) Discover(ctx context.Context, p source.Progress) (*source.Snapshot, error) {
	token, err := s.Secret(TokenSetting)
	if err != nil {
		return nil, err
	}
	hb := source.NewHeartbeat(p, Progress{Step: StepConnect})
	c, err := s.connect(ctx, token)
	if err != nil {
		return nil, err
	}
	reg, err := s.read(ctx, c, c.version, hb)
	if err != nil {
		c.abort()
		return nil, err
	}
	c.close()

	snap, st := s.snapshot(reg)
	hb.Set(Progress{Step: StepDone, Areas: len(reg.Areas), Devices: len(reg.Devices), Reported: st.reported})
	s.Log.Info("home assistant discovery finished",
		zap.String("ha_version", reg.Version),
		zap.Int("areas", len(reg.Areas)),
		zap.Int("devices", len(reg.Devices)),
		zap.Int("devices_reported", st.reported),
		zap.Int("services_skipped", st.services),
		zap.Int("disabled_skipped", st.disabled),
		zap.Int("records", len(snap.Records)),
		zap.Int("warnings", len(snap.Warnings)))
	return snap, nil
}

// caller sends a command and decodes its result; *client is the one that
// talks to Home Assistant.
type caller interface {
	call(ctx context.Context, cmd string, out any) error
}

// read sends the commands and collects their answers. An entry that cannot
// be decoded is a warning; an answer that is not a list at all is an error.
func (s *Source) read(ctx context.Context, c caller, version string, hb *source.Heartbeat[Progress]) (*registry, error) {
	reg := newRegistry(version)
	if s.opts.LocationFromArea {
		hb.Set(Progress{Step: StepAreas})
		if err := readAreas(ctx, c, reg); err != nil {
			return nil, err
		}
	}

	hb.Set(Progress{Step: StepDevices, Areas: len(reg.Areas)})
	raw, err := list(ctx, c, cmdDevices)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	if err := readSplits(ctx, c, reg); err != nil {
		return nil, err
	}
	reg.addDevices(raw)

	hb.Set(Progress{Step: StepIntegrations, Areas: len(reg.Areas), Devices: len(reg.Devices)})
	raw, err = list(ctx, c, cmdConfigEntries)
	var refused *CommandError
	switch {
	case errors.As(err, &refused):
		// roles by integration still work through the devices' identifiers
		reg.warn("list integrations: %s; integrations are taken from device identifiers", refused.Error())
	case err != nil:
		return nil, fmt.Errorf("list integrations: %w", err)
	}
	reg.addConfigEntries(raw)
	return reg, nil
}

// readAreas reads the areas and the floors they are on. A release without
// floors (before 2024.4) leaves every area on no floor.
func readAreas(ctx context.Context, c caller, reg *registry) error {
	raw, err := list(ctx, c, cmdAreas)
	if err != nil {
		return fmt.Errorf("list areas: %w", err)
	}
	reg.addAreas(raw)
	raw, err = list(ctx, c, cmdFloors)
	var refused *CommandError
	switch {
	case errors.As(err, &refused) && refused.Code == codeUnknownCommand:
		return nil
	case errors.As(err, &refused):
		reg.warn("list floors: %s; areas are reported as locations of no floor", refused.Error())
		return nil
	case err != nil:
		return fmt.Errorf("list floors: %w", err)
	}
	reg.addFloors(raw)
	return nil
}

// readSplits reads which devices of before 2026.8 were split into one
// device per config entry. Releases before 2026.8 split nothing and do not
// know the command. A release that has it and refuses it leaves the split
// devices unknown, which the mapping reports as a gap.
func readSplits(ctx context.Context, c caller, reg *registry) error {
	var splits map[string]json.RawMessage
	err := c.call(ctx, cmdSplits, &splits)
	var refused *CommandError
	switch {
	case errors.As(err, &refused) && refused.Code == codeUnknownCommand:
		return nil
	case errors.As(err, &refused):
		reg.SplitsUnread = "list split devices: " + refused.Error()
		reg.warn("%s; devices Home Assistant split cannot be told from new ones, so none is removed", reg.SplitsUnread)
		return nil
	case err != nil:
		return fmt.Errorf("list split devices: %w", err)
	}
	reg.addSplits(splits)
	return nil
}

// newRegistry is an empty registry of Home Assistant version.
func newRegistry(version string) *registry {
	return &registry{Version: version, Areas: map[string]area{}, Floors: map[string]floor{},
		Splits: map[string]composite{}, Domains: map[string]string{}}
}

// addAreas keeps the area registry's entries; one without an id or a name
// is a warning.
func (r *registry) addAreas(raw []json.RawMessage) {
	for i, e := range raw {
		var a area
		if err := json.Unmarshal(e, &a); err != nil || a.AreaID == "" || strings.TrimSpace(a.Name) == "" {
			r.warn("area registry entry %d: %s; devices in it are reported without location", i, entryProblem(err, "no area_id or name"))
			continue
		}
		r.Areas[a.AreaID] = a
	}
}

// addFloors keeps the floor registry's entries; one without an id or a
// name is a warning.
func (r *registry) addFloors(raw []json.RawMessage) {
	for i, e := range raw {
		var f floor
		if err := json.Unmarshal(e, &f); err != nil || f.FloorID == "" || strings.TrimSpace(f.Name) == "" {
			r.warn("floor registry entry %d: %s; its areas are reported as locations of no floor", i, entryProblem(err, "no floor_id or name"))
			continue
		}
		r.Floors[f.FloorID] = f
	}
}

// addDevices keeps the device registry's entries, sorted by id; one that
// does not decode is a warning and an unread entry, by its id when that
// much reads.
func (r *registry) addDevices(raw []json.RawMessage) {
	for i, e := range raw {
		var d device
		if err := json.Unmarshal(e, &d); err != nil || d.ID == "" {
			why := fmt.Sprintf("device registry entry %d: %s", i, entryProblem(err, "no id"))
			r.warn("%s; skipped", why)
			var idOnly struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(e, &idOnly) != nil {
				idOnly.ID = ""
			}
			r.Unread = append(r.Unread, unreadEntry{ID: idOnly.ID, Why: why})
			continue
		}
		r.Devices = append(r.Devices, d)
	}
	sort.Slice(r.Devices, func(i, j int) bool { return r.Devices[i].ID < r.Devices[j].ID })
}

// addSplits keeps the map of split devices; an entry without split ids is
// a warning.
func (r *registry) addSplits(splits map[string]json.RawMessage) {
	for id, e := range splits {
		var sp composite
		if err := json.Unmarshal(e, &sp); err != nil || id == "" || len(sp.SplitIDs) == 0 {
			r.warn("split device %s: %s; skipped", id, entryProblem(err, "no split_ids"))
			continue
		}
		r.Splits[id] = sp
	}
}

// addConfigEntries keeps the integration of each config entry; one without
// an entry_id or a domain is a warning.
func (r *registry) addConfigEntries(raw []json.RawMessage) {
	for i, e := range raw {
		var ce configEntry
		if err := json.Unmarshal(e, &ce); err != nil || ce.EntryID == "" || ce.Domain == "" {
			r.warn("config entry %d: %s; skipped", i, entryProblem(err, "no entry_id or domain"))
			continue
		}
		r.Domains[ce.EntryID] = ce.Domain
	}
}

// list sends a command whose result is a list and returns its entries
// undecoded, so that one odd entry does not cost the others.
func list(ctx context.Context, c caller, cmd string) ([]json.RawMessage, error) {
	var raw []json.RawMessage
	if err := c.call(ctx, cmd, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}

func entryProblem(err error, missing string) string {
	if err != nil {
		return err.Error()
	}
	return missing
}
