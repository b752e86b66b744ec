"""Command-line layer: argument parsing and printing only; the work happens in the library."""
