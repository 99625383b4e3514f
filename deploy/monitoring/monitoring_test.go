// Package monitoring tests the Prometheus rules and scrape configuration
// beside it with promtool, and that every metric the rules use is one the
// worker emits.
package monitoring

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/netbox-agent/netbox-agent/metrics"
)

// promtool is Debian's (package prometheus); CI installs it, and there the
// tests must run.
func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool is missing in CI: .ci/run installs Debian's prometheus package")
		}
		t.Skip("promtool is missing (apt-get install prometheus)")
	}
	return p
}

func TestAlertRules(t *testing.T) {
	for _, args := range [][]string{
		{"check", "config", "prometheus.yaml"},
		{"test", "rules", "alerts_test.yaml"},
	} {
		out, err := exec.Command(promtool(t), args...).CombinedOutput()
		require.NoError(t, err, "promtool %s:\n%s", strings.Join(args, " "), out)
	}
}

// TestEveryAlertIsTested: each alert has a promtool test that fires it.
func TestEveryAlertIsTested(t *testing.T) {
	tests, err := os.ReadFile("alerts_test.yaml")
	require.NoError(t, err)
	for _, r := range rules(t) {
		assert.Regexp(t, `alertname: `+r.Alert+`\s+eval_time: \S+\s+exp_alerts:\s+- exp_labels`, string(tests), "%s has no test that fires it", r.Alert)
	}
}

// TestJobLabelIsScraped: the job the rules name is the one the scrape
// configuration scrapes the workers under.
func TestJobLabelIsScraped(t *testing.T) {
	var cfg struct {
		ScrapeConfigs []struct {
			JobName string `yaml:"job_name"`
		} `yaml:"scrape_configs"`
	}
	b, err := os.ReadFile("prometheus.yaml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &cfg))
	require.Len(t, cfg.ScrapeConfigs, 1)
	for _, r := range rules(t) {
		for _, m := range regexp.MustCompile(`job="([^"]*)"`).FindAllStringSubmatch(r.Expr, -1) {
			assert.Equal(t, cfg.ScrapeConfigs[0].JobName, m[1], r.Alert)
		}
	}
}

// TestRulesAndDashboardUseEmittedMetrics: every metric a rule or a
// dashboard panel reads is on the worker's registry once the activities
// recorded what they record (up is Prometheus's own).
func TestRulesAndDashboardUseEmittedMetrics(t *testing.T) {
	m, err := metrics.New()
	require.NoError(t, err)
	m.Discovered(metrics.Discovery{Source: "pve", Duration: time.Second, ByKind: map[string]int{"device": 1}})
	m.Discovered(metrics.Discovery{Source: "nas", Duration: time.Second, Failed: true, ErrorType: "SourceAuth"})
	// pve synced; nas's addresses were held back by the guard (the guard's
	// series exist for the kinds it blocked).
	m.RunEnded(metrics.Run{Started: time.Now().Add(-time.Minute), End: time.Now(), Sources: []metrics.SourceRun{
		{Name: "pve", OK: true}, {Name: "nas", OK: true, GuardBlocked: true, BlockedKinds: []string{"ip_address"}},
	}, Created: 1, BatchesDone: 1, Orphaned: map[string]int{"device": 1}})
	m.BatchApplied(metrics.Batch{Kind: "device", Op: "create", Duration: time.Second, Created: 1})
	m.DependencyUp("netbox", true)
	m.ScheduleSkipped("netbox-agent-sync", 1)
	m.Request("GET", "status", 200, time.Millisecond)
	fams, err := m.Registry().Gather()
	require.NoError(t, err)
	have := map[string]bool{"up": true}
	for _, f := range fams {
		have[f.GetName()] = true
		if f.GetType().String() == "HISTOGRAM" {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				have[f.GetName()+s] = true
			}
		}
	}
	exprs := map[string]string{}
	for _, r := range rules(t) {
		exprs["alert "+r.Alert] = r.Expr
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	b, err := os.ReadFile("dashboard.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &dash))
	require.NotEmpty(t, dash.Panels)
	for _, p := range dash.Panels {
		require.NotEmpty(t, p.Targets, p.Title)
		for i, tg := range p.Targets {
			exprs[fmt.Sprintf("panel %q query %d", p.Title, i)] = tg.Expr
		}
	}
	for what, expr := range exprs {
		names := metrics.ExprMetricNames(expr)
		require.NotEmpty(t, names, what)
		for _, n := range names {
			assert.True(t, have[n], "%s reads %s, which the worker does not emit", what, n)
		}
	}
}

type rule struct {
	Alert string `yaml:"alert"`
	Expr  string `yaml:"expr"`
}

func rules(t *testing.T) []rule {
	t.Helper()
	var f struct {
		Groups []struct {
			Rules []rule `yaml:"rules"`
		} `yaml:"groups"`
	}
	b, err := os.ReadFile("alerts.yaml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &f))
	var out []rule
	for _, g := range f.Groups {
		out = append(out, g.Rules...)
	}
	require.NotEmpty(t, out)
	sort.Slice(out, func(i, j int) bool { return out[i].Alert < out[j].Alert })
	return out
}
