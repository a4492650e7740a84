"""``labtui certificate`` (issue a signed completion record) and ``... verify FILE``."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    certificate = subparsers.add_parser(
        "certificate", help="issue a signed completion certificate (JSON + PDF), or verify one"
    )
    certificate.add_argument(
        "--cert", help="report the best mock exam of this certification (e.g. DVA-C02)"
    )
    certificate.add_argument("--name", help="the name to print (default: your learner name)")
    certificate.add_argument(
        "--output", "-o", default=".", help="directory for the files (default: .)"
    )
    certificate.add_argument(
        "--key", help="Ed25519 private key (PEM) to sign with (default: your own)"
    )
    certificate.set_defaults(handler=_issue)
    sub = certificate.add_subparsers(title="certificate commands", metavar="COMMAND")
    verify = sub.add_parser("verify", help="check a certificate's signature")
    verify.add_argument("file", help="the certificate JSON file")
    verify.add_argument(
        "--key", dest="trusted", help="only accept this issuer's public key (file or base64)"
    )
    verify.set_defaults(handler=_verify)


def _issue(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from labtui.certificates.keys import default_key_path
    from labtui.certificates.pdf import render_pdf
    from labtui.certificates.record import build_record, sign
    from labtui.course.loader import load_course
    from labtui.course.resolver import content_root
    from labtui.progress.store import ProgressStore

    course = load_course(content_root())
    with ProgressStore.open_default() as store:
        store.ensure_learner("me")
        record = build_record(store, course, learner_name=args.name, cert=args.cert)
    key_path = Path(args.key).expanduser() if args.key else default_key_path()
    document = sign(record, key_path)
    out = Path(args.output).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    stem = f"labtui-certificate-{record['issued_on']}"
    json_path = out / f"{stem}.json"
    json_path.write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    pdf_path = render_pdf(document, out / f"{stem}.pdf")
    print(f"certificate written: {json_path} and {pdf_path}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from pathlib import Path

    from labtui.certificates.keys import load_public_key
    from labtui.certificates.record import read_certificate, verify

    trusted = None
    if args.trusted:
        candidate = Path(args.trusted).expanduser()
        trusted = load_public_key(candidate.read_text() if candidate.is_file() else args.trusted)
    result = verify(read_certificate(Path(args.file).expanduser()), trusted)
    print(result.reason)
    return 0 if result.valid else 1
