package replay_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// writeKcat writes msgs to a file of the test as `kcat -C -J` writes records: the
// envelope's fields in kcat's order, key and payload strings escaped as yajl escapes them
// (quote, backslash and control bytes), other bytes as they are, valid UTF-8 or not.
func writeKcat(t testing.TB, msgs []kafka.Message) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "records.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for _, m := range msgs {
		fmt.Fprintf(w, `{"topic":%s,"partition":%d,"offset":%d,"tstype":"create","ts":%d,"broker":1,"key":%s,"payload":%s}`+"\n",
			kcatString(m.Topic != "", []byte(m.Topic)), m.Partition, m.Offset, m.Time.UnixMilli(),
			kcatString(m.Key != nil, m.Key), kcatString(m.Value != nil, m.Value))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// kcatString is b as yajl_gen_string writes it, or null.
func kcatString(present bool, b []byte) string {
	if !present {
		return "null"
	}
	out := []byte{'"'}
	for _, c := range b {
		switch c {
		case '"':
			out = append(out, `\"`...)
		case '\\':
			out = append(out, `\\`...)
		case '\n':
			out = append(out, `\n`...)
		case '\r':
			out = append(out, `\r`...)
		case '\t':
			out = append(out, `\t`...)
		case '\b':
			out = append(out, `\b`...)
		case '\f':
			out = append(out, `\f`...)
		default:
			if c < 0x20 {
				out = append(out, `\u00`+strconv.FormatUint(uint64(c>>4), 16)+strconv.FormatUint(uint64(c&15), 16)...)
				continue
			}
			out = append(out, c)
		}
	}
	return string(append(out, '"'))
}

// inPartitions gives msgs partitions (3 per topic, by key, so a key stays in one),
// offsets in each and record times base, base+1ms, … in their order, as a processor
// keeping up with the traffic would have seen them.
func inPartitions(msgs []kafka.Message, base time.Time) []kafka.Message {
	next := map[string]int64{}
	out := make([]kafka.Message, len(msgs))
	for i, m := range msgs {
		h := 0
		for _, c := range m.Key {
			h = (h*31 + int(c)) % 3
		}
		m.Partition = h
		tp := m.Topic + "/" + strconv.Itoa(h)
		m.Offset = next[tp]
		next[tp]++
		m.Time = base.Add(time.Duration(i) * time.Millisecond)
		out[i] = m
	}
	return out
}
