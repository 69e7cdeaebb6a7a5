package topics

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
)

// The fast path of DecodeMessageSent and DecodeReply. Reflection makes encoding/json cost
// microseconds and a dozen allocations an event, so the scanners below decode the shape
// producers send in one pass: one object, keys spelt exactly as the fields, strings where
// strings go, unknown members of any JSON value.
//
// A scanner decodes only what it can decode exactly as encoding/json does and reports
// ok == false on anything else: a syntax error, trailing data, null, a wrong type, a
// duplicate key, a key that is not plain ASCII or matches a field only when case is
// ignored (encoding/json folds case), nesting deeper than maxSkipDepth. The caller then
// takes the encoding/json path, which gives today's result or error, byte for byte.
//
// Inputs are valid UTF-8 (checkValue runs first), so strings need no UTF-8 check.

// maxSkipDepth bounds the nesting of skipped values, and with it the recursion;
// encoding/json, the fallback, allows 10000.
const maxSkipDepth = 64

// Keys of the decoded objects, for the case-folding check of unknown keys.
var (
	messageSentKeys = []string{"message_id", "sender_id", "recipient_id", "sent_at", "conversation_id", "text", "locale", "recipient_locale", "labels", "attachments"}
	replyKeys       = []string{"message_id", "sender_id", "recipient_id", "sent_at", "in_reply_to"}
	attachmentKeys  = []string{"kind", "labels"}
)

// scanMessageSent decodes value as encoding/json would into DecodeMessageSent's struct,
// with sent_at as its bytes (empty when absent), or reports ok == false.
func scanMessageSent(value []byte) (m MessageSent, sentAt []byte, ok bool) {
	s := scanner{data: value}
	var seen keySet
	for n := 0; ; n++ {
		key, end, ok := s.member(n)
		if !ok {
			return MessageSent{}, nil, false
		}
		if end {
			if !s.end() {
				return MessageSent{}, nil, false
			}
			v := s.shortStrings()
			m.MessageID, m.SenderID, m.RecipientID = v[0], v[1], v[2]
			m.ConversationID, m.Locale, m.RecipientLocale = v[4], v[6], v[7]
			return m, sentAt, true
		}
		switch string(key) {
		case "message_id":
			ok = seen.once(0) && s.short(0)
		case "sender_id":
			ok = seen.once(1) && s.short(1)
		case "recipient_id":
			ok = seen.once(2) && s.short(2)
		case "sent_at":
			ok = seen.once(3) && s.bytes(&sentAt)
		case "conversation_id":
			ok = seen.once(4) && s.short(4)
		case "text":
			ok = seen.once(5) && s.str(&m.Text)
		case "locale":
			ok = seen.once(6) && s.short(6)
		case "recipient_locale":
			ok = seen.once(7) && s.short(7)
		case "labels":
			ok = seen.once(8) && s.strs(&m.Labels)
		case "attachments":
			ok = seen.once(9) && s.attachments(&m.Attachments)
		default:
			ok = !foldsTo(key, messageSentKeys) && s.skip(0)
		}
		if !ok {
			return MessageSent{}, nil, false
		}
	}
}

// scanReply is scanMessageSent for DecodeReply.
func scanReply(value []byte) (r Reply, sentAt []byte, ok bool) {
	s := scanner{data: value}
	var seen keySet
	for n := 0; ; n++ {
		key, end, ok := s.member(n)
		if !ok {
			return Reply{}, nil, false
		}
		if end {
			if !s.end() {
				return Reply{}, nil, false
			}
			v := s.shortStrings()
			r.MessageID, r.SenderID, r.RecipientID, r.InReplyTo = v[0], v[1], v[2], v[4]
			return r, sentAt, true
		}
		switch string(key) {
		case "message_id":
			ok = seen.once(0) && s.short(0)
		case "sender_id":
			ok = seen.once(1) && s.short(1)
		case "recipient_id":
			ok = seen.once(2) && s.short(2)
		case "sent_at":
			ok = seen.once(3) && s.bytes(&sentAt)
		case "in_reply_to":
			ok = seen.once(4) && s.short(4)
		default:
			ok = !foldsTo(key, replyKeys) && s.skip(0)
		}
		if !ok {
			return Reply{}, nil, false
		}
	}
}

// attachments decodes an array of attachment objects into *dst.
func (s *scanner) attachments(dst *[]Attachment) bool {
	if !s.eat('[') {
		return false
	}
	if s.eat(']') {
		return true
	}
	for {
		var a Attachment
		if !s.attachment(&a) {
			return false
		}
		*dst = append(*dst, a)
		if s.eat(']') {
			return true
		}
		if !s.eat(',') {
			return false
		}
	}
}

// attachment decodes one attachment object into *a.
func (s *scanner) attachment(a *Attachment) bool {
	var seen keySet
	for n := 0; ; n++ {
		key, end, ok := s.member(n)
		if !ok || end {
			return ok
		}
		switch string(key) {
		case "kind":
			ok = seen.once(0) && s.str(&a.Kind)
		case "labels":
			ok = seen.once(1) && s.strs(&a.Labels)
		default:
			ok = !foldsTo(key, attachmentKeys) && s.skip(0)
		}
		if !ok {
			return false
		}
	}
}

// keySet records which known keys an object has had, to give up on duplicates: for
// them encoding/json keeps the last string, but decodes a later array of attachments
// over the first, element by element.
type keySet uint16

// once adds key i and reports whether it was new.
func (k *keySet) once(i uint) bool {
	if *k&(1<<i) != 0 {
		return false
	}
	*k |= 1 << i
	return true
}

// foldsTo reports whether key equals one of keys when case is ignored, in which case
// encoding/json decodes it into that field. key is ASCII and keys are lower case, so
// lowering the ASCII letters of key is all the folding there is.
func foldsTo(key []byte, keys []string) bool {
	for _, k := range keys {
		if len(k) == len(key) && lowerEquals(key, k) {
			return true
		}
	}
	return false
}

// lowerEquals reports whether b with its ASCII letters lowered is s, of the same length.
func lowerEquals(b []byte, s string) bool {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// scanner reads JSON from data; pos is the next byte to read.
type scanner struct {
	data []byte
	pos  int
	// shorts are where the strings short has read are in data, by the key's number.
	shorts [maxShorts]span
}

// maxShorts bounds the numbers of the keys short reads (those of keySet).
const maxShorts = 8

// span is where a string's body is in data.
type span struct {
	start, end int
	escaped    bool
}

// space skips whitespace, as the JSON grammar defines it.
func (s *scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// eat skips whitespace and consumes c if it comes next.
func (s *scanner) eat(c byte) bool {
	if s.pos < len(s.data) && s.data[s.pos] == c { // c is not whitespace: the usual case, quickly
		s.pos++
		return true
	}
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

// end reports whether only whitespace is left.
func (s *scanner) end() bool {
	s.space()
	return s.pos == len(s.data)
}

// member reads the opening brace (n == 0) or comma before member n of an object, then
// its key and colon. At the closing brace it consumes it and returns end.
func (s *scanner) member(n int) (key []byte, end, ok bool) {
	if n == 0 && !s.eat('{') {
		return nil, false, false
	}
	if s.eat('}') {
		return nil, true, true
	}
	if n > 0 && !s.eat(',') {
		return nil, false, false
	}
	key, ok = s.plainKey()
	return key, false, ok && s.eat(':')
}

// plainKey reads a key of printable ASCII without escapes; any other key may match a
// field only once unescaped or folded, so it is left to encoding/json.
func (s *scanner) plainKey() ([]byte, bool) {
	if !s.eat('"') {
		return nil, false
	}
	d, start := s.data, s.pos
	i := start
	for i < len(d) && plainKeyByte[d[i]] { // i is a local to stay in a register
		i++
	}
	if i == len(d) || d[i] != '"' {
		return nil, false
	}
	s.pos = i + 1
	return d[start:i], true
}

// str decodes a string into *dst.
func (s *scanner) str(dst *string) bool {
	if !s.eat('"') {
		return false
	}
	body, escaped, ok := s.stringBody()
	if !ok {
		return false
	}
	if escaped {
		*dst = unescape(body)
	} else {
		*dst = string(body)
	}
	return true
}

// short reads the string of key number i, to be decoded by shortStrings: the short
// strings of an event (its ids and locales) take one allocation between them, not one
// each. The message text is never one of them, so keeping an id does not keep the text.
func (s *scanner) short(i int) bool {
	if !s.eat('"') {
		return false
	}
	start := s.pos
	_, escaped, ok := s.stringBody()
	s.shorts[i] = span{start: start, end: s.pos - 1, escaped: escaped}
	return ok
}

// shortStrings decodes the strings short has read, by key number ("" for the others).
func (s *scanner) shortStrings() (v [maxShorts]string) {
	var buf [256]byte // enough for the usual event: then only the string is allocated
	b := buf[:0]
	var ends [maxShorts]int
	for i := range s.shorts {
		if sp := &s.shorts[i]; sp.escaped {
			b = appendUnescaped(b, s.data[sp.start:sp.end])
		} else {
			b = append(b, s.data[sp.start:sp.end]...)
		}
		ends[i] = len(b)
	}
	all, start := string(b), 0
	for i := range v {
		v[i], start = all[start:ends[i]], ends[i]
	}
	return v
}

// bytes decodes a string into *dst without allocating when it has no escape: *dst is then
// part of data.
func (s *scanner) bytes(dst *[]byte) bool {
	if !s.eat('"') {
		return false
	}
	body, escaped, ok := s.stringBody()
	if !ok {
		return false
	}
	if escaped {
		*dst = []byte(unescape(body))
	} else {
		*dst = body
	}
	return true
}

// strs decodes an array of strings into *dst. It leaves an empty one nil, as the checks
// would make it.
func (s *scanner) strs(dst *[]string) bool {
	if !s.eat('[') {
		return false
	}
	if s.eat(']') {
		return true
	}
	for {
		var v string
		if !s.str(&v) {
			return false
		}
		*dst = append(*dst, v)
		if s.eat(']') {
			return true
		}
		if !s.eat(',') {
			return false
		}
	}
}

// stringBody reads the rest of a string whose opening quote is consumed, checking its
// escapes against the grammar, and returns what lies between the quotes.
func (s *scanner) stringBody() (body []byte, escaped, ok bool) {
	d, start := s.data, s.pos
	for i := start; ; {
		for i < len(d) && plainStringByte[d[i]] { // i is a local to stay in a register
			i++
		}
		switch {
		case i == len(d):
			return nil, false, false
		case d[i] == '"':
			s.pos = i + 1
			return d[start:i], escaped, true
		case d[i] == '\\':
			s.pos = i
			if !s.escape() {
				return nil, false, false
			}
			escaped, i = true, s.pos
		default: // a control character
			return nil, false, false
		}
	}
}

// plainStringByte and plainKeyByte tell the bytes that stand for themselves in a string
// and in a key that plainKey takes.
var plainStringByte, plainKeyByte = func() (str, key [256]bool) {
	for c := ' '; c < 256; c++ {
		str[c] = c != '"' && c != '\\'
		key[c] = str[c] && c < utf8.RuneSelf
	}
	return str, key
}()

// escape consumes one escape sequence, reporting whether the grammar allows it.
func (s *scanner) escape() bool {
	if s.pos+1 >= len(s.data) {
		return false
	}
	switch s.data[s.pos+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos += 2
		return true
	case 'u':
		if s.pos+6 > len(s.data) || hex4(s.data[s.pos+2:s.pos+6]) < 0 {
			return false
		}
		s.pos += 6
		return true
	}
	return false // including \', which encoding/json unquotes but its scanner rejects
}

// unescape decodes a string body whose escapes stringBody has checked, as encoding/json
// does: a surrogate escape not followed by its pair becomes U+FFFD, and the escape after
// it is decoded on its own.
func unescape(body []byte) string {
	var buf [128]byte // a short string's bytes stay on the stack
	return string(appendUnescaped(buf[:0], body))
}

// appendUnescaped appends what unescape returns to b.
func appendUnescaped(b, body []byte) []byte {
	for {
		i := bytes.IndexByte(body, '\\')
		if i < 0 {
			return append(b, body...)
		}
		b = append(b, body[:i]...)
		body = body[i:]
		if body[1] != 'u' {
			b = append(b, unescaped[body[1]])
			body = body[2:]
			continue
		}
		r := hex4(body[2:6])
		body = body[6:]
		if utf16.IsSurrogate(r) {
			next := rune(-1)
			if len(body) >= 6 && body[0] == '\\' && body[1] == 'u' {
				next = hex4(body[2:6])
			}
			if pair := utf16.DecodeRune(r, next); pair != utf8.RuneError {
				r = pair
				body = body[6:]
			} else {
				r = utf8.RuneError
			}
		}
		b = utf8.AppendRune(b, r)
	}
}

// unescaped maps the letter of a one-letter escape to the byte it stands for.
var unescaped = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// hex4 decodes four hex digits, or returns -1.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// skip checks and skips one JSON value of any type; depth is the nesting around it.
func (s *scanner) skip(depth int) bool {
	s.space()
	if s.pos >= len(s.data) {
		return false
	}
	switch s.data[s.pos] {
	case '"':
		s.pos++
		_, _, ok := s.stringBody()
		return ok
	case '{':
		return depth < maxSkipDepth && s.skipObject(depth+1)
	case '[':
		return depth < maxSkipDepth && s.skipArray(depth+1)
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	return s.number()
}

// skipObject skips an object, whose keys may be any strings.
func (s *scanner) skipObject(depth int) bool {
	s.pos++ // the brace
	if s.eat('}') {
		return true
	}
	for {
		if !s.eat('"') {
			return false
		}
		if _, _, ok := s.stringBody(); !ok || !s.eat(':') || !s.skip(depth) {
			return false
		}
		if s.eat('}') {
			return true
		}
		if !s.eat(',') {
			return false
		}
	}
}

// skipArray skips an array.
func (s *scanner) skipArray(depth int) bool {
	s.pos++ // the bracket
	if s.eat(']') {
		return true
	}
	for {
		if !s.skip(depth) {
			return false
		}
		if s.eat(']') {
			return true
		}
		if !s.eat(',') {
			return false
		}
	}
}

// literal consumes lit if it comes next. What follows it is checked by the caller, as
// after a number: "truex" fails there.
func (s *scanner) literal(lit string) bool {
	end := s.pos + len(lit)
	if end > len(s.data) || string(s.data[s.pos:end]) != lit {
		return false
	}
	s.pos = end
	return true
}

// number consumes a number as the JSON grammar defines it.
func (s *scanner) number() bool {
	d, i := s.data, s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		i = digits(d, i)
	default:
		return false
	}
	if i < len(d) && d[i] == '.' {
		j := digits(d, i+1)
		if j == i+1 {
			return false // no digit after the point
		}
		i = j
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := digits(d, i)
		if j == i {
			return false // no digit in the exponent
		}
		i = j
	}
	s.pos = i
	return true
}

// digits returns the index of the first non-digit in d at or after i.
func digits(d []byte, i int) int {
	for i < len(d) && '0' <= d[i] && d[i] <= '9' {
		i++
	}
	return i
}
