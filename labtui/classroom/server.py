"""The classroom server: one aiohttp app for the join page, the APIs, the dashboard and the TUI.

Routes (JSON errors everywhere: ``{"error": "..."}`` with a 4xx, never a traceback):

- ``GET /`` join page; ``POST /join`` (form or JSON ``{name, code}``) gives the student a
  secret token (an HttpOnly cookie for browsers, the JSON body for terminals);
- ``/api/student/*`` state, check results, quiz answers, heartbeats: the student's own
  token (cookie or ``Authorization: Bearer``) decides who they are. No route takes a
  student id, so no student can read or write another's data;
- ``GET /dashboard`` the instructor page (no data in it); ``/api/instructor/*`` the room
  view, pacing, announcements, live quiz, gradebook and end of session, behind the
  instructor's bearer token (compared in constant time, see ClassroomStore);
- ``/tui`` and ``/tui/ws`` each student's own labtui process over textual-serve
  (:mod:`labtui.classroom.hosting`).
"""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from labtui.classroom import api
from labtui.classroom.room import ClassroomRoom
from labtui.classroom.store import ClassroomError, ClassroomStore, Student

log = logging.getLogger("labtui.classroom")
COOKIE = "labtui_student"
MAX_BODY_BYTES = 64 * 1024
# a submission carries the workspace archive (base64); every other body stays small
MAX_SUBMISSION_BYTES = api.MAX_WORKSPACE_B64 + 4096
MAX_JOIN_FAILURES = 10
JOIN_FAILURE_WINDOW_S = 60.0
WEB_DIR = Path(__file__).parent / "web"
Body = TypeVar("Body", bound=BaseModel)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@web.middleware
async def _json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure becomes a short JSON error; unexpected ones are logged, not shown."""
    try:
        response = await handler(request)
    except ApiError as error:
        return _error(error.status, error.message)
    except ClassroomError as error:
        return _error(error.status, error.message)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return _error(error.status, error.reason)
    except asyncio.CancelledError:
        raise
    except (OperationalError, InterfaceError, DisconnectionError) as error:
        # the database (PostgreSQL restarting, the network) is away: say so, ask to retry
        log.warning("classroom database unavailable on %s %s: %s", request.method,
                    request.path, type(error.orig if hasattr(error, "orig") else error).__name__)
        response = _error(503, "the room's database is not reachable; try again shortly")
        response.headers["Retry-After"] = "5"
        return response
    except Exception:
        log.exception("classroom request %s %s failed", request.method, request.path)
        return _error(500, "internal error (details are in the server log)")
    if not response.prepared:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if request.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
    return response


class ClassroomServer:
    """The HTTP face of one room. Store calls run in worker threads, off the event loop."""

    def __init__(self, room: ClassroomRoom, *, on_submit: Callable[[], None] | None = None
                 ) -> None:
        from labtui.classroom.submissions import SubmissionQueue

        self.room = room
        self.store: ClassroomStore = room.store
        self.submissions = SubmissionQueue(room.store)
        self.on_submit = on_submit  # wakes an idle grading pool
        self._join_failures: dict[str, list[float]] = {}

    def make_app(self, *, host_tui: bool = False, tui_command: str | None = None,
                 env_for: Callable[[Student, str], dict[str, str]] | None = None,
                 jail_content: Path | None = None) -> web.Application:
        """``jail_content``: run each browser student's labtui in their own jail, with this
        course directory (read-only) and a Unix socket of their own as the way to the room."""
        app = web.Application(middlewares=[_json_errors], client_max_size=MAX_SUBMISSION_BYTES)
        app.add_routes([
            web.get("/", self.join_page),
            web.post("/join", self.join),
            web.get("/api/student/state", self.student_state),
            web.post("/api/student/check", self.student_check),
            web.post("/api/student/answer", self.student_answer),
            web.post("/api/student/heartbeat", self.student_heartbeat),
            web.get("/dashboard", self.dashboard_page),
            web.get("/api/instructor/room", self.instructor_room),
            web.post("/api/instructor/unlock", self.instructor_unlock),
            web.post("/api/instructor/announce", self.instructor_announce),
            web.post("/api/instructor/quiz/start", self.instructor_quiz_start),
            web.post("/api/instructor/quiz/end", self.instructor_quiz_end),
            web.post("/api/instructor/end", self.instructor_end),
            web.get("/api/instructor/gradebook", self.instructor_gradebook),
            web.post("/api/instructor/student/rename", self.instructor_rename),
            web.post("/api/instructor/student/remove", self.instructor_remove),
        ])
        if host_tui:
            from labtui.classroom.hosting import add_tui_routes

            add_tui_routes(app, self, tui_command, env_for,
                           self._jail_specs(app, jail_content) if jail_content else None)
        return app

    def _jail_specs(self, app: web.Application, content: Path) -> Any:
        from labtui.classroom.channel import StudentChannels
        from labtui.classroom.jailed import student_spec
        from labtui.classroom.paths import student_home

        channels = StudentChannels(self)

        async def spec_for(student: Student, terminal: dict[str, str]) -> Any:
            socket_path = await channels.socket_for(student)
            room = await asyncio.to_thread(lambda: self.room.room)
            home = await asyncio.to_thread(student_home, room.name, student.id)
            return student_spec(home=home, content=content, socket_path=socket_path,
                                learner_id=student.learner_id, terminal_env=terminal)

        async def close_channels(_app: web.Application) -> None:
            await channels.close()

        from labtui.classroom.hosting import SPEC_FOR

        app.on_cleanup.append(close_channels)
        app[SPEC_FOR] = spec_for
        return spec_for

    # authentication -----------------------------------------------------------------
    @property
    def max_body_bytes(self) -> int:
        return MAX_SUBMISSION_BYTES

    async def authenticated_student(self, request: web.Request) -> tuple[Student, str]:
        from labtui.classroom.channel import SOCKET_STUDENT

        bound = request.config_dict.get(SOCKET_STUDENT)
        if bound is not None:  # the student's own socket: it is them, whatever they send
            current = await asyncio.to_thread(self.store.student_by_id, bound.id)
            if current is None:
                raise ApiError(403, "not a student of this room")
            return current, ""
        token = _bearer(request) or request.cookies.get(COOKIE, "")
        if not token:
            raise ApiError(401, "join the room first")
        student = await asyncio.to_thread(self.store.student_by_token, token)
        if student is None or student.room_id != self.room.room_id:
            raise ApiError(403, "not a student of this room")
        return student, token

    async def _instructor(self, request: web.Request) -> None:
        token = _bearer(request)
        if not token:
            raise ApiError(401, "instructor token required")
        if not await asyncio.to_thread(self.store.instructor_token_ok, self.room.room_id, token):
            raise ApiError(403, "forbidden")

    async def _open_room(self) -> None:
        room = await asyncio.to_thread(lambda: self.room.room)
        if room.ended_at is not None:
            raise ApiError(409, "this session has ended")

    # joining --------------------------------------------------------------------------
    async def join_page(self, request: web.Request) -> web.Response:
        room = await asyncio.to_thread(lambda: self.room.room)
        token = request.cookies.get(COOKIE, "")
        student = await asyncio.to_thread(self.store.student_by_token, token) if token else None
        if student is not None and student.room_id == room.id:
            body = (f"<p>You are <b>{html.escape(student.name)}</b> in room "
                    f"<b>{html.escape(room.name)}</b>.</p><p><a href='/tui'>Continue your lab</a>"
                    "</p>")
        else:
            body = _read_web("join.html")
        page = _read_web("page.html").replace("{{title}}", html.escape(f"labtui · {room.name}"))
        return web.Response(text=page.replace("{{body}}", body), content_type="text/html")

    async def join(self, request: web.Request) -> web.StreamResponse:
        is_form = request.content_type in ("application/x-www-form-urlencoded",
                                           "multipart/form-data")
        if not is_form:
            return await self._join(request, is_form)
        try:
            return await self._join(request, is_form)
        except (ApiError, ClassroomError) as error:
            # a browser gets the join page again, with the reason, not raw JSON (issue #16)
            return await self._join_page_with(error.message, error.status)

    async def _join_page_with(self, message: str, status: int) -> web.Response:
        room = await asyncio.to_thread(lambda: self.room.room)
        body = (f"<p class='err' role='alert'>{html.escape(message)}</p>"
                + _read_web("join.html"))
        page = _read_web("page.html").replace("{{title}}", html.escape(f"labtui · {room.name}"))
        return web.Response(text=page.replace("{{body}}", body), content_type="text/html",
                            status=status)

    async def _join(self, request: web.Request, is_form: bool) -> web.StreamResponse:
        if is_form:
            form = await request.post()
            body = _validate(api.JoinBody, {"name": str(form.get("name", "")),
                                            "code": str(form.get("code", ""))})
        else:
            body = await _json_body(request, api.JoinBody)
        room = await asyncio.to_thread(lambda: self.room.room)
        if room.ended_at is not None:
            raise ApiError(409, "this session has ended")
        if not hmac.compare_digest(body.code.strip().upper().encode(), room.code.encode()):
            # only wrong codes are limited (per address): a guesser is slowed down, a
            # student with the right code behind the same NAT is never locked out
            self._check_join_rate(request)
            self._join_failures.setdefault(request.remote or "?", []).append(time.monotonic())
            raise ApiError(403, "wrong room code")
        student, token = await asyncio.to_thread(self.store.join, room.id, body.name)
        if not is_form:
            return web.json_response({"student_id": student.id, "name": student.name,
                                      "room": room.name, "token": token})
        redirect = web.HTTPSeeOther("/tui")
        redirect.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/",
                            max_age=7 * 24 * 3600)
        raise redirect

    def _check_join_rate(self, request: web.Request) -> None:
        """A few wrong room codes per minute per address: guessing the code is not a plan."""
        now = time.monotonic()
        failures = [t for t in self._join_failures.get(request.remote or "?", [])
                    if now - t < JOIN_FAILURE_WINDOW_S]
        self._join_failures[request.remote or "?"] = failures
        if len(failures) >= MAX_JOIN_FAILURES:
            raise ApiError(429, "too many wrong room codes; wait a minute and check the code")

    # student API ----------------------------------------------------------------------
    async def student_state(self, request: web.Request) -> web.Response:
        student, _ = await self.authenticated_student(request)
        try:
            after = int(request.query.get("after", "0"))
        except ValueError:
            raise ApiError(422, "after: a whole number") from None
        state = await asyncio.to_thread(self.room.student_state, student, after)
        return web.json_response(state)

    async def student_check(self, request: web.Request) -> web.Response:
        """A check is a submission: queued for the server's grader, never taken as a result.
        The exercise must be the course's; points come only from the grader (issue #15)."""
        import base64
        import binascii

        student, _ = await self.authenticated_student(request)
        body = await _json_body(request, api.CheckBody, limit=MAX_SUBMISSION_BYTES)
        await self._open_room()
        if body.exercise_id not in self.room.course.exercises:
            raise ApiError(422, f"exercise_id: no exercise {body.exercise_id!r} in this course")
        try:
            archive = base64.b64decode(body.workspace, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "workspace: not base64") from None
        reported = body.reported.model_dump() if body.reported else None
        number, created = await asyncio.to_thread(
            self.submissions.submit, student.id, body.exercise_id, archive,
            body.idempotency_key, reported)
        if created and self.on_submit is not None:
            self.on_submit()
        return web.json_response({"submission_id": number, "created": created,
                                  "status": "pending"})

    async def student_answer(self, request: web.Request) -> web.Response:
        student, _ = await self.authenticated_student(request)
        body = await _json_body(request, api.AnswerBody)
        await self._open_room()
        await asyncio.to_thread(self.room.answer, student, body.quiz_id, body.question_id,
                                body.answer)
        return web.json_response({"recorded": True})

    async def student_heartbeat(self, request: web.Request) -> web.Response:
        student, _ = await self.authenticated_student(request)
        body = await _json_body(request, api.HeartbeatBody)
        await self._open_room()  # an ended session's time spent is final
        await asyncio.to_thread(self.store.heartbeat, student.id, body.item)
        return web.json_response({"ok": True})

    # instructor -----------------------------------------------------------------------
    async def dashboard_page(self, _request: web.Request) -> web.Response:
        return web.Response(text=_read_web("dashboard.html"), content_type="text/html",
                            headers={"Cache-Control": "no-store"})

    async def instructor_room(self, request: web.Request) -> web.Response:
        await self._instructor(request)
        return web.json_response(await asyncio.to_thread(self.room.dashboard))

    async def instructor_unlock(self, request: web.Request) -> web.Response:
        await self._instructor(request)
        body = await _json_body(request, api.UnlockBody)
        await self._open_room()
        unlocked = await asyncio.to_thread(self.room.unlock, body.module_id)
        return web.json_response({"unlocked_modules": unlocked})

    async def instructor_announce(self, request: web.Request) -> web.Response:
        await self._instructor(request)
        body = await _json_body(request, api.AnnounceBody)
        await self._open_room()
        number = await asyncio.to_thread(self.store.announce, self.room.room_id, body.text)
        return web.json_response({"id": number})

    async def instructor_quiz_start(self, request: web.Request) -> web.Response:
        await self._instructor(request)
        body = await _json_body(request, api.QuizStartBody)
        quiz = await asyncio.to_thread(self.room.start_quiz, body.module_id, body.count)
        return web.json_response({"id": quiz.id, "module_id": quiz.module_id,
                                  "questions": len(quiz.question_ids)})

    async def instructor_quiz_end(self, request: web.Request) -> web.Response:
        await self._instructor(request)
        await asyncio.to_thread(self.store.end_quiz, self.room.room_id)
        return web.json_response(await asyncio.to_thread(self.room.quiz_view))

    async def instructor_end(self, request: web.Request) -> web.Response:
        await self._instructor(request)
        if not await asyncio.to_thread(self.store.end_room, self.room.room_id):
            raise ApiError(409, "this session has already ended")
        await asyncio.to_thread(self.store.announce, self.room.room_id,
                                "The instructor ended this session. Thank you!")
        return web.json_response({"ended": True})

    async def instructor_rename(self, request: web.Request) -> web.Response:
        from labtui.classroom.roster import rename_student

        await self._instructor(request)
        body = await _json_body(request, api.RenameBody)
        student = await asyncio.to_thread(rename_student, self.store, self.room.room_id,
                                          body.student_id, body.name)
        return web.json_response({"id": student.id, "name": student.name})

    async def instructor_remove(self, request: web.Request) -> web.Response:
        from labtui.classroom.roster import remove_student

        await self._instructor(request)
        body = await _json_body(request, api.RemoveBody)
        room = await asyncio.to_thread(lambda: self.room.room)
        await asyncio.to_thread(remove_student, self.store, room.id, room.name, body.student_id)
        return web.json_response({"removed": body.student_id})

    async def instructor_gradebook(self, request: web.Request) -> web.Response:
        from labtui.classroom.gradebook import FORMATS, build_gradebook

        await self._instructor(request)
        fmt = request.query.get("format", "csv")
        if fmt not in FORMATS:
            raise ApiError(422, f"format: one of {', '.join(FORMATS)}")

        def render() -> str:
            room = self.room.room
            return build_gradebook(self.store, room, self.room.exercise_ids(),
                                   self.room.exercise_max_points()).render(fmt)

        text = await asyncio.to_thread(render)
        name = f"gradebook-{self.room.room.name}.{fmt}"
        return web.Response(
            text=text, content_type="text/csv" if fmt == "csv" else "application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


async def _json_body(request: web.Request, model: type[Body],
                     limit: int = MAX_BODY_BYTES) -> Body:
    if request.content_type != "application/json":
        raise ApiError(415, "send a JSON body (Content-Type: application/json)")
    if (request.content_length or 0) > limit:
        raise ApiError(413, f"the body is over {limit // 1024} KiB")
    raw = await request.read()
    if len(raw) > limit:
        raise ApiError(413, f"the body is over {limit // 1024} KiB")
    try:
        data: Any = json.loads(raw) if raw else {}
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "the body is not valid JSON") from None
    return _validate(model, data)


def _validate(model: type[Body], data: Any) -> Body:
    if not isinstance(data, dict):
        raise ApiError(422, "the body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise ApiError(422, f"{where}: {first['msg']}") from None


def _read_web(name: str) -> str:
    return (WEB_DIR / name).read_text(encoding="utf-8")
