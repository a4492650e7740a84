"""``labtui certificate`` (issue a signed record), ``... verify FILE --key ISSUER.pem``,
``... key --new | --public`` and ``... page`` (the static verification page)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    certificate = subparsers.add_parser(
        "certificate", help="issue a signed certificate or progress record (JSON + PDF), "
        "verify one, manage the signing key"
    )
    certificate.add_argument(
        "--cert", help="report the best mock exam of this certification (e.g. DVA-C02)"
    )
    certificate.add_argument("--name", help="the name to print (default: your learner name)")
    certificate.add_argument(
        "--output", "-o", default=".", help="directory for the files (default: .)"
    )
    certificate.add_argument(
        "--key", help="Ed25519 private key (PEM) to sign with (default: your own, made with "
        "'labtui certificate key --new')"
    )
    certificate.add_argument("--issuer", help='who issues it, e.g. "Dana Ruiz, Acme Training"')
    certificate.set_defaults(handler=_issue)
    sub = certificate.add_subparsers(title="certificate commands", metavar="COMMAND")
    verify = sub.add_parser("verify", help="check a certificate against the issuer's public key")
    verify.add_argument("file", help="the certificate JSON file")
    verify.add_argument(
        "--key", dest="trusted", required=True,
        help="the issuer's published public key: a PEM file or the base64 key"
    )
    verify.set_defaults(handler=_verify)
    key = sub.add_parser("key", help="create the signing key, or export its public half")
    action = key.add_mutually_exclusive_group(required=True)
    action.add_argument("--new", action="store_true", help="create the signing key (once)")
    action.add_argument("--public", action="store_true",
                        help="print the public key (PEM) and its fingerprint, to publish")
    key.add_argument("--key", dest="key_path",
                     help="the private key file (default: your own signing key)")
    key.add_argument("--classroom", action="store_true",
                     help="the instructor key 'classroom certificates' signs with")
    key.set_defaults(handler=_key)
    page = sub.add_parser("page", help="write the static HTML page that verifies certificates "
                          "in a browser (no labtui needed)")
    page.add_argument("--output", "-o", default="labtui-verify.html",
                      help="file to write (default: labtui-verify.html)")
    page.set_defaults(handler=_page)


def _issue(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from labtui.certificates.keys import default_key_path
    from labtui.certificates.pdf import render_pdf
    from labtui.certificates.record import build_record, sign
    from labtui.course.loader import load_course
    from labtui.course.resolver import content_root
    from labtui.progress.store import ProgressStore

    key_path = Path(args.key).expanduser() if args.key else default_key_path()
    course = load_course(content_root())
    with ProgressStore.open_default() as store:
        store.ensure_learner("me")
        record = build_record(store, course, learner_name=args.name, cert=args.cert,
                              issuer=args.issuer or "labtui self-paced")
    document = sign(record, key_path)
    out = Path(args.output).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    stem = f"labtui-certificate-{record['issued_on']}"
    json_path = out / f"{stem}.json"
    json_path.write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    pdf_path = render_pdf(document, out / f"{stem}.pdf")
    print(f"{record['kind']} written: {json_path} and {pdf_path}")
    if record["kind"] != "certificate of completion":
        print(f"(a completion certificate needs {record['completion_rule']})")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from pathlib import Path

    from labtui.certificates.keys import read_trusted_key
    from labtui.certificates.record import read_certificate, verify

    trusted = read_trusted_key(args.trusted)
    result = verify(read_certificate(Path(args.file).expanduser()), trusted)
    print(result.reason)
    return 0 if result.valid else 1


def _key(args: argparse.Namespace) -> int:
    from pathlib import Path

    from labtui.certificates.keys import (
        create_private_key,
        default_key_path,
        fingerprint,
        instructor_key_path,
        load_private_key,
        public_key_b64,
        public_pem,
    )

    if args.key_path:
        path = Path(args.key_path).expanduser()
    elif args.classroom:
        path = instructor_key_path()
    else:
        path = default_key_path()
    key = create_private_key(path) if args.new else load_private_key(path)
    public = key.public_key()
    if args.new:
        print(f"signing key created: {path} (keep it private; back it up)")
    print(public_pem(public), end="")
    print(f"fingerprint: {fingerprint(public_key_b64(public))}")
    if args.new:
        print("Publish the public key above (and its fingerprint) where people who check "
              "your certificates can find it.")
    return 0


def _page(args: argparse.Namespace) -> int:
    from pathlib import Path

    source = Path(__file__).parent / "verify.html"
    target = Path(args.output).expanduser()
    target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    print(f"verification page written: {target} (open it in a browser; it needs no network)")
    return 0
