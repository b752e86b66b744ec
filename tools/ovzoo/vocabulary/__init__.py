"""What every stage shares, one module each: the precision table (``precisions``), the directory layout
(``layout``), and the conversion spec a descriptor's ``model_optimizer_args`` describe (``spec``).

Stages import these; none imports another stage. This file imports nothing, so that the catalog can use
the precision table while the layout and the spec use the catalog's records.
"""
