"""Store benchmark: ingest, open, triage actions and memory at 10k and 100k mentions.

Run it as ``.venv/bin/python bench/bench_store.py [--quick] [--output PATH]``
(``bench/run.py`` does, for ``make bench``). See bench/README.md for what each figure means.

It builds synthetic workspaces through the Store API, then measures each run
in a fresh process on a fresh copy of the workspace. Runs are interleaved
across sizes (the run loop is outermost) so that noise spreads evenly. Every
figure is reported as median (min to max) over the runs.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchlib import label, machine, merge_results, percentile, summarise

from smm_tui.core.models import Author, Mention, Platform, Sentiment, Status
from smm_tui.core.repository import Changed, ChangeSet, Collection
from smm_tui.store.store import Store

#: key → (direction, target). Ratio is measured / target.
TARGETS: dict[str, tuple[str, float]] = {
    "ingest_per_s": (">=", 5000),
    "ingest_durable_ms_p95": ("<=", 250),
    "action_durable_ms_p95": ("<=", 30),
    "archive_durable_ms_p95": ("<=", 30),
    "open_ms": ("<=", 1000),
}

#: Keys in the order the table prints them, with their units.
KEYS = (
    "ingest_per_s",
    "ingest_durable_ms_p50",
    "ingest_durable_ms_p95",
    "ingest_commits_per_burst",
    "open_ms",
    "action_durable_ms_p50",
    "action_durable_ms_p95",
    "archive_durable_ms_p50",
    "archive_durable_ms_p95",
    "rss_mb",
    "files",
    "disk_mb",
)

NETWORKS = (Platform.VK, Platform.TELEGRAM, Platform.MASTODON, Platform.BLUESKY, Platform.X)
ACCOUNTS = {
    Platform.VK: "club_brand",
    Platform.TELEGRAM: "brand_support_chat",
    Platform.MASTODON: "@brand@mastodon.social",
    Platform.BLUESKY: "brand.bsky.social",
    Platform.X: "@brand",
}
SPAN = timedelta(days=91)
END = datetime(2025, 6, 30, 18, 0, tzinfo=UTC)

# Vocabulary for texts that look like real mentions: complaints, questions and praise.
SENTENCES = {
    "en": (
        "my order still has not arrived and tracking says it left the warehouse a week ago",
        "the app crashes every time I open the cart on android after the last update",
        "love the new design the checkout is so much faster now thank you",
        "I was charged twice for the same subscription please refund one payment",
        "support never answers the chat just says wait for an operator",
        "is there any discount for students or a promo code for the summer sale",
        "the courier left the parcel at the door without calling and it got wet",
        "can you tell me when the store in the city centre opens again",
        "the quality of the last batch is worse than before the seams are coming apart",
        "great service fast delivery and the manager solved my problem in five minutes",
    ),
    "ru": (
        "мой заказ до сих пор не пришёл хотя трекинг показывает что посылка уехала неделю назад",
        "приложение вылетает каждый раз когда открываю корзину после последнего обновления",
        "спасибо большое за быструю доставку всё пришло целым и вовремя",
        "с карты списали деньги дважды за одну подписку верните пожалуйста один платёж",
        "поддержка не отвечает в чате уже третий день просто пишет ожидайте оператора",
        "подскажите есть ли скидка для студентов или промокод на летнюю распродажу",
        "курьер оставил посылку у двери не позвонив и она промокла под дождём",
        "когда снова откроется магазин в центре города очень неудобно ездить далеко",
        "качество последней партии хуже чем раньше швы расходятся через неделю",
        "отличный сервис менеджер решил мою проблему за пять минут рекомендую всем",
    ),
    "ar": (
        "طلبي لم يصل حتى الآن مع أن التتبع يقول إنه خرج من المستودع قبل أسبوع",
        "التطبيق يتوقف في كل مرة أفتح فيها السلة بعد التحديث الأخير",
        "شكرا جزيلا على التوصيل السريع وصل كل شيء سليما وفي الموعد",
        "تم خصم المبلغ مرتين لنفس الاشتراك أرجو استرجاع دفعة واحدة",
        "خدمة العملاء لا ترد في المحادثة منذ ثلاثة أيام",
        "هل يوجد خصم للطلاب أو رمز ترويجي لتخفيضات الصيف",
        "المندوب ترك الطرد عند الباب دون اتصال وتبلل بالمطر",
        "متى يفتح المتجر في وسط المدينة من جديد",
        "جودة الدفعة الأخيرة أسوأ من قبل والخياطة تنفك بعد أسبوع",
        "خدمة ممتازة والموظف حل مشكلتي في خمس دقائق",
    ),
}
BODY_WORDS = {language: " ".join(lines).split() for language, lines in SENTENCES.items()}
GREETINGS = {
    "en": ("hey", "hi", "so", "honestly", "ok", "well", "guys", "@brand"),
    "ru": ("Здравствуйте", "Добрый день", "Привет", "Слушайте", "Коллеги", "@brand"),
    "ar": ("مرحبا", "السلام عليكم", "لو سمحتم", "يا جماعة", "@brand"),
}
SIGN_OFFS = {
    "en": ("thanks", "please help", "any update?", "!!!", "🙏", "😡", "👍", "#fail", "#love"),
    "ru": ("спасибо", "помогите", "жду ответа", "!!!", "🙏", "😡", "👍", "#жалоба"),
    "ar": ("شكرا", "ساعدوني", "بانتظار الرد", "!!!", "🙏", "😡", "👍", "#شكوى"),
}
LANGUAGES = ("en", "en", "en", "en", "ru", "ru", "ru", "ar", "ar", "en")
TAGS = ("delivery", "refund", "app", "billing", "praise", "promo", "quality", "store", "support")


def make_text(rng: random.Random, language: str) -> str:
    """20 to 70 words: a greeting, a run of the language's corpus, a sign-off."""
    greeting, sign_off = rng.choice(GREETINGS[language]), rng.choice(SIGN_OFFS[language])
    length = rng.randint(20, 70) - len(greeting.split()) - len(sign_off.split())
    body = BODY_WORDS[language]
    start = rng.randrange(len(body))
    picked = [body[(start + i) % len(body)] for i in range(length)]
    return " ".join([greeting, *picked, sign_off])


def make_mention(
    rng: random.Random, key: str, created_at: datetime, status: Status
) -> dict[str, Any]:
    network = rng.choice(NETWORKS)
    language = rng.choice(LANGUAGES)
    user = rng.randrange(40_000)
    handled = not status.is_open
    return Mention(
        platform=network,
        account=ACCOUNTS[network],
        external_id=key,
        author=Author(
            id=f"{network.value}:{user}",
            handle=f"@user{user}",
            display_name=f"User {user}",
            followers=rng.randrange(5, 50_000),
        ),
        text=make_text(rng, language),
        created_at=created_at,
        url=f"https://{network.value}.example/{key}",
        root_external_id=key if rng.random() < 0.7 else f"post-{rng.randrange(500)}",
        language=language,
        sentiment=rng.choice(list(Sentiment)),
        status=status,
        assignee=rng.choice(("anna", "boris", "chen", None)) if handled else None,
        tags=tuple(rng.sample(TAGS, rng.randint(0, 2))),
        first_response_at=created_at + timedelta(minutes=rng.randint(3, 600))
        if status is Status.REPLIED
        else None,
    ).to_record()


def workspace_mentions(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """``n`` mentions over three months, oldest first; about 3% open, mostly recent."""
    rng = random.Random(seed)
    step = SPAN / n
    recent = END - timedelta(days=14)
    open_share = 0.03 * SPAN / (END - recent)  # all open mentions are from the last two weeks
    for i in range(n):
        created = (END - SPAN + step * i).replace(microsecond=0)
        if created >= recent and rng.random() < open_share:
            status = Status.NEW if rng.random() < 0.65 else Status.SEEN
        else:
            status = Status.REPLIED if rng.random() < 0.4 else Status.DONE
        yield make_mention(rng, f"ws{i}", created, status)


def template(root: Path, n: int) -> Path:
    """Where a workspace of ``n`` mentions is kept under ``root`` (``--workspaces``)."""
    return root / f"template-{label(n)}"


def cached_workspace(root: Path, n: int) -> tuple[Path, float]:
    """The workspace of ``n`` mentions under ``root``, built unless an earlier run left one.

    Returns its path and the seconds its build took. A finished build is marked by a
    ``template-<size>.built`` file beside it holding those seconds, so one that was
    interrupted is built again.
    """
    path, done = template(root, n), root / f"template-{label(n)}.built"
    if path.is_dir() and done.exists():
        return path, float(done.read_text(encoding="ascii"))
    shutil.rmtree(path, ignore_errors=True)
    print(f"building a workspace of {n:,} mentions…", file=sys.stderr, flush=True)
    seconds = build_workspace(path, n)
    done.write_text(f"{seconds:.3f}", encoding="ascii")
    return path, seconds


def build_workspace(data_dir: Path, n: int, batch: int = 5000) -> float:
    """Fill a new store with ``n`` mentions in batches; returns the seconds it took."""
    started = time.perf_counter()
    with Store.open(data_dir) as store:
        changes = ChangeSet()
        for record in workspace_mentions(n):
            changes.insert_new(Collection.MENTIONS, record)
            if len(changes) == batch:
                store.commit(changes)
                changes = ChangeSet()
        for network in NETWORKS:
            changes.put(Collection.CURSORS, {"id": f"{network.value}:brand", "cursor": "0"})
        store.commit(changes)
    return time.perf_counter() - started


# -- the measuring worker (runs in a fresh process) -----------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _timed_action(store: Store, changes: ChangeSet) -> float:
    started = time.perf_counter()
    changed = store.submit(changes).result()
    elapsed = (time.perf_counter() - started) * 1000
    if not changed.applied:
        raise RuntimeError("a benchmark action was skipped")
    return elapsed


def _burst(store: Store, records: list[dict[str, Any]]) -> tuple[float, list[float], int]:
    """Submit each record on its own; returns (per second, ms to durable each, commits used)."""
    count = len(records)
    submitted_at = [0.0] * count
    resolved_at = [0.0] * count
    remaining = [count]
    lock = threading.Lock()
    all_done = threading.Event()

    def resolved(i: int) -> None:
        resolved_at[i] = time.perf_counter()
        with lock:
            remaining[0] -= 1
            if remaining[0] == 0:
                all_done.set()

    def on_done(i: int) -> Callable[[Future[Changed]], None]:
        return lambda _future: resolved(i)

    commits_before = store.commits
    futures = []
    first = time.perf_counter()
    for i, record in enumerate(records):
        submitted_at[i] = time.perf_counter()
        future = store.submit(ChangeSet().insert_new(Collection.MENTIONS, record))
        future.add_done_callback(on_done(i))
        futures.append(future)
    all_done.wait()
    if not all(future.result().applied for future in futures):
        raise RuntimeError("an ingested mention was skipped")
    latencies = [(r - s) * 1000 for r, s in zip(resolved_at, submitted_at, strict=True)]
    return count / (max(resolved_at) - first), latencies, store.commits - commits_before


def worker(data_dir: Path, seed: int, actions: int, bursts: int, burst_size: int) -> dict[str, Any]:
    rng = random.Random(seed)
    started = time.perf_counter()
    store = Store.open(data_dir)
    open_ms = (time.perf_counter() - started) * 1000
    rss_mb = _rss_mb()
    try:
        queue = [r["id"] for r in store.records(Collection.MENTIONS) if r["status"] == "new"]
        rng.shuffle(queue)
        actions = min(actions, len(queue) // 2)
        if actions < 1:
            raise RuntimeError("the workspace has no new mentions to act on")

        # One user action at a time: mark as seen (stays in the queue file), then
        # mark as done (moves the mention to its daily archive).
        seen = [
            _timed_action(
                store,
                ChangeSet().patch(Collection.MENTIONS, rid, {"status": "seen"}, {"status": "new"}),
            )
            for rid in queue[:actions]
        ]
        archived = [
            _timed_action(
                store,
                ChangeSet().patch(Collection.MENTIONS, rid, {"status": "done"}, {"status": "new"}),
            )
            for rid in queue[actions : 2 * actions]
        ]

        # Bursts of new mentions, one submit() each, as a poller would hand them over.
        rates: list[float] = []
        latencies: list[float] = []
        commits: list[int] = []
        for burst in range(bursts):
            now = END + timedelta(minutes=burst)
            records = [
                make_mention(rng, f"in{seed}-{burst}-{i}", now + timedelta(seconds=i), Status.NEW)
                for i in range(burst_size)
            ]
            rate, burst_latencies, burst_commits = _burst(store, records)
            rates.append(rate)
            latencies.extend(burst_latencies)
            commits.append(burst_commits)
    finally:
        store.close()
    return {
        "open_ms": open_ms,
        "rss_mb": rss_mb,
        "action_durable_ms_p50": statistics.median(seen),
        "action_durable_ms_p95": percentile(seen, 95),
        "archive_durable_ms_p50": statistics.median(archived),
        "archive_durable_ms_p95": percentile(archived, 95),
        "ingest_per_s": statistics.median(rates),
        "ingest_durable_ms_p50": statistics.median(latencies),
        "ingest_durable_ms_p95": percentile(latencies, 95),
        "ingest_commits_per_burst": statistics.median(commits),
    }


# -- the driver -----------------------------------------------------------------------------------


def disk_usage(data_dir: Path) -> tuple[int, int]:
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def run_worker(data_dir: Path, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        str(data_dir),
        "--seed",
        str(seed),
        "--actions",
        str(args.actions),
        "--bursts",
        str(args.bursts),
        "--burst-size",
        str(args.burst_size),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"benchmark worker failed ({result.returncode}):\n{result.stderr}")
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    if not isinstance(outcome, dict):
        raise SystemExit(f"benchmark worker printed no JSON object:\n{result.stdout}")
    return outcome


def fmt(value: float) -> str:
    if value >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def print_table(results: dict[str, dict[str, Any]], sizes: list[int]) -> None:
    rows = [("key", "measured: median (min–max)", "target", "ratio", "ok")]
    for n in sizes:
        for key in KEYS:
            full = f"store.{label(n)}.{key}"
            stats = results[full]
            measured = f"{fmt(stats['median'])} ({fmt(stats['min'])}–{fmt(stats['max'])})"
            target, ratio, ok = "", "", ""
            if key in TARGETS:
                direction, goal = TARGETS[key]
                target = f"{direction} {fmt(goal)}"
                ratio = f"{stats['median'] / goal:.2f}"
                met = stats["median"] >= goal if direction == ">=" else stats["median"] <= goal
                ok = "yes" if met else "NO"
            rows.append((full, measured, target, ratio, ok))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if i == 0:
            print("-+-".join("-" * width for width in widths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 mentions, 1 run (smoke test)")
    parser.add_argument("--output", type=Path, default=Path("bench-results.json"))
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--sizes", type=int, nargs="+", default=None)
    parser.add_argument(
        "--workspaces",
        type=Path,
        default=None,
        help="keep the built workspaces here (template-<size>/), reusing any already built",
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--actions", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--bursts", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--burst-size", type=int, default=1000, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.actions = args.actions or (10 if args.quick else 50)
    args.bursts = args.bursts or (1 if args.quick else 3)

    if args.worker is not None:
        report = worker(args.worker, args.seed, args.actions, args.bursts, args.burst_size)
        print(json.dumps(report))
        return

    sizes = args.sizes or ([1000] if args.quick else [10_000, 100_000])
    runs = args.runs or (1 if args.quick else 5)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="smm-bench-") as scratch:
        root = Path(scratch)
        templates: dict[int, Path] = {}
        build_s: dict[int, float] = {}
        usage: dict[int, tuple[int, int]] = {}
        for n in sizes:
            templates[n], build_s[n] = cached_workspace(args.workspaces or root, n)
            usage[n] = disk_usage(templates[n])
        samples: dict[int, list[dict[str, Any]]] = {n: [] for n in sizes}
        for run in range(runs):  # outermost, so noise spreads across sizes
            for n in sizes:
                print(f"run {run + 1}/{runs} at {n:,}…", file=sys.stderr, flush=True)
                work = root / f"run-{label(n)}"
                shutil.copytree(templates[n], work)
                try:
                    samples[n].append(run_worker(work, seed=run, args=args))
                finally:
                    shutil.rmtree(work)

    results: dict[str, Any] = {}
    for n in sizes:
        prefix = f"store.{label(n)}"
        for key in KEYS:
            if key == "files":
                results[f"{prefix}.files"] = summarise([usage[n][0]])
            elif key == "disk_mb":
                results[f"{prefix}.disk_mb"] = summarise([usage[n][1] / 2**20])
            else:
                results[f"{prefix}.{key}"] = summarise([s[key] for s in samples[n]])
        results[f"{prefix}.build_s"] = summarise([build_s[n]])
    results["store.meta"] = {
        "runs": runs,
        "sizes": sizes,
        "quick": args.quick,
        "actions_per_run": args.actions,
        "bursts_per_run": args.bursts,
        "burst_size": args.burst_size,
        **machine(),
        "targets": {k: {"direction": d, "value": v} for k, (d, v) in TARGETS.items()},
        "total_s": round(time.perf_counter() - started, 1),
    }
    print_table(results, sizes)
    print(f"\n{runs} run(s) per size in {results['store.meta']['total_s']} s; wrote {args.output}")
    merge_results(args.output, results, ("store.",))


if __name__ == "__main__":
    main()
