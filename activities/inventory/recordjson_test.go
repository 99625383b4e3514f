package inventory

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRecordJSONKnowsEveryField fails when Record gains a field that
// AppendJSON and DecodeRecord do not write and read.
func TestRecordJSONKnowsEveryField(t *testing.T) {
	var names []string
	rt := reflect.TypeFor[Record]()
	for i := range rt.NumField() {
		names = append(names, rt.Field(i).Tag.Get("json"))
	}
	assert.Equal(t, []string{"kind", "key", "source,omitempty", "attrs,omitempty", "refs,omitempty",
		"origin,omitempty", "aliases,omitempty", "stand_in,omitempty"}, names)
}

// jsonRecords are records of every shape AppendJSON writes itself or
// hands to encoding/json.
var jsonRecords = []Record{
	{},
	{Kind: KindDevice, Key: "fs/home/device/nas1"},
	{Kind: KindDevice, Key: "scanner/lan/ip/192.0.2.7/device", StandIn: "scanner/lan/ip/192.0.2.7"},
	{Kind: KindDevice, Key: "k", Source: "home", Attrs: map[string]any{}, Refs: map[string]string{}, Origin: map[string]string{}, Aliases: []string{}},
	{Kind: KindInterface, Key: "k", Source: "s", Attrs: map[string]any{
		"name": "eno1", "mtu": int64(9000), "enabled": true, "mgmt_only": false, "ports": []int64{22, 443}, "none": []int64(nil),
		"tags": []string{"a", "b"}, "notags": []string(nil), "nil": nil, "speed": 2.5, "whole": float64(3), "tiny": 1e-9, "huge": 1e22,
		"number": json.Number("12"), "list": []any{"x", int64(1), map[string]any{"b": 1, "a": "<&>"}}, "int": 7,
		"html": "<b>&</b>", "quote": `say "hi"\`, "ctl": "tab\tnew\nline", "utf8": "é ☃", "bad": "\xff", "sep": "\u2028",
	}, Refs: map[string]string{"device": "fs/home/device/nas1", "z": "", "<": ">"}, Origin: map[string]string{"name": "home"},
		Aliases: []string{"a", "b\"c"}},
}

func TestAppendJSONWritesAsMarshal(t *testing.T) {
	for i := range jsonRecords {
		r := &jsonRecords[i]
		want, err := json.Marshal(r)
		require.NoError(t, err)
		got, err := r.AppendJSON([]byte("prefix"))
		require.NoError(t, err)
		assert.Equal(t, "prefix"+string(want), string(got))
	}
	bad := Record{Kind: KindDevice, Key: "k", Attrs: map[string]any{"x": math.NaN()}}
	_, err := bad.AppendJSON(nil)
	assert.Error(t, err, "what encoding/json refuses fails")
}

// decodeWant is what a json.Decoder with UseNumber makes of data.
func decodeWant(data []byte) (Record, error) {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	err := dec.Decode(&r)
	return r, err
}

var recordTexts = []string{
	`{"kind":"device","key":"k","attrs":{"a":1,"b":[1,{"c":null}],"c":"x"},"refs":{"site":"s"},"origin":{"a":"src"},"aliases":["x"]}`,
	`{"KIND":"device","Key":"k","unknown":{"deep":[1e400]},"source":"s"}`,
	`{"kind":"device","key":"k","attrs":{"a":1},"attrs":{"b":2},"refs":{"x":"1"},"refs":{"y":"2"},"aliases":["a"],"aliases":["b"]}`,
	`{"kind":"device","key":"k","attrs":null,"refs":null,"aliases":null,"source":null}`,
	`{"kind":"device","key":"k","refs":{"x":null}}`,
	`{"kind":"device","key":"k","refs":{"x":1}}`,
	`{"kind":1,"key":"k"}`,
	`{"kind":"device","key":"k","aliases":[1]}`,
	`{"kind":"device","key":"k","aliases":"a"}`,
	`{"kind":"device","key":"k","attrs":[]}`,
	`{"kind":"d\u00e9vice","key":"k\"q"}`,
	`null`,
	`[]`,
	`{"kind":"device",}`,
	`{"kind":"device"} x`,
	`{"kind":"device","key":"k","attrs":{"n":-0.0,"big":123456789012345678901234567890}}`,
}

func TestDecodeRecordReadsAsEncodingJSON(t *testing.T) {
	texts := recordTexts
	for i := range jsonRecords {
		text, err := json.Marshal(&jsonRecords[i])
		require.NoError(t, err)
		texts = append(texts, string(text))
	}
	for _, text := range texts {
		want, wantErr := decodeWant([]byte(text))
		var got Record
		err := DecodeRecord([]byte(text), &got, true)
		if wantErr != nil {
			assert.Error(t, err, text)
			continue
		}
		require.NoError(t, err, text)
		assert.Equal(t, want, got, text)

		want.Origin = nil
		require.NoError(t, DecodeRecord([]byte(text), &got, false), text)
		assert.Equal(t, want, got, "without origins: %s", text)
	}
}

func FuzzDecodeRecord(f *testing.F) {
	for _, text := range recordTexts {
		f.Add([]byte(text))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantErr := decodeWant(data)
		var got Record
		err := DecodeRecord(data, &got, true)
		if wantErr != nil {
			require.Error(t, err)
			return
		}
		require.NoError(t, err)
		assert.Equal(t, want, got)
	})
}
