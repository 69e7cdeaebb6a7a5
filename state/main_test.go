package state_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/relance/relance/processor"
	"github.com/relance/relance/state"
)

// The processor's Store is what Redis is for.
var _ processor.Store = (*state.Redis)(nil)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
