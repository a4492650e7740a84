"""The labtui gateway: a WSGI middleware in front of moto's WSGI app (design.md §4).

Every request is stamped with the caller's account (per-learner isolation, see
identity.py). Lambda's data plane (Invoke) and the configuration moto lacks or drops
are answered here; everything else goes to moto unchanged.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

from labtui.account import lambda_config_api as config_api
from labtui.account import s3_namespace
from labtui.account.identity import (
    DEFAULT_REGION,
    account_for_key,
    credential_scope,
    moto_issued_account,
)
from labtui.account.lambda_extras import LATEST, ExtrasStore
from labtui.account.lambda_invoke import InvokeService, split_function_name
from labtui.account.wsgi import (
    Environ,
    ReadWriteLock,
    Request,
    Response,
    StartResponse,
    WsgiApp,
    aws_error,
    call_app,
    parse_query,
    read_body,
)

_log = logging.getLogger(__name__)
CONTROL_PREFIX = "/labtui-api/"  # snapshot, restore, reset, snapshots (see Sandbox.control)
_FN = r"(?P<name>[^/]+)"
_INVOKE = re.compile(rf"^/2015-03-31/functions/{_FN}/invocations/?$")
_EVENT_INVOKE_CONFIG = re.compile(
    rf"^/2019-09-25/functions/{_FN}/event-invoke-config(?P<list>/list)?/?$"
)
_PROVISIONED = re.compile(rf"^/2019-09-30/functions/{_FN}/provisioned-concurrency/?$")
_ACCOUNT_SETTINGS = re.compile(r"^/2016-08-19/account-settings/?$")
_CREATE = re.compile(r"^/2015-03-31/functions/?$")
_CONFIGURATION = re.compile(rf"^/2015-03-31/functions/{_FN}/configuration/?$")
_FUNCTION = re.compile(rf"^/2015-03-31/functions/{_FN}/?$")
_VERSIONS = re.compile(rf"^/2015-03-31/functions/{_FN}/versions/?$")
_CONCURRENCY = re.compile(r"^/2017-10-31/functions/(?P<name>[^/]+)/concurrency/?$")


class Gateway:
    """WSGI app: isolation + Lambda behaviours, delegating the rest to moto."""

    def __init__(
        self,
        moto_app: WsgiApp,
        extras: ExtrasStore,
        invoker: InvokeService,
        default_access_key: str,
    ) -> None:
        self.moto_app = moto_app
        self.extras = extras
        self.invoker = invoker
        self.default_access_key = default_access_key
        self.state_lock = ReadWriteLock()  # snapshots take it for writing
        self.keys_by_account: dict[str, str] = {}
        self._keys_lock = threading.Lock()
        self.on_function_changed: Callable[[str, str], None] | None = None
        self.on_control: Callable[[str, str, dict[str, Any]], Response] | None = None
        # called with the account id after a request that may have changed it (the saved
        # account, saved_account.py, is written shortly after)
        self.on_change: Callable[[str], None] | None = None

    def account_for(self, access_key_id: str | None) -> str:
        key = access_key_id or self.default_access_key
        account = moto_issued_account(key) if not key.startswith("AKIALAB") else None
        if account is None:
            account = account_for_key(key)
        with self._keys_lock:
            # Handlers of this account run with a key that maps back to it.
            self.keys_by_account.setdefault(account, key)
        return account

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        access_key, region, service = credential_scope(environ)
        account_id = self.account_for(access_key)
        # Overwrite whatever the caller sent: nobody picks another learner's account.
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = account_id
        s3_namespace.set_current_account(account_id)
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith("/moto-api"):
            # moto's control API (reset, state dumps) spans every account: never exposed.
            return Response(404, b'{"message": "Not Found"}')(start_response)
        if path.startswith(CONTROL_PREFIX) and self.on_control is not None:
            # labtui's own control calls act on the caller's account only.
            action = path.removeprefix(CONTROL_PREFIX).strip("/")
            try:
                arguments = json.loads(read_body(environ) or b"{}")
            except ValueError:
                arguments = {}
            response = self.on_control(account_id, action, arguments)
            self._note_change(account_id, "POST")
            return response(start_response)
        if service == "lambda" or (service is None and path.startswith("/20")):
            request = Request(
                environ=environ,
                method=str(environ.get("REQUEST_METHOD", "GET")),
                path=path,
                query=parse_query(environ),
                body=read_body(environ),
                account_id=account_id,
                region=region or DEFAULT_REGION,
                access_key_id=access_key or self.default_access_key,
            )
            try:
                response = self._lambda(request)
            except Exception:
                _log.exception("gateway error on %s %s", request.method, path)
                response = aws_error(500, "ServiceException", "labtui gateway internal error")
            self._note_change(account_id, request.method)
            return response(start_response)
        response = self._moto(environ)
        self._note_change(account_id, str(environ.get("REQUEST_METHOD", "GET")))
        return response(start_response)

    def _note_change(self, account_id: str, method: str) -> None:
        # GET and HEAD never write; the query and JSON protocols send reads and writes alike
        # as POST, so every POST counts (a save that finds nothing new costs a deep copy).
        if self.on_change is not None and method not in ("GET", "HEAD"):
            self.on_change(account_id)

    def _moto(self, environ: Environ) -> Response:
        self.state_lock.acquire_read()
        try:
            return call_app(self.moto_app, environ)
        finally:
            self.state_lock.release_read()

    def _lambda(self, request: Request) -> Response:
        path, method = request.path, request.method
        if (match := _INVOKE.match(path)) and method == "POST":
            return self.invoker.handle(request, match["name"])
        if match := _EVENT_INVOKE_CONFIG.match(path):
            return config_api.event_invoke_config(
                request, self.extras, match["name"], bool(match["list"])
            )
        if match := _PROVISIONED.match(path):
            return config_api.provisioned_concurrency(request, self.extras, match["name"])
        if _ACCOUNT_SETTINGS.match(path) and method == "GET":
            return config_api.account_settings(request, self.extras)
        creating = _CREATE.match(path) and method == "POST"
        updating = _CONFIGURATION.match(path) and method == "PUT"
        if (creating or updating) and (refused := config_api.check_configuration(request)):
            return refused
        if (match := _CONCURRENCY.match(path)) and (
            refused := config_api.check_reserved_concurrency(request, self.extras, match["name"])
        ):
            return refused
        return self._lambda_via_moto(request)

    def _lambda_via_moto(self, request: Request) -> Response:
        path, method = request.path, request.method
        response = self._moto(request.environ)
        if response.status >= 300:
            return response
        qualifier = request.query_value("Qualifier")
        if _CREATE.match(path) and method == "POST":
            body = _json_or_empty(request.body)
            name = str(body.get("FunctionName", ""))
            self._remember(request, name, body)
            return config_api.merge_configuration(
                response, self.extras, request, name, None, nested=False, transition="create"
            )
        if match := _CONFIGURATION.match(path):
            name, qualifier = split_function_name(match["name"], qualifier)
            if method == "PUT":
                self._remember(request, name, _json_or_empty(request.body))
                self._changed(request.account_id, name)
            return config_api.merge_configuration(
                response,
                self.extras,
                request,
                name,
                qualifier,
                nested=False,
                transition="update" if method == "PUT" else None,
            )
        if match := _FUNCTION.match(path):
            name, qualifier = split_function_name(match["name"], qualifier)
            if method == "DELETE":
                with self.extras.lock:
                    self.extras.account(request.account_id).forget_function(request.region, name)
                self._changed(request.account_id, name)
                return response
            return config_api.merge_configuration(
                response, self.extras, request, name, qualifier, nested=True
            )
        if (match := _VERSIONS.match(path)) and method == "POST":
            name, _ = split_function_name(match["name"], None)
            version = str(_json_or_empty(response.body).get("Version", ""))
            with self.extras.lock:
                self.extras.account(request.account_id).publish(request.region, name, version)
            return config_api.merge_configuration(
                response, self.extras, request, name, version, nested=False
            )
        if "/code" in path and method == "PUT":
            name, _ = split_function_name(path.split("/")[3], None)
            self._changed(request.account_id, name)
        return response

    def _remember(self, request: Request, name: str, body: dict[str, Any]) -> None:
        with self.extras.lock:
            account = self.extras.account(request.account_id)
            account.remember_config((request.region, name, LATEST), body)

    def _changed(self, account_id: str, name: str) -> None:
        # A configuration or code update replaces the function's environments.
        if self.on_function_changed is not None:
            self.on_function_changed(account_id, name)


def _json_or_empty(body: bytes) -> dict[str, Any]:
    try:
        loaded = json.loads(body) if body else {}
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}
