"""Run moto's server with the test-side adapter (``moto_patches``) applied.

    python tests/deploy/server.py --host 127.0.0.1 --port 5000 [--unpatched]

The same as ``moto_server -H HOST -p PORT``, but the patches of ``moto_patches.py`` are
applied in this process first (``--unpatched`` skips them, to show moto's own behaviour).
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
    args = parser.parse_args(argv)
    if not args.unpatched:
        moto_patches.apply()
    from moto.server import main as moto_main

    moto_main(["-H", args.host, "-p", str(args.port)])


if __name__ == "__main__":
    main()
