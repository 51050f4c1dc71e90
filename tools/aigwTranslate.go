// `aigw translate FILE...`: the AI Gateway controller's reconcilers run offline on the given resources,
// printing what the controller would create. aigw v1.x keeps this function (cmd/aigw/translate.go, used by
// `aigw run`) but no longer wires it to a subcommand; tools/upstreamTools.ts adds this file to the
// package with `go build -overlay`, so the translation is upstream's own code at the pinned version.
package main

import (
	"context"
	"fmt"
	"os"
)

func init() {
	if len(os.Args) < 2 || os.Args[1] != "translate" {
		return
	}
	if err := translate(context.Background(), os.Args[2:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "aigw translate:", err)
		os.Exit(1)
	}
	os.Exit(0)
}
