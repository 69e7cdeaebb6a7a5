package content

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxExtraBytes bounds an operator's file.
const maxExtraBytes = 4 << 20

// readExtraFile reads an operator's additions and removals.
func (b *builder) readExtraFile(name string) error {
	data, err := os.ReadFile(name)
	if err != nil {
		return fmt.Errorf("extra file: %w", err)
	}
	if len(data) > maxExtraBytes {
		return fmt.Errorf("extra file %s: larger than %d bytes", name, maxExtraBytes)
	}
	file := filepath.Base(name)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml":
		return b.readExtraYAML(file, data)
	default:
		return b.readExtraTSV(file, string(data))
	}
}

// readExtraTSV reads lines of
//
//	add    <TAB> lang <TAB> term <TAB> category <TAB> severity [<TAB> flags]
//	remove <TAB> lang <TAB> term [<TAB> category]
func (b *builder) readExtraTSV(file, data string) error {
	for n, line := range strings.Split(data, "\n") {
		origin := fmt.Sprintf("%s:%d", file, n+1)
		fields := splitTabs(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if len(fields) < 3 {
			return fmt.Errorf("%s: want action <TAB> lang <TAB> term …, got %d fields", origin, len(fields))
		}
		langs, err := b.extraLangs(fields[1])
		if err != nil {
			return fmt.Errorf("%s: %w", origin, err)
		}
		switch fields[0] {
		case "add":
			if len(fields) < 5 || len(fields) > 6 {
				return fmt.Errorf("%s: want add <TAB> lang <TAB> term <TAB> category <TAB> severity [<TAB> flags]", origin)
			}
			var flags []string
			if len(fields) == 6 {
				flags = strings.Split(fields[5], ",")
			}
			if err := b.add(origin, langs, fields[2], fields[3], fields[4], flags); err != nil {
				return err
			}
		case "remove":
			if len(fields) > 4 {
				return fmt.Errorf("%s: want remove <TAB> lang <TAB> term [<TAB> category]", origin)
			}
			category := ""
			if len(fields) == 4 {
				category = fields[3]
			}
			if err := b.remove(origin, langs, fields[2], category); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: unknown action %q (want add or remove)", origin, fields[0])
		}
	}
	return nil
}

// extraEntry is one item of a YAML file's add or remove list.
type extraEntry struct {
	Lang     string   `yaml:"lang"`
	Term     string   `yaml:"term"`
	Category string   `yaml:"category"`
	Severity string   `yaml:"severity"`
	Flags    []string `yaml:"flags"`
}

var extraKeys = []string{"lang", "term", "category", "severity", "flags"}

// readExtraYAML reads
//
//	add:
//	  - {lang: fr, term: "gros naze", category: insult, severity: medium, flags: [inflect]}
//	remove:
//	  - {lang: en, term: bloody}
func (b *builder) readExtraYAML(file string, data []byte) error {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file
		}
		return fmt.Errorf("%s: %w", file, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: want a mapping with add and remove lists", file, root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, list := root.Content[i], root.Content[i+1]
		if key.Value != "add" && key.Value != "remove" {
			return fmt.Errorf("%s:%d: unknown key %q (want add or remove)", file, key.Line, key.Value)
		}
		if list.Kind != yaml.SequenceNode {
			return fmt.Errorf("%s:%d: %s: want a list", file, list.Line, key.Value)
		}
		for _, item := range list.Content {
			if err := b.extraYAMLItem(file, key.Value, item); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *builder) extraYAMLItem(file, action string, item *yaml.Node) error {
	origin := fmt.Sprintf("%s:%d", file, item.Line)
	if item.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: want a mapping with lang, term, category, severity", origin)
	}
	for i := 0; i < len(item.Content); i += 2 {
		if k := item.Content[i].Value; !slices.Contains(extraKeys, k) {
			return fmt.Errorf("%s:%d: unknown key %q (want %s)", file, item.Content[i].Line, k, strings.Join(extraKeys, ", "))
		}
	}
	var e extraEntry
	if err := item.Decode(&e); err != nil {
		return fmt.Errorf("%s: %w", origin, err)
	}
	if strings.TrimSpace(e.Term) == "" {
		return fmt.Errorf("%s: empty term", origin)
	}
	langs, err := b.extraLangs(e.Lang)
	if err != nil {
		return fmt.Errorf("%s: %w", origin, err)
	}
	if action == "remove" {
		if e.Severity != "" || len(e.Flags) > 0 {
			return fmt.Errorf("%s: a removal has lang, term and optionally category", origin)
		}
		return b.remove(origin, langs, e.Term, e.Category)
	}
	if e.Category == "" || e.Severity == "" && e.Category != "allow" && e.Category != "target" {
		return fmt.Errorf("%s: an addition needs a category and a severity", origin)
	}
	return b.add(origin, langs, e.Term, e.Category, e.Severity, e.Flags)
}

// extraLangs reads an operator's language: a code ("fr"; a new one adds a language) or
// "*" for every language of the built-in lists.
func (b *builder) extraLangs(name string) (uint8, error) {
	switch name {
	case "":
		return 0, errors.New("missing lang (a code such as fr or en, or * for all)")
	case "*":
		return uint8(1<<len(b.langs) - 1), nil
	}
	i, err := b.lang(name)
	if err != nil {
		return 0, err
	}
	return 1 << i, nil
}
