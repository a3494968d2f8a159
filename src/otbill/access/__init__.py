"""Who may do what: users, roles and memberships, sign-in (argon2 passwords, TOTP for admins,
throttling and lock-out), server-side sessions, API tokens, and the hash-chained audit log.
HIPAA 45 CFR 164.312 (access control, audit controls, integrity, person authentication) is
what these answer to; shared/reference/security-web-scale.md maps each to its test."""
