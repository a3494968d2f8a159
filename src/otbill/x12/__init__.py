"""ASC X12 5010: one core (delimiters, segments, envelopes, errors) and a module per transaction."""
