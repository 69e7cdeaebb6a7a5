package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestContentCheck(t *testing.T) {
	words := filepath.Join(t.TempDir(), "words.tsv")
	// A new word in every language, an insult made more severe, two English entries removed.
	if err := os.WriteFile(words, []byte("add\t*\tzorglub\thate\thigh\nadd\tfr\tbouffon\tinsult\thigh\nremove\ten\tnudes\nremove\ten\tdtf\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	french := []string{
		"t'es vraiment qu'un c.o.n.n.a.r.d",
		"je viens de Concarneau, ravie de faire ta connaissance",
		"sale bougnoule, va crever",
		"envoie des nudes",
		"t'es qu'un bouffon",
		"zorglub",
	}
	english := "I'm gonna k1ll you, b!tch\nyou look hot in that photo\nmy ex called me a bitch\nsend me nudes\r\ndtf?\n\nzorglub\n"
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		stdin string
		want  string
	}{
		{name: "French, as arguments", args: append([]string{"check", "-locale", "fr"}, french...),
			want: "insult:medium\tt'es vraiment qu'un c.o.n.n.a.r.d\n" +
				"clean\tje viens de Concarneau, ravie de faire ta connaissance\n" +
				"hate:high insult:high threat:high\tsale bougnoule, va crever\n" +
				"sexual:medium\tenvoie des nudes\n" +
				"insult:medium\tt'es qu'un bouffon\n" +
				"clean\tzorglub\n"},
		{name: "French with the words file", args: append([]string{"check", "-locale", "fr", "-words", words}, french...),
			want: "insult:medium\tt'es vraiment qu'un c.o.n.n.a.r.d\n" +
				"clean\tje viens de Concarneau, ravie de faire ta connaissance\n" +
				"hate:high insult:high threat:high\tsale bougnoule, va crever\n" +
				"sexual:medium\tenvoie des nudes\n" +
				"insult:high\tt'es qu'un bouffon\n" +
				"hate:high insult:high\tzorglub\n"},
		{name: "English, one message a line of standard input", args: []string{"check", "-locale", "en"}, stdin: english,
			want: "insult:medium threat:high\tI'm gonna k1ll you, b!tch\n" +
				"clean\tyou look hot in that photo\n" +
				"clean\tmy ex called me a bitch\n" +
				"sexual:medium\tsend me nudes\n" +
				"sexual:medium\tdtf?\n" +
				"clean\t\n" +
				"clean\tzorglub\n"},
		{name: "English with the processor's words file setting", args: []string{"check", "-locale", "en"}, stdin: english,
			env: map[string]string{"RELANCE_CONTENT_WORDS_FILE": words},
			want: "insult:medium threat:high\tI'm gonna k1ll you, b!tch\n" +
				"clean\tyou look hot in that photo\n" +
				"clean\tmy ex called me a bitch\n" +
				"clean\tsend me nudes\n" +
				"clean\tdtf?\n" +
				"clean\t\n" +
				"hate:high insult:high\tzorglub\n"},
		{name: "-words '' leaves the setting's file out", args: []string{"check", "-words", "", "zorglub"},
			env: map[string]string{"RELANCE_CONTENT_WORDS_FILE": words}, want: "clean\tzorglub\n"},
		{name: "no locale: the languages the text is written in", args: []string{"check", "sale bougnoule", "go back to your country"},
			want: "hate:high insult:high\tsale bougnoule\nhate:high\tgo back to your country\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := contentCommand(tt.args, func(k string) string { return tt.env[k] }, strings.NewReader(tt.stdin), &stdout, &stderr)
			if err != nil {
				t.Fatalf("err = %v\nstderr: %s", err, stderr.String())
			}
			if got := stdout.String(); got != tt.want {
				t.Errorf("output:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestContentCheckErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.tsv")
	if err := os.WriteFile(bad, []byte("add\tfr\tcrétin\tinsolence\tmedium\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		stdin     string
		wantErr   []string
		wantUsage bool // a command line not understood: exit 2
	}{
		{name: "no subcommand", args: nil, wantErr: []string{"needs a subcommand: check"}, wantUsage: true},
		{name: "unknown subcommand", args: []string{"test"}, wantErr: []string{`unknown content subcommand "test"`}, wantUsage: true},
		{name: "unknown flag", args: []string{"check", "-lang", "fr"}, wantErr: []string{"-lang"}, wantUsage: true},
		{name: "a locale that is none", args: []string{"check", "-locale", "fr FR", "x"}, wantErr: []string{`-locale "fr FR"`}, wantUsage: true},
		{name: "a bad words file names its line", args: []string{"check", "-words", bad, "x"}, wantErr: []string{"bad.tsv:1", "insolence"}},
		{name: "a missing words file", args: []string{"check", "-words", bad + ".missing", "x"}, wantErr: []string{"bad.tsv.missing"}},
		{name: "a line longer than a message", args: []string{"check"}, stdin: "ok\n" + strings.Repeat("a", maxContentLine+1) + "\n",
			wantErr: []string{"line 2", "longer than 65536 bytes"}},
		{name: "a line far longer than the buffer", args: []string{"check"}, stdin: "ok\nok\n" + strings.Repeat("a", 3*maxContentLine),
			wantErr: []string{"line 3", "longer than 65536 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := contentCommand(tt.args, func(string) string { return "" }, strings.NewReader(tt.stdin), &stdout, &stderr)
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v, want it to say %q", err, want)
				}
			}
			if errors.Is(err, errUsage) != tt.wantUsage {
				t.Errorf("err = %v: usage error %v, want %v", err, errors.Is(err, errUsage), tt.wantUsage)
			}
			if tt.wantUsage && !strings.Contains(stderr.String(), "Example:") {
				t.Errorf("stderr lacks the usage and its example:\n%s", stderr.String())
			}
		})
	}
}

func TestContentCheckHelpAndExitStatus(t *testing.T) {
	var stderr bytes.Buffer
	err := contentCommand([]string{"check", "-help"}, func(string) string { return "" }, strings.NewReader(""), &bytes.Buffer{}, &stderr)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"Usage: relance content check", "Example:", "-locale", "-words", "RELANCE_CONTENT_WORDS_FILE"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("-help lacks %q:\n%s", want, stderr.String())
		}
	}

	if !strings.Contains(commandsUsage, "relance content check [-locale L] [-words FILE] [TEXT...]") {
		t.Errorf("relance -help does not list content check:\n%s", commandsUsage)
	}

	bin := binary(t)
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"content", "check", "-help"}, 0},
		{[]string{"content", "check", "-lang", "fr"}, 2},
		{[]string{"content"}, 2},
	} {
		err := exec.Command(bin, tt.args...).Run()
		code := exitCode(t, err)
		if code != tt.code {
			t.Errorf("relance %s: exit status %d, want %d", strings.Join(tt.args, " "), code, tt.code)
		}
	}
	out, err := exec.Command(bin, "content", "check", "-locale", "fr", "espèce de connard").Output()
	if err != nil || string(out) != "insult:medium\tespèce de connard\n" {
		t.Errorf("relance content check: %v, output %q", err, out)
	}
}
