package homeassistant

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/homeassistant/hatest"
)

// fuzzCommands are the commands a discovery sends, in the order of the
// fuzz target's arguments.
var fuzzCommands = []string{cmdAreas, cmdFloors, cmdDevices, cmdSplits, cmdConfigEntries}

// messages answers each command with one WebSocket message, in memory.
type messages map[string][]byte

// call decodes the message for cmd as the client decodes what it reads: a
// message that is not a result is skipped by the client, which then waits
// until its timeout.
func (m messages) call(_ context.Context, cmd string, out any) error {
	env, err := decodeMessage(websocket.MessageText, m[cmd])
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if env.Type != msgResult {
		return fmt.Errorf("%s: no answer: %w", cmd, source.ErrUnreachable)
	}
	return env.commandResult(cmd, out)
}

// resultMessage wraps a recorded result the way Home Assistant sends it;
// a command the fixture lacks is answered unknown_command, as the fake does.
func resultMessage(f *testing.F, fixture, cmd string) []byte {
	f.Helper()
	b, err := os.ReadFile(filepath.Join("hatest", "testdata", fixture, filepath.FromSlash(cmd)+".json"))
	if errors.Is(err, os.ErrNotExist) {
		return []byte(`{"id":1,"type":"result","success":false,"error":{"code":"unknown_command","message":"Unknown command."}}`)
	}
	if err != nil {
		f.Fatal(err)
	}
	return []byte(`{"id":1,"type":"result","success":true,"result":` + string(b) + `}`)
}

// FuzzRegistry feeds arbitrary messages as the answers to the registry
// commands (areas, floors, devices, split devices, config entries) through
// the message decoder and the registry reader into the mapping: a
// discovery fails with a classified error, or gives records that are valid,
// unique, refer only to records the snapshot holds, and devices whose names
// fit NetBox and are unique.
func FuzzRegistry(f *testing.F) {
	for _, fixture := range []string{hatest.Home, hatest.Home2026_9} {
		var seed [][]byte
		for _, cmd := range fuzzCommands {
			seed = append(seed, resultMessage(f, fixture, cmd))
		}
		f.Add(seed[0], seed[1], seed[2], seed[3], seed[4])
	}
	ok := func(result string) []byte {
		return []byte(`{"id":1,"type":"result","success":true,"result":` + result + `}`)
	}
	f.Add(ok(`[{"area_id":"a","name":"A","floor_id":"f"},null,{"area_id":""}]`), ok(`[{"floor_id":"f","name":" "}]`),
		ok(`[{"id":"d1","name":"`+strings.Repeat("x", 80)+`","connections":[["mac","AA:BB:CC:DD:EE:FF"],["mac"],5],"identifiers":[["x","1"]],"area_id":"a"},`+
			`{"id":"d2","name":"`+strings.Repeat("x", 80)+`","connections":[["mac","aa:bb:cc:dd:ee:ff"]],"parent_device_id":"d1"},{"id":7}]`),
		ok(`{"old":{"split_ids":["d1","d2"],"primary_id":"d3"},"":{"split_ids":[]}}`),
		[]byte(`{"id":1,"type":"result","success":false,"error":{"code":"unauthorized"}}`))
	f.Add(ok(`{}`), []byte(`{"type":"event"}`), ok(`null`), []byte(`not json`), ok(`[]`))

	s, _ := newSource(f, "fuzz", "wss://127.0.0.1:8123", "")
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, areas, floors, devices, splits, entries []byte) {
		m := messages{}
		for i, b := range [][]byte{areas, floors, devices, splits, entries} {
			m[fuzzCommands[i]] = b
		}
		reg, err := s.read(ctx, m, hatest.Version, source.NewHeartbeat(nil, Progress{}))
		if err != nil {
			var ce *CommandError
			if !errors.As(err, &ce) && !errors.Is(err, source.ErrMalformed) && !errors.Is(err, source.ErrUnreachable) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		snap, st := s.snapshot(reg)
		checkStructure(t, "fuzz", snap)
		if st.reported > len(reg.Devices) {
			t.Fatalf("%d devices reported of %d read", st.reported, len(reg.Devices))
		}
	})
}

// FuzzAuthAnswer feeds arbitrary messages to the auth phase: each is Home
// Assistant's version, an ErrAuth or an ErrMalformed, and an error never
// holds the token, whatever the server echoes.
func FuzzAuthAnswer(f *testing.F) {
	f.Add([]byte(`{"type":"auth_ok","ha_version":"2025.6.3"}`))
	f.Add([]byte(`{"type":"auth_invalid","message":"Invalid access token or password"}`))
	f.Add([]byte(`{"type":"auth_invalid","message":"token ` + hatest.Token + ` refused"}`))
	f.Add([]byte(`{"type":"auth_required","ha_version":"2025.6.3"}`))
	f.Add([]byte(`{"type":"` + hatest.Token + `"}`))
	f.Add([]byte(`{"type":"result","id":1,"success":true,"result":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, msg []byte) {
		env, err := decodeMessage(websocket.MessageText, msg)
		if err == nil {
			_, err = authAnswer(env, hatest.Token)
		}
		if err == nil {
			return
		}
		if !errors.Is(err, source.ErrAuth) && !errors.Is(err, source.ErrMalformed) {
			t.Fatalf("unclassified error: %v", err)
		}
		if strings.Contains(err.Error(), hatest.Token) {
			t.Fatalf("the token in an error: %v", err)
		}
	})
}
