"""Analytics: revenue-cycle KPIs as pure formulas, reports as data, and the charts drawn from
them. No database here: the ledger's queries (otbill.ledger.reports) fill these records."""
