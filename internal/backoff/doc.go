// Package backoff spreads and waits out the delays between retries: the processor's retries
// of a failing Redis or Kafka call, and the store's new attempts at a pair another writer
// changed meanwhile.
package backoff
