package content

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// The automaton is compiled minimal: a node is made once its children are, and a node
// equal to one made before (the same kind, results and edges to the same children) is
// that one. The entries expand to far more sequences than there are ways for them to end:
// a term's tail repeats after every alternative of its head ("@iwill kill you" holds
// "kill you" after every way of writing "I will"), and the trie of the sequences had
// some fifty times the nodes of the automaton. The compiler walks that trie depth first
// without storing it, from cursors into the entries' alternatives, so that the build
// holds the automaton and the path being read, not the trie. A check walks the same
// paths as it would through the trie and records the same results in the same order.

// compiler builds the automaton of the entries.
type compiler struct {
	c       *Checker
	b       *builder
	entries []*entry
	results []result // by entry: what it finds
	// merge makes equal nodes one. A trace (traceInsert) needs each entry's sequences to
	// end at nodes of their own.
	merge bool

	// Stacks, from the root to the node being built: the cursors at each node, the items
	// read, and the results, edges, class order and traced origins of each node.
	cursors []cursor
	path    []item
	res     []result
	edges   []labelledEdge
	classes []uint16
	origins []string

	sig  []byte
	made map[string]int32 // node signature → node
	// done holds the node built from each list of cursors (by their positions): the same
	// cursors build the same node, whatever the path to them (so not when removals, which
	// read the path, apply). Most of the trie's nodes repeat one built before.
	done map[string]int32
	key  []byte
}

// cursor is one expansion of an entry, read up to a node: it reads
// entries[e].parts[p].alts[a][i] next, or has read it all (p == len(parts)).
type cursor struct {
	e, p, a, i int32
	label      uint64 // of the next item (labelEnd at the end), what children are sorted by
}

// A label is an item's kind and its word or class id; labelEnd sorts last.
const labelEnd = math.MaxUint64

func label(it item) uint64 {
	switch it.kind {
	case itemWord:
		return uint64(itemWord)<<32 | uint64(uint32(it.id))
	case itemClass:
		return uint64(itemClass)<<32 | uint64(it.class)
	}
	return uint64(it.kind) << 32
}

type labelledEdge struct {
	label uint64
	child int32
}

// compile builds the automaton of the entries, whose words have their ids, into c.nodes,
// c.results, c.classEdges, c.wordEdges and c.rootChild.
func (c *Checker) compile(b *builder, entries []*entry) error {
	k := compiler{c: c, b: b, entries: entries, merge: traceInsert == nil, made: map[string]int32{}}
	if k.merge && len(b.removals) == 0 {
		k.done = map[string]int32{}
	}
	for ei, e := range entries {
		k.results = append(k.results, result{lang: e.lang, cat: e.cat, sev: e.sev, whole: e.whole, anchorStart: e.anchorStart, anchorEnd: e.anchorEnd, toEnd: e.toEnd, clears: e.clears, sentence: e.sentence, slur: e.slur})
		for a := range e.parts[0].alts {
			k.push(int32(ei), 0, int32(a))
		}
	}
	c.nodes = make([]node, 1) // the root is 0, and 0 is no child: nobody's child is the root
	c.rootChild = make([]int32, len(c.vocab))
	_, err := k.node(0, len(k.cursors), false)
	c.nodes, c.results = slices.Clone(c.nodes), slices.Clone(c.results) // without the room they grew
	c.classEdges, c.wordEdges = slices.Clone(c.classEdges), slices.Clone(c.wordEdges)
	return err
}

// push adds the cursor at the start of alternative a of part p of entry e.
func (k *compiler) push(e, p, a int32) {
	cu := cursor{e: e, p: p, a: a, label: labelEnd}
	if parts := k.entries[e].parts; int(p) < len(parts) {
		cu.label = label(parts[p].alts[a][0])
	}
	k.cursors = append(k.cursors, cu)
}

// advance adds the cursors cu leads to once it has read its next item: the next item of
// its alternative, or the start of each alternative of the next part.
func (k *compiler) advance(cu cursor) {
	parts := k.entries[cu.e].parts
	if alt := parts[cu.p].alts[cu.a]; int(cu.i)+1 < len(alt) {
		cu.i++
		cu.label = label(alt[cu.i])
		k.cursors = append(k.cursors, cu)
		return
	}
	if int(cu.p)+1 == len(parts) {
		k.push(cu.e, cu.p+1, 0)
		return
	}
	for a := range parts[cu.p+1].alts {
		k.push(cu.e, cu.p+1, int32(a))
	}
}

// node builds the node that k.path leads to, where the cursors k.cursors[lo:hi] are (the
// top of the stack), and returns it.
func (k *compiler) node(lo, hi int, isGap bool) (int32, error) {
	var key string
	if k.done != nil {
		k.key = append(k.key[:0], boolFlag(isGap, 1))
		for _, cu := range k.cursors[lo:hi] {
			k.key = binary.LittleEndian.AppendUint32(k.key, uint32(cu.e))
			k.key = binary.LittleEndian.AppendUint32(k.key, uint32(cu.p))
			k.key = binary.LittleEndian.AppendUint32(k.key, uint32(cu.a))
			k.key = binary.LittleEndian.AppendUint32(k.key, uint32(cu.i))
		}
		if n, ok := k.done[string(k.key)]; ok {
			return n, nil
		}
		key = string(k.key)
	}
	// The entries that end here, in the order of the lists. The same result from several
	// languages is one result of these languages.
	r0, o0 := len(k.res), len(k.origins)
	for _, cu := range k.cursors[lo:hi] {
		if cu.label != labelEnd {
			continue
		}
		e := k.entries[cu.e]
		if len(k.b.removals) > 0 && k.b.removes(e.lang, seqKey(k.path, *e), e.cat) {
			continue
		}
		r := k.results[cu.e]
		rs := k.res[r0:]
		if j := slices.IndexFunc(rs, func(o result) bool { o.lang = r.lang; return o == r }); j >= 0 {
			rs[j].lang |= r.lang
		} else {
			k.res = append(k.res, r)
		}
		if traceInsert != nil {
			k.origins = append(k.origins, e.origin)
		}
	}
	if len(k.res)-r0 > math.MaxUint16 {
		return 0, fmt.Errorf("more than %d entries end at one node", math.MaxUint16)
	}
	// Class edges keep the order of the entries that first use them.
	c0 := len(k.classes)
	var seen [maxClasses / 64]uint64
	for _, cu := range k.cursors[lo:hi] {
		if cu.label>>32 == uint64(itemClass) && cu.label != labelEnd {
			id := uint16(cu.label)
			if seen[id>>6]&(1<<(id&63)) == 0 {
				seen[id>>6] |= 1 << (id & 63)
				k.classes = append(k.classes, id)
			}
		}
	}

	// The children, one for each label, with the cursors that read it (in their order).
	slices.SortStableFunc(k.cursors[lo:hi], func(x, y cursor) int { return cmp.Compare(x.label, y.label) })
	e0 := len(k.edges)
	for s := lo; s < hi && k.cursors[s].label != labelEnd; {
		l := k.cursors[s].label
		t := s + 1
		for t < hi && k.cursors[t].label == l {
			t++
		}
		from := len(k.cursors)
		for q := s; q < t; q++ {
			k.advance(k.cursors[q])
		}
		cu := k.cursors[s]
		it := k.entries[cu.e].parts[cu.p].alts[cu.a][cu.i]
		k.path = append(k.path, it)
		child, err := k.node(from, len(k.cursors), it.kind == itemGapKind)
		if err != nil {
			return 0, err
		}
		k.path = k.path[:len(k.path)-1]
		k.cursors = k.cursors[:from]
		k.edges = append(k.edges, labelledEdge{l, child})
		s = t
	}

	n, err := k.make(isGap, k.res[r0:], k.edges[e0:], k.classes[c0:])
	if k.done != nil {
		k.done[key] = n
	}
	for _, origin := range k.origins[o0:] {
		traceInsert(n, origin)
	}
	k.res, k.edges, k.classes, k.origins = k.res[:r0], k.edges[:e0], k.classes[:c0], k.origins[:o0]
	return n, err
}

// make returns the node of these results and edges (sorted by label; classes gives the
// order of the class edges): one made before if it is the same, else a new one. The root
// (the empty path) is node 0, and its word edges are c.rootChild.
func (k *compiler) make(isGap bool, res []result, edges []labelledEdge, classes []uint16) (int32, error) {
	c := k.c
	nd := node{isGap: isGap, nres: uint16(len(res))}
	var words []labelledEdge
	for i, e := range edges {
		switch uint8(e.label >> 32) {
		case itemWord:
			words = edges[:i+1]
		case itemGapKind:
			nd.gap = e.child
		case itemAnyKind:
			nd.any = e.child
		case itemSkipKind:
			nd.skip = e.child
		}
	}
	childOfClass := func(id uint16) int32 {
		i, _ := slices.BinarySearchFunc(edges, label(item{kind: itemClass, class: id}), func(e labelledEdge, l uint64) int { return cmp.Compare(e.label, l) })
		return edges[i].child
	}
	root := len(k.path) == 0
	if !root && len(words) > math.MaxUint16 {
		return 0, fmt.Errorf("more than %d different words follow one word sequence", math.MaxUint16)
	}

	if k.merge && !root {
		k.sig = append(k.sig[:0], boolFlag(isGap, 1))
		k.sig = binary.LittleEndian.AppendUint32(k.sig, uint32(nd.gap))
		k.sig = binary.LittleEndian.AppendUint32(k.sig, uint32(nd.any))
		k.sig = binary.LittleEndian.AppendUint32(k.sig, uint32(nd.skip))
		k.sig = binary.LittleEndian.AppendUint16(k.sig, uint16(len(res)))
		for _, r := range res {
			k.sig = append(k.sig, r.lang, r.cat, uint8(r.sev), r.clears, boolFlag(r.whole, 1)|boolFlag(r.anchorStart, 2)|boolFlag(r.anchorEnd, 4)|boolFlag(r.toEnd, 8)|boolFlag(r.sentence, 16)|boolFlag(r.slur, 32))
		}
		k.sig = binary.LittleEndian.AppendUint16(k.sig, uint16(len(classes)))
		for _, id := range classes {
			k.sig = binary.LittleEndian.AppendUint16(k.sig, id)
			k.sig = binary.LittleEndian.AppendUint32(k.sig, uint32(childOfClass(id)))
		}
		for _, e := range words {
			k.sig = binary.LittleEndian.AppendUint64(k.sig, uint64(uint32(e.label))<<32|uint64(uint32(e.child)))
		}
		if n, ok := k.made[string(k.sig)]; ok {
			return n, nil
		}
	}

	nd.res = int32(len(c.results))
	c.results = append(c.results, res...)
	nd.cls, nd.ncls = int32(len(c.classEdges)), uint16(len(classes))
	for _, id := range classes {
		c.classEdges = append(c.classEdges, classEdge{class: id, child: childOfClass(id)})
	}
	if root {
		for _, e := range words {
			c.rootChild[uint32(e.label)] = e.child
		}
		c.nodes[0] = nd
		return 0, nil
	}
	nd.edge, nd.nedge = int32(len(c.wordEdges)), uint16(len(words))
	for _, e := range words {
		c.wordEdges = append(c.wordEdges, wordEdge{word: int32(uint32(e.label)), child: e.child})
	}
	n := int32(len(c.nodes))
	c.nodes = append(c.nodes, nd)
	if k.merge {
		k.made[string(k.sig)] = n
	}
	return n, nil
}
