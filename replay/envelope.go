package replay

import (
	"bytes"
	"errors"
	"fmt"
	"math"
)

// envelope is the part of a kcat -J record replay reads.
type envelope struct {
	Topic     string
	Partition int
	Offset    int64
	TS        int64
	// Key and Payload are the raw JSON values, nil when absent.
	Key, Payload []byte
}

// parseEnvelope reads one line of kcat -J: a JSON object whose fields topic (a string),
// partition, offset, ts (integers), key and payload (any value) it keeps, skipping the
// others (broker, tstype, headers, …). It is a small scanner rather than encoding/json,
// which took most of a file replay's time: the skipped values are only checked for their
// structure, and strings are kept raw for unquote, bytes that are not UTF-8 included.
func parseEnvelope(b []byte) (envelope, error) {
	var e envelope
	s := scanner{b: b}
	s.space()
	if !s.eat('{') {
		return e, errors.New("not a JSON object")
	}
	s.space()
	if s.eat('}') {
		return e, s.end()
	}
	for {
		s.space()
		key, err := s.value()
		if err != nil {
			return e, err
		}
		if key[0] != '"' {
			return e, fmt.Errorf("at byte %d: an object key must be a string", s.i)
		}
		s.space()
		if !s.eat(':') {
			return e, fmt.Errorf("at byte %d: want ':'", s.i)
		}
		s.space()
		v, err := s.value()
		if err != nil {
			return e, err
		}
		switch string(key[1 : len(key)-1]) {
		case "topic":
			if v[0] != '"' {
				return e, errors.New("topic: not a string")
			}
			t, err := unquote(v)
			if err != nil {
				return e, fmt.Errorf("topic: %w", err)
			}
			e.Topic = string(t)
		case "partition":
			p, err := integer("partition", v)
			if err != nil {
				return e, err
			}
			if p < 0 || p > math.MaxInt32 {
				return e, fmt.Errorf("partition %d: out of range", p)
			}
			e.Partition = int(p)
		case "offset":
			if e.Offset, err = integer("offset", v); err != nil {
				return e, err
			}
		case "ts":
			if e.TS, err = integer("ts", v); err != nil {
				return e, err
			}
		case "key":
			e.Key = v
		case "payload":
			e.Payload = v
		}
		s.space()
		if s.eat('}') {
			return e, s.end()
		}
		if !s.eat(',') {
			return e, fmt.Errorf("at byte %d: want ',' or '}'", s.i)
		}
	}
}

// scanner walks a JSON text.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) end() error {
	s.space()
	if s.i != len(s.b) {
		return fmt.Errorf("at byte %d: text after the object", s.i)
	}
	return nil
}

// maxDepth bounds the nesting of a skipped value.
const maxDepth = 1000

// value returns the raw JSON value at the scanner, never empty.
func (s *scanner) value() ([]byte, error) {
	start := s.i
	if s.i >= len(s.b) {
		return nil, errors.New("unexpected end of the line")
	}
	switch c := s.b[s.i]; {
	case c == '"':
		if err := s.str(); err != nil {
			return nil, err
		}
	case c == '{' || c == '[':
		if err := s.nested(); err != nil {
			return nil, err
		}
	default:
		for s.i < len(s.b) {
			c := s.b[s.i]
			if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				break
			}
			if c != '-' && c != '+' && c != '.' && (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
				return nil, fmt.Errorf("at byte %d: unexpected %q", s.i, c)
			}
			s.i++
		}
		if s.i == start {
			return nil, fmt.Errorf("at byte %d: want a value", s.i)
		}
	}
	return s.b[start:s.i], nil
}

// str moves past the string at the scanner: to the first quote not escaped (an odd run of
// backslashes before a quote escapes it). Bytes inside are unquote's to check.
func (s *scanner) str() error {
	start := s.i
	s.i++
	for {
		j := bytes.IndexByte(s.b[s.i:], '"')
		if j < 0 {
			return fmt.Errorf("at byte %d: unterminated string", start)
		}
		s.i += j
		backslashes := 0
		for k := s.i - 1; k > start && s.b[k] == '\\'; k-- {
			backslashes++
		}
		s.i++
		if backslashes%2 == 0 {
			return nil
		}
	}
}

// nested moves past the object or array at the scanner, checking only that its brackets
// match.
func (s *scanner) nested() error {
	var stack []byte
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case '"':
			if err := s.str(); err != nil {
				return err
			}
			continue
		case '{', '[':
			if len(stack) == maxDepth {
				return fmt.Errorf("at byte %d: nested more than %d deep", s.i, maxDepth)
			}
			stack = append(stack, c+2) // '}' and ']' are 2 after '{' and '['
		case '}', ']':
			if len(stack) == 0 || stack[len(stack)-1] != c {
				return fmt.Errorf("at byte %d: unexpected %q", s.i, c)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				s.i++
				return nil
			}
		}
		s.i++
	}
	return errors.New("unexpected end of the line in an object or array")
}

// integer reads a JSON integer.
func integer(name string, v []byte) (int64, error) {
	neg := v[0] == '-'
	digits := v
	if neg {
		digits = v[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		return 0, fmt.Errorf("%s %s: not an integer kcat writes", name, v)
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%s %s: not an integer", name, v)
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}
