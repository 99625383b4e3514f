package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWorkerSettingsValidated(t *testing.T) {
	for _, tc := range []struct {
		name    string
		environ []string
		want    string
	}{
		{"pprof on loopback", []string{"NETBOX_AGENT_WORKER_PPROF_LISTEN=127.0.0.1:6060"}, ""},
		{"pprof on localhost", []string{"NETBOX_AGENT_WORKER_PPROF_LISTEN=localhost:6060"}, ""},
		{"pprof on every interface", []string{"NETBOX_AGENT_WORKER_PPROF_LISTEN=0.0.0.0:6060"}, "worker.pprof_listen: 0.0.0.0:6060 is not a loopback address"},
		{"pprof without a port", []string{"NETBOX_AGENT_WORKER_PPROF_LISTEN=127.0.0.1"}, "worker.pprof_listen"},
		{"negative memory limit", []string{"NETBOX_AGENT_WORKER_MEMORY_LIMIT_MB=-1"}, "worker.memory_limit_mb"},
		{"no run timeout", []string{"NETBOX_AGENT_SYNC_RUN_TIMEOUT=0"}, "sync.run_timeout: must be positive"},
		{"no remote start timeout", []string{"NETBOX_AGENT_SYNC_REMOTE_START_TIMEOUT=0"}, "sync.remote_start_timeout"},
		{"run shorter than review", []string{"NETBOX_AGENT_REVIEW_MODE=required", "NETBOX_AGENT_REVIEW_TIMEOUT=6h"},
			"sync.run_timeout: must be longer than review.timeout (6h) when review is required, got 6h"},
		{"run longer than review", []string{"NETBOX_AGENT_REVIEW_MODE=required", "NETBOX_AGENT_REVIEW_TIMEOUT=1h"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("", nil, tc.environ)
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestBlobURLValidated(t *testing.T) {
	for _, tc := range []struct {
		name, url, want string
	}{
		{"s3 bucket", "s3://netbox-agent?region=eu-west-1", ""},
		{"s3 bucket with an endpoint", "s3://netbox-agent?endpoint=http://127.0.0.1:9000&use_path_style=true", ""},
		{"s3 without a bucket", "s3:///?region=eu-west-1", "blob_url: s3 URL needs a bucket"},
		{"other scheme", "gs://bucket", `blob_url: scheme must be file, mem or s3, got "gs"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("", nil, []string{"NETBOX_AGENT_BLOB_URL=" + tc.url})
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestBlobRetentionValidated(t *testing.T) {
	for _, tc := range []struct {
		name    string
		environ []string
		want    string
	}{
		{"default", nil, ""},
		{"forever", []string{"NETBOX_AGENT_BLOB_RETENTION=0"}, ""},
		{"negative", []string{"NETBOX_AGENT_BLOB_RETENTION=-1h"}, "blob_retention: must not be negative"},
		{"shorter than a run", []string{"NETBOX_AGENT_BLOB_RETENTION=2h"}, "blob_retention: must be longer than sync.run_timeout (6h), got 2h"},
		{"shorter than a plan may wait", []string{"NETBOX_AGENT_BLOB_RETENTION=12h"}, "blob_retention: must be longer than review.plan_max_age (1d), got 12h"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("", nil, tc.environ)
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tc.want)
		})
	}
}
