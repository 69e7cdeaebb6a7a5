package processor

import (
	"errors"
	"strings"
	"testing"
)

// The pipeline's stages retry concurrently: a Redis call recovering must not hide a Kafka
// write that is still failing.
func TestFailuresKeepEachOperationsError(t *testing.T) {
	var f failures
	if err := f.err(); err != nil {
		t.Fatalf("nothing failing: %v", err)
	}
	write := errors.New("kafka_write: no leader")
	f.set("kafka_write", write)
	f.set("redis", errors.New("redis: connection refused"))
	if err := f.err(); !errors.Is(err, write) || !strings.Contains(err.Error(), "redis") {
		t.Fatalf("both failing: %v", err)
	}
	f.set("redis", nil)
	if err := f.err(); !errors.Is(err, write) || strings.Contains(err.Error(), "redis") {
		t.Fatalf("Redis recovered, the write still failing: %v, want the write's error alone", err)
	}
	f.set("kafka_write", nil)
	if err := f.err(); err != nil {
		t.Fatalf("everything recovered: %v", err)
	}
}
