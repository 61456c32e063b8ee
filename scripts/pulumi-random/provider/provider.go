// Package provider holds the bridge configuration (tfbridge.ProviderInfo) of the random
// provider, written after upstream pulumi-random's provider/resources.go (v4.21.1) so that
// the generated schema and tokens match the npm package @pulumi/random.
package provider

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	pf "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/terraform-providers/terraform-provider-random/shim"
)

// Version is set at link time: -ldflags "-X pulumi-writer/pulumi-random/provider.Version=4.21.1".
// It must equal the version of the npm package @pulumi/random the project pins, or the engine
// looks for (and tries to download) another plugin version.
var Version string

const (
	randomPkg = "random"
	randomMod = "index"
)

// Provider returns the bridge configuration. metadata is the bridge-metadata.json written by
// `pulumi-tfgen-random schema` (empty when generating it for the first time).
func Provider(metadata []byte) tfbridge.ProviderInfo {
	prov := tfbridge.ProviderInfo{
		P:            pf.ShimProvider(shim.NewProvider()),
		Name:         "random",
		Description:  "A Pulumi package to safely use randomness in Pulumi programs.",
		Keywords:     []string{"pulumi", "random"},
		License:      "Apache-2.0",
		Homepage:     "https://pulumi.io",
		Repository:   "https://github.com/pulumi/pulumi-random",
		Version:      Version,
		MetadataInfo: tfbridge.NewProviderMetadata(metadata),
		Resources: map[string]*tfbridge.ResourceInfo{
			"random_string": {
				// As upstream: states contaminated by pulumi-random#258 miss the version marker.
				PreStateUpgradeHook: func(args tfbridge.PreStateUpgradeHookArgs) (int64, resource.PropertyMap, error) {
					if args.PriorStateSchemaVersion == 0 {
						return 1, args.PriorState, nil
					}
					return args.PriorStateSchemaVersion, args.PriorState, nil
				},
			},
			"random_bytes": {
				ComputeID: computeRandomBytesID,
			},
		},
		JavaScript: &tfbridge.JavaScriptInfo{
			DevDependencies:      map[string]string{"@types/node": "^10.0.0"},
			RespectSchemaVersion: true,
		},
		Python: func() *tfbridge.PythonInfo {
			i := &tfbridge.PythonInfo{RespectSchemaVersion: true}
			i.PyProject.Enabled = true
			return i
		}(),
		Golang: &tfbridge.GolangInfo{
			ImportBasePath: filepath.Join(
				fmt.Sprintf("github.com/pulumi/pulumi-%[1]s/sdk/", randomPkg),
				tfbridge.GetModuleMajorVersion(Version),
				"go",
				randomPkg,
			),
			GenerateResourceContainerTypes: true,
			RespectSchemaVersion:           true,
		},
		CSharp: &tfbridge.CSharpInfo{
			RespectSchemaVersion: true,
			PackageReferences:    map[string]string{"Pulumi": "3.*"},
			Namespaces:           map[string]string{"random": "Random"},
		},
		EnableAccurateBridgePreview: true,
		EnableRawStateDelta:         true,
	}

	// random_id -> random:index/randomId:RandomId, random_pet -> random:index/randomPet:RandomPet, ...
	makeToken := func(module, name string) (string, error) {
		return tokens.MakeStandard(randomPkg)(module, "Random"+name)
	}
	prov.MustComputeTokens(tokens.SingleModule("random_", randomMod, makeToken))
	prov.MustApplyAutoAliases()

	return prov
}

func computeRandomBytesID(_ context.Context, state resource.PropertyMap) (resource.ID, error) {
	c := ". This is an error in the random resource provider."
	b, ok := state["base64"]
	if !ok {
		return "", errors.New("No base64 property in state" + c)
	}
	// base64 is sensitive (a secret in Pulumi), and resource IDs cannot carry secret markers.
	if b.IsSecret() {
		b = b.SecretValue().Element
	}
	if !b.IsString() {
		return "", errors.New("Expected base64 property to be a string" + c)
	}
	return resource.ID(b.StringValue()), nil
}
