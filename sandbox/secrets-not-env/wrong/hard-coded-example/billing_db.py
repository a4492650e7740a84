"""A stand-in for the billing database driver (the lab has no real database).

connect() accepts only the real host, user and password, like a database would.
"""

import hashlib

_ACCOUNT = ("billing-db.internal", "billing_sync")
_PASSWORD_SHA256 = "7d5466e0b5977e8141994086f8ca3da005a00570db8a196d04ae9d27914aa10f"


class AuthenticationFailed(Exception):
    pass


class Connection:
    def __init__(self, host, user):
        self.host = host
        self.user = user

    def sync_invoices(self, since):
        # Pretend to copy the invoices created since `since` to the billing system.
        return 3


def connect(host, user, password):
    digest = hashlib.sha256(str(password).encode()).hexdigest()
    if (host, user) != _ACCOUNT or digest != _PASSWORD_SHA256:
        raise AuthenticationFailed(f"password authentication failed for user {user!r} at {host!r}")
    return Connection(host, user)
