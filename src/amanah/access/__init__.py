"""Humanitarian access: crossings, consignments and their lifecycle, and the public access
metrics, aggregated and delayed so they do no harm."""
