"""Limits on how often one address or one account may try something (log in, ask for a
password reset, send a public form), counted in the database (decision 0024)."""
