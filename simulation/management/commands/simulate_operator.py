import signal
import threading
from pathlib import Path

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from simulation.loadgen import LoadRunner, wait_for_server
from simulation.traffic import Mix


class Command(BaseCommand):
    help = "Send realistic simulated pre-advice through the real HTTP API with a real API key."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--url",
            help="Base URL of the platform (default: OPENCLEAR_PUBLIC_URL, else the address `make run` serves, "
            "else http://127.0.0.1:8000)",
        )
        parser.add_argument("--key", help="The operator's API key")
        parser.add_argument("--key-file", help="A file holding the API key")
        parser.add_argument("--rate", type=float, default=10, help="Items per second in all (0: as fast as it can)")
        parser.add_argument("--batch", type=int, default=100, help="Items per request (at most 1000)")
        parser.add_argument("--count", type=int, default=0, help="Items to send in all (0: until stopped)")
        parser.add_argument("--concurrency", type=int, default=1, help="Requests in flight at once")
        parser.add_argument("--risky-share", type=float, default=0.1)
        parser.add_argument("--malformed-share", type=float, default=0.02)
        parser.add_argument("--destination", default="BA", help="Addressees' country (ISO alpha-2)")
        parser.add_argument("--currency", default="USD")
        parser.add_argument("--seed", type=int)
        parser.add_argument("--wait-for-server", action="store_true", help="Wait until /healthz answers")
        parser.add_argument(
            "--journey-seconds",
            type=float,
            default=0,
            help="Also send each parcel's events from arrival to delivery, about this many seconds apart "
            "(0: pre-advice only)",
        )
        parser.add_argument(
            "--withdrawn-share",
            type=float,
            default=0.02,
            help="With --journey-seconds: the share of pre-advice withdrawn before arrival",
        )
        parser.add_argument(
            "--unannounced-share",
            type=float,
            default=0.01,
            help="With --journey-seconds: parcels arriving without pre-advice, per parcel pre-advised",
        )

    def handle(self, *args, **options) -> None:
        api_key = self._api_key(options)
        if not 1 <= options["batch"] <= 1000:
            raise CommandError("--batch must be from 1 to 1000")
        url = (options["url"] or settings.OPENCLEAR_SIMULATOR_URL).rstrip("/")
        if options["wait_for_server"]:
            wait_for_server(url)
        else:
            self._check_answers(url)
        self.stdout.write(f"simulator: sending to {url}")
        mix = Mix(options["risky_share"], options["malformed_share"], options["destination"], options["currency"])
        runner = LoadRunner(
            base_url=url,
            api_key=api_key,
            batch=options["batch"],
            rate=options["rate"],
            mix=mix,
            seed=options["seed"],
            journey_scale=options["journey_seconds"],
            withdrawn_share=options["withdrawn_share"],
            unannounced_share=options["unannounced_share"],
        )
        signal.signal(signal.SIGTERM, lambda *_: runner.stop())
        reporter = threading.Thread(target=self._report, args=(runner,), daemon=True)
        reporter.start()
        try:
            runner.run(count=options["count"] or None, concurrency=options["concurrency"])
        except KeyboardInterrupt:
            runner.stop()
        self.stdout.write(f"simulator: {runner.stats.summary()}")

    def _check_answers(self, url: str) -> None:
        """Refuse to start against an address where nothing answers, saying what to do instead."""
        try:
            requests.get(f"{url}/healthz", timeout=5)
        except requests.RequestException as exc:
            raise CommandError(
                f"nothing answers at {url} ({exc.__class__.__name__}). Start the platform with `make run` "
                "(PORT=… for another port), or give its address with --url or OPENCLEAR_PUBLIC_URL."
            ) from None

    def _api_key(self, options) -> str:
        if options["key"]:
            return options["key"]
        if options["key_file"]:
            try:
                return Path(options["key_file"]).read_text().strip()
            except OSError as exc:
                raise CommandError(f"cannot read the key file: {exc}") from None
        raise CommandError("give the operator's API key with --key or --key-file")

    def _report(self, runner: LoadRunner) -> None:
        while not runner.wait_stopped(30):
            self.stdout.write(f"simulator: {runner.stats.summary()}")
