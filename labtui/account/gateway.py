"""The labtui gateway: a WSGI middleware in front of moto's WSGI app (design.md §4).

Every request is authenticated (authn.py: SigV4 with the key's secret), stamped with
the caller's account, and checked for reaching into another account (authz.py) before
anything else sees it. Lambda's data plane (Invoke) and the configuration moto lacks
or drops are answered here; everything else goes to moto, whose failures come back as
AWS-style errors (gateway_edges.py).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from labtui.account import (
    authz,
    aws_errors,
    gateway_edges,
    lambda_rules_sources,
    moto_triggers,
    s3_namespace,
    sts_sessions,
)
from labtui.account import lambda_config_api as config_api
from labtui.account.authn import authenticate, signing_service
from labtui.account.credentials import CredentialRegistry, Principal
from labtui.account.identity import DEFAULT_REGION
from labtui.account.lambda_extras import LATEST, ExtrasStore
from labtui.account.lambda_invoke import InvokeService, split_function_name
from labtui.account.wsgi import (
    BodyRefused,
    Environ,
    ReadWriteLock,
    Request,
    Response,
    StartResponse,
    WsgiApp,
    aws_error,
    call_app,
    parse_query,
    read_body_limited,
    strict_json,
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
_ANY_FUNCTION = re.compile(r"^/20\d\d-\d\d-\d\d/functions/(?P<name>[^/]+)")


class Gateway:
    """WSGI app: authentication, isolation and Lambda behaviours, delegating to moto."""

    def __init__(
        self,
        moto_app: WsgiApp,
        extras: ExtrasStore,
        invoker: InvokeService,
        registry: CredentialRegistry,
    ) -> None:
        self.moto_app = moto_app
        self.extras = extras
        self.invoker = invoker
        self.registry = registry
        self.state_lock = ReadWriteLock()  # snapshots take it for writing
        self.on_function_changed: Callable[[str, str], None] | None = None
        self.on_control: Callable[[str, str, dict[str, Any]], Response] | None = None
        # this sandbox's live event source pollers (None: moto's changes go to every one)
        self.event_sources: Any = None
        # called with the account id after a request that may have changed it (the saved
        # account, saved_account.py, is written shortly after)
        self.on_change: Callable[[str], None] | None = None

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        try:
            response = self._serve(environ)
        except Exception:
            # Never a traceback to the learner (the server's terminal is theirs too): the
            # details go to the debug log, the answer is the service's internal error.
            _log.debug("gateway error on %s", environ.get("PATH_INFO"), exc_info=True)
            protocol = aws_errors.protocol_of(signing_service(environ), environ, b"")
            response = aws_errors.internal_failure(protocol)
        return response(start_response)

    def _serve(self, environ: Environ) -> Response:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith("/moto-api"):
            # moto's control API (reset, state dumps) spans every account: never exposed.
            return Response(404, b'{"message": "Not Found"}')
        service = signing_service(environ)
        try:
            body = read_body_limited(environ, gateway_edges.body_limit(path))
        except BodyRefused as not_read:
            protocol = aws_errors.protocol_of(service, environ, b"")
            return gateway_edges.refused_body(protocol, path, environ, not_read)
        protocol = aws_errors.protocol_of(service, environ, body)
        caller = authenticate(environ, body, self.registry, protocol)
        if isinstance(caller, Response):
            return caller
        account_id = caller.account_id
        # Overwrite whatever the caller sent: nobody picks another learner's account.
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = account_id
        s3_namespace.set_current_account(account_id)
        if path.startswith(CONTROL_PREFIX) and self.on_control is not None:
            # labtui's own control calls act on the caller's account only.
            action = path.removeprefix(CONTROL_PREFIX).strip("/")
            try:
                arguments = json.loads(body or b"{}")
            except ValueError:
                arguments = {}
            response = self.on_control(account_id, action, arguments)
            self._note_change(account_id, "POST")
            return response
        refused = self._guard(environ, body, protocol, service or "", caller)
        if refused is not None:
            return refused
        method = str(environ.get("REQUEST_METHOD", "GET"))
        if protocol == aws_errors.REST_JSON and service in ("lambda", None):
            request = Request(
                environ=environ,
                method=str(environ.get("REQUEST_METHOD", "GET")),
                path=path,
                query=parse_query(environ),
                body=body,
                account_id=account_id,
                region=str(environ.get("labtui.region") or DEFAULT_REGION),
                access_key_id=caller.access_key_id,
            )
            response = self._lambda(request)
            self._note_change(account_id, method)
            return response
        if service == "s3" and (malformed := gateway_edges.s3_malformed_xml(environ, body)):
            return malformed
        try:
            answer = self._moto(environ)
        except Exception:
            _log.debug("moto failed on %s", path, exc_info=True)
            return gateway_edges.failed(protocol, environ, body)
        self._note_change(account_id, method)
        return gateway_edges.normalized(answer, protocol, environ, body)

    def _note_change(self, account_id: str, method: str) -> None:
        # GET and HEAD never write; the query and JSON protocols send reads and writes alike
        # as POST, so every POST counts (a save that finds nothing new costs a deep copy).
        if self.on_change is not None and method not in ("GET", "HEAD"):
            self.on_change(account_id)

    def _guard(
        self, environ: Environ, body: bytes, protocol: str, service: str, caller: Principal
    ) -> Response | None:
        """AWS's refusal when the request reaches into another account (authz.py)."""
        action, params = authz.parameters(protocol, environ, body)
        path = str(environ.get("PATH_INFO", ""))
        layers: tuple[str, ...] = ()
        if protocol == aws_errors.REST_JSON:
            if match := _ANY_FUNCTION.match(path):
                params.setdefault("FunctionName", _unquote(match["name"]))
            action = _lambda_action(path, str(environ.get("REQUEST_METHOD", "")))
            layers = _layers(body)
        call = authz.Call(service, protocol, action, params, path, caller, layers)
        if service == "sts":
            if action == "GetSessionToken":
                return sts_sessions.get_session_token(self.registry, caller, params)
            if refused := authz.check_assume_role(call):
                return refused
        return authz.check(call, environ, body)

    def _moto(self, environ: Environ) -> Response:
        self.state_lock.acquire_read()
        try:
            with moto_triggers.serving(self.event_sources):
                return call_app(self.moto_app, environ)
        finally:
            self.state_lock.release_read()

    def _lambda(self, request: Request) -> Response:
        path, method = request.path, request.method
        if (match := _INVOKE.match(path)) and method == "POST":
            return self.invoker.handle(request, match["name"])
        if method in ("POST", "PUT") and request.body:
            # Lambda reads a JSON object; anything else is refused before moto sees it.
            try:
                document = strict_json(request.body)
            except ValueError as error:
                return _unparsable(str(error))
            if not isinstance(document, dict):
                return _unparsable("the request body is not a JSON object")
            # Issue 24: what AWS refuses is refused here, with AWS's error.
            if refused := lambda_rules_sources.refusal(request, document):
                return refused
        try:
            return self._lambda_control(request)
        except Exception:
            _log.debug("gateway error on %s %s", method, path, exc_info=True)
            return aws_errors.internal_failure(aws_errors.REST_JSON)

    def _lambda_control(self, request: Request) -> Response:
        path, method = request.path, request.method
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
        response = gateway_edges.normalized(
            self._moto(request.environ), aws_errors.REST_JSON, request.environ, request.body
        )
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


def _unparsable(reason: str) -> Response:
    return aws_error(
        400, "InvalidRequestContentException", f"Could not parse request body into json: {reason}"
    )


def _unquote(name: str) -> str:
    import urllib.parse

    return urllib.parse.unquote(name)


def _layers(body: bytes) -> tuple[str, ...]:
    try:
        document = json.loads(body) if body else {}
    except (ValueError, RecursionError):
        return ()
    layers = document.get("Layers") if isinstance(document, dict) else None
    return tuple(str(layer) for layer in layers) if isinstance(layers, list) else ()


def _lambda_action(path: str, method: str) -> str:
    """The IAM action name of a Lambda API call (for AccessDenied messages)."""
    tail = path.rstrip("/").rsplit("/", 1)[-1]
    if tail == "invocations":
        return "InvokeFunction"
    if tail == "configuration":
        return "UpdateFunctionConfiguration" if method == "PUT" else "GetFunctionConfiguration"
    if tail == "code":
        return "UpdateFunctionCode"
    if tail == "policy":
        return "GetPolicy" if method == "GET" else "AddPermission"
    if tail == "versions":
        return "PublishVersion" if method == "POST" else "ListVersionsByFunction"
    if "/aliases" in path:
        return {"POST": "CreateAlias", "PUT": "UpdateAlias", "DELETE": "DeleteAlias"}.get(
            method, "GetAlias"
        )
    if "/event-source-mappings" in path:
        return "CreateEventSourceMapping" if method == "POST" else "GetEventSourceMapping"
    return {"DELETE": "DeleteFunction"}.get(method, "GetFunction")
