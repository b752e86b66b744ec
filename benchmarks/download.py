"""Downloader figures on this machine: loopback throughput and bytes re-sent after a killed run.

1. Throughput: a 100 MB file (the size of octave-resnext-50-0.25's archive) served on 127.0.0.1 by
   ``serve_directory``, downloaded by the real downloader in a separate process (size and sha384
   verified, fsynced, renamed), compared with reading the same file from disk three ways: a plain
   read, a read that also computes the sha384 (what verifying the file costs, the fair baseline for
   a downloader that must verify), and the downloader itself on a file:// URL. Target: ratio >= 0.5.
   sha384 runs at a few hundred MB/s without SHA-512 instructions, while a page-cache read runs at
   several GB/s, so against the plain read no verifying downloader gets near 0.5; the script prints
   that ceiling.
2. Resume: a downloader process is killed with SIGKILL once its ``.part`` holds half the file; a new
   run finishes it. Re-sent = bytes the server sent in the second run minus the bytes that were
   missing. Target: <= 1 MiB.

Usage: python benchmarks/download.py [--size BYTES] [--repeat N] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path, PurePosixPath

ARCHIVE_SIZE = 100_700_160  # a04_resnext-50_32x4d_alpha-0.250.tar
CHUNK = 1 << 20
MIB = 1 << 20


def worker(url: str, size: int, sha384: str, out: Path, cache: str) -> None:
    """Run in a child process: download one file with the library and print the seconds it took."""
    from ovzoo.catalog.model import Checksum, Model, ModelFile
    from ovzoo.download import DownloadOptions, download_models
    from ovzoo.download.progress import ProgressReporter

    files = (ModelFile(PurePosixPath("blob.bin"), size, Checksum("sha384", sha384), url),)
    model = Model("bench", PurePosixPath("public/bench"), "benchmark", "classification", "mxnet", "-", files)
    options = DownloadOptions(output_dir=out, cache_dir=Path(cache) if cache else None, timeout=30)
    start = time.perf_counter()
    report = download_models([model], options, ProgressReporter())
    elapsed = time.perf_counter() - start
    print(
        json.dumps({"ok": report.ok, "seconds": elapsed, "error": str(report.results[0].error or "") or None})
    )


def spawn(url: str, size: int, sha384: str, out: Path, cache: Path | None = None) -> subprocess.Popen[str]:
    command = [sys.executable, __file__, "--worker", url, str(size), sha384, str(out), str(cache or "")]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def run_worker(url: str, size: int, sha384: str, out: Path, cache: Path | None = None) -> float:
    process = spawn(url, size, sha384, out, cache)
    stdout, _ = process.communicate(timeout=600)
    result = json.loads(stdout.strip().splitlines()[-1])
    if not result["ok"]:
        raise SystemExit(f"download failed: {result['error']}")
    return float(result["seconds"])


def read_seconds(path: Path, hash_too: bool = False) -> float:
    hasher = hashlib.sha384()
    start = time.perf_counter()
    with path.open("rb", buffering=0) as f:
        while chunk := f.read(CHUNK):
            if hash_too:
                hasher.update(chunk)
    return time.perf_counter() - start


def hash_seconds(data: bytes) -> float:
    """sha384 of bytes already in memory: the ceiling for any download that verifies the checksum."""
    view = memoryview(data)
    hasher = hashlib.sha384()
    start = time.perf_counter()
    for offset in range(0, len(view), CHUNK):
        hasher.update(view[offset : offset + CHUNK])
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=ARCHIVE_SIZE)
    parser.add_argument("--repeat", type=int, default=3, help="best of N for each timing")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    from ovzoo.download.local_mirror import serve_directory

    with tempfile.TemporaryDirectory(prefix="ovzoo-bench-", dir=args.workdir) as tmp:
        work = Path(tmp)
        served = work / "served"
        served.mkdir()
        blob = served / "blob.bin"
        blob.write_bytes(random.Random(0).randbytes(args.size))
        sha384 = hashlib.sha384(blob.read_bytes()).hexdigest()
        size_mb = args.size / 1e6

        sent = [0]
        lock = threading.Lock()

        def count(n: int) -> None:
            with lock:
                sent[0] += n

        with serve_directory(served, on_sent=count) as base_url:
            url = base_url + "blob.bin"
            timings: dict[str, list[float]] = {}
            for _ in range(args.repeat):  # interleaved, so a busy moment hurts every mode alike
                runs = {
                    "sha384": lambda: hash_seconds(blob.read_bytes()),
                    "read": lambda: read_seconds(blob),
                    "read+sha384": lambda: read_seconds(blob, hash_too=True),
                    "file://": lambda: run_worker(blob.as_uri(), args.size, sha384, work / "out-file"),
                    "http": lambda: run_worker(url, args.size, sha384, work / "out-http"),
                    "http+cache": lambda: run_worker(
                        url, args.size, sha384, work / "out-cached", work / "cache"
                    ),
                }
                for name, run in runs.items():
                    timings.setdefault(name, []).append(run())
                    for folder in (*work.glob("out-*"), work / "cache"):
                        shutil.rmtree(folder, ignore_errors=True)
            best = {name: min(seconds) for name, seconds in timings.items()}

            # resume after SIGKILL at 50 %
            out = work / "killed"
            part = out / "public" / "bench" / "blob.bin.part"
            process = spawn(url, args.size, sha384, out)
            while process.poll() is None and not (part.exists() and part.stat().st_size >= args.size // 2):
                time.sleep(0.001)
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            kept = part.stat().st_size
            time.sleep(0.5)  # let the server notice the dead connection before counting afresh
            with lock:
                sent[0] = 0
            run_worker(url, args.size, sha384, out)
            resent = sent[0] - (args.size - kept)

        rate = {name: size_mb / seconds for name, seconds in best.items()}
        print(f"file: {args.size} bytes; best of {args.repeat}; {os.cpu_count()} CPUs")
        print(f"  read from disk (page cache)           {rate['read']:8.0f} MB/s")
        print(
            f"  sha384 of bytes in memory             {rate['sha384']:8.0f} MB/s  (ceiling for a verified download)"
        )
        print(f"  read + sha384 from disk               {rate['read+sha384']:8.0f} MB/s")
        print(
            f"  downloader, file:// source            {rate['file://']:8.0f} MB/s  (read, sha384, write, fsync, rename)"
        )
        print(f"  downloader, http loopback, no cache   {rate['http']:8.0f} MB/s")
        print(
            f"  downloader, http loopback, with cache {rate['http+cache']:8.0f} MB/s  (plus the copy into the cache)"
        )
        print(
            f"throughput ratio, loopback / read from disk:            {rate['http'] / rate['read']:.2f}  "
            f"(a verifying downloader can reach at most {rate['sha384'] / rate['read']:.2f} here)"
        )
        print(
            f"throughput ratio, loopback / read+sha384 from disk:     {rate['http'] / rate['read+sha384']:.2f}  "
            "(target >= 0.5)"
        )
        print(
            f"throughput ratio, loopback / downloader on file://:     {rate['http'] / rate['file://']:.2f}  (target >= 0.5)"
        )
        print(
            f"resume after SIGKILL: killed with {kept} of {args.size} bytes in .part; "
            f"second run re-sent {resent} bytes ({resent / MIB:.3f} MiB; target <= 1 MiB)"
        )
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
        worker(sys.argv[2], int(sys.argv[3]), sys.argv[4], Path(sys.argv[5]), sys.argv[6])
        sys.exit(0)
    sys.exit(main())
