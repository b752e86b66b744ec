"""Accuracy checking with the accuracy checker's config format and preprocessing semantics."""
