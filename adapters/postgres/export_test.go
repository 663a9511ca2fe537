package postgres

// Transient is transient, for tests.
var Transient = transient
