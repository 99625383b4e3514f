package hatest

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"net"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type message map[string]any

func dial(t *testing.T, url string) (*websocket.Conn, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+Path, nil)
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := c.CloseNow(); err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("close: %v", err)
		}
	})
	c.SetReadLimit(1 << 20)
	return c, ctx
}

func exchange(t *testing.T, ctx context.Context, c *websocket.Conn, out message) message {
	t.Helper()
	if out != nil {
		b, err := json.Marshal(out)
		require.NoError(t, err)
		require.NoError(t, c.Write(ctx, websocket.MessageText, b))
	}
	_, data, err := c.Read(ctx)
	require.NoError(t, err)
	var in message
	require.NoError(t, json.Unmarshal(data, &in))
	return in
}

func TestAuthPhase(t *testing.T) {
	cases := []struct {
		name  string
		auth  message
		reply string
		msg   string
	}{
		{"token accepted", message{"type": "auth", "access_token": Token}, "auth_ok", ""},
		{"token refused", message{"type": "auth", "access_token": "nope"}, "auth_invalid", "Invalid access token or password"},
		{"not an auth message", message{"id": 1, "type": "config/device_registry/list"}, "auth_invalid", "Auth message incorrectly formatted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, fake := NewServer(t)
			c, ctx := dial(t, srv.URL)
			first := exchange(t, ctx, c, nil)
			assert.Equal(t, message{"type": "auth_required", "ha_version": Version}, first)
			reply := exchange(t, ctx, c, tc.auth)
			assert.Equal(t, tc.reply, reply["type"])
			if tc.msg != "" {
				assert.Contains(t, reply["message"], tc.msg)
				_, _, err := c.Read(ctx)
				require.Error(t, err, "the connection ends after auth_invalid")
			}
			assert.Zero(t, fake.Hits("config/device_registry/list"))
		})
	}
}

func TestCommands(t *testing.T) {
	srv, fake := NewServer(t)
	c, ctx := dial(t, srv.URL)
	exchange(t, ctx, c, nil)
	require.Equal(t, "auth_ok", exchange(t, ctx, c, message{"type": "auth", "access_token": Token})["type"])

	res := exchange(t, ctx, c, message{"id": 1, "type": "config/device_registry/list"})
	assert.Equal(t, float64(1), res["id"])
	assert.Equal(t, "result", res["type"])
	assert.Equal(t, true, res["success"])
	assert.Len(t, res["result"], 15)

	res = exchange(t, ctx, c, message{"id": 1, "type": "config/area_registry/list"})
	assert.Equal(t, false, res["success"])
	assert.Equal(t, map[string]any{"code": "id_reuse", "message": "Identifier values have to increase."}, res["error"])

	res = exchange(t, ctx, c, message{"id": 5, "type": "config/device_registry/list_composite_splits"})
	assert.Equal(t, false, res["success"])
	assert.Equal(t, "unknown_command", res["error"].(map[string]any)["code"])

	fake.SetFault("config_entries/get", Fault{Code: "unauthorized", Message: "Unauthorized"})
	res = exchange(t, ctx, c, message{"id": 6, "type": "config_entries/get"})
	assert.Equal(t, map[string]any{"code": "unauthorized", "message": "Unauthorized"}, res["error"])

	require.NoError(t, c.Close(websocket.StatusNormalClosure, ""))
	assert.Eventually(t, func() bool { return fake.ClosedByPeer() == 1 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, 1, fake.Hits("config/device_registry/list"))
	assert.NoError(t, fake.Err())
}

// TestFixturesHaveHomeAssistantsShape checks every recorded entry against
// the keys its release serialises, so that a fixture edited by hand cannot
// drift from what the real API sends: 2025.6 as home-assistant/core writes
// it, 2026.9 with the fields the developer blog's "Device registry
// WebSocket API changes" adds (config_entry_id, config_subentry_id) and
// the child devices' reduced form.
func TestFixturesHaveHomeAssistantsShape(t *testing.T) {
	device2025 := []string{"area_id", "configuration_url", "config_entries", "config_entries_subentries",
		"connections", "created_at", "disabled_by", "entry_type", "hw_version", "id", "identifiers", "labels",
		"manufacturer", "model", "model_id", "modified_at", "name_by_user", "name", "primary_config_entry",
		"serial_number", "sw_version", "via_device_id"}
	device2026 := append([]string{"config_entry_id", "config_subentry_id"}, device2025...)
	child2026 := []string{"id", "parent_device_id", "config_entry_id", "config_subentry_id", "area_id", "name",
		"name_by_user", "labels", "identifiers", "disabled_by", "created_at", "modified_at"}
	common := map[string][]string{
		"config/area_registry/list": {"aliases", "area_id", "floor_id", "humidity_entity_id", "icon", "labels", "name",
			"picture", "temperature_entity_id", "created_at", "modified_at"},
		"config/floor_registry/list": {"aliases", "created_at", "floor_id", "icon", "level", "name", "modified_at"},
		"config_entries/get": {"created_at", "entry_id", "domain", "modified_at", "title", "source", "state",
			"supports_options", "supports_remove_device", "supports_unload", "supports_reconfigure",
			"supported_subentry_types", "pref_disable_new_entities", "pref_disable_polling", "disabled_by", "reason",
			"error_reason_translation_key", "error_reason_translation_placeholders", "num_subentries"},
	}
	for _, fixture := range []string{Home, Home2026_9} {
		shapes := maps.Clone(common)
		shapes["config/device_registry/list"] = device2025
		if fixture == Home2026_9 {
			shapes["config/device_registry/list"] = device2026
		}
		for cmd, keys := range shapes {
			t.Run(fixture+"/"+cmd, func(t *testing.T) {
				raw, err := fs.ReadFile(fixtures, path.Join("testdata", fixture, cmd)+".json")
				require.NoError(t, err)
				var entries []map[string]any
				require.NoError(t, json.Unmarshal(raw, &entries))
				require.NotEmpty(t, entries)
				for i, e := range entries {
					want := keys
					if _, child := e["parent_device_id"]; child && fixture == Home2026_9 {
						want = child2026
					}
					assert.ElementsMatch(t, want, slices.Collect(maps.Keys(e)), "entry %d", i)
				}
			})
		}
	}
	t.Run("splits name devices of before and after", func(t *testing.T) {
		ids := func(fixture string) map[string]bool {
			raw, err := fs.ReadFile(fixtures, path.Join("testdata", fixture, "config/device_registry/list.json"))
			require.NoError(t, err)
			var devices []struct {
				ID string `json:"id"`
			}
			require.NoError(t, json.Unmarshal(raw, &devices))
			out := map[string]bool{}
			for _, d := range devices {
				out[d.ID] = true
			}
			return out
		}
		before, after := ids(Home), ids(Home2026_9)
		raw, err := fs.ReadFile(fixtures, path.Join("testdata", Home2026_9, "config/device_registry/list_composite_splits.json"))
		require.NoError(t, err)
		var splits map[string]map[string]any
		require.NoError(t, json.Unmarshal(raw, &splits))
		require.NotEmpty(t, splits)
		for old, sp := range splits {
			assert.ElementsMatch(t, []string{"split_ids", "primary_id"}, slices.Collect(maps.Keys(sp)))
			assert.True(t, before[old], "composite %s is a device of before the split", old)
			assert.False(t, after[old], "composite %s is no device after the split", old)
			for _, id := range sp["split_ids"].([]any) {
				assert.True(t, after[id.(string)], "split %s is a device after the split", id)
				assert.False(t, before[id.(string)], "split %s is new", id)
			}
		}
	})
	t.Run("device ids unique and connections normalised", func(t *testing.T) {
		raw, err := fs.ReadFile(fixtures, path.Join("testdata", Home, "config/device_registry/list.json"))
		require.NoError(t, err)
		var devices []struct {
			ID          string     `json:"id"`
			Connections [][]string `json:"connections"`
		}
		require.NoError(t, json.Unmarshal(raw, &devices))
		seen := map[string]bool{}
		for _, d := range devices {
			assert.Len(t, d.ID, 32, "registry ids are uuid4 hex")
			assert.False(t, seen[d.ID], "duplicate id %s", d.ID)
			seen[d.ID] = true
			for _, c := range d.Connections {
				require.Len(t, c, 2)
				if c[0] == "mac" {
					// Home Assistant stores MAC connections lower case with colons
					assert.Equal(t, strings.ToLower(c[1]), c[1])
					assert.Len(t, c[1], 17)
				}
			}
		}
	})
}
