"""What one execution environment's runtime sees: its jail, its environment variables and
its setup message (design.md §6, §6.1; R-6.4 reserved variables).

In a jail the code is read-only at its own path (as /var/task is in Lambda), /tmp is a
private tmpfs of EphemeralStorage (R-1.3), memory is counted across every process of the
handler (R-2.8), and only the sandbox endpoint is reachable.
Without a jail the runtime gets today's in-process guards instead (_bootstrap.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from labtui.jail import JailSpec
from labtui.runner.protocol import FunctionConfig

BOOTSTRAP = Path(__file__).with_name("_bootstrap.py")
# Address space above the configured memory: the interpreter, boto3 and thread stacks
# reserve far more virtual memory than they touch. Resident memory is what is held to
# MemorySize (the watchdog in environment.py); this rlimit is only the backstop.
ADDRESS_SPACE_HEADROOM_MB = 1024
# Without a jail's process limit: a cap on os.fork inside the runtime (see
# _bootstrap._limit_forks). Not a Lambda number: a lab on a shared laptop stops fork
# bombs early.
FORK_CAP = 16
OPEN_FILES_MAX = 1024  # as in Lambda
_SANDBOX_KEYS = (
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)


def endpoint_ports(sandbox_env: Mapping[str, str]) -> tuple[int, ...]:
    """The loopback port of the sandbox endpoint: the one port forwarded into the jail."""
    url = sandbox_env.get("AWS_ENDPOINT_URL", "")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ()
    if parts.hostname in ("127.0.0.1", "localhost") and port:
        return (port,)
    return ()


def layer_paths(config: FunctionConfig) -> list[str]:
    """Where Python finds layer code: /opt/python and its site-packages in AWS; here the
    same subdirectories of each unpacked layer, the last layer first (later layers
    override earlier ones in /opt, R-1.5)."""
    version = config.runtime.removeprefix("python")
    paths = []
    for layer in reversed(config.layer_dirs):
        paths += [f"{layer}/python", f"{layer}/python/lib/python{version}/site-packages"]
    return paths


def jail_spec(
    config: FunctionConfig,
    code_dir: Path,
    environment: Mapping[str, str],
    control_fds: tuple[int, int],
    sandbox_env: Mapping[str, str],
) -> JailSpec:
    return JailSpec(
        argv=(str(BOOTSTRAP), *(str(fd) for fd in control_fds)),
        python_main=True,
        env=environment,
        cwd=str(code_dir),
        read_only=(str(code_dir), *config.layer_dirs, str(BOOTSTRAP.parent)),
        tmp_mb=config.ephemeral_storage_mb,
        memory_mb=config.memory_mb,
        forward_ports=endpoint_ports(sandbox_env),
        pass_fds=control_fds,
        hostname="169.254.10.1",  # Lambda's hostnames are link-local addresses
    )


def setup_message(
    config: FunctionConfig, code_dir: Path, *, jailed: bool, tasks_enforced: bool
) -> dict[str, Any]:
    mb = 1024 * 1024
    return {
        "task_root": str(code_dir),
        "extra_paths": layer_paths(config),
        "handler": config.handler,
        # Python-level guards only where the operating system does not enforce the rule.
        "python_guards": not jailed,
        "fork_cap": 0 if tasks_enforced else FORK_CAP,
        "limits": {
            "RLIMIT_AS": (config.memory_mb + ADDRESS_SPACE_HEADROOM_MB) * mb,
            "RLIMIT_FSIZE": config.ephemeral_storage_mb * mb,
            "RLIMIT_NOFILE": OPEN_FILES_MAX,
            "RLIMIT_CORE": 0,
        },
    }


def child_environment(
    config: FunctionConfig,
    code_dir: Path,
    sandbox_env: Mapping[str, str],
    *,
    log_stream_name: str,
    provisioned: bool,
    work_dir: Path,
    jailed: bool,
) -> dict[str, str]:
    """Built from scratch: nothing of the parent's environment leaks in (no HOME/.aws,
    no real credentials); reserved variables as in R-6.4."""
    if jailed:
        home = tmp = "/tmp"
        config_file = credentials_file = "/dev/null"  # empty, and all the jail has
    else:
        aws_dir = work_dir / "home" / ".aws"
        (work_dir / "tmp").mkdir(parents=True, exist_ok=True)
        aws_dir.mkdir(parents=True, exist_ok=True)
        for name in ("config", "credentials"):
            (aws_dir / name).write_text("")
        home, tmp = str(work_dir / "home"), str(work_dir / "tmp")
        config_file, credentials_file = str(aws_dir / "config"), str(aws_dir / "credentials")
    environment = dict(config.environment)
    environment.update({key: sandbox_env[key] for key in _SANDBOX_KEYS if key in sandbox_env})
    environment.update(
        {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "HOME": home,
            "TMPDIR": tmp,
            "LAMBDA_TASK_ROOT": str(code_dir),
            "LAMBDA_RUNTIME_DIR": str(BOOTSTRAP.parent),
            "_HANDLER": config.handler,
            "AWS_REGION": config.region,
            "AWS_DEFAULT_REGION": config.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{config.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": config.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": config.version,
            "AWS_LAMBDA_LOG_GROUP_NAME": config.log_group_name,
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream_name,
            "AWS_LAMBDA_INITIALIZATION_TYPE": (
                "provisioned-concurrency" if provisioned else "on-demand"
            ),
            "AWS_CONFIG_FILE": config_file,
            "AWS_SHARED_CREDENTIALS_FILE": credentials_file,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    environment.setdefault("AWS_ACCESS_KEY_ID", "AKIALABTUIFAKEKEY000")
    environment.setdefault("AWS_SECRET_ACCESS_KEY", "labtui-fake-secret")
    environment.setdefault("AWS_SESSION_TOKEN", "labtui-fake-session-token")
    return environment
