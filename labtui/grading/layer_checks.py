"""Read Lambda layer versions of the graded account for checks (R-1.5).

The API hands out a layer's content only as a download link; the sandbox keeps the zip in
its in-process Lambda backend, so the checker lists the files of a layer version there,
which is what Lambda would extract under ``/opt``.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from labtui.grading.context import GradingContext
from labtui.grading.lifecycle_checks import in_process_sandbox


def layer_versions(ctx: GradingContext, layer_name: str) -> list[dict[str, Any]]:
    """Published versions of ``layer_name`` (oldest first), as ListLayerVersions gives them."""
    from botocore.exceptions import ClientError

    try:
        response = ctx.aws("lambda").list_layer_versions(LayerName=layer_name)
    except ClientError:
        return []
    versions = list(response.get("LayerVersions") or [])
    return sorted(versions, key=lambda v: int(v.get("Version", 0)))


def layer_files(ctx: GradingContext, layer_version_arn: str) -> list[str] | None:
    """The paths inside a layer version's zip (None when the version does not exist)."""
    from moto.awslambda.models import lambda_backends

    in_process_sandbox(ctx)
    backend = lambda_backends[ctx.account_id][ctx.region]
    version = backend.layers_versions_by_arn(layer_version_arn)
    if version is None:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(bytes(version.code_bytes or b""))) as archive:
            return sorted(archive.namelist())
    except zipfile.BadZipFile:
        return []


def function_layer_arns(ctx: GradingContext, function: str) -> list[str] | None:
    """Layer version ARNs attached to ``function`` ($LATEST), in order; None if missing."""
    from botocore.exceptions import ClientError

    try:
        config = ctx.aws("lambda").get_function_configuration(FunctionName=function)
    except ClientError:
        return None
    return [str(layer.get("Arn")) for layer in config.get("Layers") or []]


def layer_name_of(layer_version_arn: str) -> str:
    """``arn:aws:lambda:<region>:<account>:layer:<name>:<version>`` -> name."""
    parts = layer_version_arn.split(":")
    return parts[6] if len(parts) > 7 else layer_version_arn
