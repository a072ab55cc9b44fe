"""Benchmarks and the demo: they print figures; nothing in the product imports them."""
