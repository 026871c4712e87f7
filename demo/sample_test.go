package demo

import (
	"bytes"
	"os"
	"testing"
)

// The embedded sample must stay the documented one.
func TestSampleOrgIsExamplesOrgYAML(t *testing.T) {
	want, err := os.ReadFile("../examples/org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sampleOrg, want) {
		t.Fatal("demo/sample_org.yaml differs from examples/org.yaml: cp examples/org.yaml demo/sample_org.yaml")
	}
	if _, err := parseSample(); err != nil {
		t.Fatal(err)
	}
}
