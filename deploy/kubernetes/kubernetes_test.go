// Package kubernetes tests the manifests beside it offline: every document
// decodes strictly into its Kubernetes type (an unknown field fails), and
// what refers to something else finds it: the ConfigMap and Secret keys
// mounted, the probes' port, the config the ConfigMap carries (loaded and
// validated by the project's own loader), the binaries' flags, the
// selectors and the network policy's ports.
package kubernetes

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/stretchr/testify/require"
)

// manifests are the objects of the files, by kind and name.
type manifests struct {
	configMaps  map[string]*corev1.ConfigMap
	secrets     map[string]*corev1.Secret
	deployments map[string]*appsv1.Deployment
	jobs        map[string]*batchv1.Job
	services    map[string]*corev1.Service
	pvcs        map[string]*corev1.PersistentVolumeClaim
	pdbs        map[string]*policyv1.PodDisruptionBudget
	policies    map[string]*networkingv1.NetworkPolicy
}

// scheme knows the API groups the manifests may use, each kind under its
// own apiVersion only.
func scheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme, policyv1.AddToScheme, networkingv1.AddToScheme} {
		require.NoError(t, add(s))
	}
	return s
}

// decodeFile decodes every document of file strictly: an unknown field, a
// duplicate key, a kind unknown under its apiVersion or a value of the
// wrong type fails.
func decodeFile(s *runtime.Scheme, file string) ([]runtime.Object, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := utilyaml.NewYAMLReader(bufio.NewReader(f))
	var out []runtime.Object
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		var tm struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal(doc, &tm); err != nil {
			return nil, fmt.Errorf("%s document %d: %w", file, i+1, err)
		}
		gv, err := schema.ParseGroupVersion(tm.APIVersion)
		if err != nil {
			return nil, fmt.Errorf("%s document %d: %w", file, i+1, err)
		}
		obj, err := s.New(gv.WithKind(tm.Kind))
		if err != nil {
			return nil, fmt.Errorf("%s document %d: %w", file, i+1, err)
		}
		if err := decodeStrict(doc, obj); err != nil {
			return nil, fmt.Errorf("%s document %d (%s): %w", file, i+1, tm.Kind, err)
		}
		out = append(out, obj)
	}
}

// decodeStrict decodes a YAML document into obj as the API server's strict
// field validation does: a duplicate key, or a field unknown to obj's type,
// including one in the wrong case (hostnetwork), is an error.
// yaml.UnmarshalStrict alone would take the wrong case: encoding/json
// matches field names without regard to case.
func decodeStrict(doc []byte, obj runtime.Object) error {
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	strict, err := kjson.UnmarshalStrict(j, obj, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

// stripComments drops the comment lines of a YAML document.
func stripComments(doc []byte) []byte {
	var out []byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			out = append(out, line...)
			out = append(out, '\n')
		}
	}
	return out
}

// load decodes the manifests and the Secret template.
func load(t *testing.T) manifests {
	t.Helper()
	s := scheme(t)
	m := manifests{
		configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{},
		deployments: map[string]*appsv1.Deployment{}, jobs: map[string]*batchv1.Job{},
		services: map[string]*corev1.Service{}, pvcs: map[string]*corev1.PersistentVolumeClaim{},
		pdbs: map[string]*policyv1.PodDisruptionBudget{}, policies: map[string]*networkingv1.NetworkPolicy{},
	}
	files, err := filepath.Glob("*.yaml")
	require.NoError(t, err)
	files = append(files, "netbox-agent-secret.yaml.example")
	for _, file := range files {
		objs, err := decodeFile(s, file)
		require.NoError(t, err)
		for _, obj := range objs {
			switch o := obj.(type) {
			case *corev1.ConfigMap:
				m.configMaps[o.Name] = o
			case *corev1.Secret:
				m.secrets[o.Name] = o
			case *appsv1.Deployment:
				m.deployments[o.Name] = o
			case *batchv1.Job:
				m.jobs[o.Name] = o
			case *corev1.Service:
				m.services[o.Name] = o
			case *corev1.PersistentVolumeClaim:
				m.pvcs[o.Name] = o
			case *policyv1.PodDisruptionBudget:
				m.pdbs[o.Name] = o
			case *networkingv1.NetworkPolicy:
				m.policies[o.Name] = o
			default:
				t.Fatalf("%s: no check for %T", file, obj)
			}
		}
	}
	return m
}

// TestDecodingIsStrict: the decoding the checks rely on refuses an unknown
// field, a kind under the wrong apiVersion and a value of the wrong type.
func TestDecodingIsStrict(t *testing.T) {
	s := scheme(t)
	for _, tc := range []struct{ name, doc, err string }{
		{"unknown field", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndatta: {}\n", "datta"},
		{"field in the wrong case", "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {clusterip: None}\n", "clusterip"},
		{"duplicate key", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\ndata: {c: d}\n", "data"},
		{"nested unknown field", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replica: 1}\n", "replica"},
		{"wrong apiVersion", "apiVersion: v1\nkind: Deployment\nmetadata: {name: x}\n", "Deployment"},
		{"wrong type", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: x}\nspec: {selector: all}\n", "selector"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "x.yaml")
			require.NoError(t, os.WriteFile(file, []byte(tc.doc), 0o600))
			_, err := decodeFile(s, file)
			require.ErrorContains(t, err, tc.err)
		})
	}
}
