package replay

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestParseEnvelope(t *testing.T) {
	tests := []struct {
		name         string
		line         string
		want         envelope
		key, payload string // bytesOf the key and payload
		nilPayload   bool
	}{
		{
			name: "as kcat writes it",
			line: `{"topic":"message-sent","partition":2,"offset":41,"tstype":"create","ts":1764000000123,"broker":1,"key":"u-1","payload":"{\"message_id\":\"m-1\",\"text\":\"salut \\\\o/\"}"}`,
			want: envelope{Topic: "message-sent", Partition: 2, Offset: 41, TS: 1764000000123},
			key:  "u-1", payload: `{"message_id":"m-1","text":"salut \\o/"}`,
		},
		{
			name: "headers, spaces and a null key",
			line: ` { "topic" : "reply", "partition" : 0, "offset" : 0, "headers" : ["a", "b", "c", null], "key" : null, "payload" : "x" } `,
			want: envelope{Topic: "reply"}, payload: "x",
		},
		{
			name: "headers as a map, payload verbatim JSON (kcat -s value=json)",
			line: `{"topic":"reply","headers":{"h":["v"]},"payload":{"message_id":"m-7","n":[1,{"a":"}"}]}}`,
			want: envelope{Topic: "reply"}, payload: `{"message_id":"m-7","n":[1,{"a":"}"}]}`,
		},
		{
			name: "a tombstone",
			line: `{"topic":"reply","partition":1,"offset":3,"ts":-1,"key":"k","payload":null}`,
			want: envelope{Topic: "reply", Partition: 1, Offset: 3, TS: -1}, key: "k", nilPayload: true,
		},
		{
			name: "bytes that are not UTF-8 are kept, escapes decoded",
			line: "{\"topic\":\"t\",\"payload\":\"a\xff\xfeb\\u00e9\\ud83d\\ude00\\u0001\\n\\/\"}",
			want: envelope{Topic: "t"}, payload: "a\xff\xfeb\u00e9\U0001F600\x01\n/",
		},
		{
			name: "a string ending in an escaped backslash",
			line: `{"topic":"t","payload":"x\\","key":"\"k\""}`,
			want: envelope{Topic: "t"}, payload: `x\`, key: `"k"`,
		},
		{
			name: "a lone surrogate reads as encoding/json reads it",
			line: `{"topic":"t","payload":"\ud83dx"}`,
			want: envelope{Topic: "t"}, payload: "\uFFFDx",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := parseEnvelope([]byte(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			key, err := bytesOf(e.Key)
			if err != nil {
				t.Fatal(err)
			}
			payload, err := bytesOf(e.Payload)
			if err != nil {
				t.Fatal(err)
			}
			e.Key, e.Payload = nil, nil
			if !reflect.DeepEqual(e, tt.want) || string(key) != tt.key || string(payload) != tt.payload || (payload == nil) != (tt.nilPayload || tt.payload == "") {
				t.Errorf("got %+v key %q payload %q, want %+v key %q payload %q", e, key, payload, tt.want, tt.key, tt.payload)
			}
		})
	}
}

func TestParseEnvelopeRejectsWhatIsNotARecord(t *testing.T) {
	for _, line := range []string{
		``, `[]`, `"topic"`, `{"topic":"t"`, `{"topic":"t"}x`, `{"topic":"t",}`, `{topic:"t"}`,
		`{"topic":"t","partition":1.5}`, `{"topic":"t","partition":-1}`, `{"topic":"t","offset":"3"}`,
		`{"topic":"t","payload":"unterminated}`, `{"topic":"t","headers":[1,2}`,
		`{"topic":"t","payload":"\x"}`, `{"topic":"t","payload":"\u12"}`, `{"topic":42}`,
		`{"topic":"t","ts":12345678901234567890}`, `{"topic":"t","headers":` + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + `}`,
	} {
		e, err := parseEnvelope([]byte(line))
		if err == nil {
			_, err = bytesOf(e.Payload)
		}
		if err == nil {
			t.Errorf("%q: no error", line)
		}
	}
}

// TestParseEnvelopeAgreesWithEncodingJSON: on valid UTF-8, the scanner reads what
// encoding/json reads.
func TestParseEnvelopeAgreesWithEncodingJSON(t *testing.T) {
	for _, payload := range []string{`{"a":"b"}`, "tab\there \"quoted\" \\ back <&> é 😀", "", "\x00\x1f"} {
		line, _ := json.Marshal(map[string]any{"topic": "t/é", "partition": 3, "offset": 9, "ts": 17, "key": "k\"", "payload": payload, "headers": []string{"x", "y"}})
		e, err := parseEnvelope(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		got, err := bytesOf(e.Payload)
		if err != nil {
			t.Fatal(err)
		}
		key, _ := bytesOf(e.Key)
		if !bytes.Equal(got, []byte(payload)) || string(key) != `k"` || e.Topic != "t/é" || e.Partition != 3 || e.Offset != 9 || e.TS != 17 {
			t.Errorf("%s: read %+v payload %q", line, e, got)
		}
	}
}
