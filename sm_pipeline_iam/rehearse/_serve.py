"""Run moto's server with the rehearsal's adapter (:mod:`.patches`) applied.

    python -m sm_pipeline_iam.rehearse._serve --host 127.0.0.1 --port 5000
        [--unpatched | --skip NAME...] [--stand-in-ids FILE]

The same as ``moto_server -H HOST -p PORT``, but the patches of :mod:`.patches` are
applied in this process first (``--unpatched`` leaves them all out, ``--skip NAME`` one of
them: to show moto's own behaviour), and with ``--stand-in-ids`` the organizations that the
rehearsal creates get the ids an app's templates name (:mod:`._stand_ins`).
Stop it with SIGTERM (moto's server exits on it).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from . import _stand_ins, patches


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--unpatched", action="store_true", help="plain moto, no patches")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=sorted(patches.PATCHES),
        help="leave this patch out (repeatable)",
    )
    parser.add_argument("--stand-in-ids", type=Path, metavar="FILE",
                        help="JSON of the organization ids to hand out (read when needed)")
    args = parser.parse_args(argv)
    if not args.unpatched:
        applied = patches.apply(skip=args.skip)
        print(f"moto patches applied: {', '.join(applied) or 'none'}", flush=True)
    if args.stand_in_ids is not None:
        _stand_ins.apply(args.stand_in_ids)
    from moto.server import main as moto_main

    moto_main(["-H", args.host, "-p", str(args.port)])


if __name__ == "__main__":
    main()
