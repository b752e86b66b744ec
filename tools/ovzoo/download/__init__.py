"""The downloader: sources and mirrors, resumable verified fetches, a shared cache, progress."""

from ovzoo.download.cache import BlobCache
from ovzoo.download.downloader import DownloadOptions, DownloadReport, ModelResult, download_models
from ovzoo.locations import default_cache_dir

__all__ = [
    "BlobCache",
    "DownloadOptions",
    "DownloadReport",
    "ModelResult",
    "default_cache_dir",
    "download_models",
]
