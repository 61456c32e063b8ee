// Package shim exposes the upstream random provider's constructor, which lives in an
// internal/ package. Go's internal rule goes by import path, so this module claims a path
// under github.com/terraform-providers/terraform-provider-random (as upstream pulumi-random
// does) and is wired in with a replace directive in ../go.mod.
package shim

import (
	tfpf "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/terraform-providers/terraform-provider-random/internal/provider"
)

// NewProvider returns the upstream plugin-framework provider.
func NewProvider() tfpf.Provider {
	return provider.New()
}
