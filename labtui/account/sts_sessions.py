"""``sts:GetSessionToken`` for the caller's own account.

moto answers it with one fixed example key that belongs to no account; the sandbox
mints temporary credentials bound to the caller's account instead (credentials.py), so
what STS returns can be used as AWS's can, and acts where the caller acts.
"""

from __future__ import annotations

import uuid
from xml.sax.saxutils import escape

from labtui.account import aws_errors
from labtui.account.credentials import CredentialRegistry, Principal
from labtui.account.wsgi import Response

_MIN_S, _MAX_S, _DEFAULT_S = 900, 129_600, 43_200  # AWS's limits for GetSessionToken


def get_session_token(
    registry: CredentialRegistry, caller: Principal, params: dict[str, str]
) -> Response:
    try:
        duration = int(params.get("DurationSeconds", _DEFAULT_S))
    except ValueError:
        duration = -1
    if not _MIN_S <= duration <= _MAX_S:
        return aws_errors.error(
            aws_errors.QUERY, 400, "ValidationError",
            f"1 validation error detected: Value '{params.get('DurationSeconds')}' at "
            f"'durationSeconds' failed to satisfy constraint: Member must have value "
            f"greater than or equal to {_MIN_S} and less than or equal to {_MAX_S}",
        )
    if caller.session_token is not None:
        # AWS: temporary credentials cannot call GetSessionToken.
        return aws_errors.error(
            aws_errors.QUERY, 403, "AccessDenied",
            "Cannot call GetSessionToken with session credentials",
        )
    session = registry.session_credentials(caller, duration)
    assert session.expires is not None and session.session_token is not None
    expiration = session.expires.strftime("%Y-%m-%dT%H:%M:%SZ")
    xml = (
        '<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        "<GetSessionTokenResult><Credentials>"
        f"<SessionToken>{escape(session.session_token)}</SessionToken>"
        f"<SecretAccessKey>{escape(session.secret_access_key)}</SecretAccessKey>"
        f"<Expiration>{expiration}</Expiration>"
        f"<AccessKeyId>{session.access_key_id}</AccessKeyId>"
        "</Credentials></GetSessionTokenResult>"
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
        "</GetSessionTokenResponse>"
    )
    return Response(200, xml.encode(), [("Content-Type", "text/xml")])
