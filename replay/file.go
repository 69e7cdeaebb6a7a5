package replay

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/topics"
)

// MaxLineBytes bounds one line of a file: a record of Kafka's default maximum size (1 MiB)
// fits even with every byte escaped. A longer line is an error, not a guess.
const MaxLineBytes = 8 << 20

// readWindow is how much of the file one read brings in: lines are read in merged order,
// which for most files is the file's own order, so one read serves many lines.
const readWindow = 1 << 20

// File is a JSON Lines file of records as `kcat -C -J` writes them, one a line:
//
//	{"topic":"message-sent","partition":0,"offset":42,"tstype":"create","ts":1764000000000,"broker":1,"key":"u-1","payload":"{…}"}
//
// topic is required; partition, offset and ts (milliseconds since 1970) are as kcat
// writes them (a record without ts sorts as the oldest); key and payload are strings
// (bytes as kcat writes them, which need not be UTF-8), null, or any other JSON value
// (kcat -s value=json), taken verbatim. Other fields are ignored, and records of topics
// other than the input topics are skipped (Skipped counts them).
//
// OpenFile reads the file once to index its lines (about 24 bytes a record: the file is
// never held in memory whole), then Next reads them again in merged order. The file must
// not change meanwhile.
type File struct {
	f       *os.File
	path    string
	streams [][]entry // each partition's lines, in file order; Next takes them from the front
	merge   merger[entry]
	total   int64
	skipped int64

	window   []byte // the file from windowAt
	windowAt int64
}

// entry is one line of the file.
type entry struct {
	off  int64
	ts   int64 // Unix milliseconds
	n    int32
	line int32 // 1-based, for errors; and the tie between equal timestamps
}

// OpenFile indexes the file at path for replay of the input topics names (empty names:
// the defaults).
func OpenFile(path string, names topics.Names) (_ *File, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	inputs := map[string]bool{}
	for _, t := range names.WithDefaults().Inputs() {
		inputs[t] = true
	}
	file := &File{f: f, path: path}
	type partition struct {
		topic string
		id    int
	}
	byPartition := map[partition]int{}
	r := bufio.NewReaderSize(f, readWindow)
	var off int64
	for line := int32(1); ; line++ {
		b, err := readLine(r)
		if err == io.EOF && len(b) == 0 {
			break
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("replay: %s:%d: %w", path, line, err)
		}
		n := len(b)
		if line == 1<<31-1 {
			return nil, fmt.Errorf("replay: %s: more than %d lines", path, line)
		}
		at := off
		off += int64(n)
		if b = bytes.TrimSpace(b); len(b) == 0 {
			continue
		}
		e, err := parseEnvelope(b)
		if err != nil {
			return nil, fmt.Errorf("replay: %s:%d: not a record as kcat -J writes them: %w", path, line, err)
		}
		if e.Topic == "" {
			return nil, fmt.Errorf("replay: %s:%d: no topic: not a record as kcat -J writes them", path, line)
		}
		if !inputs[e.Topic] {
			file.skipped++
			continue
		}
		key := partition{e.Topic, e.Partition}
		i, ok := byPartition[key]
		if !ok {
			i = len(file.streams)
			byPartition[key] = i
			file.streams = append(file.streams, nil)
		}
		file.streams[i] = append(file.streams[i], entry{off: at, ts: e.TS, n: int32(n), line: line})
		file.total++
	}
	file.merge = merger[entry]{
		streams: len(file.streams),
		pull: func(_ context.Context, i int) (entry, error) {
			s := file.streams[i]
			if len(s) == 0 {
				return entry{}, io.EOF
			}
			file.streams[i] = s[1:]
			return s[0], nil
		},
		key: func(_ int, e entry) (int64, int64) { return e.ts, int64(e.line) },
	}
	return file, nil
}

// readLine returns the next line, its newline included, at most MaxLineBytes long.
func readLine(r *bufio.Reader) ([]byte, error) {
	b, err := r.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return b, err
	}
	long := bytes.Clone(b)
	for errors.Is(err, bufio.ErrBufferFull) {
		if len(long) > MaxLineBytes {
			return nil, fmt.Errorf("line longer than %d bytes", MaxLineBytes)
		}
		b, err = r.ReadSlice('\n')
		long = append(long, b...)
	}
	if len(long) > MaxLineBytes {
		return nil, fmt.Errorf("line longer than %d bytes", MaxLineBytes)
	}
	return long, err
}

// Next returns the next record in merged order.
func (f *File) Next(ctx context.Context) (kafka.Message, error) {
	e, err := f.merge.next(ctx)
	if err != nil {
		return kafka.Message{}, err
	}
	b, err := f.read(e.off, int(e.n))
	if err != nil {
		return kafka.Message{}, fmt.Errorf("replay: %s:%d: %w", f.path, e.line, err)
	}
	env, err := parseEnvelope(b)
	if err != nil {
		return kafka.Message{}, fmt.Errorf("replay: %s:%d: %w (did the file change?)", f.path, e.line, err)
	}
	m := kafka.Message{Topic: env.Topic, Partition: env.Partition, Offset: env.Offset, Time: msTime(env.TS)}
	if m.Key, err = bytesOf(env.Key); err != nil {
		return kafka.Message{}, fmt.Errorf("replay: %s:%d: key: %w", f.path, e.line, err)
	}
	if m.Value, err = bytesOf(env.Payload); err != nil {
		return kafka.Message{}, fmt.Errorf("replay: %s:%d: payload: %w", f.path, e.line, err)
	}
	return m, nil
}

// read returns n bytes of the file at off, from the window when it holds them.
func (f *File) read(off int64, n int) ([]byte, error) {
	if off < f.windowAt || off+int64(n) > f.windowAt+int64(len(f.window)) {
		size := max(readWindow, n)
		if cap(f.window) < size {
			f.window = make([]byte, size)
		}
		got, err := f.f.ReadAt(f.window[:size], off)
		f.window, f.windowAt = f.window[:got], off
		if got < n {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	at := int(off - f.windowAt)
	return f.window[at : at+n], nil
}

// Total is the number of records of the input topics in the file.
func (f *File) Total() int64 { return f.total }

// Skipped is the number of records of other topics, which replay ignores as the
// processor never reads them.
func (f *File) Skipped() int64 { return f.skipped }

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// bytesOf is a kcat -J key or payload as bytes: nil for null or absent, a string's bytes,
// or any other JSON value verbatim.
func bytesOf(raw []byte) ([]byte, error) {
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil, nil
	case raw[0] == '"':
		return unquote(raw)
	}
	return bytes.Clone(raw), nil
}

// unquote decodes a JSON string as kcat writes one: its bytes are the record's, escapes
// aside, and need not be UTF-8 (kcat does not validate them), so bytes that are not valid
// UTF-8 are kept as they are where encoding/json would replace them. That matters: such a
// record is dead-lettered by the processor, and must be here too.
func unquote(raw []byte) ([]byte, error) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, errors.New("not a JSON string")
	}
	s := raw[1 : len(raw)-1]
	if bytes.IndexByte(s, '\\') < 0 {
		return bytes.Clone(s), nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			j := bytes.IndexByte(s[i:], '\\')
			if j < 0 {
				j = len(s) - i
			}
			out = append(out, s[i:i+j]...)
			i += j
			continue
		}
		if i+1 >= len(s) {
			return nil, errors.New("string ends in a backslash")
		}
		switch e := s[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(s[i+2:])
			if !ok {
				return nil, errors.New(`bad \u escape`)
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := lowSurrogate(s[i:]); ok {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					}
				}
				if utf16.IsSurrogate(r) {
					r = utf8.RuneError // a lone surrogate, as encoding/json reads it
				}
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			return nil, fmt.Errorf(`bad escape \%c`, e)
		}
		i += 2
	}
	return out, nil
}

// lowSurrogate reads a \uXXXX escape at the start of s.
func lowSurrogate(s []byte) (rune, bool) {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return 0, false
	}
	return hex4(s[2:])
}

func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
