package dedup_test

import (
	"fmt"
	"testing"

	"github.com/relance/relance/examples/dedup"
)

func TestSeen(t *testing.T) {
	tests := []struct {
		name string
		size int
		ids  []string
		want []bool
	}{
		{name: "first time is new", size: 3, ids: []string{"a", "b"}, want: []bool{true, true}},
		{name: "a duplicate is dropped", size: 3, ids: []string{"a", "b", "a", "b"}, want: []bool{true, true, false, false}},
		{name: "the oldest is forgotten past size", size: 2, ids: []string{"a", "b", "c", "a"}, want: []bool{true, true, true, true}},
		{name: "recent ids stay", size: 2, ids: []string{"a", "b", "c", "c", "b"}, want: []bool{true, true, true, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := dedup.New(tt.size)
			for i, id := range tt.ids {
				if got := s.Add(id); got != tt.want[i] {
					t.Errorf("Add(%q) #%d = %v, want %v", id, i, got, tt.want[i])
				}
			}
		})
	}
}

func TestForget(t *testing.T) {
	s := dedup.New(4)
	s.Add("a")
	s.Forget("a")
	if !s.Add("a") {
		t.Error("a forgotten id is still a duplicate")
	}
}

func ExampleSeen() {
	seen := dedup.New(10_000)
	for _, id := range []string{"n-1", "n-2", "n-1"} { // n-1 redelivered
		if !seen.Add(id) {
			fmt.Println("drop", id)
			continue
		}
		fmt.Println("show", id)
	}
	// Output:
	// show n-1
	// show n-2
	// drop n-1
}
