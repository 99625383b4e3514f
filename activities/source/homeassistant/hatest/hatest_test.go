package hatest

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"path"
	"sort"
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

	res = exchange(t, ctx, c, message{"id": 5, "type": "config/floor_registry/list"})
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
// the keys Home Assistant 2025.6 serialises, so that a fixture edited by
// hand cannot drift from what the real API sends.
func TestFixturesHaveHomeAssistantsShape(t *testing.T) {
	shapes := map[string][]string{
		"config/device_registry/list": {"area_id", "configuration_url", "config_entries", "config_entries_subentries",
			"connections", "created_at", "disabled_by", "entry_type", "hw_version", "id", "identifiers", "labels",
			"manufacturer", "model", "model_id", "modified_at", "name_by_user", "name", "primary_config_entry",
			"serial_number", "sw_version", "via_device_id"},
		"config/area_registry/list": {"aliases", "area_id", "floor_id", "humidity_entity_id", "icon", "labels", "name",
			"picture", "temperature_entity_id", "created_at", "modified_at"},
		"config_entries/get": {"created_at", "entry_id", "domain", "modified_at", "title", "source", "state",
			"supports_options", "supports_remove_device", "supports_unload", "supports_reconfigure",
			"supported_subentry_types", "pref_disable_new_entities", "pref_disable_polling", "disabled_by", "reason",
			"error_reason_translation_key", "error_reason_translation_placeholders", "num_subentries"},
	}
	for cmd, keys := range shapes {
		t.Run(cmd, func(t *testing.T) {
			raw, err := fs.ReadFile(fixtures, path.Join("testdata", Home, cmd)+".json")
			require.NoError(t, err)
			var entries []map[string]any
			require.NoError(t, json.Unmarshal(raw, &entries))
			require.NotEmpty(t, entries)
			want := append([]string(nil), keys...)
			sort.Strings(want)
			for i, e := range entries {
				var got []string
				for k := range e {
					got = append(got, k)
				}
				sort.Strings(got)
				assert.Equal(t, want, got, "entry %d", i)
			}
		})
	}
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
