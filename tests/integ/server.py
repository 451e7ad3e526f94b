"""Run moto's server with the test-side adapter (``moto_patches``) applied.

    python tests/integ/server.py --host 127.0.0.1 --port 5000 [--unpatched | --skip NAME...]

The same as ``moto_server -H HOST -p PORT``, but the patches of ``moto_patches.py`` are
applied in this process first (``--unpatched`` leaves them all out, ``--skip NAME`` one of
them: to show moto's own behaviour).
Stop it with SIGTERM (moto's server exits on it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import moto_patches


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--unpatched", action="store_true", help="plain moto, no patches")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=sorted(moto_patches.PATCHES),
        help="leave this patch out (repeatable)",
    )
    args = parser.parse_args(argv)
    if not args.unpatched:
        applied = moto_patches.apply(skip=args.skip)
        print(f"moto_patches applied: {', '.join(applied) or 'none'}", flush=True)
    from moto.server import main as moto_main

    moto_main(["-H", args.host, "-p", str(args.port)])


if __name__ == "__main__":
    main()
