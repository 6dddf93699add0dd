"""`axiom-drop inspect PATH…`: what sniffing finds in each input, as text or JSON lines."""

from __future__ import annotations

import json

from app.cli.output import EXIT_OK, EXIT_USAGE, describe_sniff


def cmd_inspect(args) -> int:
    from app.core import sniff as sniffing

    code = EXIT_OK
    for path in args.paths:
        result = sniffing.sniff_path(path)
        if result.error:
            code = EXIT_USAGE
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            print(describe_sniff(path, result))
    return code
