"""Construction materials from the crossing to their end use: stock ledgers per warehouse
and vendor, and reconciliation per project, vendor and material."""
