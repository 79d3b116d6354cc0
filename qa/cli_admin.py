"""The commands beside the everyday ones: `klynge users` and `klynge audit` (who may sign in to the app, and
what was changed by whom), `klynge feedback export`, and `klynge mcp` (the tools for an assistant)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from .access import ROLES, Account, load_access, local_user, save_users
from .cli_common import index_dir
from .errors import UsageError

__all__ = ["cmd_audit", "cmd_feedback", "cmd_mcp", "cmd_users"]


def _password(args: argparse.Namespace, name: str) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {name}: ")
        if getpass.getpass("again: ") != password:
            raise UsageError("the two passwords differ; run the command again")
    if len(password) < 10:
        raise UsageError("a password needs at least 10 characters")
    return password


def cmd_users(args: argparse.Namespace) -> int:
    """List, add or remove the app's users, or change a user's role (the access file beside the index)."""
    from argon2 import PasswordHasher

    index = index_dir(args)
    access = load_access(index)
    users = dict(access.users)
    if args.action == "list":
        rows = [{"name": n, "role": a.role} for n, a in sorted(users.items())]
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        elif not rows:
            print(f"No users in {access.path}: everybody who reaches the app may do everything "
                  "(add one with `klynge users add NAME --role editor`).")
        for r in rows if not args.json else []:
            print(f"{r['name']:24s} {r['role']}")
        return 0
    name = args.name
    if not name:
        raise UsageError(f"klynge users {args.action} needs a NAME")
    if args.action == "add":
        if name in users:
            raise UsageError(f"user '{name}' exists; change the role with `klynge users role {name} ROLE`")
        users[name] = Account(args.role, PasswordHasher().hash(_password(args, name)))
    elif name not in users:
        raise UsageError(f"no user '{name}' in {access.path}; `klynge users list` shows them")
    elif args.action == "remove":
        del users[name]
    else:  # role
        if args.new_role not in ROLES:
            raise UsageError(f"role must be one of {', '.join(ROLES)}")
        users[name] = Account(args.new_role, users[name].hash)
    path = save_users(index, users)
    print(f"{args.action}: {name}" + (f" ({users[name].role})" if name in users else "") + f" -> {path}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """Who added, replaced, edited or removed which document, newest first."""
    from .service import audit_trail

    rows = audit_trail(index_dir(args), args.doc, local_user(), args.limit)
    if args.json:
        print(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("No changes recorded yet." if not args.doc else f"No changes recorded for {args.doc}.")
    for r in rows:
        print(f"{r.time}  {r.action:9s} {r.file}  ({r.doc_id})  by {r.user} [{r.role}]  sha256 {r.sha256[:12]}")
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    """The feedback people gave in the app, as a question set `klynge eval` reads (JSON Lines)."""
    from .feedback import write_jsonl
    from .service import export_feedback

    rows = export_feedback(index_dir(args), local_user())
    text = write_jsonl(rows)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        none = sum(1 for r in rows if not r["expected"])
        print(f"{len(rows)} questions ({none} marked 'none of these answers it') -> {args.output}; "
              f"check them with `klynge eval {args.output}`")
    else:
        sys.stdout.write(text)
    return 0


def cmd_mcp(args: argparse.Namespace) -> int:
    """Serve the MCP tools on stdin/stdout for an assistant (``qa.mcp_server``), building the index first
    when there is none (its progress on stderr: stdout belongs to the protocol)."""
    import contextlib

    from .mcp_server import run_stdio
    from .service import build_before_serving

    index = index_dir(args)
    with contextlib.redirect_stdout(sys.stderr):  # a build's progress too
        build_before_serving(index, getattr(args, "corpus", None), lambda m: print(f"klynge mcp: {m}", file=sys.stderr))
    run_stdio(index)
    return 0
