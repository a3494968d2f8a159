"""Denials: root causes of what payers took off a claim, deadlines, the work queue's items,
appeals, and the figures that show where the money leaks (pure; the ledger stores the work)."""
