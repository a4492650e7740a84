"""``labtui classroom serve|join|worker|token|gradebook|certificates``.

(Each browser student's process is ``python -m labtui.classroom.student``, started by serve.)
"""

from __future__ import annotations

import argparse
import os

DB_ENV = "LABTUI_CLASSROOM_DB"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    classroom = subparsers.add_parser(
        "classroom", help="instructor-led sessions: host a room, join one, export grades"
    )
    classroom.set_defaults(handler=lambda _args: _help(classroom))
    sub = classroom.add_subparsers(title="classroom commands", metavar="COMMAND")

    serve = sub.add_parser("serve", help="host a room: students join from a browser or terminal")
    _room_and_db(serve)
    serve.add_argument("--host", default="127.0.0.1",
                       help="interface to listen on (default 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8700, help="port (default 8700)")
    serve.add_argument("--public-url", help="the URL students type, if not http://HOST:PORT")
    serve.add_argument("--graders", type=_count, default=2,
                       help="submissions graded at once in this server (default 2; 0 leaves "
                       "grading to 'classroom worker' processes)")
    serve.add_argument("--issuer", help='named on certificates: instructor and organisation, '
                       'e.g. "Dana Ruiz, Acme Training"')
    serve.add_argument("--no-isolation", action="store_true",
                       help="run browser students without a jail (they run code as you); "
                       "needed for a --host other than loopback where no jail can be built")
    serve.add_argument("--new-session", action="store_true",
                       help="the room ended: keep that session under NAME-sN, start a new one")
    serve.set_defaults(handler=_serve)

    worker = sub.add_parser("worker", help="grade submissions from a room database (any machine)")
    worker.add_argument("--database-url", default=os.environ.get(DB_ENV), required=
                        os.environ.get(DB_ENV) is None,
                        help=f"the room's PostgreSQL URL (env {DB_ENV})")
    worker.add_argument("--graders", type=_count, default=1,
                        help="submissions this worker grades at once (default 1)")
    worker.add_argument("--lease", type=float, default=60.0,
                        help="seconds a grader may go silent before its job is retried "
                        "elsewhere (default 60; it renews every third of that)")
    worker.set_defaults(handler=_worker)

    token = sub.add_parser("token", help="replace the room's instructor token")
    _room_and_db(token)
    token.add_argument("--rotate", action="store_true", required=True,
                       help="make a new token; the old one stops working at once")
    token.set_defaults(handler=_token)

    join = sub.add_parser("join", help="join a room from this terminal")
    join.add_argument("url", help="the join URL the instructor gave (http://HOST:PORT)")
    join.add_argument("--code", required=True, help="the room code")
    join.add_argument("--name", required=True, help="your name as the instructor will see it")
    join.set_defaults(handler=_join)

    gradebook = sub.add_parser("gradebook", help="one row per student: points and timestamps")
    _room_and_db(gradebook)
    gradebook.add_argument("--format", choices=("csv", "json"), default="csv")
    gradebook.add_argument("--output", "-o", help="write to this file (default: print)")
    gradebook.set_defaults(handler=_gradebook)

    certificates = sub.add_parser(
        "certificates", help="one certificate per student, signed with the instructor key")
    _room_and_db(certificates)
    certificates.add_argument("--key", help="instructor Ed25519 private key (PEM); default: "
                              "LABTUI_HOME/keys/instructor-ed25519.pem (create it once with "
                              "'labtui certificate key --new --classroom')")
    certificates.add_argument("--issuer", help='instructor and organisation, e.g. "Dana Ruiz, '
                              'Acme Training" (default: what serve --issuer stored)')
    certificates.add_argument("--output", "-o", default=".", help="directory (default: .)")
    certificates.set_defaults(handler=_certificates)


def _room_and_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--room", required=True, help="room name (letters, digits, - and _)")
    parser.add_argument("--database-url", default=os.environ.get(DB_ENV),
                        help=f"SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db when a "
                        f"class spans machines (default: SQLite under LABTUI_HOME; env {DB_ENV})")


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= 64:
        raise argparse.ArgumentTypeError("use 0 to 64")
    return value


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 0


def _needs_extra() -> None:
    """Classroom mode uses optional packages; say how to get them instead of a traceback."""
    import importlib.util

    from labtui.errors import LabError

    missing = [name for name in ("aiohttp", "textual_serve", "sqlalchemy")
               if importlib.util.find_spec(name) is None]
    if missing:
        raise LabError(f"classroom mode needs {', '.join(missing)}: "
                       "pip install 'labtui[classroom]'")


def _serve(args: argparse.Namespace) -> int:
    _needs_extra()
    from labtui.classroom.hosting import serve

    return serve(room=args.room, host=args.host, port=args.port,
                 database_url=args.database_url, public_url=args.public_url,
                 graders=args.graders, new_session=args.new_session, issuer=args.issuer,
                 no_isolation=args.no_isolation)


def _worker(args: argparse.Namespace) -> int:
    _needs_extra()
    from labtui.classroom.grader import run_worker

    if not 1.0 <= args.lease <= 3600.0:
        from labtui.errors import LabError

        raise LabError("--lease: 1 to 3600 seconds")
    return run_worker(args.database_url, max(1, args.graders), lease_s=args.lease)


def _token(args: argparse.Namespace) -> int:
    _needs_extra()
    from labtui.classroom.store import ClassroomStore

    with ClassroomStore(args.database_url) as store:
        room = store.room(args.room)
        token = store.new_instructor_token(room.id)
    print(f"New instructor token for room {args.room!r} (the old one no longer works): {token}")
    print(f"Dashboard: <server URL>/dashboard#token={token}")
    return 0


def _join(args: argparse.Namespace) -> int:
    _needs_extra()
    from labtui.classroom.student import join_from_terminal

    return join_from_terminal(args.url, code=args.code, name=args.name)


def _gradebook(args: argparse.Namespace) -> int:
    _needs_extra()
    from pathlib import Path

    from labtui.classroom.gradebook import build_gradebook
    from labtui.classroom.store import ClassroomStore

    with ClassroomStore(args.database_url) as store:
        room = store.room(args.room)
        order, maxima = _exercise_order()
        text = build_gradebook(store, room, order, maxima).render(args.format)
    if args.output:
        Path(args.output).expanduser().write_text(text, encoding="utf-8")
        print(f"gradebook written: {args.output}")
    else:
        print(text, end="")
    return 0


def _certificates(args: argparse.Namespace) -> int:
    _needs_extra()
    from pathlib import Path

    from labtui.classroom.certificates import issue_certificates
    from labtui.classroom.paths import instructor_key_path
    from labtui.classroom.store import ClassroomStore
    from labtui.course.loader import load_course
    from labtui.course.resolver import content_root

    course = load_course(content_root())
    key = Path(args.key).expanduser() if args.key else instructor_key_path()
    with ClassroomStore(args.database_url) as store:
        room = store.room(args.room)
        issued = issue_certificates(store, room, course, key, Path(args.output).expanduser(),
                                    issuer=args.issuer)
    for item in issued:
        print(f"{item.student.name} ({item.kind}): {item.json_path} and {item.pdf_path}")
    print(f"{len(issued)} certificate(s) signed with {key}")
    return 0


def _exercise_order() -> tuple[list[str], dict[str, int]]:
    """Exercise ids in course order and their maxima, when the course can be found (else:
    as recorded)."""
    from labtui.errors import LabError

    try:
        from labtui.course.loader import load_course
        from labtui.course.resolver import content_root

        course = load_course(content_root())
    except LabError:
        return [], {}
    ids: list[str] = []
    for module in course.modules:
        ids += [e for e in (module.front.exercises if module.front else []) if e not in ids]
    return ids, {pack_id: pack.manifest.points for pack_id, pack in course.exercises.items()
                 if pack.manifest is not None}
