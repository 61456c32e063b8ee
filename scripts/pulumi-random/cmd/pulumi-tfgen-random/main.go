// pulumi-tfgen-random generates schema.json and bridge-metadata.json for the random provider:
//
//	pulumi-tfgen-random schema --out DIR   (the bridge's tfgen; schema.json has no version)
//	pulumi-tfgen-random stamp DIR          (writes DIR/schema-embed.json: schema.json with
//	                                        "version" set to the linked-in Version)
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"

	"pulumi-writer/pulumi-random/provider"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "stamp" {
		if err := stamp(os.Args[2], provider.Version); err != nil {
			fmt.Fprintf(os.Stderr, "pulumi-tfgen-random stamp: %v\n", err)
			os.Exit(1)
		}
		return
	}
	tfgen.Main("random", provider.Provider(nil))
}

func stamp(dir, version string) error {
	if version == "" {
		return fmt.Errorf("no version linked in (-X pulumi-writer/pulumi-random/provider.Version=...)")
	}
	raw, err := os.ReadFile(filepath.Join(dir, "schema.json"))
	if err != nil {
		return err
	}
	var spec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("cannot parse schema.json: %w", err)
	}
	v, _ := json.Marshal(version)
	spec["version"] = v
	out, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "schema-embed.json"), out, 0o644)
}
