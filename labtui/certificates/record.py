"""Build, sign and verify certificate records.

A record is a certificate of completion only when the course's completion rule is met
(:func:`completion_rule`): every module completed and every exercise of the course passed.
Otherwise it is a progress record and says so in its ``kind`` (issue #16). Every record has a
random certificate id, the issuer (instructor and organisation, free text from ``--issuer``)
and, from a classroom, the session's room and dates. Numbers in a record are integers, so
its canonical JSON is the same in Python and in the browser's verification page.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labtui.certificates.keys import fingerprint, load_private_key, public_key_b64
from labtui.course.loader import Course
from labtui.errors import LabError
from labtui.progress.store import ProgressStore

FORMAT = "labtui-certificate/2"
KNOWN_FORMATS = ("labtui-certificate/1", FORMAT)
COMPLETION = "certificate of completion"
PROGRESS = "progress record"


def completion_rule(course: Course) -> tuple[list[str], list[str], str]:
    """The modules and exercises a completion needs, and the rule in words."""
    modules = [m.id for m in course.modules]
    exercises: list[str] = []
    for module in course.modules:
        for exercise in module.front.exercises if module.front else []:
            if exercise in course.exercises and exercise not in exercises:
                exercises.append(exercise)
    rule = f"all {len(modules)} modules completed"
    if exercises:
        rule += f" and all {len(exercises)} exercises passed"
    return modules, exercises, rule


def canonical(record: dict[str, Any]) -> bytes:
    """The exact bytes that are signed: sorted keys, no whitespace, UTF-8."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def build_record(
    store: ProgressStore,
    course: Course,
    *,
    learner_id: str = "me",
    learner_name: str | None = None,
    cert: str | None = None,
    issuer: str = "labtui self-paced",
    today: dt.date | None = None,
    exercises_passed: set[str] | None = None,
    session: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``exercises_passed``: the passes to count instead of the store's (a classroom counts
    only its server's verdicts); ``session``: the room and its dates."""
    import secrets

    names = dict(store.learners())
    lessons = store.lesson_progress(learner_id)
    passed = store.passed_exercises(learner_id) if exercises_passed is None \
        else set(exercises_passed)
    modules = [m.id for m in course.modules if lessons.get(m.id) and lessons[m.id].completed]
    exams = [a for a in store.quiz_attempts(learner_id, "exam") if a.finished_at and a.score_scaled]
    if cert:
        blueprint = course.exam(cert)
        if blueprint is None:
            raise LabError(
                f"no exam '{cert}'; choose one of {', '.join(e.id for e in course.exams)}"
            )
        exams = [a for a in exams if a.subject == blueprint.id]
    best = max(exams, key=lambda a: a.score_scaled or 0, default=None)
    needed_modules, needed_exercises, rule = completion_rule(course)
    complete = set(needed_modules) <= set(modules) and set(needed_exercises) <= passed
    return {
        "format": FORMAT,
        "certificate_id": "LT-" + secrets.token_hex(8).upper(),
        "kind": COMPLETION if complete else PROGRESS,
        "completion_rule": rule,
        "learner": learner_name or names.get(learner_id, learner_id),
        "course": course.manifest.title if course.manifest else "labtui",
        "issued_on": (today or dt.date.today()).isoformat(),
        "issuer": issuer,
        "modules_completed": modules,
        "modules_total": len(course.modules),
        "exercises_passed": sorted(passed),
        "exercises_total": len(needed_exercises),
        "session": session,
        "best_mock_exam": None
        if best is None
        else {
            "exam": best.subject,
            "scaled": int(best.score_scaled or 0),
            "passed": bool(best.passed),
            "date": (best.finished_at or "")[:10],
        },
        "exam_focus": cert.upper() if cert else None,
    }


def sign(record: dict[str, Any], key_path: Path) -> dict[str, Any]:
    key = load_private_key(key_path)
    public = public_key_b64(key.public_key())
    signed = dict(record, public_key=public)
    signature = base64.b64encode(key.sign(canonical(signed))).decode("ascii")
    return {"certificate": signed, "signature": signature}


@dataclass(frozen=True, slots=True)
class Verification:
    valid: bool
    reason: str
    fingerprint: str | None = None


def verify(document: dict[str, Any], trusted_public_key: str) -> Verification:
    """Valid only if signed by ``trusted_public_key`` (the issuer's published key): the key
    a certificate carries proves nothing by itself, anyone can make one (issue #16)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    record = document.get("certificate") if isinstance(document, dict) else None
    signature = document.get("signature") if isinstance(document, dict) else None
    if not isinstance(record, dict) or not isinstance(signature, str):
        return Verification(False, "not a labtui certificate (needs 'certificate' and 'signature')")
    if record.get("format") not in KNOWN_FORMATS:
        return Verification(False, f"unknown certificate format {record.get('format')!r}")
    public = record.get("public_key")
    if not isinstance(public, str):
        return Verification(False, "the certificate carries no public key")
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public, validate=True))
        key.verify(base64.b64decode(signature, validate=True), canonical(record))
    except (ValueError, InvalidSignature):
        return Verification(
            False, "the signature does not match: the certificate was altered or forged"
        )
    print_ = fingerprint(public)
    if trusted_public_key != public:
        return Verification(
            False, f"signed by key {print_}, not by the issuer you trust "
            f"({fingerprint(trusted_public_key)}): not valid", print_
        )
    kind = record.get("kind", "certificate")
    return Verification(True, f"valid: a {kind} signed by the key you trust ({print_})", print_)


def read_certificate(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LabError(f"cannot read {path}: {error.strerror}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LabError(f"{path}: not a certificate JSON file ({error})") from error
    if not isinstance(data, dict):
        raise LabError(f"{path}: not a certificate JSON file")
    return data
