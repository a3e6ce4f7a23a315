"""`tagline themes`: the codebook."""

from __future__ import annotations

import argparse
import json
import sys

from annotations.themes import ThemeInUseError
from tui.cli.common import CommandError, open_from_args


def register(sub, common) -> None:
    parent = common()
    p = sub.add_parser("themes", parents=[parent], help="list or change the codebook")
    p.set_defaults(handler=run, action="list")
    acts = p.add_subparsers(dest="action", metavar="ACTION")
    ls = acts.add_parser("list", parents=[parent], help="list themes with hotkey, colour and usage")
    ls.add_argument("--json", action="store_true")
    add = acts.add_parser("add", parents=[parent], help="add a theme")
    add.add_argument("name")
    add.add_argument("--color", help="#RRGGBB or a colour name (default: next free)")
    add.add_argument("--key", help="hotkey 1-9 (default: next free)")
    add.add_argument("--cue", action="append", default=[], help="cue phrase for suggestions")
    ren = acts.add_parser("rename", parents=[parent], help="rename a theme (and its annotations)")
    ren.add_argument("old")
    ren.add_argument("new")
    rec = acts.add_parser("recolor", aliases=["recolour"], parents=[parent], help="change a colour")
    rec.add_argument("name")
    rec.add_argument("color")
    key = acts.add_parser("key", parents=[parent], help="set a theme's hotkey (1-9)")
    key.add_argument("name")
    key.add_argument("key")
    cues = acts.add_parser(
        "cues",
        parents=[parent],
        help="replace a theme's cue phrases with these (none given: clears them)",
    )
    cues.add_argument("name", help="the theme")
    cues.add_argument(
        "cues", nargs="*", help="every cue phrase the theme keeps (replaces, not adds)"
    )
    rm = acts.add_parser("remove", parents=[parent], help="remove a theme")
    rm.add_argument("name")
    rm.add_argument("--force", action="store_true", help="also untag annotations that use it")


def run(args: argparse.Namespace) -> int:

    action = args.action or "list"
    if action == "recolour":
        action = "recolor"
    ws = open_from_args(args, write=action != "list")
    store = ws.store
    try:
        if action == "list":
            usage: dict[str, int] = {}
            for counts in store.summary().values():
                for theme, n in counts.items():
                    usage[theme] = usage.get(theme, 0) + n
            for theme in store.codebook:
                if getattr(args, "json", False):
                    row = {**theme.to_dict(), "annotations": usage.get(theme.name, 0)}
                    sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
                else:
                    key = theme.hotkey or "-"
                    print(
                        f"{key}  {theme.color}  {theme.name}\t{usage.get(theme.name, 0)} annotation(s)"
                    )
        elif action == "add":
            theme = store.add_theme(args.name, args.color, args.key, tuple(args.cue))
            print(f"Added theme {theme.name!r} (key {theme.hotkey or 'none'}, {theme.color})")
        elif action == "rename":
            n = store.rename_theme(args.old, args.new)
            print(f"Renamed {args.old!r} to {args.new!r} on {n} annotation(s)")
        elif action == "recolor":
            store.recolor_theme(args.name, args.color)
            print(f"Recoloured {args.name!r} to {store.codebook.color_of(args.name)}")
        elif action == "key":
            store.set_theme_hotkey(args.name, args.key)
            print(f"Hotkey of {args.name!r} is now {args.key}")
        elif action == "cues":
            store.set_theme_cues(args.name, tuple(args.cues))
            print(f"{args.name!r} now has {len(args.cues)} cue phrase(s) (replaced)")
        elif action == "remove":
            try:
                n = store.remove_theme(args.name, force=args.force)
            except ThemeInUseError as exc:
                raise CommandError(f"{exc}; remove it with --force to untag them") from None
            print(f"Removed theme {args.name!r}" + (f"; untagged {n} annotation(s)" if n else ""))
    finally:
        ws.close()
    return 0
