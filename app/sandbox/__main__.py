"""`python -m app.sandbox [--port N] [--token T] [--data-dir D] [--fast] …` (the benchmarks' server)."""

from app.sandbox.command import main

if __name__ == "__main__":
    raise SystemExit(main())
