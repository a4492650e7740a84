"""Hosting the room: each browser student gets their own labtui process over textual-serve.

textual-serve's ``Server`` starts one ``AppService`` (a subprocess speaking its web driver
protocol) per websocket. Here the websocket is only accepted from a joined student (their
HttpOnly cookie, same origin), and the process is started with that student's own
LABTUI_HOME, learner id and token, so reconnecting after a crash or a closed tab resumes the
same student's state. ``serve()`` is ``labtui classroom serve``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import shlex
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from labtui.classroom.paths import student_home
from labtui.classroom.store import Student

if TYPE_CHECKING:
    from labtui.classroom.server import ClassroomServer

log = logging.getLogger("labtui.classroom")
EnvFor = Callable[[Student, str], dict[str, str]]
# given the student and textual-serve's terminal variables: the jail to run them in
SpecFor = Callable[[Student, dict[str, str]], Awaitable[Any]]
LOOPBACK_NAMES = ("localhost",)
TUI_SERVICES: web.AppKey[set[Any]] = web.AppKey("labtui_tui_services", set)
# the jail a student's labtui runs in (set when the room isolates students; tests use it)
SPEC_FOR: web.AppKey[Any] = web.AppKey("labtui_spec_for")


def student_command() -> str:
    # textual-serve runs this through a shell; exec makes the lab the process it watches
    return f"exec {shlex.quote(sys.executable)} -m labtui.classroom.student"


def student_environment(room: str, student: Student, token: str, api_url: str) -> dict[str, str]:
    """What makes one student's process that student's: home, learner id, token."""
    return {
        "LABTUI_HOME": str(student_home(room, student.id)),
        "LABTUI_LEARNER": student.learner_id,
        "LABTUI_CLASSROOM_URL": api_url,
        "LABTUI_CLASSROOM_TOKEN": token,
    }


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def add_tui_routes(app: web.Application, server: ClassroomServer, command: str | None,
                   env_for: EnvFor | None, spec_for: SpecFor | None = None) -> None:
    """``/tui`` (the terminal page) and ``/tui/ws`` (one labtui process per connection;
    with ``spec_for``, in that student's jail: :mod:`labtui.classroom.jailed`)."""
    import aiohttp_jinja2
    import jinja2
    from textual_serve.app_service import AppService
    from textual_serve.download_manager import DownloadManager
    from textual_serve.server import Server

    base = Server(command or student_command(), title="labtui classroom")
    downloads = DownloadManager()
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(base.templates_path))
    if env_for is None:
        raise ValueError("hosting the TUI needs env_for (the student environment)")
    services: set[Any] = set()

    class StudentAppService(AppService):
        def __init__(self, extra_env: dict[str, str], student: Student, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.extra_env = extra_env
            self.student = student

        def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
            environment: dict[str, str] = super()._build_environment(width, height)
            environment.update(self.extra_env)
            return environment

        async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
            if spec_for is None:
                return await super()._open_app_process(width, height)
            from labtui.classroom.jailed import start_jailed

            # only the terminal's variables go in: the jail's environment starts empty
            terminal = AppService._build_environment(self, width, height)
            process = await start_jailed(await spec_for(self.student, terminal))
            self._process = process  # type: ignore[assignment]
            self._stdin = process.stdin
            return process

    async def index(request: web.Request) -> web.StreamResponse:
        token = request.cookies.get("labtui_student", "")
        student = await asyncio.to_thread(server.store.student_by_token, token) if token else None
        if student is None or student.room_id != server.room.room_id:
            raise web.HTTPSeeOther("/")
        origin = f"{request.scheme}://{request.host}"
        ws_scheme = "wss" if request.scheme == "https" else "ws"
        context = {
            "font_size": 16,
            "app_websocket_url": f"{ws_scheme}://{request.host}/tui/ws",
            "config": {"static": {"url": f"{origin}/static/"}},
            "application": {"name": f"labtui · {student.name}"},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def websocket(request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin is not None and origin.split("://", 1)[-1] != request.host:
            raise web.HTTPForbidden(reason="cross-site connection refused")
        student, token = await server.authenticated_student(request)
        socket = web.WebSocketResponse(heartbeat=15)
        width = _int(request.query.get("width"), 80)
        height = _int(request.query.get("height"), 24)
        service = None
        try:
            await socket.prepare(request)
            service = StudentAppService(
                env_for(student, token), student, command=base.command,
                write_bytes=socket.send_bytes,
                write_str=socket.send_str, close=socket.close, download_manager=downloads)
            services.add(service)
            await service.start(width, height)
            # a process that dies (even kill -9) closes the page's connection, so the
            # browser shows "reconnect" and the next connection resumes the same student
            closer = asyncio.create_task(_close_when_gone(service, socket))
            try:
                await base._process_messages(socket, service)
            finally:
                closer.cancel()
        except asyncio.CancelledError:
            await socket.close()
        except Exception:
            log.exception("student connection failed")
        finally:
            if service is not None:
                services.discard(service)
                await service.stop()
                await _reap(service)
        return socket

    async def stop_all(_app: web.Application) -> None:
        for service in list(services):
            await service.stop()

    app.on_shutdown.append(stop_all)
    app[TUI_SERVICES] = services
    app.add_routes([
        web.get("/tui", index),
        web.get("/tui/ws", websocket),
        web.static("/static", base.statics_path),
    ])


async def _reap(service: Any) -> None:
    """Make sure the student's process is gone and its pipes are closed."""
    process = getattr(service, "_process", None)
    if process is None:
        return
    try:
        await asyncio.wait_for(process.wait(), 10)  # it was asked to quit: let it save
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
    close = getattr(process, "close", None)
    if close is not None:  # a jail: release its cgroup and pipes
        close()
    transport = getattr(process, "_transport", None)
    if transport is not None:
        transport.close()


async def _close_when_gone(service: Any, socket: web.WebSocketResponse) -> None:
    task = service._task
    if task is not None:
        await asyncio.shield(task)
        await socket.close()


def _int(value: str | None, default: int) -> int:
    try:
        return max(10, min(500, int(value or default)))
    except ValueError:
        return default


def serve(*, room: str, host: str, port: int, database_url: str | None,
          public_url: str | None, graders: int = 2, new_session: bool = False,
          issuer: str | None = None, no_isolation: bool = False) -> int:
    """``labtui classroom serve``: print the join URL and instructor token, then serve."""
    from labtui.errors import LabError
    from labtui.jail import support

    found = support()
    isolated = found.available and not no_isolation
    if not found.available:
        print(f"labtui: no jail for students here ({found.reason})", file=sys.stderr)
    if not isolated and not is_loopback(host) and not no_isolation:
        raise LabError(f"refusing --host {host} without a jail per student: anyone who joins "
                       "could run code as you. Install bubblewrap, or pass --no-isolation "
                       "if you accept that")
    from labtui.classroom.grader import GradingPool
    from labtui.classroom.room import ClassroomRoom
    from labtui.classroom.server import ClassroomServer
    from labtui.classroom.sessions import prepare_room, set_issuer
    from labtui.classroom.store import ClassroomStore
    from labtui.course.loader import load_course
    from labtui.course.resolver import content_root

    root = content_root()
    course = load_course(root)
    store = ClassroomStore(database_url)
    archived = prepare_room(store, room, new_session=new_session)
    opened = ClassroomRoom.open(store, room, course)
    if issuer is not None:
        set_issuer(store, opened.room_id, issuer)
    # the token is kept (hashed) across restarts and servers: a new one only the first time
    token = store.instructor_token_if_new(opened.room_id)
    listen = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"
    url = (public_url or f"http://{listen}").rstrip("/")
    # the student processes run on this machine: they reach the API on loopback when they can
    api_host = "127.0.0.1" if host in ("0.0.0.0", "::") or is_loopback(host) else host
    api_url = f"http://{api_host}:{port}" if ":" not in api_host else f"http://[{api_host}]:{port}"

    def env_for(student: Student, student_token: str) -> dict[str, str]:
        return {**student_environment(room, student, student_token, api_url),
                "LABTUI_CONTENT": str(root)}

    pool = GradingPool(store, graders) if graders > 0 else None
    app = ClassroomServer(opened, on_submit=pool.wake if pool else None).make_app(
        host_tui=True, tui_command=student_command(), env_for=env_for,
        jail_content=root if isolated else None)
    if not is_loopback(host):
        print(f"WARNING: listening on {host}, not just this machine: anyone who can reach "
              f"port {port} on that network can open the join page. The room code admits "
              "students; only the instructor token opens the dashboard. Traffic is plain "
              "HTTP: use it on a network you trust.", file=sys.stderr)
        if public_url is None and host in ("0.0.0.0", "::"):
            print("Tip: --public-url http://<this machine's address>:"
                  f"{port} prints the address students should type.", file=sys.stderr)
    if archived:
        print(f"The ended session of {room!r} is kept as room {archived!r} (export it with "
              f"--room {archived}); this is a new session.")
    print(f"Room {room!r} is open. Students join at: {url}/  with room code "
          f"{opened.room.code}")
    if token is not None:
        print(f"Instructor dashboard (keep this private): {url}/dashboard#token={token}")
        print(f"Instructor token: {token}")
    else:
        print(f"Instructor dashboard: {url}/dashboard (the room's token is unchanged; "
              f"'labtui classroom token --room {room} --rotate' makes a new one)")
    if isolated:
        print("Isolation: each browser student's labtui runs in its own jail (bubblewrap); "
              "submissions are graded in jails too.")
    else:
        print("NO ISOLATION (--no-isolation): browser students' code, scripts and handlers "
              "run as you, with your files and secrets.", file=sys.stderr)
    print(f"Grading: {graders} grader(s) in this server"
          + ("; add more with 'labtui classroom worker --database-url ...'"
             if not store.url.startswith("sqlite") else "") + ".")
    print("Press Ctrl+C to stop; progress stays in the database "
          f"({'SQLite' if store.url.startswith('sqlite') else 'PostgreSQL'}).", flush=True)
    logging.basicConfig(level=os.environ.get("LABTUI_LOG", "WARNING"))
    if pool is not None:
        pool.start()
    try:
        web.run_app(app, host=host, port=port, print=None, access_log=None)
    finally:
        if pool is not None:
            pool.stop()
        store.close()
    return 0
