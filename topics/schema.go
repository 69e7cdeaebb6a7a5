package topics

import "embed"

// Schemas holds the JSON Schema (draft 2020-12) of each event, named
// schema/<event type>.v<event version>.json, e.g. schema/coach-nudge.v1.json. They are
// the contract for the teams on the other side of the topics; the tests hold the golden
// files and the decoders to them.
//
//go:embed schema/*.json
var Schemas embed.FS
