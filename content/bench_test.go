package content_test

import (
	"testing"
	"time"

	"github.com/relance/relance/content"
)

// BenchmarkCheck checks a realistic mix of short messages: the French and English corpora
// (about 60% clean, the rest offensive), each with its locale, one message per iteration.
func BenchmarkCheck(b *testing.B) {
	type msg struct{ text, locale string }
	var msgs []msg
	for _, lang := range []string{"fr", "en"} {
		for _, s := range readCorpus(b, lang) {
			msgs = append(msgs, msg{s.text, lang})
		}
	}
	c := content.Default()
	ctx := b.Context()
	for _, m := range msgs { // warm the pool
		c.Check(ctx, m.text, m.locale)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	cpu := cpuTime()
	for b.Loop() {
		m := msgs[i%len(msgs)]
		c.Check(ctx, m.text, m.locale)
		i++
	}
	reportRates(b, i, cpuTime()-cpu)
}

// reportRates reports messages per second of wall time and, where the process's CPU time
// is known, per second of CPU time: on a machine shared with other work the second is the
// speed of one core.
func reportRates(b *testing.B, n int, cpu time.Duration) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
	if cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "msgs/cpu-s")
	}
}

// BenchmarkCheckNoLocale is BenchmarkCheck without locales: the check guesses the language.
func BenchmarkCheckNoLocale(b *testing.B) {
	var texts []string
	for _, lang := range []string{"fr", "en"} {
		for _, s := range readCorpus(b, lang) {
			texts = append(texts, s.text)
		}
	}
	c := content.Default()
	ctx := b.Context()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	cpu := cpuTime()
	for b.Loop() {
		c.Check(ctx, texts[i%len(texts)], "")
		i++
	}
	reportRates(b, i, cpuTime()-cpu)
}
