"""Use cases: each loads what it needs, asks matching to decide, records, emits notices."""
