package source

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

type fakeSource struct{ name string }

func (f fakeSource) Discover(context.Context, Progress) (*Snapshot, error) {
	return &Snapshot{Source: f.name}, nil
}

func TestRegistry(t *testing.T) {
	errBadSetting := errors.New("bad setting")
	Register("test-fake", func(cfg Config, _ *zap.Logger) (Source, error) {
		if cfg.Name == "broken" {
			return nil, errBadSetting
		}
		return fakeSource{name: cfg.Name}, nil
	})
	assert.Contains(t, Types(), "test-fake")

	t.Run("builds a registered type", func(t *testing.T) {
		s, err := New(Config{Name: "one", Type: "test-fake"}, zap.NewNop())
		require.NoError(t, err)
		snap, err := s.Discover(context.Background(), nil)
		require.NoError(t, err)
		assert.Equal(t, "one", snap.Source)
	})
	t.Run("unknown type names what is known", func(t *testing.T) {
		_, err := New(Config{Name: "two", Type: "nope"}, zap.NewNop())
		require.ErrorIs(t, err, ErrUnknownType)
		assert.ErrorContains(t, err, `source "two"`)
		assert.ErrorContains(t, err, "test-fake")
	})
	t.Run("factory errors name the instance", func(t *testing.T) {
		_, err := New(Config{Name: "broken", Type: "test-fake"}, zap.NewNop())
		require.ErrorIs(t, err, errBadSetting)
		assert.ErrorContains(t, err, `source "broken"`)
	})
	t.Run("registering twice panics", func(t *testing.T) {
		assert.Panics(t, func() { Register("test-fake", nil) })
	})
}
