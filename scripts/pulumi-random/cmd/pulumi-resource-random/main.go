// pulumi-resource-random: the Pulumi resource plugin for the random provider, bridged from
// the upstream Terraform provider (plugin framework).
//
// schema-embed.json and bridge-metadata.json are not checked in: scripts/ensure-random
// generates them with pulumi-tfgen-random and supplies them to `go build -overlay`, so a plain
// `go build`/`go vet` of this package fails with "pattern ...json: no matching files found".
package main

import (
	"context"
	_ "embed"

	pftfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"

	"pulumi-writer/pulumi-random/provider"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed bridge-metadata.json
var bridgeMetadata []byte

func main() {
	pftfbridge.Main(context.Background(), "random", provider.Provider(bridgeMetadata),
		pftfbridge.ProviderMetadata{PackageSchema: pulumiSchema})
}
