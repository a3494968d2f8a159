"""The ledger: claims and payments in a database, the claim lifecycle, 835 posting, A/R.

This is the shell around the pure stages: it stores what they take and produce. Every row
belongs to a practice and every query names one.
"""
