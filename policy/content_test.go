package policy_test

import (
	"slices"
	"testing"

	"github.com/relance/relance/policy"
)

func TestCategories(t *testing.T) {
	tests := []struct {
		name        string
		labels      []string
		attachments [][]string
		want        []policy.Category
	}{
		{"none", nil, nil, nil},
		{"unknown labels ignored", []string{"spam", "flirt"}, [][]string{{"cat"}}, nil},
		{"each label", []string{"threat", "insult", "sexual", "hate"}, nil,
			[]policy.Category{policy.CategoryHate, policy.CategoryInsult, policy.CategorySexual, policy.CategoryThreat}},
		{"case and spaces", []string{" Insult ", "HATE"}, nil,
			[]policy.Category{policy.CategoryHate, policy.CategoryInsult}},
		{"duplicates", []string{"insult", "insult"}, nil, []policy.Category{policy.CategoryInsult}},
		{"nudity picture", nil, [][]string{{"nudity"}}, []policy.Category{policy.CategorySexual}},
		{"explicit picture", nil, [][]string{{"landscape"}, {"explicit"}}, []policy.Category{policy.CategorySexual}},
		{"sexual picture and label", []string{"sexual"}, [][]string{{"sexual", "nudity"}}, []policy.Category{policy.CategorySexual}},
		{"attachment insult label carries no rule", nil, [][]string{{"insult"}}, nil},
		{"label and picture", []string{"insult"}, [][]string{{"nudity"}},
			[]policy.Category{policy.CategoryInsult, policy.CategorySexual}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.Categories(tt.labels, tt.attachments); !slices.Equal(got, tt.want) {
				t.Errorf("Categories = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNoTextCheck(t *testing.T) {
	if got, err := policy.NoTextCheck.Check(t.Context(), "you idiot", "en"); got != nil || err != nil {
		t.Errorf("NoTextCheck = %q, %v", got, err)
	}
}
