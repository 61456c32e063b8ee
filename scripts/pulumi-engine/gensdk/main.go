// Command gensdk generates a Pulumi provider SDK (Python or Node.js) from a
// schema.json, offline.
//
// `pulumi package gen-sdk` asks the language host to generate the SDK, and the
// old language hosts this project builds predate that RPC (GeneratePackage), so
// this program does what the newer hosts do: bind the schema with pkg/v3's
// codegen/schema and call pkg/v3's codegen/python or codegen/nodejs.
//
//	gensdk -schema schema.json -language python -out sdk/python [-version 1.2.3] [-clean]
//
// Only self-contained schemas are supported: the loader refuses to load any
// other package, so a reference to another provider's types is an error.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/blang/semver"

	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-writer-gensdk"

// noLoader refuses to load any package other than the one being generated.
type noLoader struct{}

func refuse(name string) error {
	return fmt.Errorf("schema refers to package %q: only self-contained schemas are supported", name)
}

func (noLoader) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, refuse(pkg)
}

func (noLoader) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, refuse(d.Name)
}

func (noLoader) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, refuse(pkg)
}

func (noLoader) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, refuse(d.Name)
}

var _ schema.ReferenceLoader = noLoader{}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gensdk: error:", err)
		os.Exit(1)
	}
}

func run() error {
	schemaPath := flag.String("schema", "", "path of the package schema (JSON)")
	language := flag.String("language", "", "SDK language: python or nodejs")
	outDir := flag.String("out", "", "output folder for the generated SDK")
	version := flag.String("version", "", "package version to write into the SDK (default: the schema's version)")
	clean := flag.Bool("clean", false, "remove the output folder first")
	flag.Parse()
	if *schemaPath == "" || *language == "" || *outDir == "" || flag.NArg() != 0 {
		flag.Usage()
		return errors.New("-schema, -language and -out are required")
	}
	start := time.Now()

	raw, err := os.ReadFile(*schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("parsing %s: %w", *schemaPath, err)
	}
	if *version != "" {
		if _, err := semver.ParseTolerant(*version); err != nil {
			return fmt.Errorf("-version %q: %w", *version, err)
		}
		spec.Version = *version
	}

	loader := noLoader{}
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{})
	if err != nil {
		return fmt.Errorf("binding %s: %w", *schemaPath, err)
	}
	for _, d := range diags {
		fmt.Fprintln(os.Stderr, "gensdk:", d.Error())
	}
	if diags.HasErrors() {
		return fmt.Errorf("schema %s has %d error(s)", *schemaPath, len(diags.Errs()))
	}

	var files map[string][]byte
	switch *language {
	case "python":
		files, err = python.GeneratePackage(tool, pkg, nil, loader)
	case "nodejs":
		files, err = nodejs.GeneratePackage(tool, pkg, nil, nil, false, loader)
	default:
		return fmt.Errorf("-language %q: want python or nodejs", *language)
	}
	if err != nil {
		return fmt.Errorf("generating the %s SDK: %w", *language, err)
	}

	if *clean {
		if err := os.RemoveAll(*outDir); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(*outDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "gensdk: wrote %d files for %s %s (%s) into %s in %s\n",
		len(files), pkg.Name, *language, versionString(pkg), *outDir, time.Since(start).Round(time.Millisecond))
	return nil
}

func versionString(pkg *schema.Package) string {
	if pkg.Version == nil {
		return "no version"
	}
	return "v" + pkg.Version.String()
}
