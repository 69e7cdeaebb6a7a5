package setup

import (
	"go.uber.org/zap"

	"github.com/relance/relance/policy"
)

// TextChecker is the text check New gives the processor for cfg: the built-in check with
// the operator's words file (ContentWordsFile), behind the remote classifier when
// ContentRemote has a URL. It is for tools that decide as the processor does (relance
// replay). Call release once done with it.
func TextChecker(cfg Config, log *zap.Logger) (texts policy.TextChecker, release func(), err error) {
	r := &Relance{}
	if texts, err = r.textChecker(cfg, log); err != nil {
		r.Close()
		return nil, nil, err
	}
	return texts, r.Close, nil
}
