"""Brücke's benchmarks: ``python -m bench`` measures Brücke against a baseline doing the same work.

Every benchmark runs Brücke and its baseline in the same process run, on the same cached
data set, and reports the ratio; absolute times are reported beside it but never decide ``ok``.
"""
