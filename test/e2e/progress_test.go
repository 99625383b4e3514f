package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/config"
)

// TestStarterWaitPrintsPlainProgress runs `starter sync --wait` with its
// output in a pipe, as CI and the journal see it: one plain line a change,
// in the order the run went, no carriage returns, then the summary. One
// source answers; the other refuses every connection, so its discovery is
// retried before it fails.
func TestStarterWaitPrintsPlainProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the starter binary")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	e := newEnv(t, fmt.Sprintf(`
sync:
  apply_concurrency: 4
  retry:
    initial_interval: 1s
    backoff_coefficient: 1
    maximum_interval: 1s
    maximum_attempts: 3
sources:
  - name: lab-files
    type: filesystem
    path: %s
  - name: house
    type: homeassistant
    url: %s
    site: Home
`, repoPath(t, "examples/inventory"), refused), config.SecretEnv("house", "token")+"=e2e-ha-token")
	starter := buildCommand(t, "starter")

	cfgPath := filepath.Join(t.TempDir(), "netbox-agent.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(e.configYAML), 0o600))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	id := "e2e-progress-" + e.queue
	cmd := exec.CommandContext(ctx, starter, "sync", "--wait", "--id", id, "--config", cfgPath)
	cmd.Env = append(os.Environ(), e.environ()...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "%s%s", out, stderr.String())
	got := string(out)
	t.Logf("starter sync --wait:\n%s", got)

	assert.NotContains(t, got, "\r", "no carriage return in a pipe")
	assert.NotContains(t, got, "\x1b", "no terminal codes in a pipe")
	assert.NotContains(t, got, "e2e-ha-token")
	// Each line that matters, in the order the run went through them.
	inOrder := []string{
		`^started ` + regexp.QuoteMeta(id) + ` \(run [0-9a-f-]+\)$`,
		`^\d\d:\d\d phase: discovering \(2 sources\)$`,
		`^\d\d:\d\d source lab-files \(filesystem\): ok, \d+ records, \d+ warnings$`,
		`^\d\d:\d\d source house \(homeassistant\): retrying, attempt [23]; the last one failed: .*` + regexp.QuoteMeta(l.Addr().String()),
		`^\d\d:\d\d source house \(homeassistant\): failed: SourceUnreachable: .*`,
		`^\d\d:\d\d phase: done \(\d+/\d+ batches, [1-9]\d* created, \d+ updated, 0 deleted, 0 failed, 0 skipped(, \d+ objects/s)?\)$`,
		`^sync ` + regexp.QuoteMeta(id) + ` finished$`,
		`^SOURCE +TYPE +STATUS +RECORDS +WARNINGS +ERROR$`,
		`^applied: [1-9]\d* created, \d+ updated, 0 deleted, 0 unchanged; (\d+)/(\d+) batches done, 0 failed`,
	}
	lines := strings.Split(got, "\n")
	at := 0
	for _, pattern := range inOrder {
		re := regexp.MustCompile(pattern)
		for at < len(lines) && !re.MatchString(lines[at]) {
			at++
		}
		require.Less(t, at, len(lines), "no line matches %s after the ones before it in:\n%s", pattern, got)
		at++
	}

	status := exec.CommandContext(ctx, starter, "status", "--id", id, "--config", cfgPath)
	status.Env = cmd.Env
	out, err = status.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Regexp(t, `^`+regexp.QuoteMeta(id)+`: \d\d:\d\d done \| sources 2/2 \(1 failed\) \| batches (\d+)/(\d+)\n$`, string(out))
}
