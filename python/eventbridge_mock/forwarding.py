"""``forward_targets``: deliveries also sent to the real targets with boto3 clients.

With ``mock_events(forward_targets=True)``, each delivery to an SQS queue, SNS topic, Lambda
function, Kinesis stream, Firehose stream, CloudWatch Logs group or Step Functions state
machine is also sent with a boto3 client of that service, so a suite that mocks those
services with moto (or anything else) receives them. A forward that fails is retried as the
target's RetryPolicy allows (throttling and server errors only, as EventBridge does), then
goes to the target's DeadLetterConfig queue when there is one; it never raises into the
call that caused it, and the delivery log shows it as failed. Deliveries to other kinds of
target (event buses, API destinations, ECS, ...) are not forwarded and stay as logged.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any, Callable, Dict, List, Optional

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from .client import _METHOD_TO_API, Client
from .deliveries import Delivery

# EventBridge's default RetryPolicy.
DEFAULT_MAX_RETRIES = 185
RETRYABLE_CODES = {"Throttling", "ThrottlingException", "TooManyRequestsException", "ServiceUnavailable",
                   "InternalFailure", "InternalError", "RequestLimitExceeded"}


def _arn_parts(arn: str):
    parts = arn.split(":", 5)
    if len(parts) < 6:
        raise ValueError(f"not an ARN: {arn}")
    return parts[2], parts[3], parts[4], parts[5]  # service, region, account, resource


_clients_lock = threading.Lock()
# The clients made from boto3's current default session, by service and region: making a
# client costs far more than the call it sends. A new default session (moto starts each mock
# with one) starts a new set.
_clients: Dict[Any, Any] = {"session": None}


def _client(service: str, region: str):
    """A client as ``boto3.client(service, region_name=region)`` makes it."""
    session = boto3.DEFAULT_SESSION
    if session is None:
        return boto3.client(service, region_name=region)  # creates the default session
    with _clients_lock:
        if _clients["session"] is not session:
            _clients.clear()
            _clients["session"] = session
        client = _clients.get((service, region))
    if client is None:
        client = session.client(service, region_name=region)
        with _clients_lock:
            if _clients["session"] is session:
                _clients[(service, region)] = client
    return client


def _queue_url(sqs, name: str, account: str) -> str:
    return sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]


def _json_path(path: str, event: dict) -> Any:
    node: Any = event
    for part in path.lstrip("$").strip(".").split("."):
        if part:
            node = node.get(part) if isinstance(node, dict) else None
    return node


def send(target: dict, d: Delivery) -> None:
    """Sends one delivery to its target's service; raises what the service raises."""
    service, region, account, resource = _arn_parts(d.target_arn)
    payload = d.payload
    if service == "sqs":
        sqs = _client("sqs", region)
        args: Dict[str, Any] = {"QueueUrl": _queue_url(sqs, resource, account), "MessageBody": payload}
        group = (target.get("SqsParameters") or {}).get("MessageGroupId")
        if group:
            args["MessageGroupId"] = group
        if resource.endswith(".fifo"):
            # EventBridge sends the event id as the deduplication id.
            args["MessageDeduplicationId"] = d.event.get("id") or str(uuid.uuid4())
        sqs.send_message(**args)
    elif service == "sns":
        _client("sns", region).publish(TopicArn=d.target_arn, Message=payload)
    elif service == "lambda":
        _client("lambda", region).invoke(FunctionName=d.target_arn, InvocationType="Event", Payload=payload)
    elif service == "kinesis":
        key_path = (target.get("KinesisParameters") or {}).get("PartitionKeyPath")
        key = _json_path(key_path, d.event) if key_path else None
        _client("kinesis", region).put_record(
            StreamName=resource.split("/", 1)[-1],
            Data=payload.encode(),
            PartitionKey=str(key if key is not None else d.event.get("id")),
        )
    elif service == "firehose":
        _client("firehose", region).put_record(
            DeliveryStreamName=resource.split("/", 1)[-1], Record={"Data": payload.encode()}
        )
    elif service == "logs":
        group = resource.split(":", 1)[1].split(":")[0] if resource.startswith("log-group:") else resource
        logs = _client("logs", region)
        stream = d.event.get("id") or str(uuid.uuid4())  # EventBridge names the stream by event id
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": int(d.time.timestamp() * 1000), "message": payload}],
        )
    elif service == "states":
        _client("stepfunctions", region).start_execution(stateMachineArn=d.target_arn, input=payload)
    else:
        raise ValueError(f"forwarding to {service} targets is not supported")


def _error_code(e: Exception) -> str:
    if isinstance(e, ClientError):
        return e.response.get("Error", {}).get("Code", "ClientError")
    return type(e).__name__


def _to_dead_letter_queue(target: dict, d: Delivery, e: Exception) -> None:
    dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
    if not dlq:
        return
    _, region, account, name = _arn_parts(dlq)
    sqs = _client("sqs", region)
    attributes = {
        "RULE_ARN": d.rule_arn,
        "TARGET_ARN": d.target_arn,
        "ERROR_CODE": _error_code(e),
        "ERROR_MESSAGE": str(e),
    }
    sqs.send_message(
        QueueUrl=_queue_url(sqs, name, account),
        MessageBody=d.payload,
        MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
    )


FORWARDED_SERVICES = {"sqs", "sns", "lambda", "kinesis", "firehose", "logs", "states"}


def forward(backend, client: Client, start: int, sender: Callable[[dict, Delivery], None] = send) -> None:
    """Forwards the deliveries logged from index `start` on; never raises."""
    for raw in backend.deliveries(start):
        d = Delivery(**raw)
        service = (d.target_arn.split(":") + ["", "", ""])[2]
        if not d.succeeded or service not in FORWARDED_SERVICES:
            # Refused already; or an event bus (routed by the engine itself), an API
            # destination or a service this module does not send to: the log is the record.
            continue
        try:
            _forward_one(backend, client, d, sender)
        except Exception:  # noqa: BLE001 - a forward never fails the call that caused it
            pass


def _forward_one(backend, client: Client, d: Delivery, sender: Callable[[dict, Delivery], None]) -> None:
    target = _target_of(client, d)
    policy = target.get("RetryPolicy") or {}
    retries = policy.get("MaximumRetryAttempts", DEFAULT_MAX_RETRIES)
    error: Optional[Exception] = None
    for _ in range(retries + 1):
        try:
            sender(target, d)
            error = None
            break
        except Exception as e:  # noqa: BLE001 - whatever the target's service raises
            error = e
            if _error_code(e) not in RETRYABLE_CODES:
                break
    if error is not None:
        backend.mark_failed(d.index, f"{_error_code(error)}: {error}")
        _to_dead_letter_queue(target, d, error)


def _target_of(client: Client, d: Delivery) -> dict:
    """The target as it was put (for its parameters, RetryPolicy and DeadLetterConfig)."""
    # A plain Client: this look-up is no call of the test's, and forwards nothing itself.
    owner = Client(region_name=d.region, account_id=d.account, backend=client._backend)
    try:
        targets: List[Any] = owner.list_targets_by_rule(Rule=d.rule_name, EventBusName=d.event_bus_name)["Targets"]
    except ClientError:
        return {}
    return next((dict(t) for t in targets if t["Id"] == d.target_id), {})


# One forwarding at a time: each call forwards exactly the deliveries it caused, even when
# clients on several threads share a mock.
_forward_lock = threading.RLock()


def forward_deliveries(backend, client: Client, start: int) -> None:
    """Forwards the deliveries logged from index `start` on, as one call's would be."""
    with _forward_lock:
        forward(backend, client, start)


def _forwarding(name: str):
    operation = getattr(Client, name)

    def method(self, *args, **kwargs):
        with _forward_lock:
            start = self._backend.delivery_count()
            response = operation.__get__(self, type(self))(*args, **kwargs)
            forward(self._backend, self, start)
        return response

    method.__name__ = name
    method.__qualname__ = f"ForwardingClient.{name}"
    method.__doc__ = getattr(operation, "__doc__", None)
    return method


class ForwardingClient(Client):
    """A Client whose calls that deliver events also forward them to the real targets.

    Every operation forwards, not only PutEvents: scheduled rules fire on whichever call
    first sees that their time has come.
    """


for _name in _METHOD_TO_API:
    setattr(ForwardingClient, _name, _forwarding(_name))
