"""Run every benchmark in bench/ in turn: `python -m bench` (or `python -m bench NAME...` for some).

A benchmark is a module bench/<name>.py with a `main()` that parses its own options; here each
runs with its defaults, as `python -m bench.<name>` would. One that fails is reported and the
others still run; the exit status says whether all of them finished.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path

__all__ = ["discover", "main"]


def discover() -> list[str]:
    """Names of the benchmark modules beside this file, in alphabetical order (packages, such as
    the month builder bench/months, are tools the benchmarks use, not benchmarks)."""
    folder = Path(__file__).parent
    return sorted(
        m.name for m in pkgutil.iter_modules([str(folder)]) if not m.name.startswith("_") and not m.ispkg
    )


def main(argv: list[str] | None = None) -> int:
    names = argv if argv is not None else sys.argv[1:]
    available = discover()
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"no benchmark named {', '.join(unknown)}; there are: {', '.join(available)}", file=sys.stderr)
        return 2
    failed = []
    for name in names or available:
        print(f"\n=== bench.{name} ===", flush=True)
        started = time.perf_counter()
        saved_argv = sys.argv
        sys.argv = [f"bench.{name}"]  # each main() parses its own options: give it its defaults
        try:
            module = importlib.import_module(f"bench.{name}")
            if not callable(getattr(module, "main", None)):
                raise TypeError(f"bench/{name}.py has no main(); every benchmark needs one")
            module.main()
        except SystemExit as exc:  # a main() that ends with sys.exit(status)
            if exc.code not in (0, None):
                failed.append(name)
        except Exception:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(name)
        finally:
            sys.argv = saved_argv
        print(f"=== bench.{name}: {time.perf_counter() - started:.1f} s ===", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
