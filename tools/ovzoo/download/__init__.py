"""The downloader: sources and mirrors, resumable verified fetches, a shared cache, progress."""

from ovzoo.download.cache import BlobCache, default_cache_dir
from ovzoo.download.downloader import DownloadOptions, DownloadReport, ModelResult, download_models

__all__ = [
    "BlobCache",
    "DownloadOptions",
    "DownloadReport",
    "ModelResult",
    "default_cache_dir",
    "download_models",
]
