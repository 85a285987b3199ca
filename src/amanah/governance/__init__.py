"""The board's decisions: seats, members' keys, motions, quorum policies.

`rules` is pure Python (no Django), so the services that accept signatures and the
database-free `amanah audit` that replays the log apply exactly the same rules.
"""
