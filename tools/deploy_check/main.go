// Command deploy_check validates Retune's deployment files offline: the compose file through the
// compose-spec loader (schema, references, interpolation), and every Kubernetes manifest by a
// strict decode against the k8s.io/api types (an unknown or misspelt field is refused). It also
// checks what Retune needs of them: every role present, health-checked on /healthz (compose) or
// probed on /healthz and /readyz with resource requests (Kubernetes), and a Service per role.
//
// Usage: deploy_check --compose=deploy/compose.yaml --k8s=deploy/k8s --roles=engine,collector,...
// Prints one line per problem and exits 1 if there is any; prints "ok: ..." lines otherwise.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	composePath := flag.String("compose", "", "compose file to validate")
	k8sDir := flag.String("k8s", "", "folder of Kubernetes manifests (*.yaml) to validate")
	roleList := flag.String("roles", "", "comma-separated roles every deployment must run")
	flag.Parse()
	if *composePath == "" || *k8sDir == "" || *roleList == "" {
		fmt.Fprintln(os.Stderr, "usage: deploy_check --compose=<file> --k8s=<folder> --roles=<a,b,...>")
		os.Exit(2)
	}
	roles := strings.Split(*roleList, ",")
	problems := checkCompose(*composePath, roles)
	problems = append(problems, checkK8s(*k8sDir, roles)...)
	if len(problems) > 0 {
		for _, problem := range problems {
			fmt.Println(problem)
		}
		os.Exit(1)
	}
	fmt.Printf("ok: %s: %d roles\n", *composePath, len(roles))
	fmt.Printf("ok: %s: %d roles\n", *k8sDir, len(roles))
}
