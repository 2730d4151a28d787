"""``forward_targets``: deliveries also sent to the targets' services, never to real AWS.

With ``mock_events(forward_targets=True)``, each delivery to an SQS queue, SNS topic, Lambda
function, Kinesis stream, Firehose stream, CloudWatch Logs group or Step Functions state
machine is also sent with a botocore client of that service, but only where it cannot
leave the test: to moto while moto's ``mock_aws`` is active (in the target's account, as
moto's ``x-moto-account-id`` header selects it, unless ``MOTO_ACCOUNT_ID`` pins one), or to
the endpoint given for that service in ``forward_endpoints``. Otherwise nothing is sent and
the delivery log says why (``forwarded=False`` and a ``note``).

A forward that fails is retried as the target's RetryPolicy allows (throttling and server
errors only, as EventBridge does), then goes to the target's DeadLetterConfig queue when
there is one; it never raises into the call that caused it, and the log marks the delivery
failed. Deliveries to event buses are the engine's own; API destinations are invoked over
HTTP (``api_destinations``); other kinds of target (ECS, ...) are logged as not forwarded.
Connection operations also keep each connection's secret in Secrets Manager
(``connections``).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import threading
import uuid
from typing import Any, Callable, Dict, List, Optional, Tuple

from botocore.exceptions import BotoCoreError, ClientError

from . import _native, _routing
from .deliveries import Delivery

# EventBridge's default RetryPolicy.
DEFAULT_MAX_RETRIES = 185
RETRYABLE_CODES = {"Throttling", "ThrottlingException", "TooManyRequestsException", "ServiceUnavailable",
                   "InternalFailure", "InternalError", "RequestLimitExceeded"}
FORWARDED_SERVICES = {"sqs", "sns", "lambda", "kinesis", "firehose", "logs", "states"}
# Operations after which a connection's secret (and OAuth authorization) is brought up to date.
CONNECTION_OPERATIONS = {"CreateConnection", "UpdateConnection", "DeauthorizeConnection", "DeleteConnection"}
# botocore's client name where it differs from the ARN's service.
CLIENT_NAMES = {"states": "stepfunctions"}


def _arn_parts(arn: str):
    parts = arn.split(":", 5)
    if len(parts) < 6:
        raise ValueError(f"not an ARN: {arn}")
    return parts[2], parts[3], parts[4], parts[5]  # service, region, account, resource


# Where a service's deliveries go: ("moto", None), ("endpoint", url), or None with the reason.


def destination(mock, service: str) -> Tuple[Optional[Tuple[str, Optional[str]]], str]:
    endpoint = mock.forward_endpoints.get(service)
    if endpoint:
        return ("endpoint", endpoint), ""
    if _routing.moto_active():
        return ("moto", None), ""
    return None, (
        f"not forwarded: {service} is not mocked (moto's mock_aws is not active) and "
        f"forward_endpoints has no endpoint for it"
    )


# Clients of the target services: made once per destination, service and region (making a
# client costs far more than the call it sends). Each moto mock starts a new default boto3
# session, so moto's clients are remade for each.

_clients_lock = threading.Lock()
_clients: Dict[Any, Any] = {}
# The account the current forward is for, which moto reads from x-moto-account-id.
_target_account: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar("target_account", default=None)


@contextlib.contextmanager
def in_account(account: str):
    """Calls made by forwarding clients in this block go to ``account`` (moto's)."""
    token = _target_account.set(account)
    try:
        yield
    finally:
        _target_account.reset(token)


def _add_account_header(params, **_kwargs) -> None:
    account = _target_account.get()
    if account:
        params["headers"]["x-moto-account-id"] = account


def _client(kind: Tuple[str, Optional[str]], service: str, region: str):
    import boto3

    name = CLIENT_NAMES.get(service, service)
    session = None
    if kind[0] == "moto":
        if boto3.DEFAULT_SESSION is None:
            boto3.setup_default_session()
        session = boto3.DEFAULT_SESSION
    key = (kind, name, region)
    with _clients_lock:
        cached = _clients.get(key)
    if cached is not None and cached[0] is session:
        return cached[1]
    # Placeholder credentials: no credential lookup, which may reach the network.
    if session is not None:
        made = session.client(name, region_name=region, **_routing.PLACEHOLDER_CREDENTIALS)
        made.meta.events.register("before-call", _add_account_header)
    else:
        made = boto3.session.Session().client(
            name, region_name=region, endpoint_url=kind[1], **_routing.PLACEHOLDER_CREDENTIALS
        )
    with _clients_lock:
        _clients[key] = (session, made)
    return made


def _queue_url(sqs, name: str, account: str) -> str:
    return sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]


def _json_path(path: str, event: dict) -> Any:
    node: Any = event
    for part in path.lstrip("$").strip(".").split("."):
        if part:
            node = node.get(part) if isinstance(node, dict) else None
    return node


def send(client_for: Callable[[str, str], Any], target: dict, d: Delivery) -> None:
    """Sends one delivery to its target's service; raises what the service raises."""
    service, region, account, resource = _arn_parts(d.target_arn)
    payload = d.payload
    if service == "sqs":
        sqs = client_for("sqs", region)
        args: Dict[str, Any] = {"QueueUrl": _queue_url(sqs, resource, account), "MessageBody": payload}
        group = (target.get("SqsParameters") or {}).get("MessageGroupId")
        if group:
            args["MessageGroupId"] = group
        # No MessageDeduplicationId: EventBridge sends none, so a FIFO queue needs
        # content-based deduplication (docs/aws-facts-events.md).
        sqs.send_message(**args)
    elif service == "sns":
        client_for("sns", region).publish(TopicArn=d.target_arn, Message=payload)
    elif service == "lambda":
        client_for("lambda", region).invoke(FunctionName=d.target_arn, InvocationType="Event", Payload=payload)
    elif service == "kinesis":
        key_path = (target.get("KinesisParameters") or {}).get("PartitionKeyPath")
        key = _json_path(key_path, d.event) if key_path else None
        client_for("kinesis", region).put_record(
            StreamName=resource.split("/", 1)[-1],
            Data=payload.encode(),
            PartitionKey=str(key if key is not None else d.event.get("id")),
        )
    elif service == "firehose":
        client_for("firehose", region).put_record(
            DeliveryStreamName=resource.split("/", 1)[-1], Record={"Data": payload.encode()}
        )
    elif service == "logs":
        group = resource.split(":", 1)[1].split(":")[0] if resource.startswith("log-group:") else resource
        logs = client_for("logs", region)
        stream = d.event.get("id") or str(uuid.uuid4())  # EventBridge names the stream by event id
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": int(d.time.timestamp() * 1000), "message": payload}],
        )
    elif service == "states":
        client_for("states", region).start_execution(stateMachineArn=d.target_arn, input=payload)
    else:
        raise ValueError(f"forwarding to {service} targets is not supported")


def _error_code(e: Exception) -> str:
    if isinstance(e, ClientError):
        return e.response.get("Error", {}).get("Code", "ClientError")
    return getattr(e, "error_code", None) or type(e).__name__


def _to_dead_letter_queue(mock, target: dict, d: Delivery, e: Exception) -> None:
    """Sends a failed delivery to its target's dead-letter queue, where SQS is forwarded to
    (moto, or the `forward_endpoints` entry for sqs; not the failed target's service's)."""
    dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
    if not dlq:
        return
    kind, _ = destination(mock, "sqs")
    if kind is None:
        return
    _, region, account, name = _arn_parts(dlq)
    sqs = _client(kind, "sqs", region)
    attributes = {
        "RULE_ARN": d.rule_arn,
        "TARGET_ARN": d.target_arn,
        "ERROR_CODE": _error_code(e),
        "ERROR_MESSAGE": str(e),
    }
    with in_account(account):
        sqs.send_message(
            QueueUrl=_queue_url(sqs, name, account),
            MessageBody=d.payload,
            MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
        )


def _service_of(arn: str) -> str:
    return (arn.split(":") + ["", "", ""])[2]


def forward(mock, start: int, sender: Callable[..., None] = send) -> None:
    """Forwards the deliveries logged from index ``start`` on; never raises."""
    backend = mock.backend
    for raw in backend.deliveries(start):
        d = Delivery(**raw)
        service = _service_of(d.target_arn)
        if d.succeeded and service == "events" and ":api-destination/" in d.target_arn:
            from . import api_destinations

            try:
                api_destinations.forward(mock, d)
            except Exception as e:  # noqa: BLE001 - a forward never fails the call that caused it
                backend.mark_failed(d.index, f"{type(e).__name__} while invoking the API destination")
            continue
        if not d.succeeded or service == "events":
            # Refused already, or an event bus (the engine routes those itself).
            continue
        if service not in FORWARDED_SERVICES:
            backend.set_forwarded(d.index, False, f"not forwarded: {service} targets are not forwarded")
            continue
        kind, reason = destination(mock, service)
        if kind is None:
            backend.set_forwarded(d.index, False, reason)
            continue
        try:
            _forward_one(mock, d, functools.partial(_client, kind), sender)
        except Exception as e:  # noqa: BLE001 - a forward never fails the call that caused it
            backend.mark_failed(d.index, f"{_error_code(e)}: {e}")


def _forward_one(mock, d: Delivery, client_for, sender) -> None:
    backend = mock.backend
    target = _target_of(backend, d)
    policy = target.get("RetryPolicy") or {}
    retries = policy.get("MaximumRetryAttempts", DEFAULT_MAX_RETRIES)
    error: Optional[Exception] = None
    with in_account(_arn_parts(d.target_arn)[2] or d.account):
        for _ in range(retries + 1):
            try:
                sender(client_for, target, d)
                error = None
                break
            except (ClientError, BotoCoreError, ValueError) as e:
                error = e
                if _error_code(e) not in RETRYABLE_CODES:
                    break
    if error is None:
        backend.set_forwarded(d.index, True)
        return
    message = f"{_error_code(error)}: {error}"
    backend.set_forwarded(d.index, True, message)
    backend.mark_failed(d.index, message)
    _to_dead_letter_queue(mock, target, d, error)


def _target_of(backend, d: Delivery) -> dict:
    """The target as it was put (for its parameters, RetryPolicy and DeadLetterConfig)."""
    owner = _native.NativeClient(backend, d.account, d.region)
    try:
        targets: List[Any] = owner.call(
            "ListTargetsByRule", {"Rule": d.rule_name, "EventBusName": d.event_bus_name}
        )["Targets"]
    except ClientError:
        return {}
    return next((dict(t) for t in targets if t["Id"] == d.target_id), {})


# One forwarding at a time: each call forwards exactly the deliveries it caused, even when
# clients on several threads share a mock.
_forward_lock = threading.RLock()


def forward_deliveries(mock, start: int) -> None:
    """Forwards the deliveries logged from index ``start`` on, as one call's would be."""
    with _forward_lock:
        forward(mock, start)


def call_and_forward(mock, native, operation: str, params: dict, client) -> dict:
    """One call of a client served by ``mock``, then the forwarding of what it delivered
    (any call may fire scheduled rules, not only PutEvents)."""
    with _forward_lock:
        start = mock.backend.delivery_count()
        try:
            if operation in CONNECTION_OPERATIONS:
                from . import connections

                return connections.call(mock, native, operation, params, client)
            return native.call(operation, params, client)
        finally:
            if mock.backend.delivery_count() > start:
                forward(mock, start)
