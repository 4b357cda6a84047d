"""Comments on draft policies (per article or on the whole policy) and on the
fields of a position record, with one-level replies and "I agree" endorsements."""
