"""What a student's labtui process uses to talk to the room (standard library HTTP only).

:class:`ClassroomClient` implements the TUI's ``ClassroomPort`` (``unlocked_modules``) and the
live part the classroom screens use (``poll``, ``answer``, ``heartbeat``).
:class:`ReportingGrading` wraps the real grading port so every check a student runs is also
reported to the room. A room that cannot be reached never breaks the lab: the last known
state is used and the failure is one line, not a traceback.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labtui.classroom.outbox import Outbox
from labtui.errors import LabError

if TYPE_CHECKING:
    from labtui.progress.store import ProgressStore
    from labtui.tui.services import GradeView, GradingPort, Hint, ProgressCallback

STATE_CACHE_S = 2.0


class ClassroomUnavailable(LabError):
    """The room's server did not answer (``status`` None) or answered with an error."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class ClassroomNews:
    """What changed since the last poll."""

    announcements: list[str] = field(default_factory=list)
    quiz: dict[str, Any] | None = None
    ended: bool = False
    undelivered: int = 0  # submissions and answers still in the outbox
    reachable: bool = True


class ClassroomClient:
    def __init__(self, base_url: str, token: str, timeout: float = 5.0,
                 outbox: Outbox | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.outbox = outbox
        self._lock = threading.Lock()
        self._state: dict[str, Any] | None = None
        self._state_at = 0.0
        self._last_announcement = 0

    # HTTP -------------------------------------------------------------------------------
    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        if self.base_url.startswith("unix://"):
            return self._over_socket(method, path, body)
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            self.base_url + path, data=data, method=method,
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                     **({"Content-Type": "application/json"} if data is not None else {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise ClassroomUnavailable(_server_message(error), error.code) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise ClassroomUnavailable(f"the classroom server is not reachable ({error})") from None

    def _over_socket(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        """A jailed student's labtui: HTTP over the Unix socket the server bound in."""
        import http.client

        data = None if body is None else json.dumps(body).encode("utf-8")
        connection = _UnixConnection(self.base_url.removeprefix("unix://"), self.timeout)
        try:
            connection.request(method, path, body=data, headers={
                "Accept": "application/json",
                **({"Content-Type": "application/json"} if data is not None else {})})
            response = connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as error:
            raise ClassroomUnavailable(f"the classroom server is not reachable ({error})") \
                from None
        finally:
            connection.close()
        try:
            decoded = json.loads(raw or b"null")
        except ValueError:
            raise ClassroomUnavailable("the classroom server answered garbage",
                                       response.status) from None
        if response.status >= 400:
            message = decoded.get("error") if isinstance(decoded, dict) else None
            raise ClassroomUnavailable(str(message or f"the server answered {response.status}"),
                                       response.status)
        return decoded

    # the room's state -------------------------------------------------------------------
    def state(self, *, fresh: bool = False) -> dict[str, Any] | None:
        """The room as this student sees it (cached briefly); None if never reachable."""
        with self._lock:
            if not fresh and self._state is not None and \
                    time.monotonic() - self._state_at < STATE_CACHE_S:
                return self._state
        try:
            state = self.request("GET", "/api/student/state")
        except ClassroomUnavailable:
            return self._state
        with self._lock:
            self._state, self._state_at = state, time.monotonic()
        return dict(state)

    def unlocked_modules(self) -> set[str] | None:
        """ClassroomPort: the modules the instructor has opened (None: no pacing known)."""
        state = self.state()
        if state is None:
            return None
        return {str(m) for m in state.get("unlocked_modules", [])}

    def poll(self) -> ClassroomNews:
        """New announcements since the last poll, the live quiz, and whether the session ended.
        Whatever waits in the outbox is delivered first (the room may be back)."""
        undelivered = self.flush()
        try:
            state = self.request("GET", f"/api/student/state?after={self._last_announcement}")
        except ClassroomUnavailable:
            return ClassroomNews(undelivered=undelivered, reachable=False)
        with self._lock:
            self._state, self._state_at = state, time.monotonic()
        news = ClassroomNews(quiz=state.get("quiz"), ended=bool(state.get("ended")),
                             undelivered=undelivered)
        for item in state.get("announcements", []):
            self._last_announcement = max(self._last_announcement, int(item["id"]))
            news.announcements.append(str(item["text"]))
        return news

    def flush(self) -> int:
        """Deliver the outbox; returns how many messages still wait."""
        if self.outbox is None:
            return 0
        return self.outbox.deliver(self.request, ClassroomUnavailable)

    def _send(self, path: str, body: dict[str, Any]) -> int:
        """Through the outbox when there is one (durable), else straight to the room."""
        if self.outbox is None:
            self.request("POST", path, body)
            return 0
        dropped = len(self.outbox.dropped)
        self.outbox.put("POST", path, body)
        waiting = self.flush()
        if len(self.outbox.dropped) > dropped:  # refused for good: say why, as before
            raise ClassroomUnavailable(self.outbox.dropped[-1], 409)
        return waiting

    def answer(self, quiz_id: int, question_id: str, answer: Any) -> int:
        """Send a live-quiz answer; returns how many messages still wait to be delivered."""
        return self._send("/api/student/answer",
                          {"quiz_id": quiz_id, "question_id": question_id, "answer": answer})

    def submit_check(self, exercise_id: str, workspace: Path,
                     reported: dict[str, Any] | None = None) -> int:
        """Submit the workspace for the server to grade (issue #15): returns how many
        messages still wait in the outbox (0: the room has it)."""
        import base64

        from labtui.classroom.archive import pack_workspace

        archive = base64.b64encode(pack_workspace(workspace)).decode("ascii")
        body: dict[str, Any] = {"exercise_id": exercise_id, "workspace": archive,
                                "idempotency_key": Outbox.new_key()}
        if reported is not None:
            body["reported"] = reported
        return self._send("/api/student/check", body)

    def heartbeat(self, item: str | None) -> None:
        with contextlib.suppress(ClassroomUnavailable):  # time spent is best effort
            self.request("POST", "/api/student/heartbeat", {"item": item})


class _UnixConnection:
    """``http.client.HTTPConnection`` over a Unix socket (built lazily: urllib has none)."""

    def __new__(cls, path: str, timeout: float) -> Any:
        import http.client
        import socket as socket_module

        class Connection(http.client.HTTPConnection):
            def connect(self) -> None:
                self.sock = socket_module.socket(socket_module.AF_UNIX,
                                                 socket_module.SOCK_STREAM)
                self.sock.settimeout(timeout)
                self.sock.connect(path)

        return Connection("localhost", timeout=timeout)


def join(base_url: str, *, code: str, name: str, timeout: float = 10.0) -> dict[str, Any]:
    """Join a room from a terminal: returns ``{student_id, name, room, token}``."""
    client = ClassroomClient(base_url, token="", timeout=timeout)
    result = client.request("POST", "/join", {"name": name, "code": code})
    if not isinstance(result, dict) or "token" not in result:
        raise ClassroomUnavailable("the server did not answer like a labtui classroom")
    return result


class ReportingGrading:
    """The real grading port, plus: every check is submitted to the room, which grades the
    workspace itself; the local result is shown at once, the room's verdict counts."""

    def __init__(self, inner: GradingPort, client: ClassroomClient) -> None:
        self.inner, self.client = inner, client
        self.last_report_error: str | None = None

    def workspace(self, exercise_id: str, learner_id: str) -> Path:
        return self.inner.workspace(exercise_id, learner_id)

    def reset_workspace(self, exercise_id: str, learner_id: str, store: ProgressStore) -> Path:
        return self.inner.reset_workspace(exercise_id, learner_id, store)

    def grade(self, exercise_id: str, learner_id: str, store: ProgressStore,
              on_progress: ProgressCallback | None = None) -> GradeView:
        view = self.inner.grade(exercise_id, learner_id, store, on_progress)
        reported = None if view.error is not None else {
            "passed": view.passed, "points": view.points, "max_points": view.max_points}
        try:
            waiting = self.client.submit_check(
                exercise_id, self.inner.workspace(exercise_id, learner_id), reported)
        except LabError as error:  # too big, or refused by the room
            self.last_report_error = error.message
            message = f"(not submitted to the instructor: {error.message})"
        else:
            self.last_report_error = None
            message = ("(submitted: the instructor's server grades it; pending until then)"
                       if waiting == 0 else
                       f"(not yet delivered ({waiting}): sent when the room is reachable)")
        if on_progress is not None:
            on_progress(message)
        return view

    def next_hint(self, exercise_id: str, store: ProgressStore, learner_id: str) -> Hint:
        return self.inner.next_hint(exercise_id, store, learner_id)

    def hint_cost(self, exercise_id: str, store: ProgressStore, learner_id: str) -> str | None:
        return self.inner.hint_cost(exercise_id, store, learner_id)

    def reveal_solution(self, exercise_id: str, store: ProgressStore, learner_id: str,
                        force: bool) -> Path:
        return self.inner.reveal_solution(exercise_id, store, learner_id, force)


def _server_message(error: urllib.error.HTTPError) -> str:
    try:
        message = json.loads(error.read()).get("error")
    except (ValueError, AttributeError, OSError):
        message = None
    return str(message or f"the classroom server answered {error.code}")
