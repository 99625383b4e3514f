package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "0", want: 0},
		{in: "90s", want: 90 * time.Second},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "30d", want: 30 * 24 * time.Hour},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "1.5d", want: 36 * time.Hour},
		{in: "0d", want: 0},
		{in: "-1d", want: -24 * time.Hour},
		{in: "-1d12h", want: -36 * time.Hour},
		{in: " 5m ", want: 5 * time.Minute},
		{in: "", wantErr: true},
		{in: "30", wantErr: true},
		{in: "d", wantErr: true},
		{in: "12h1d", wantErr: true},
		{in: "1d-2h", wantErr: true},
		{in: "1e3d", wantErr: true},
		{in: "2dd", wantErr: true},
		{in: "soon", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Duration)
		})
	}
}

func TestDurationString(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0"},
		{30 * time.Second, "30s"},
		{90 * time.Second, "1m30s"},
		{time.Minute, "1m"},
		{time.Hour, "1h"},
		{time.Hour + 10*time.Second, "1h0m10s"},
		{500 * time.Millisecond, "500ms"},
		{30 * 24 * time.Hour, "30d"},
		{36 * time.Hour, "1d12h"},
		{24*time.Hour + time.Minute, "1d1m"},
		{-36 * time.Hour, "-1d12h"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			d := Duration{tt.in}
			assert.Equal(t, tt.want, d.String())
			back, err := ParseDuration(d.String())
			require.NoError(t, err)
			assert.Equal(t, tt.in, back.Duration, "String must read back")
		})
	}
}

func TestDurationYAML(t *testing.T) {
	var v struct {
		Grace Duration `yaml:"grace"`
	}
	require.NoError(t, yaml.Unmarshal([]byte("grace: 7d\n"), &v))
	assert.Equal(t, 7*24*time.Hour, v.Grace.Duration)
	require.Error(t, yaml.Unmarshal([]byte("grace: [1]\n"), &v))

	out, err := yaml.Marshal(v)
	require.NoError(t, err)
	assert.Equal(t, "grace: 7d\n", string(out))
	v.Grace = Duration{}
	out, err = yaml.Marshal(v)
	require.NoError(t, err)
	assert.Equal(t, "grace: 0\n", string(out))
}
