package topics

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// trickyStrings are what appendJSONString must escape as encoding/json does.
var trickyStrings = []string{
	"", "x", "<3 & à bientôt", `"\/`, "\b\f\n\r\t", "\x00\x01\x1f\x7f", "é😀", "\u2028\u2029",
	"\xff", "a\xc3", "\xed\xa0\x80", "\ufffd", "\u0085", strings.Repeat("Tu as envoyé plusieurs messages. ", 4),
}

// fill sets every field of the struct v points to, each to its own value: strings and
// lists of them from s, numbers from n, times (and pointers to them) from t. A field of
// another kind fails the test, so a new field cannot be left out of appendJSON unseen.
func fill(tb testing.TB, v any, s string, n int64, t time.Time) {
	rv := reflect.ValueOf(v).Elem()
	for i := range rv.NumField() {
		f, own := rv.Field(i), strconv.Itoa(i)
		switch f.Interface().(type) {
		case string:
			f.SetString(s + own)
		case []string:
			f.Set(reflect.ValueOf([]string{s, own + s}))
		case int, int64:
			f.SetInt(n + int64(i))
		case time.Time:
			f.Set(reflect.ValueOf(t.Add(time.Duration(i) * time.Second)))
		case *time.Time:
			ti := t.Add(time.Duration(i) * time.Second)
			f.Set(reflect.ValueOf(&ti))
		default:
			tb.Fatalf("field %s: %s not handled", rv.Type().Field(i).Name, f.Type())
		}
	}
}

// TestAppendJSONMatchesEncode: the hand-written encoders give Encode's bytes, every field
// set, with every string escape, and with the fields Encode leaves out or writes null.
func TestAppendJSONMatchesEncode(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 11, 23, 11, 15, 0, 0, time.FixedZone("CET", 3600)),
		time.Date(2026, 11, 23, 10, 15, 0, 0, time.UTC),
		time.Date(2026, 11, 23, 10, 15, 0, 123000000, time.UTC),
		time.Date(2026, 11, 23, 10, 15, 0, 1, time.UTC),
		{},
	}
	for _, s := range trickyStrings {
		for _, n := range []int64{0, -1, 1 << 40} {
			for _, tm := range times {
				var n1 CoachNudge
				fill(t, &n1, s, n, tm)
				n2 := CoachNudge{NudgeID: s, OccurredAt: tm} // lists nil, optional fields empty
				var a1 ModerationAlert
				fill(t, &a1, s, n, tm)
				a2 := ModerationAlert{AlertID: s, LastMessageAt: tm}
				for _, v := range []interface {
					appendJSON([]byte) ([]byte, bool)
				}{n1, n2, a1, a2} {
					want, err := Encode(v)
					if err != nil {
						t.Fatal(err)
					}
					got, ok := v.appendJSON(nil)
					if !ok || !bytes.Equal(got, want) {
						t.Errorf("appendJSON = %s, %v\nEncode     %s", got, ok, want)
					}
				}
			}
		}
	}
}

// TestAppendJSONLeavesBadTimes: a time Encode refuses is left to it, for its error.
func TestAppendJSONLeavesBadTimes(t *testing.T) {
	bad := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, ok := (CoachNudge{OccurredAt: bad}).appendJSON(nil); ok {
		t.Error("nudge: appendJSON took a year past 9999")
	}
	if _, ok := (ModerationAlert{NudgedAt: &bad}).appendJSON(nil); ok {
		t.Error("alert: appendJSON took a year past 9999")
	}
	if _, err := EncodeNudge(CoachNudge{NudgeID: "n", UserID: "u", Audience: AudienceSender, Kind: KindFollowUpLimit, OccurredAt: bad}); err == nil {
		t.Error("EncodeNudge took a year past 9999")
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, Encode gives %s", s, got, want)
		}
	})
}
