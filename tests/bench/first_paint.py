"""One start of an app, ended as soon as its first screen is on the terminal.

`python tests/bench/first_paint.py bare` starts a bare Textual app (a Header, a Footer
and an empty DataTable); `python tests/bench/first_paint.py cai` starts cai-tui the way
the command line does, with an identity given so it opens the clusters screen. Both
run headless and, on the `Ready` event (the first frame is drawn), print the
milliseconds since `BENCH_STARTED` (a `time.time()` the parent set just before it
started this process) and leave at once, without waiting for work in the background.
"""

import os
import sys
import time


def painted() -> None:
    """Report the time from process start to the first frame, and leave."""
    started = float(os.environ["BENCH_STARTED"])
    print(f"{(time.time() - started) * 1000:.1f}", flush=True)
    os._exit(0)


def run_bare() -> None:
    """A bare Textual app with a Header, a Footer and an empty DataTable."""
    from textual import events, on
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Footer, Header

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable()
            yield Footer()

        @on(events.Ready)
        def _painted(self) -> None:
            painted()

    Bare().run(headless=True, size=(120, 36))


def run_cai() -> None:
    """cai-tui as `cai-tui --org bench --user ops` starts it (no scope screen): the
    command line's setup, which reads the settings after the first frame."""
    from textual import events, on

    from cai_tui.app import CaiApp
    from cai_tui.cli import CommandLineSetup, build_parser

    class Timed(CaiApp):
        @on(events.Ready)
        def _painted(self) -> None:
            painted()

    args = build_parser().parse_args(["--org", "bench", "--user", "ops"])
    Timed(CommandLineSetup(args)).run(headless=True, size=(120, 36))


if __name__ == "__main__":
    {"bare": run_bare, "cai": run_cai}[sys.argv[1]]()
