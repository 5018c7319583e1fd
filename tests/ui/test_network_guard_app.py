"""The window never reaches the network: main.py installs the same audit-hook guard as
``BRUECKE_FORBID_NETWORK=1`` does for the CLI, always. Run in a subprocess: an audit hook
cannot be removed again, and the test process must keep its own sockets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# 192.0.2.1 is TEST-NET-1 (RFC 5737): routed nowhere. The guard must raise before any
# getaddrinfo/connect, so the checks below also assert nothing was attempted.
CHECK = """
import socket, sys
{setup}
from crm.privacy import NetworkForbiddenError

def blocked(fn):
    try:
        fn()
    except NetworkForbiddenError as exc:
        return str(exc)
    except OSError as exc:
        sys.exit("reached the network stack: %r" % exc)
    sys.exit("not blocked")

print(blocked(lambda: socket.create_connection(("192.0.2.1", 80), timeout=1)))
raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
raw.settimeout(1)
print(blocked(lambda: raw.connect(("192.0.2.1", 80))))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print(blocked(lambda: udp.sendto(b"x", ("192.0.2.1", 53))))
print(blocked(lambda: socket.getaddrinfo("example.org", 443)))
a, b = socket.socketpair()  # local sockets (Qt uses them) stay allowed
a.sendall(b"ok")
assert b.recv(2) == b"ok"
loop = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
loop.sendto(b"x", ("127.0.0.1", 9))  # loopback too
print("local ok")
"""


def _run(setup: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "BRUECKE_FORBID_NETWORK"}
    environ.update(env or {})
    return subprocess.run([sys.executable, "-c", CHECK.format(setup=setup)], cwd=ROOT,
                          env=environ, capture_output=True, text=True, timeout=60,
                          check=False)


def _assert_guarded(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr + result.stdout
    lines = result.stdout.splitlines()
    assert lines[:4] == ["network access blocked: socket.getaddrinfo",
                         "network access blocked: socket.connect",
                         "network access blocked: socket.sendto",
                         "network access blocked: socket.getaddrinfo"]
    assert lines[4] == "local ok"


def test_install_network_guard_blocks_other_machines() -> None:
    _assert_guarded(_run("import main; main.install_network_guard()"))


def test_main_installs_the_guard_even_when_the_window_cannot_open() -> None:
    # No display: main() returns 1 at once, but the guard is already in place.
    env = {"DISPLAY": "", "WAYLAND_DISPLAY": "", "QT_QPA_PLATFORM": ""}
    _assert_guarded(_run("import main; assert main.main([]) == 1", env))

