// Package integration runs core over the real adapters — PostgreSQL, and Redis
// in front of it — for what no single module can test alone: the atomic rules
// under real concurrency against the real database (the SMS budgets against
// 50 requests at once through the HTTP handler: sms_test.go), two app
// instances sharing one Redis, benchmarks of whole flows with their database round trips, and
// chaos under load (chaos_test.go): a private PostgreSQL restarted, or a
// private Redis killed and started again, while HTTP clients sign in and
// refresh.
//
// It needs the local services (see the README); its tests fail, never skip,
// when one is unreachable.
package integration
