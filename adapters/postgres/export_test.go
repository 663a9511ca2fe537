package postgres

// Transient is transient, for tests.
var Transient = transient

// ServerText is serverText, for tests.
var ServerText = serverText

// OneLine is oneLine, for tests.
var OneLine = oneLine
