package policy

import (
	"context"
	"slices"
	"strings"
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

// NoTextCheck finds nothing: only the platform's labels count.
var NoTextCheck TextChecker = noTextCheck{}

type noTextCheck struct{}

func (noTextCheck) Check(context.Context, string, string) ([]Category, error) { return nil, nil }
