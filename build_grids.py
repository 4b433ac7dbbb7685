#!/usr/bin/env python
"""Precompute every example grid the explainer pages use into JSON, one file per example.

The examples are declared in docs/examples.toml. Unchanged examples are skipped; files are
written atomically. `mkdocs build` and `mkdocs serve` run this too (sitebuild/hooks.py).

    python build_grids.py            # build what is missing or stale into .cache/grids/
    python build_grids.py --check    # exit 1, naming each missing or stale file
    python build_grids.py --force    # recompute everything
"""
import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main(argv=None):
    from sitebuild.examples import ExampleError, build_examples, check_examples, default_grids_dir, load_examples

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=Path, default=ROOT / "docs" / "examples.toml",
                        help="the example declarations (default: docs/examples.toml)")
    parser.add_argument("--out", type=Path, default=default_grids_dir(ROOT),
                        help="output directory (default: $DATACF_GRIDS_DIR or .cache/grids)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if any file is missing or stale")
    parser.add_argument("--force", action="store_true", help="recompute every example")
    parser.add_argument("--quiet", action="store_true", help="print only errors")
    args = parser.parse_args(argv)
    log = (lambda message: None) if args.quiet else (lambda message: print(message, flush=True))
    try:
        examples = load_examples(args.examples)
        if args.check:
            problems = check_examples(examples, args.out)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                print(f"{len(problems)} grid file(s) out of date; run: python build_grids.py", file=sys.stderr)
                return 1
            log(f"all {len(examples)} grid file(s) in {args.out} are up to date")
            return 0
        written = build_examples(examples, args.out, force=args.force, log=log)
        log(f"{len(written)} of {len(examples)} example(s) recomputed")
        return 0
    except (ExampleError, OSError) as error:
        print(f"build_grids.py: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
