package kubernetes

import (
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	_ "github.com/netbox-agent/netbox-agent/activities/source/all" // the config names source types
	"github.com/netbox-agent/netbox-agent/config"
	"github.com/netbox-agent/netbox-agent/deploy/deploytest"
)

// mounted maps each file a container sees from a ConfigMap or Secret to
// where it comes from ("configmap/netbox-agent:netbox-agent.yaml").
func mounted(t *testing.T, m manifests, pod corev1.PodSpec, c corev1.Container) map[string]string {
	t.Helper()
	vols := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		vols[v.Name] = v
	}
	files := map[string]string{}
	for _, vm := range c.VolumeMounts {
		v, ok := vols[vm.Name]
		require.True(t, ok, "%s mounts volume %s, which the pod lacks", c.Name, vm.Name)
		var keys []string
		var from string
		switch {
		case v.ConfigMap != nil:
			cm, ok := m.configMaps[v.ConfigMap.Name]
			require.True(t, ok, "configmap %s", v.ConfigMap.Name)
			from = "configmap/" + cm.Name
			for k := range cm.Data {
				keys = append(keys, k)
			}
		case v.Secret != nil:
			s, ok := m.secrets[v.Secret.SecretName]
			require.True(t, ok, "secret %s (netbox-agent-secret.yaml.example)", v.Secret.SecretName)
			from = "secret/" + s.Name
			for k := range s.StringData {
				keys = append(keys, k)
			}
			for k := range s.Data {
				keys = append(keys, k)
			}
		default:
			continue
		}
		for _, k := range keys {
			switch {
			case vm.SubPath == k:
				files[vm.MountPath] = from + ":" + k
			case vm.SubPath == "":
				files[path.Join(vm.MountPath, k)] = from + ":" + k
			}
		}
		if vm.SubPath != "" {
			require.Contains(t, keys, vm.SubPath, "%s: subPath of %s", c.Name, vm.Name)
		}
		assert.True(t, vm.ReadOnly, "%s: %s mounted read-only", c.Name, vm.Name)
	}
	return files
}

// loadConfig writes the config the ConfigMap carries where the container
// sees it and loads it with the container's environment, as the worker does.
func loadConfig(t *testing.T, m manifests, files map[string]string, file string) (*config.Config, map[string]any) {
	t.Helper()
	from, ok := files[file]
	require.True(t, ok, "%s is mounted from a ConfigMap", file)
	name, key, _ := strings.Cut(strings.TrimPrefix(from, "configmap/"), ":")
	text := m.configMaps[name].Data[key]
	p := filepath.Join(t.TempDir(), "netbox-agent.yaml")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
	cfg, err := config.Load(p, nil, nil)
	require.NoError(t, err, "the ConfigMap's config loads and validates")
	var raw map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(text), &raw))
	return cfg, raw
}

// secretFiles lists every *_file setting (but ca_file) of the config.
func secretFiles(raw any, key string, out map[string]string) {
	switch v := raw.(type) {
	case map[string]any:
		for k, x := range v {
			secretFiles(x, key+"."+k, out)
		}
	case []any:
		for i, x := range v {
			secretFiles(x, key+"["+strconv.Itoa(i)+"]", out)
		}
	case string:
		if strings.HasSuffix(key, "_file") && !strings.HasSuffix(key, ".ca_file") && v != "" {
			out[strings.TrimPrefix(key, ".")] = v
		}
	}
}

// urlPorts are the TCP ports the config dials: Temporal, NetBox, sources.
func urlPorts(t *testing.T, cfg *config.Config, raw map[string]any) map[int32]string {
	t.Helper()
	ports := map[int32]string{}
	_, p, err := net.SplitHostPort(cfg.Temporal.Address)
	require.NoError(t, err)
	ports[port(t, p)] = "temporal"
	add := func(what, raw string) {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		p := u.Port()
		if p == "" {
			p = map[string]string{"https": "443", "http": "80", "wss": "443", "ws": "80"}[u.Scheme]
		}
		ports[port(t, p)] = what
	}
	add("netbox", cfg.NetBox.URL)
	sources, _ := raw["sources"].([]any)
	for _, s := range sources {
		if u, ok := s.(map[string]any)["url"].(string); ok {
			add("source "+s.(map[string]any)["name"].(string), u)
		}
	}
	return ports
}

func port(t *testing.T, s string) int32 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 32)
	require.NoError(t, err)
	return int32(n)
}

func selects(t *testing.T, sel *metav1.LabelSelector, l map[string]string) bool {
	t.Helper()
	s, err := metav1.LabelSelectorAsSelector(sel)
	require.NoError(t, err)
	return !s.Empty() && s.Matches(labels.Set(l))
}

func lockedDown(t *testing.T, pod corev1.PodSpec, c corev1.Container) {
	t.Helper()
	ps := pod.SecurityContext
	require.NotNil(t, ps)
	assert.True(t, *ps.RunAsNonRoot)
	assert.Positive(t, *ps.RunAsUser)
	sc := c.SecurityContext
	require.NotNil(t, sc, c.Name)
	assert.True(t, *sc.ReadOnlyRootFilesystem, c.Name)
	assert.False(t, *sc.AllowPrivilegeEscalation, c.Name)
	assert.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop, c.Name)
	assert.Empty(t, sc.Capabilities.Add, c.Name)
	assert.False(t, *pod.AutomountServiceAccountToken, "the agent never talks to the Kubernetes API")
	assert.NotNil(t, c.Resources.Requests.Cpu(), c.Name)
	assert.False(t, c.Resources.Limits.Memory().IsZero(), "%s: a memory limit", c.Name)
}

func TestWorker(t *testing.T) {
	m := load(t)
	require.Contains(t, m.deployments, "netbox-agent-worker")
	d := m.deployments["netbox-agent-worker"]
	pod := d.Spec.Template.Spec
	require.Len(t, pod.Containers, 1)
	c := pod.Containers[0]
	require.True(t, selects(t, d.Spec.Selector, d.Spec.Template.Labels))
	lockedDown(t, pod, c)

	require.Len(t, c.Args, 2)
	require.Equal(t, "--config", c.Args[0])
	files := mounted(t, m, pod, c)
	cfg, raw := loadConfig(t, m, files, c.Args[1])

	t.Run("secret files are keys of the mounted Secret", func(t *testing.T) {
		want := map[string]string{}
		secretFiles(raw, "", want)
		require.NotEmpty(t, want)
		for key, file := range want {
			assert.Contains(t, files[file], "secret/", "%s: %s is a key of a mounted Secret", key, file)
		}
		assert.Equal(t, "/etc/netbox-agent/secrets/netbox-token", cfg.NetBox.TokenFile)
	})

	t.Run("data_dir is a volume that outlives the pod", func(t *testing.T) {
		var vol string
		for _, vm := range c.VolumeMounts {
			if vm.MountPath == cfg.DataDir {
				vol = vm.Name
				assert.False(t, vm.ReadOnly)
			}
		}
		require.NotEmpty(t, vol, "data_dir %s is mounted", cfg.DataDir)
		for _, v := range pod.Volumes {
			if v.Name == vol {
				require.NotNil(t, v.PersistentVolumeClaim, "data_dir is a claim: a resumed run reads the blobs of the last pod")
				assert.Contains(t, m.pvcs, v.PersistentVolumeClaim.ClaimName)
			}
		}
		assert.Equal(t, "Recreate", string(d.Spec.Strategy.Type), "a ReadWriteOnce claim moves from the old pod to the new")
	})

	t.Run("probes and the metrics port", func(t *testing.T) {
		host, p, err := net.SplitHostPort(cfg.Worker.Listen)
		require.NoError(t, err)
		assert.True(t, net.ParseIP(host).IsUnspecified(), "worker.listen %s: the kubelet reaches it", cfg.Worker.Listen)
		require.Len(t, c.Ports, 1)
		assert.Equal(t, port(t, p), c.Ports[0].ContainerPort)
		for probe, want := range map[*corev1.Probe]string{c.LivenessProbe: "/healthz", c.ReadinessProbe: "/readyz"} {
			require.NotNil(t, probe)
			require.NotNil(t, probe.HTTPGet)
			assert.Equal(t, want, probe.HTTPGet.Path)
			assert.Equal(t, c.Ports[0].Name, probe.HTTPGet.Port.String())
		}
		svc := m.services["netbox-agent-metrics"]
		require.NotNil(t, svc)
		assert.True(t, labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)))
		assert.Equal(t, c.Ports[0].Name, svc.Spec.Ports[0].TargetPort.String())
	})

	t.Run("memory limit above the Go soft limit", func(t *testing.T) {
		limit := c.Resources.Limits.Memory().Value()
		soft := resource.NewQuantity(int64(cfg.Worker.MemoryLimitMB)<<20, resource.BinarySI).Value()
		assert.Less(t, soft, limit*9/10, "memory_limit_mb %d leaves room under %s", cfg.Worker.MemoryLimitMB, c.Resources.Limits.Memory())
	})

	t.Run("graceful stop", func(t *testing.T) {
		assert.Greater(t, *pod.TerminationGracePeriodSeconds, int64(cfg.Worker.ShutdownTimeout.Seconds()))
	})

	t.Run("disruption budget", func(t *testing.T) {
		pdb := m.pdbs["netbox-agent-worker"]
		require.NotNil(t, pdb)
		assert.True(t, selects(t, pdb.Spec.Selector, d.Spec.Template.Labels))
		require.NotNil(t, pdb.Spec.MaxUnavailable, "a single worker's node can be drained")
	})

	t.Run("network policy", func(t *testing.T) {
		np := m.policies["netbox-agent"]
		require.NotNil(t, np)
		assert.True(t, selects(t, &np.Spec.PodSelector, d.Spec.Template.Labels))
		assert.True(t, selects(t, &np.Spec.PodSelector, m.jobs["netbox-agent-schedule"].Spec.Template.Labels))
		assert.ElementsMatch(t, []string{"Ingress", "Egress"}, []string{string(np.Spec.PolicyTypes[0]), string(np.Spec.PolicyTypes[1])})
		var in []int32
		for _, r := range np.Spec.Ingress {
			require.NotEmpty(t, r.Ports, "ingress names its ports")
			for _, p := range r.Ports {
				in = append(in, p.Port.IntVal)
			}
		}
		assert.Equal(t, []int32{c.Ports[0].ContainerPort}, in, "ingress only to the metrics and health port")
		out := map[int32]bool{}
		dns := map[corev1.Protocol]bool{}
		for _, r := range np.Spec.Egress {
			require.NotEmpty(t, r.To, "egress names its peers")
			for _, p := range r.Ports {
				out[p.Port.IntVal] = true
				if p.Port.IntVal == 53 {
					dns[*p.Protocol] = true
				}
			}
		}
		assert.Equal(t, map[corev1.Protocol]bool{"UDP": true, "TCP": true}, dns, "DNS")
		for p, what := range urlPorts(t, cfg, raw) {
			assert.True(t, out[p], "egress to %s on port %d", what, p)
		}
	})

	t.Run("args are the worker's flags", func(t *testing.T) {
		deploytest.Build(t).WorkerAccepts(t, c.Args)
	})
}

func TestScheduleJob(t *testing.T) {
	m := load(t)
	j := m.jobs["netbox-agent-schedule"]
	require.NotNil(t, j)
	pod := j.Spec.Template.Spec
	require.Len(t, pod.Containers, 1)
	c := pod.Containers[0]
	lockedDown(t, pod, c)
	worker := m.deployments["netbox-agent-worker"].Spec.Template.Spec.Containers[0]
	assert.Equal(t, worker.Image, c.Image, "the starter is in the worker's image")
	assert.Equal(t, []string{"/usr/local/bin/starter"}, c.Command)
	assert.Equal(t, corev1.RestartPolicyOnFailure, pod.RestartPolicy, "retried until Temporal answers")

	files := mounted(t, m, pod, c)
	var cfgFile string
	for i, a := range c.Args {
		if a == "--config" && i+1 < len(c.Args) {
			cfgFile = c.Args[i+1]
		}
	}
	cfg, _ := loadConfig(t, m, files, cfgFile)
	wcfg, _ := loadConfig(t, m, mounted(t, m, m.deployments["netbox-agent-worker"].Spec.Template.Spec, worker), worker.Args[1])
	assert.Equal(t, wcfg.Temporal, cfg.Temporal, "the schedule starts runs where the worker polls")
	assert.Equal(t, []string{"schedule", "ensure"}, c.Args[:2])

	t.Run("args are the starter's flags", func(t *testing.T) {
		deploytest.Build(t).StarterAccepts(t, c.Args)
	})
}
