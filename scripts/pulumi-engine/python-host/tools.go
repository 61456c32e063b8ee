//go:build tools

// Package tools pins the Python language host this module builds
// (the last sdk/v3 release that still contains it is v3.79.0).
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
