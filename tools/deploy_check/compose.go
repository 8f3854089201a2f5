package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// checkCompose loads the compose file as `docker compose config` would and checks every role.
func checkCompose(path string, roles []string) []string {
	options, err := cli.NewProjectOptions(
		[]string{path},
		cli.WithWorkingDirectory(filepath.Dir(path)),
		cli.WithDiscardEnvFile,
	)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", path, err)}
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", path, err)}
	}
	var problems []string
	for _, name := range []string{"kafka", "etcd"} {
		service, ok := project.Services[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: no service %q", path, name))
		} else if service.HealthCheck == nil || len(service.HealthCheck.Test) == 0 {
			problems = append(problems, fmt.Sprintf("%s: service %q has no health check", path, name))
		}
	}
	for _, role := range roles {
		service, ok := project.Services[role]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: no service for role %q", path, role))
			continue
		}
		problems = append(problems, checkRoleService(path, role, service)...)
	}
	return problems
}

func checkRoleService(path, role string, service types.ServiceConfig) []string {
	var problems []string
	if !contains(service.Command, "--role="+role) {
		problems = append(problems, fmt.Sprintf("%s: service %q does not run --role=%s", path, role, role))
	}
	if service.HealthCheck == nil || !strings.Contains(strings.Join(service.HealthCheck.Test, " "), "/healthz") {
		problems = append(problems, fmt.Sprintf("%s: service %q has no health check on /healthz", path, role))
	}
	for _, dependency := range []string{"etcd", "topics"} {
		if _, ok := service.DependsOn[dependency]; !ok {
			problems = append(problems, fmt.Sprintf("%s: service %q does not depend on %q", path, role, dependency))
		}
	}
	return problems
}

func contains(values []string, wanted string) bool {
	for _, value := range values {
		if value == wanted {
			return true
		}
	}
	return false
}
