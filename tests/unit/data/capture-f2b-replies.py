#!/usr/bin/env python3
"""capture-f2b-replies.py - record raw replies of a real fail2ban-server.

The *.pickle files next to this script are the bytes a fail2ban-server
answered (everything before "<F2B_END_COMMAND>"); f2b-replies.txt says what
each one decodes to.  test_pickle.c checks its decoder against both.

This script starts nothing.  It connects to the socket it is given, sends a
fixed list of commands, pickled the way mc-f2b pickles them (protocol 2, a
list of BINUNICODE strings: the bytes of Python's own protocol-2 pickler
with its memo off, which the script checks), and writes each reply it was
asked to keep.  It never imports fail2ban: expectations are rendered with
an unpickler whose find_class() returns a recorder, so nothing in a reply
is looked up or run (builtins.str is the one global turned into a real
str, as the C decoder does).

How the fixtures were made (fail2ban 1.0.2, Debian 12, Python 3.11), in a
private directory D that has nothing to do with /etc/fail2ban:

  D/fail2ban.conf   [Definition] loglevel = INFO, logtarget = D/fail2ban.log,
                    socket = D/fail2ban.sock, pidfile = D/fail2ban.pid,
                    dbfile = D/fail2ban.sqlite3, allowipv6 = auto
  D/jail.conf       [DEFAULT] backend = polling, bantime = 600
                    [demo] enabled = true, filter = (empty), action = noop
                    (no logpath)
  D/action.d/noop.conf
                    [Definition] actionban = true, actionunban = true,
                    everything else empty: no firewall is touched

  fail2ban-server -f -x -c D &
  python3 capture-f2b-replies.py D/fail2ban.sock tests/unit/data
  fail2ban-client -c D stop

The server must be fresh (no bans, no ignoreip) for the replies to match
f2b-replies.txt; the script refuses to run against a jail that already has
bans.
"""

import io
import os
import pickle
import pickletools
import socket
import struct
import sys

END = b"<F2B_END_COMMAND>"
CLOSE = b"<F2B_CLOSE_COMMAND>"

# (command, fixture name or None).  Commands without a name only prepare
# the state the next reply shows.
STEPS = [
    (["ping"], "ping"),
    (["set", "demo", "banip", "192.0.2.1", "192.0.2.2", "2001:db8::1"],
     "banip"),
    (["set", "demo", "banip", "203.0.113.7", "2001:db8::2:1"], None),
    (["get", "demo", "banned"], "banned"),
    (["status", "nosuchjail"], "unknown-jail"),
    (["status", "demo"], "status"),
    (["set", "demo", "addignoreip", "198.51.100.0/24"], None),
    (["get", "demo", "ignoreip"], "ignoreip"),
    (["get", "demo", "bantime"], "bantime"),
    # the one reply that is a dict: {'stacksize': N}
    (["get", "thread"], "thread"),
    # non-ASCII both ways: the server echoes the arguments back as a list
    (["echo", "caf\u00e9", "\u2713", "\U0001F600"], "echo-utf8"),
    # a ban time beyond 32 bits comes back as LONG1
    (["set", "demo", "bantime", "5000000000"], None),
    (["get", "demo", "bantime"], "bantime-long"),
]


def encode_command(args):
    """The request bytes, laid out as mc-f2b's pickle_encode_command()."""
    def item(a):
        data = a.encode("utf-8")
        return b"X" + struct.pack("<I", len(data)) + data

    out = bytearray(b"\x80\x02]")
    if len(args) == 1:
        out += item(args[0]) + b"a"
    else:
        for i in range(0, len(args), 1000):
            out += b"(" + b"".join(item(a) for a in args[i:i + 1000]) + b"e"
    out += b"."
    # The same bytes as Python's protocol-2 pickler without its memo.
    f = io.BytesIO()
    p = pickle.Pickler(f, 2)
    p.fast = True
    p.dump(list(args))
    assert f.getvalue() == bytes(out)
    return bytes(out) + END


def exchange(sock, args):
    sock.sendall(encode_command(args))
    reply = b""
    while not reply.endswith(END):
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("connection closed while waiting for a reply")
        reply += chunk
    return reply[: -len(END)]


class Obj:
    """What a REDUCE of any global but builtins.str stands for."""

    def __init__(self, qualname, args):
        self.qualname = qualname
        self.args = args


class Recorder(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) == ("builtins", "str"):
            return str
        qualname = module + "." + name
        return lambda *args: Obj(qualname, args)


def safe_loads(data):
    return Recorder(io.BytesIO(data)).load()


def render(v):
    """The notation of f2b-replies.txt (test_pickle.c renders the same)."""
    if v is None:
        return "None"
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "%.17g" % v
    if isinstance(v, str):
        out = "'"
        for ch in v:
            if ch in "\\'":
                out += "\\" + ch
            elif ord(ch) < 0x20 or ord(ch) == 0x7F:
                out += "\\x%02x" % ord(ch)
            else:
                out += ch
        return out + "'"
    if isinstance(v, tuple):
        if len(v) == 1:
            return "(" + render(v[0]) + ",)"
        return "(" + ", ".join(render(x) for x in v) + ")"
    if isinstance(v, list):
        return "[" + ", ".join(render(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(render(k) + ": " + render(x)
                               for k, x in v.items()) + "}"
    if isinstance(v, Obj):
        return v.qualname + "(" + ", ".join(render(x) for x in v.args) + ")"
    raise TypeError("cannot render %r" % (v,))


def opcodes(data):
    seen = []
    for op, _arg, _pos in pickletools.genops(data):
        if op.name not in seen:
            seen.append(op.name)
    return " ".join(seen)


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: capture-f2b-replies.py SOCKET OUTDIR")
    path, outdir = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    lines = [
        "# What each fixture decodes to, one line each: NAME = VALUE.",
        "# Written by capture-f2b-replies.py (read it for how); the '#'",
        "# line above each entry lists the opcodes in the reply, in order",
        "# of first appearance.  VALUE notation: None True False 12 'str'",
        "# (\\\\ \\' and \\xHH escaped) (a, b) (a,) [a, b] {k: v}",
        "# module.name(args) for a REDUCE of any global but builtins.str.",
    ]
    first = exchange(sock, ["get", "demo", "banned"])
    if safe_loads(first) != (0, []):
        raise SystemExit("jail demo is not fresh: start a new server")
    for args, name in STEPS:
        reply = exchange(sock, args)
        if name is None:
            continue
        with open(os.path.join(outdir, name + ".pickle"), "wb") as f:
            f.write(reply)
        lines.append("# " + " ".join(args) + ": " + opcodes(reply))
        lines.append("%s.pickle = %s" % (name, render(safe_loads(reply))))
    sock.sendall(CLOSE + END)
    sock.close()
    with open(os.path.join(outdir, "f2b-replies.txt"), "w",
              encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
