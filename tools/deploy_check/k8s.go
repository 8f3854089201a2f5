package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// manifest is one decoded Kubernetes object, kept with where it came from.
type manifest struct {
	where  string
	object any
}

var documentSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// newObject returns an empty typed object for apiVersion/kind; nil for a kind Retune does not ship.
func newObject(apiVersion, kind string) any {
	switch apiVersion + "/" + kind {
	case "apps/v1/Deployment":
		return &appsv1.Deployment{}
	case "apps/v1/StatefulSet":
		return &appsv1.StatefulSet{}
	case "batch/v1/Job":
		return &batchv1.Job{}
	case "v1/Service":
		return &corev1.Service{}
	case "v1/ConfigMap":
		return &corev1.ConfigMap{}
	case "v1/Secret":
		return &corev1.Secret{}
	case "v1/PersistentVolumeClaim":
		return &corev1.PersistentVolumeClaim{}
	}
	return nil
}

// checkK8s decodes every manifest under dir strictly and checks that each role is deployed.
func checkK8s(dir string, roles []string) []string {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		return []string{fmt.Sprintf("%s: no *.yaml manifests", dir)}
	}
	sort.Strings(files)
	var problems []string
	var manifests []manifest
	for _, file := range files {
		decoded, fileProblems := decodeFile(file)
		manifests = append(manifests, decoded...)
		problems = append(problems, fileProblems...)
	}
	for _, role := range roles {
		problems = append(problems, checkRole(dir, role, manifests)...)
	}
	return problems
}

func decodeFile(file string) ([]manifest, []string) {
	text, err := os.ReadFile(file)
	if err != nil {
		return nil, []string{fmt.Sprintf("%s: %v", file, err)}
	}
	var manifests []manifest
	var problems []string
	for index, document := range documentSeparator.Split(string(text), -1) {
		where := fmt.Sprintf("%s (document %d)", file, index+1)
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal([]byte(document), &head); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", where, err))
			continue
		}
		if head.APIVersion == "" && head.Kind == "" && strings.TrimSpace(stripComments(document)) == "" {
			continue
		}
		object := newObject(head.APIVersion, head.Kind)
		if object == nil {
			problems = append(problems, fmt.Sprintf("%s: unexpected apiVersion/kind %q/%q", where, head.APIVersion, head.Kind))
			continue
		}
		if err := yaml.UnmarshalStrict([]byte(document), object); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", where, err))
			continue
		}
		manifests = append(manifests, manifest{where: where, object: object})
	}
	return manifests, problems
}

func stripComments(document string) string {
	var kept []string
	for _, line := range strings.Split(document, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}

// checkRole finds the role's Deployment or StatefulSet and Service and checks probes and requests.
func checkRole(dir, role string, manifests []manifest) []string {
	name := "retune-" + role
	var template *corev1.PodTemplateSpec
	var service *corev1.Service
	for _, m := range manifests {
		switch object := m.object.(type) {
		case *appsv1.Deployment:
			if object.Name == name {
				template = &object.Spec.Template
			}
		case *appsv1.StatefulSet:
			if object.Name == name {
				template = &object.Spec.Template
			}
		case *corev1.Service:
			if object.Name == name {
				service = object
			}
		}
	}
	if template == nil {
		return []string{fmt.Sprintf("%s: no Deployment or StatefulSet %q for role %q", dir, name, role)}
	}
	var problems []string
	if service == nil {
		problems = append(problems, fmt.Sprintf("%s: no Service %q for role %q", dir, name, role))
	} else if !selects(service.Spec.Selector, template.Labels) {
		problems = append(problems, fmt.Sprintf("%s: Service %q does not select the pods of role %q", dir, name, role))
	}
	for _, container := range template.Spec.Containers {
		where := fmt.Sprintf("%s: %s container %q", dir, name, container.Name)
		if !containsArg(container.Args, "--role="+role) {
			problems = append(problems, fmt.Sprintf("%s: does not run --role=%s", where, role))
		}
		if !probes(container.LivenessProbe, "/healthz") {
			problems = append(problems, fmt.Sprintf("%s: no liveness probe on /healthz", where))
		}
		if !probes(container.ReadinessProbe, "/readyz") {
			problems = append(problems, fmt.Sprintf("%s: no readiness probe on /readyz", where))
		}
		requests := container.Resources.Requests
		if requests.Cpu().IsZero() || requests.Memory().IsZero() {
			problems = append(problems, fmt.Sprintf("%s: no cpu and memory requests", where))
		}
	}
	return problems
}

func probes(probe *corev1.Probe, path string) bool {
	return probe != nil && probe.HTTPGet != nil && probe.HTTPGet.Path == path
}

func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for key, value := range selector {
		if labels[key] != value {
			return false
		}
	}
	return true
}

func containsArg(args []string, wanted string) bool {
	for _, arg := range args {
		if arg == wanted {
			return true
		}
	}
	return false
}
