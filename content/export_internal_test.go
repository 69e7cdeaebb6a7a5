package content

// NewUnmerged builds a Checker as New does, with an automaton whose nodes are never merged:
// the trie of every sequence the entries expand to, each entry ending at a node of its own
// (as for a trace).
func NewUnmerged(cfg Config) (*Checker, error) {
	traceInsert = func(int32, string) {}
	defer func() { traceInsert = nil }()
	return New(cfg)
}

// Nodes returns the number of nodes of the automaton.
func (c *Checker) Nodes() int { return len(c.nodes) }
