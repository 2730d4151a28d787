//! Event patterns: parse, validate, compile and match.
