package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/relance/relance/state"
)

var forgetTool = redisTool{
	name:     "forget",
	synopsis: "MEMBER",
	about: `Erases what relance holds in Redis about MEMBER, for an erasure request: every pair record
naming the member (on every master of a Cluster), the member's sender record, and the member
in other members' sender records. It prints how many records it deleted and changed, and
can be run again: a second run erases nothing more. Events already in Kafka are not
relance's to erase. Run it once the platform sends no more events about the member: a
processor still receiving them writes records again.`,
	example: "RELANCE_REDIS_ADDR=redis:6379 relance forget member-123",
	nargs:   1,
}

func forget(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	a, err := forgetTool.parse(args, getenv, stderr)
	if err != nil {
		return err
	}
	client, err := a.connect(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	member := a.members[0]
	e, err := state.Forget(ctx, client, state.Config{}, member)
	if err != nil && !errors.Is(err, state.ErrUnreadableRecords) && !errors.Is(err, state.ErrResharding) {
		return err // nothing reliable to report: part may be erased; running again finishes
	}
	if a.format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if werr := enc.Encode(forgetJSON{
			Member: member, PairsDeleted: e.Pairs, SenderRecordDeleted: e.Own == 1,
			SenderRecordsChanged: e.Senders, SenderRecordsRead: e.SendersExamined,
		}); werr != nil {
			return werr
		}
		return err
	}
	switch {
	case e.Erased() == 0:
		fmt.Fprintf(stdout, "Nothing held about %s: no record deleted or changed (%d other sender records read).\n", member, e.SendersExamined)
	default:
		own := "no sender record of theirs"
		if e.Own == 1 {
			own = "their sender record"
		}
		fmt.Fprintf(stdout, "Forgot %s: deleted %d pair record(s) and %s, and removed them from %d of the %d other sender records.\n",
			member, e.Pairs, own, e.Senders, e.SendersExamined)
	}
	return err
}

// forgetJSON is what forget -format json prints.
type forgetJSON struct {
	Member               string `json:"member"`
	PairsDeleted         int    `json:"pairs_deleted"`
	SenderRecordDeleted  bool   `json:"sender_record_deleted"`
	SenderRecordsChanged int    `json:"sender_records_changed"`
	SenderRecordsRead    int    `json:"sender_records_read"`
}
