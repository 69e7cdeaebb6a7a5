package topics_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/relance/relance/topics"
)

// The fast path of DecodeMessageSent and DecodeReply must give what the encoding/json
// path gives, result and error, for every input: these tests compare the two.

// member is one key and raw JSON value of an object.
type member struct{ key, value string }

func object(ms []member) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + m.key + `":` + m.value)
	}
	b.WriteByte('}')
	return b.String()
}

var (
	messageSentMembers = []member{
		{"message_id", `"m-1"`}, {"sender_id", `"u-1"`}, {"recipient_id", `"u-2"`},
		{"sent_at", `"2026-11-23T10:15:00.123Z"`}, {"conversation_id", `"c-9"`}, {"text", `"salut"`},
		{"locale", `"fr"`}, {"recipient_locale", `"en"`}, {"labels", `["insult"]`}, {"attachments", `[{"kind":"image","labels":["nudity"]}]`},
	}
	replyMembers = []member{
		{"message_id", `"m-7"`}, {"sender_id", `"u-2"`}, {"recipient_id", `"u-1"`},
		{"sent_at", `"2026-11-23T11:00:00Z"`}, {"in_reply_to", `"m-1"`},
	}
)

// jsonValues are raw JSON values, valid or not, put in place of every member's value.
var jsonValues = []string{
	// Strings, with every escape and the surrogate cases encoding/json has rules for.
	`""`, `"x"`, `"u-3"`, `"é"`, `"😀"`, `"a b"`, `"a\u2028b"`, `"\n"`, `"\"\\\/\b\f\n\r\t"`,
	`"\u0041"`, `"\u00e9\u00E9"`, `"\ud83d\ude00"`, `"\uD83D\uDE00"`, `"x\ud83d\ude00y"`,
	`"\ud800"`, `"\udc00"`, `"\udfff"`, `"\udbff\udfff"`, `"\ud800x"`, `"\ud800\u0041"`, `"\ud800\ud800\udc00"`,
	`"\udc00\ud800"`, `"\ud800\n"`, `"\ud800\\u0041"`, `"\ud800\ndc00"`, `"\ud800\\udc00"`, `"\ud800\udbff"`, `"\ud800\ue000"`, `"a\ud800"`,
	`"\u0000"`, `"\u001f"`, `"\u007f"`, `"\u0085"`, `"\ufffd"`, `"\uffff"`, `"\ufeff"`, `"\u00"`,
	`"2026-11-23T10:15:00Z"`, `"2026-11-23T10:15:00\u005a"`, `"2026-11-23T10:15:00+01:00"`, `"2026-11-23T13:15:00Z"`,
	`"` + strings.Repeat("x", 65) + `"`, `"` + strings.Repeat("x", 129) + `"`, `"` + strings.Repeat("é", 64) + `"`,
	// Other types.
	`null`, `true`, `false`, `0`, `-0`, `1`, `-1.5e3`, `1E+2`, `0.5e-7`, `1e999`, `12345678901234567890`,
	`{}`, `{"a":1}`, `{"kind":"image"}`, `{"a":{"b":[true,false,null]}}`, `{"\u00e9":1,"\n":"\t"}`,
	// Arrays, of strings and of attachments.
	`[]`, `[""]`, `["a","b"]`, `["\u0041","\ud800"]`, `[null]`, `["a",null]`, `[1]`, `[[]]`, `[{}]`, `["a",1]`,
	`[{"kind":"image"}]`, `[{"kind":null}]`, `[{"kind":""}]`, `[{"kind":1}]`, `[{"kind":"a","labels":null}]`,
	`[{"kind":"a","labels":[]}]`, `[{"kind":"a","labels":[""]}]`, `[{"kind":"a","labels":"x"}]`, `[{"kind":"a","labels":[null]}]`,
	`[{"kind":"a","Kind":"b"}]`, `[{"KIND":"a"}]`, `[{"kind":"a","kind":"b"}]`, `[{"kind":"a","labels":["x"],"labels":["y"]}]`,
	`[{"kind":"a","x":[1,{"y":null}]}]`, `[{"kind":"a"},{"kind":"b","labels":["x","y"]}]`, `[{"kind":"a"},null]`,
	`[{"kind":"a"},{}]`, `[{"kind":"\u0069mage"}]`, `[{"kind":"a","\u006bind":"b"}]`, `[{"kind":"a","labels":["x"]},{"kind":"b"}]`,
	`[{"kind":"a",}]`, `[{"kind":"a"},]`, `[{"kind" "a"}]`, `[{"kind":"a"}{"kind":"b"}]`, `[{"kind":"a"]`,
	`["` + strings.Repeat(`a","`, 32) + `a"]`, `[` + strings.Repeat(`{"kind":"a"},`, 32) + `{"kind":"a"}]`,
	// Broken values.
	`"\q"`, `"\'"`, `"\u12"`, `"\u12g4"`, `"\U0041"`, `"` + "\t" + `"`, `"` + "\x00" + `"`, `"` + "\x1f" + `"`, `"\`,
	`"`, `'a'`, `tru`, `nul`, `fals`, `True`, `NULL`, `nulll`, `truex`, `01`, `-01`, `1.`, `.5`, `-`, `1e`, `1e+`, `+1`,
	`0x10`, `NaN`, `Infinity`, `1.5.5`, `--1`, `[1,]`, `[,1]`, `[1 2]`, `{"a":1,}`, `{"a"}`, `{"a":}`, `{a:1}`, `{1:2}`,
	`[`, `{`, `]`, `}`, ``, ` `, `"a" "b"`, `"a",`, `[}`, `{]`,
}

// variants returns objects made from ms: each value replaced, each member left out,
// doubled or spelt differently, an unknown member added anywhere.
func variants(ms []member) []string {
	with := func(i int, m ...member) []member {
		out := append([]member{}, ms[:i]...)
		out = append(out, m...)
		return append(out, ms[i+1:]...)
	}
	out := []string{object(ms)}
	for i, m := range ms {
		for _, v := range jsonValues {
			out = append(out, object(with(i, member{m.key, v})))
		}
		for _, k := range keySpellings(m.key) {
			out = append(out,
				object(with(i, member{k, m.value})),
				object(with(i, m, member{k, m.value})),
				object(with(i, member{k, `"other"`}, m)),
			)
		}
		out = append(out,
			object(with(i)),
			object(with(i, m, m)),
			object(with(i, m, member{m.key, `"other"`})),
			object(with(i, m, member{m.key, `null`})),
			object(with(i, m, member{m.key, `[]`})),
		)
	}
	for i := range len(ms) + 1 {
		for _, v := range jsonValues {
			x := append(append(append([]member{}, ms[:i]...), member{"x", v}), ms[i:]...)
			out = append(out, object(x))
		}
	}
	return out
}

// keySpellings are keys encoding/json may or may not match to key.
func keySpellings(key string) []string {
	out := []string{
		strings.ToUpper(key), strings.ToUpper(key[:1]) + key[1:], key[:len(key)-1] + strings.ToUpper(key[len(key)-1:]),
		key + " ", " " + key, key + "s", key[:len(key)-1], key + `\u0000`, `\u00` + hex(key[0]) + key[1:],
		strings.ReplaceAll(key, "_", `\u005f`), strings.ReplaceAll(key, "_", `\u005F`), strings.ReplaceAll(key, "_", "-"),
		strings.ReplaceAll(key, "s", "ſ"), strings.ReplaceAll(key, "k", "\u212a"), strings.ReplaceAll(key, "i", "ı"),
		strings.ReplaceAll(key, "e", "é"),
	}
	return out
}

func hex(c byte) string { return string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15]) }

// mutants returns value cut short at every byte, and with every byte deleted, replaced
// and preceded by each of a few bytes that matter to JSON.
func mutants(value string) []string {
	const bytes = "\"\\,:{}[] \t\n\r\f\x00x0-.eEnu"
	var out []string
	for i := range len(value) + 1 {
		out = append(out, value[:i])
		if i < len(value) {
			out = append(out, value[:i]+value[i+1:])
		}
		for _, c := range []byte(bytes) {
			out = append(out, value[:i]+string(c)+value[i:])
			if i < len(value) {
				out = append(out, value[:i]+string(c)+value[i+1:])
			}
		}
	}
	return out
}

// spaced returns value with sp after every token boundary it can find: after each of
// the structural bytes outside strings.
func spaced(value, sp string) string {
	var b strings.Builder
	b.WriteString(sp)
	inString := false
	for i := 0; i < len(value); i++ {
		c := value[i]
		b.WriteByte(c)
		switch {
		case inString && c == '\\':
			i++
			b.WriteByte(value[i])
		case c == '"':
			inString = !inString
			if !inString {
				b.WriteString(sp)
			}
		case !inString && strings.IndexByte("{}[],:", c) >= 0:
			b.WriteString(sp)
		}
	}
	return b.String()
}

// nested returns inner in n levels of open and close.
func nested(n int, open, inner, close string) string {
	return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
}

// diffInputs returns every input of the differential test but the mutants.
func diffInputs(tb testing.TB) []string {
	inputs := []string{
		``, ` `, `null`, ` null `, `true`, `0`, `"x"`, `[]`, `[{}]`, `{}`, ` {} `, "\t{}\n", `{} `, `{}{}`, `{} {}`,
		`{}x`, `{`, `}`, `{"a":1}`, `{"a":1}}`, "\ufeff{}", `{"":"x"}`, `{"message_id"}`, `{"message_id":}`,
		`{"message_id":"m-1",}`, `{,"message_id":"m-1"}`, `{"message_id":"m-1""sender_id":"u-1"}`, "\xff", `{"x":"` + "\xff" + `"}`,
		`{"x":"` + "\xed\xa0\x80" + `"}`, `{"x":"` + "\xc3" + `"}`, "{\v}", "{\f}", "{\u00a0}", "{\u2028}",
		string(benchMessageSent), string(benchMessageSentLabelled), string(benchReply),
	}
	files, err := filepath.Glob(goldenPath("*"))
	if err != nil {
		tb.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		inputs = append(inputs, string(b))
	}
	for _, ms := range [][]member{messageSentMembers, replyMembers} {
		base := object(ms)
		inputs = append(inputs, variants(ms)...)
		for _, sp := range []string{" ", "\t", "\n", "\r", " \r\n\t", "\f", "\v", "\u00a0", "\u2028", "\ufeff", "\x00"} {
			inputs = append(inputs, spaced(base, sp))
		}
		for _, n := range []int{1, 2, 62, 63, 64, 65, 66, 100, 9999, 10000, 10001} {
			for _, v := range []string{nested(n, "[", "", "]"), nested(n, `{"a":`, "1", "}"), nested(n/2, `[{"a":`, "[]", "}]")} {
				inputs = append(inputs, object(append(ms[:len(ms):len(ms)], member{"x", v})))
			}
		}
		text := object(append(ms[:len(ms):len(ms)], member{"x", `""`}))
		fill := strings.Repeat("x", topics.MaxValueBytes-len(text))
		for _, s := range []string{fill, fill + "x", fill[1:], strings.Repeat(`\n`, len(fill)/2)} {
			inputs = append(inputs, object(append(ms[:len(ms):len(ms)], member{"x", `"` + s + `"`})))
		}
	}
	return inputs
}

func TestFastDecodeMatches(t *testing.T) {
	inputs := diffInputs(t)
	for _, base := range []string{object(messageSentMembers), object(replyMembers), string(benchMessageSentLabelled)} {
		inputs = append(inputs, mutants(base)...)
	}
	fast := 0
	for _, value := range inputs {
		checkFastMatches(t, []byte(value))
		if topics.ScanMessageSentOK([]byte(value)) {
			fast++
		}
	}
	t.Logf("%d inputs, %d of them on the fast path of DecodeMessageSent", len(inputs), fast)
}

func FuzzFastDecodeMatches(f *testing.F) {
	seedGoldens(f)
	for _, value := range diffInputs(f) {
		f.Add([]byte(value))
	}
	f.Fuzz(checkFastMatches)
}

// checkFastMatches fails t unless both decoders give value the same result and error
// on either path.
func checkFastMatches(t *testing.T, value []byte) {
	t.Helper()
	m, err := topics.DecodeMessageSent(value, now)
	wantM, wantErr := topics.DecodeMessageSentJSON(value, now)
	if errString(err) != errString(wantErr) || !reflect.DeepEqual(m, wantM) {
		t.Errorf("DecodeMessageSent(%q)\nfast path: %#v, %v\nencoding/json: %#v, %v", value, m, err, wantM, wantErr)
	}
	r, err := topics.DecodeReply(value, now)
	wantR, wantErr := topics.DecodeReplyJSON(value, now)
	if errString(err) != errString(wantErr) || r != wantR {
		t.Errorf("DecodeReply(%q)\nfast path: %#v, %v\nencoding/json: %#v, %v", value, r, err, wantR, wantErr)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// TestFastPathTaken keeps the comparison above from passing because the scanners give
// up on everything: the inputs producers send must take the fast path.
func TestFastPathTaken(t *testing.T) {
	for _, value := range []string{
		object(messageSentMembers), spaced(object(messageSentMembers), " \r\n\t"),
		string(benchMessageSent), string(benchMessageSentLabelled),
		mustRead(t, goldenPath("message-sent.full")), mustRead(t, goldenPath("message-sent.minimal")),
		`{}`, `{"labels":[],"attachments":[]}`, `{"attachments":[{}]}`,
		`{"text":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800\udc00x\u0000"}`, `{"text":"` + strings.Repeat("é", 1000) + `"}`,
		`{"x":{"y":[1,-2.5e+3,true,false,null,"\u00e9",{}],"\u00e9":[]},"X":null,"":0}`,
		`{"x":` + nested(64, "[", "", "]") + `}`, `{"x":` + nested(63, `{"a":`, "[]", "}") + `}`,
		`{"attachments":[{"kind":"a","x":{"kind":1},"labels":["b"]},{"kind":"c"}]}`,
	} {
		if !topics.ScanMessageSentOK([]byte(value)) {
			t.Errorf("DecodeMessageSent(%q) left the fast path", value)
		}
	}
	for _, value := range []string{
		object(replyMembers), string(benchReply), mustRead(t, goldenPath("reply.answer")),
		`{"text":"x","labels":"x","attachments":null,"Labels":1}`,
	} {
		if !topics.ScanReplyOK([]byte(value)) {
			t.Errorf("DecodeReply(%q) left the fast path", value)
		}
	}
}

// TestFastPathLeft lists inputs the scanners must leave to encoding/json, whose result
// they do not reproduce.
func TestFastPathLeft(t *testing.T) {
	for _, value := range []string{
		`null`, `[]`, `{}x`, `{} {}`, `{"text":null}`, `{"labels":null}`, `{"labels":[null]}`, `{"attachments":[null]}`,
		`{"text":"a","text":"b"}`, `{"labels":["a"],"labels":["b"]}`, `{"Text":"a"}`, `{"TEXT":"a"}`, `{"te\u0078t":"a"}`,
		`{"ſender_id":"a"}`, `{"attachments":[{"\u212aind":"a"}]}`, `{"attachments":[{"Kind":"a"}]}`, `{"text":1}`,
		`{"x":` + nested(65, "[", "", "]") + `}`, `{"x":` + nested(64, `{"a":`, "[]", "}") + `}`, `{"text":"\'"}`, `{"x":01}`, `{"x":"` + "\t" + `"}`,
	} {
		if topics.ScanMessageSentOK([]byte(value)) {
			t.Errorf("DecodeMessageSent(%q) kept to the fast path", value)
		}
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
