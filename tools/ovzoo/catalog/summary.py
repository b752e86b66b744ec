"""A model's public facts as plain JSON data: what ``ovzoo info`` prints (the omz_info_dumper fields)."""

from __future__ import annotations

from ovzoo.catalog.model import Model, ModelCard, TensorInfo

ACCURACY_CONFIG_NAME = "accuracy-check.yml"


def tensor_infos(infos: tuple[TensorInfo, ...]) -> list[dict[str, object]]:
    return [{"name": t.name, "shape": list(t.shape), "layout": t.layout} for t in infos]


def card_info(card: ModelCard) -> dict[str, object]:
    info: dict[str, object] = {}
    if card.gflops is not None:
        info["gflops"] = card.gflops
    if card.mparams is not None:
        info["mparams"] = card.mparams
    if card.accuracy is not None:
        info["accuracy"] = {"top1": card.accuracy.top1, "top5": card.accuracy.top5}
    return info


def model_info(model: Model) -> dict[str, object]:
    """omz_info_dumper's record for one model, plus ovzoo's ``output_info`` and ``card`` when declared."""
    accuracy_config = model.config_dir / ACCURACY_CONFIG_NAME
    info: dict[str, object] = {
        "name": model.name,
        "description": model.description,
        "framework": model.framework,
        "license_url": model.license_url,
        "accuracy_config": str(accuracy_config) if accuracy_config.is_file() else None,
        "model_config": str(model.config_path),
        "precisions": sorted(model.precisions),
        "quantization_output_precisions": sorted(model.quantization_output_precisions),
        "subdirectory": str(model.subdirectory),
        "task_type": model.task_type,
        "input_info": tensor_infos(model.input_info),
    }
    if model.output_info:
        info["output_info"] = tensor_infos(model.output_info)
    card = card_info(model.card)
    if card:
        info["card"] = card
    return info
