"""A handler module that tries every way out of its execution environment an adversarial
learner tried (issue 23). Each function returns what happened; nothing here may succeed
in a jail. Addresses are TEST-NET-1 (192.0.2.0/24, RFC 5737): never a real host."""

import _socket
import ctypes
import errno
import os
import socket
import struct
import subprocess
import sys
import time

OUTSIDE = ("192.0.2.1", 443)


def _outcome(action):
    try:
        action()
    except OSError as error:
        return {"errno": error.errno, "error": str(error)}
    return {"errno": 0, "error": "succeeded"}


def network(event, context):
    results = {}

    def raw_connect():
        sock = _socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(3)
        _socket.socket.connect(sock, OUTSIDE)

    def base_class_connect():
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(3)
        super(socket.socket, sock).connect(OUTSIDE)

    def udp_sendto():
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.1", 53))

    def resolve():
        socket.gethostbyname("example.com")

    def ctypes_connect():
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
        address = struct.pack("!HH4s8x", socket.AF_INET, 443, socket.inet_aton("192.0.2.1"))
        # sockaddr_in's family is in host byte order
        address = struct.pack("=H", socket.AF_INET) + address[2:]
        if libc.connect(fd, ctypes.c_char_p(address), len(address)) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))

    def child_python():
        done = subprocess.run(
            [sys.executable, "-c",
             "import socket, sys\n"
             "try:\n"
             "    socket.create_connection(('192.0.2.1', 443), timeout=3)\n"
             "except OSError as error:\n"
             "    sys.exit(error.errno)\n"],
            timeout=20,
        )
        if done.returncode:
            raise OSError(done.returncode, os.strerror(done.returncode))

    for name, action in (
        ("raw_connect", raw_connect),
        ("base_class_connect", base_class_connect),
        ("udp_sendto", udp_sendto),
        ("ctypes_connect", ctypes_connect),
        ("child_python", child_python),
    ):
        results[name] = _outcome(action)
    try:
        resolve()
        results["gethostbyname"] = "resolved"
    except OSError as error:
        results["gethostbyname"] = str(error)
    return results


def loopback(event, context):
    """The forwarded endpoint answers; another port of the host's loopback does not."""
    results = {}
    for name, port in (("endpoint", event["endpoint_port"]), ("other", event["other_port"])):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(b"ping")
                results[name] = sock.recv(100).decode()
        except OSError as error:
            results[name] = f"errno {error.errno}"
    return results


def secrets(event, context):
    found = []
    for pid in [p for p in os.listdir("/proc") if p.isdigit()] + [str(event["lab_pid"])]:
        try:
            with open(f"/proc/{pid}/environ", "rb") as handle:
                if event["secret"].encode() in handle.read():
                    found.append(pid)
        except OSError:
            pass
    readable = {}
    for path in event["paths"]:
        try:
            with open(path) as handle:
                readable[path] = handle.read()
        except OSError as error:
            readable[path] = f"errno {error.errno}"
    return {"environ_with_secret": found, "files": readable}


def spawn_many(event, context):
    started, children, failure = 0, [], None
    for _ in range(200):
        try:
            if event["how"] == "posix_spawn":
                children.append(os.posix_spawn("/bin/sleep", ["sleep", "30"], {}))
            else:
                children.append(subprocess.Popen(["/bin/sleep", "30"]))
            started += 1
        except OSError as error:
            failure = error.errno
            break
    for child in children:
        if isinstance(child, int):
            os.kill(child, 9)
            os.waitpid(child, 0)
        else:
            child.kill()
            child.wait()
    return {"started": started, "errno": failure}


def detach(event, context):
    """A child in its own session, meant to outlive the invocation."""
    subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(300)", event["marker"]],
        start_new_session=True,
    )
    if event.get("then") == "loop":
        while True:
            pass
    return "detached"


def hoard_in_children(event, context):
    code = f"import time; block = b'x' * ({event['mb']} << 20); time.sleep(60)"
    children = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(3)]
    time.sleep(event.get("wait_s", 10))
    for child in children:
        child.kill()
    return "survived"


def write_files(event, context):
    results = {}
    for path in event["paths"]:
        try:
            with open(path, "w") as handle:
                handle.write("pwned")
            results[path] = "written"
        except OSError as error:
            results[path] = errno.errorcode.get(error.errno, str(error.errno))
    return results


def fill_tmp(event, context):
    written = 0
    try:
        for index in range(3):
            with open(f"/tmp/fill-{index}", "wb") as handle:
                handle.write(b"x" * (event["mb"] << 20))
            written += 1
    except OSError as error:
        return {"written": written, "error": errno.errorcode.get(error.errno)}
    return {"written": written, "error": None}


def ok(event, context):
    return {"ok": True, "n": event.get("n")}
