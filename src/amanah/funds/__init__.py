"""The fund's money: pledges, receipts, allocations and disbursements, kept in double entry."""
