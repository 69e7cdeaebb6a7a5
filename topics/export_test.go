package topics

// The encoding/json path and the scanners, for the differential tests of the fast path.
var (
	DecodeMessageSentJSON = decodeMessageSentJSON
	DecodeReplyJSON       = decodeReplyJSON
)

// ScanMessageSentOK and ScanReplyOK report whether the fast path decodes value.
func ScanMessageSentOK(value []byte) bool { _, _, ok := scanMessageSent(value); return ok }
func ScanReplyOK(value []byte) bool       { _, _, ok := scanReply(value); return ok }
