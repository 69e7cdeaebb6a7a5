package setup

import (
	"errors"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// reply is an error reply of a server, as go-redis returns it.
type reply string

func (r reply) Error() string { return string(r) }
func (reply) RedisError()     {}

// Which Sentinel's reply decides, among several: any address means the Sentinels work; a
// refusal is a setting to fix; an unknown master too, unless another Sentinel could not
// be asked and none refused: then the name is still the setting to fix.
func TestSentinelVerdict(t *testing.T) {
	unreachable := errors.New("dial tcp 127.0.0.1:26379: connect: connection refused")
	wrongpass := reply("WRONGPASS invalid username-password pair or user is disabled.")
	for _, tc := range []struct {
		name    string
		replies []error
		want    string // a setting the error names; empty: no error
	}{
		{"one knows the master, another refuses", []error{wrongpass, nil}, ""},
		{"one knows the master, another does not", []error{redis.Nil, nil}, ""},
		{"all unreachable", []error{unreachable, unreachable}, ""},
		{"one unreachable, another refuses", []error{unreachable, wrongpass}, "RELANCE_REDIS_SENTINEL_PASSWORD"},
		{"one unreachable, another does not know the master", []error{unreachable, redis.Nil}, "RELANCE_REDIS_SENTINEL_MASTER"},
		{"one refuses, another does not know the master", []error{redis.Nil, wrongpass}, "RELANCE_REDIS_SENTINEL_PASSWORD"},
		{"missing permission", []error{reply("NOPERM User watcher has no permissions to run the 'sentinel|get-master-addr-by-name' command")}, "RELANCE_REDIS_SENTINEL_USERNAME"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addrs := make([]string, len(tc.replies))
			for i := range addrs {
				addrs[i] = "sentinel-" + string(rune('a'+i)) + ":26379"
			}
			err := sentinelVerdict(addrs, tc.replies, "m")
			got := ""
			if err != nil {
				got = err.Error()
			}
			if (tc.want == "") != (err == nil) || !strings.Contains(got, tc.want) {
				t.Errorf("sentinelVerdict = %v; want an error naming %q (none if empty)", err, tc.want)
			}
		})
	}
}
