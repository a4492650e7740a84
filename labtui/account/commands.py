"""CLI: ``labtui sandbox serve|stop`` and ``labtui aws ...`` (imports only argparse here)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    sandbox = subparsers.add_parser(
        "sandbox", help="run the offline AWS sandbox for your own aws CLI / boto3"
    )
    sandbox_commands = sandbox.add_subparsers(title="sandbox commands", metavar="COMMAND")
    serve = sandbox_commands.add_parser(
        "serve",
        help="start the sandbox in the foreground and print the export lines",
        description="Start the sandbox on 127.0.0.1 and print the 'export' lines that point "
        "aws and boto3 at it. Ctrl-C stops it. With --print-env, print the lines of the "
        "running sandbox (starting one in the background if needed) and exit, so that "
        "'eval $(labtui sandbox serve --print-env)' works.",
    )
    serve.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    serve.add_argument("--exercise", metavar="ID", help="seed the account for this exercise")
    serve.add_argument(
        "--owner-pid",
        type=int,
        metavar="PID",
        help=argparse.SUPPRESS,  # stop when this process ends (set by background starts)
    )
    serve.add_argument(
        "--print-env",
        action="store_true",
        help="print export lines for the running sandbox and exit",
    )
    serve.set_defaults(handler=_serve)
    stop = sandbox_commands.add_parser("stop", help="stop a sandbox started in the background")
    stop.set_defaults(handler=_stop)
    snapshot = sandbox_commands.add_parser(
        "snapshot", help="remember the account as it is now, under NAME"
    )
    snapshot.add_argument("name", metavar="NAME")
    snapshot.set_defaults(handler=lambda args: _control("snapshot", args.name))
    restore = sandbox_commands.add_parser("restore", help="rewind the account to snapshot NAME")
    restore.add_argument("name", metavar="NAME")
    restore.set_defaults(handler=lambda args: _control("restore", args.name))
    reset = sandbox_commands.add_parser(
        "reset", help="back to the exercise's seeded state (or an empty account)"
    )
    reset.set_defaults(handler=lambda args: _control("reset", None))
    listing = sandbox_commands.add_parser("snapshots", help="list the snapshots")
    listing.set_defaults(handler=lambda args: _control("snapshots", None))
    sandbox.set_defaults(handler=lambda args: _usage(sandbox))

    aws = subparsers.add_parser(
        "aws",
        help="run the bundled AWS CLI against the running sandbox (v2 syntax accepted)",
        add_help=False,  # every flag, -h included, belongs to the aws CLI
        description="Run 'aws ARGS' against the running sandbox (one is started in the "
        "background if none runs). Commands written for AWS CLI v2 work as written "
        "(--cli-binary-format is accepted).",
    )
    aws.add_argument("aws_arguments", nargs=argparse.REMAINDER, metavar="ARGS")
    aws.set_defaults(handler=_aws)

    def pass_everything_through(
        arguments: list[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        # argparse would claim leading options such as --output; they are the CLI's.
        namespace = namespace if namespace is not None else argparse.Namespace()
        namespace.aws_arguments = list(arguments or [])
        namespace.handler = _aws
        return namespace, []

    aws.parse_known_args = pass_everything_through


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _serve(args: argparse.Namespace) -> int:
    from labtui.account import serve

    if args.print_env:
        record = serve.running_server() or serve.start_background(args.port, args.exercise)
        print(serve.export_lines(serve.cli_environment(record)))
        return 0
    serve.serve_foreground(args.port, args.exercise, announce=lambda line: print(line, flush=True),
                           owner_pid=args.owner_pid)
    return 0


def _control(action: str, name: str | None) -> int:
    from labtui.account import serve

    snapshots = serve.control(action, name)
    done = {
        "snapshot": f"saved snapshot {name}",
        "restore": f"restored snapshot {name}",
        "reset": "account reset",
    }.get(action)
    if done:
        print(done)
    print("snapshots: " + (", ".join(snapshots) or "none"))
    return 0


def _stop(args: argparse.Namespace) -> int:
    from labtui.account import serve

    if serve.stop_server():
        print("sandbox stopped")
        return 0
    print("no sandbox is running")
    return 1


def _aws(args: argparse.Namespace) -> int:
    from labtui.account import serve
    from labtui.account.awscli_bridge import run_aws_here

    given = serve.sandbox_in_environment()
    if given is not None:
        # a workbench shell or a grader's setup.sh: use the sandbox it names, never start
        # another one (that one would outlive the script: issue #19)
        return run_aws_here(list(args.aws_arguments), given)
    record = serve.running_server()
    if record is None:
        # Lab commands should just work: start one in the background and say so.
        record = serve.start_background()
        print(
            f"labtui: started a sandbox in the background on {record.endpoint_url}; it stops "
            "when this terminal's shell exits, or with 'labtui sandbox stop'",
            file=sys.stderr,
        )
    return run_aws_here(list(args.aws_arguments), serve.cli_environment(record))
