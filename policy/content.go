package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Category is a kind of offensive content under rule 3.
type Category string

// The categories, as they appear in content_labels.
const (
	CategoryHate   Category = "hate"
	CategoryInsult Category = "insult"
	CategorySexual Category = "sexual"
	CategoryThreat Category = "threat"
)

// messageLabels maps the platform classifier's message labels to categories; labels not
// listed carry no rule.
var messageLabels = map[string]Category{
	"hate":   CategoryHate,
	"insult": CategoryInsult,
	"sexual": CategorySexual,
	"threat": CategoryThreat,
}

// sexualAttachmentLabels are the attachment labels that mean sexual content.
var sexualAttachmentLabels = map[string]bool{
	"explicit": true,
	"nudity":   true,
	"sexual":   true,
}

// Categories maps a message's upstream labels and its attachments' labels (one list per
// attachment) to the categories they carry: sorted, without duplicates, nil when none.
// Labels are matched case-insensitively; unknown ones are ignored.
func Categories(labels []string, attachmentLabels [][]string) []Category {
	var out []Category
	for _, l := range labels {
		if c, ok := messageLabels[normalizeLabel(l)]; ok {
			out = append(out, c)
		}
	}
	for _, ls := range attachmentLabels {
		for _, l := range ls {
			if isSexualAttachment(l) {
				out = append(out, CategorySexual)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func isSexualAttachment(label string) bool { return sexualAttachmentLabels[normalizeLabel(label)] }

func normalizeLabel(l string) string { return strings.ToLower(strings.TrimSpace(l)) }

// TextChecker finds offensive content in a message's text, for messages the platform's
// classifier did not label. locale is the message's locale as sent (possibly empty).
// Check must be safe for concurrent use and pure when it answers: the same text gives the
// same categories, so a replay decides as the first run did. An error means no answer (ctx
// ended, or a service the check needs failed with nothing to fall back on): the caller
// must not take the message as clean, and leaves its batch unfinished, to be retried. The
// text goes no further than Check: only the categories are kept.
type TextChecker interface {
	Check(ctx context.Context, text, locale string) ([]Category, error)
}

// ConcurrentChecker is a TextChecker that waits on I/O, such as a remote classifier:
// CheckTexts runs up to Concurrency of its checks at once. A check without it is taken as
// CPU-bound and run serially.
type ConcurrentChecker interface {
	TextChecker
	Concurrency() int
}

// Text is a message's text and locale, as given to TextChecker.Check.
type Text struct {
	Text, Locale string
}

// CheckTexts checks a batch of texts and returns their categories in the order of texts.
// A ConcurrentChecker runs up to its Concurrency checks at once; any other checker runs in
// the caller's goroutine, one text after the other. On the first error (ctx's when it ends
// first) CheckTexts starts no more checks, waits for those running, and returns it: the
// batch has no answer.
func CheckTexts(ctx context.Context, c TextChecker, texts []Text) ([][]Category, error) {
	limit := 1
	if cc, ok := c.(ConcurrentChecker); ok {
		limit = cc.Concurrency()
	}
	out := make([][]Category, len(texts))
	if limit <= 1 || len(texts) <= 1 {
		for i, t := range texts {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("check text: %w", err)
			}
			cats, err := c.Check(ctx, t.Text, t.Locale)
			if err != nil {
				return nil, fmt.Errorf("check text: %w", err)
			}
			out[i] = cats
		}
		return out, nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(min(limit, len(texts)))
	started := 0
	for i, t := range texts {
		if gctx.Err() != nil {
			break
		}
		started++
		g.Go(func() error {
			if err := gctx.Err(); err != nil { // ended while this check waited for a slot
				return err
			}
			cats, err := c.Check(gctx, t.Text, t.Locale)
			out[i] = cats
			return err
		})
	}
	err := g.Wait()
	if err == nil && started < len(texts) {
		err = ctx.Err() // ctx ended before the last checks started, and none failed
	}
	if err != nil {
		return nil, fmt.Errorf("check text: %w", err)
	}
	return out, nil
}

// NoTextCheck finds nothing: only the platform's labels count.
var NoTextCheck TextChecker = noTextCheck{}

type noTextCheck struct{}

func (noTextCheck) Check(context.Context, string, string) ([]Category, error) { return nil, nil }
