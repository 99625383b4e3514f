package config

import (
	"fmt"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"
)

// ClientOptions are the Temporal client options of a process: address,
// namespace, and the process's logger behind the SDK's logging.
func (t Temporal) ClientOptions(log *zap.Logger, metrics client.MetricsHandler) client.Options {
	return client.Options{
		HostPort:       t.Address,
		Namespace:      t.Namespace,
		Logger:         temporalLogger{log.WithOptions(zap.AddCallerSkip(1)).Named("temporal")},
		MetricsHandler: metrics,
	}
}

// temporalLogger adapts zap to the SDK's key-value logger.
type temporalLogger struct{ z *zap.Logger }

func (l temporalLogger) Debug(msg string, kv ...any) { l.z.Debug(msg, fields(kv)...) }
func (l temporalLogger) Info(msg string, kv ...any)  { l.z.Info(msg, fields(kv)...) }
func (l temporalLogger) Warn(msg string, kv ...any)  { l.z.Warn(msg, fields(kv)...) }
func (l temporalLogger) Error(msg string, kv ...any) { l.z.Error(msg, fields(kv)...) }

func fields(kv []any) []zap.Field {
	out := make([]zap.Field, 0, len(kv)/2+1)
	for i := 0; i+1 < len(kv); i += 2 {
		key, ok := kv[i].(string)
		if !ok {
			key = fmt.Sprint(kv[i])
		}
		out = append(out, zap.Any(key, kv[i+1]))
	}
	if len(kv)%2 == 1 {
		out = append(out, zap.Any("extra", kv[len(kv)-1]))
	}
	return out
}
