"""Private messages between the fund's staff and a partner organisation's staff.

Operational correspondence, not a public fact: nothing here is logged, published,
exported or served by a public API (see docs/inbox.md).
"""
