"""Palestinian-led projects: what the fund allocates money to."""
