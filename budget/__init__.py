"""The budget: per-residency planned and actual amounts by category and funder, payments, the
monthly allowance schedule, yearly budgets per funder, the overview, exports and charts."""
