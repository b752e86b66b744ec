"""IR files as every stage writes them: atomically (``writer``), with FP16 weight compression (``fp16``)."""

from ovzoo.ir.writer import write_ir

__all__ = ["write_ir"]
