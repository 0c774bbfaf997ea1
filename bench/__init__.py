"""Benchmarks of the optimizer (`make bench`); never part of `make test`."""
