"""`python -m app` / `axiom-drop`: no arguments opens the window, subcommands run the CLI."""

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--self-test"]:
        from app import selftest

        return selftest.main(argv[1:])
    from app.cli import startup

    startup.hold_collector(whole_process=True)  # before the CLI's imports: the command gives it back
    from app import cli

    if cli.is_cli_invocation(argv):
        code = cli.main(argv)
        # Everything is printed: spare the interpreter's final collection its walk over every
        # object the run created (~20 ms of a short command's wall time).
        import gc

        gc.freeze()
        return code
    startup.release_collector()
    from app.ui.shell.main import run_app

    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main())
