package homeassistant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

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
	reg, err := s.read(ctx, c, hb)
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

// read sends the commands and collects their answers. An entry that cannot
// be decoded is a warning; an answer that is not a list at all is an error.
func (s *Source) read(ctx context.Context, c *client, hb *source.Heartbeat[Progress]) (*registry, error) {
	reg := &registry{Version: c.version, Areas: map[string]area{}, Floors: map[string]floor{},
		Splits: map[string]composite{}, Domains: map[string]string{}}
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
	for i, r := range raw {
		var d device
		if err := json.Unmarshal(r, &d); err != nil || d.ID == "" {
			why := fmt.Sprintf("device registry entry %d: %s", i, entryProblem(err, "no id"))
			reg.warn("%s; skipped", why)
			var idOnly struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(r, &idOnly) != nil {
				idOnly.ID = ""
			}
			reg.Unread = append(reg.Unread, unreadEntry{ID: idOnly.ID, Why: why})
			continue
		}
		reg.Devices = append(reg.Devices, d)
	}
	sort.Slice(reg.Devices, func(i, j int) bool { return reg.Devices[i].ID < reg.Devices[j].ID })

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
	for i, r := range raw {
		var e configEntry
		if err := json.Unmarshal(r, &e); err != nil || e.EntryID == "" || e.Domain == "" {
			reg.warn("config entry %d: %s; skipped", i, entryProblem(err, "no entry_id or domain"))
			continue
		}
		reg.Domains[e.EntryID] = e.Domain
	}
	return reg, nil
}

// readAreas reads the areas and the floors they are on. A release without
// floors (before 2024.4) leaves every area on no floor.
func readAreas(ctx context.Context, c *client, reg *registry) error {
	raw, err := list(ctx, c, cmdAreas)
	if err != nil {
		return fmt.Errorf("list areas: %w", err)
	}
	for i, r := range raw {
		var a area
		if err := json.Unmarshal(r, &a); err != nil || a.AreaID == "" || a.Name == "" {
			reg.warn("area registry entry %d: %s; devices in it are reported without location", i, entryProblem(err, "no area_id or name"))
			continue
		}
		reg.Areas[a.AreaID] = a
	}
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
	for i, r := range raw {
		var f floor
		if err := json.Unmarshal(r, &f); err != nil || f.FloorID == "" || f.Name == "" {
			reg.warn("floor registry entry %d: %s; its areas are reported as locations of no floor", i, entryProblem(err, "no floor_id or name"))
			continue
		}
		reg.Floors[f.FloorID] = f
	}
	return nil
}

// readSplits reads which devices of before 2026.8 were split into one
// device per config entry. Releases before 2026.8 split nothing and do not
// know the command. A release that has it and refuses it leaves the split
// devices unknown, which the mapping reports as a gap.
func readSplits(ctx context.Context, c *client, reg *registry) error {
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
	for id, r := range splits {
		var sp composite
		if err := json.Unmarshal(r, &sp); err != nil || id == "" || len(sp.SplitIDs) == 0 {
			reg.warn("split device %s: %s; skipped", id, entryProblem(err, "no split_ids"))
			continue
		}
		reg.Splits[id] = sp
	}
	return nil
}

// list sends a command whose result is a list and returns its entries
// undecoded, so that one odd entry does not cost the others.
func list(ctx context.Context, c *client, cmd string) ([]json.RawMessage, error) {
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
