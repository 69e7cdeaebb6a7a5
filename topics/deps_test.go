package topics_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoKafkaClient keeps topics, and so the pure packages that import it for the event
// structs, free of a Kafka client: records are built in topics/record.
func TestNoKafkaClient(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "kafka") {
			t.Errorf("topics depends on %s", dep)
		}
	}
}
