// Package setup builds relance from one configuration: the policy, the Redis client and
// store, the text check and the processor, wired the same way for the command, the
// benchmark and the end-to-end tests, so that a new setting reaches all of them at once.
package setup
