"""The EventBridge service model, loaded once per process from the installed botocore.

Everything model-driven the engine and the exploration helpers use (validation, output
shapes, exceptions) derives from here, so the package always speaks the API of the
botocore it runs with.
"""

from __future__ import annotations

import functools
import json
import uuid
from email.utils import formatdate

import botocore.session
from botocore.errorfactory import ClientExceptionsFactory
from botocore.exceptions import ParamValidationError
from botocore.loaders import Loader
from botocore.model import ServiceModel

from . import _native

SERVICE_NAME = "events"


@functools.lru_cache(maxsize=None)
def loader() -> Loader:
    return botocore.session.get_session().get_component("data_loader")


@functools.lru_cache(maxsize=None)
def service_model() -> ServiceModel:
    raw = loader().load_service_model(SERVICE_NAME, "service-2")
    model = ServiceModel(raw, service_name=SERVICE_NAME)
    _native.init(json.dumps(raw), make_error, ParamValidationError)
    return model


@functools.lru_cache(maxsize=None)
def exceptions():
    return ClientExceptionsFactory().create_client_exceptions(service_model())


def error_response(code: str, message: str, request_id: str | None = None) -> dict:
    """The parsed error response botocore builds from an AWS JSON error."""
    request_id = request_id or str(uuid.uuid4())
    status = 500 if code == "InternalException" else 400
    return {
        "Error": {"Message": message, "Code": code},
        "ResponseMetadata": {
            "RequestId": request_id,
            "HTTPStatusCode": status,
            "HTTPHeaders": {
                "x-amzn-requestid": request_id,
                "content-type": "application/x-amz-json-1.1",
                "content-length": str(len(json.dumps({"__type": code, "message": message}))),
                "date": formatdate(usegmt=True),
            },
            "RetryAttempts": 0,
        },
    }


def make_error(code: str, message: str, operation_name: str, request_id: str, client=None):
    """The exception botocore raises for an AWS error: the modeled class when there is one,
    taken from the calling client's own ``exceptions`` (each botocore session has its own)."""
    cls = (client.exceptions if client is not None else exceptions()).from_code(code)
    return cls(error_response(code, message, request_id), operation_name)
