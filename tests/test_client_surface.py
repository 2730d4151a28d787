"""What a boto3 EventBridge client offers besides the operations themselves."""

import datetime
import re
import uuid

import botocore.exceptions
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, OperationNotPageableError

import eventbridge_mock
from eventbridge_mock import _native
from conftest import ACCOUNT, PATTERN, QUEUE_ARN, body, bus_arn, rule_arn

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
HTTP_DATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$")


# ResponseMetadata


def check_metadata(meta, status):
    assert set(meta) == {"RequestId", "HTTPStatusCode", "HTTPHeaders", "RetryAttempts"}
    assert UUID.match(meta["RequestId"])
    assert meta["HTTPStatusCode"] == status
    assert meta["RetryAttempts"] == 0
    headers = meta["HTTPHeaders"]
    assert set(headers) == {"x-amzn-requestid", "content-type", "content-length", "date"}
    assert headers["x-amzn-requestid"] == meta["RequestId"]
    assert headers["content-type"] == "application/x-amz-json-1.1"
    assert headers["content-length"].isdigit()
    assert HTTP_DATE.match(headers["date"])


def test_success_response_metadata(events):
    response = events.put_rule(Name="r1", EventPattern=PATTERN)
    check_metadata(response["ResponseMetadata"], 200)
    other = events.describe_rule(Name="r1")["ResponseMetadata"]["RequestId"]
    assert other != response["ResponseMetadata"]["RequestId"]


def test_empty_result_has_only_metadata(events):
    events.put_rule(Name="r1", EventPattern=PATTERN)
    response = events.disable_rule(Name="r1")
    assert set(response) == {"ResponseMetadata"}
    check_metadata(response["ResponseMetadata"], 200)


def test_error_response_metadata(events):
    with pytest.raises(ClientError) as e:
        events.describe_rule(Name="nope")
    assert set(e.value.response) == {"Error", "ResponseMetadata"}
    meta = e.value.response["ResponseMetadata"]
    headers = meta["HTTPHeaders"]
    check_metadata(dict(meta, HTTPHeaders=dict(headers, date="Mon, 01 Jan 2024 00:00:00 GMT")), 400)
    assert int(headers["content-length"]) > 0


def test_error_response_has_date_header(events):
    # Every AWS response, errors included, carries an HTTP Date header.
    with pytest.raises(ClientError) as e:
        events.describe_rule(Name="nope")
    assert HTTP_DATE.match(e.value.response["ResponseMetadata"]["HTTPHeaders"].get("date", ""))


def test_error_is_modeled_class_and_client_error(events):
    with pytest.raises(ClientError) as e:
        events.describe_rule(Name="nope")
    assert type(e.value) is events.exceptions.ResourceNotFoundException
    assert isinstance(e.value, botocore.exceptions.ClientError)
    assert e.value.operation_name == "DescribeRule"
    assert str(e.value) == (
        "An error occurred (ResourceNotFoundException) when calling the DescribeRule operation: "
        "Rule nope does not exist on EventBus default."
    )


def test_validation_exception_is_plain_client_error(events):
    with pytest.raises(ClientError) as e:
        events.put_rule(Name="a b", EventPattern=PATTERN)
    # EventBridge's model declares no ValidationException, so boto3 raises ClientError itself.
    assert type(e.value) is ClientError
    assert e.value.operation_name == "PutRule"


def test_timestamps_are_timezone_aware(events):
    events.create_event_bus(Name="orders")
    response = events.describe_event_bus(Name="orders")
    for key in ("CreationTime", "LastModifiedTime"):
        value = response[key]
        assert isinstance(value, datetime.datetime)
        assert value.tzinfo is not None and value.utcoffset() is not None
    listed = events.list_event_buses(NamePrefix="orders")["EventBuses"][0]
    assert listed["CreationTime"] == response["CreationTime"]


# Methods, arguments and exceptions


def test_positional_arguments_are_rejected(events):
    with pytest.raises(TypeError) as e:
        events.describe_rule("r1")
    assert str(e.value) == "describe_rule() only accepts keyword arguments."


def test_every_model_operation_is_a_method(events):
    model = events.meta.service_model
    for name in model.operation_names:
        method = botocore.xform_name(name)
        assert callable(getattr(events, method)), method
    assert events.meta.method_to_api_mapping["put_rule"] == "PutRule"


def test_exceptions_attribute(events):
    for name in [
        "ResourceNotFoundException",
        "ResourceAlreadyExistsException",
        "LimitExceededException",
        "InvalidEventPatternException",
        "ManagedRuleException",
        "ConcurrentModificationException",
        "InternalException",
    ]:
        cls = getattr(events.exceptions, name)
        assert issubclass(cls, ClientError)
    assert events.exceptions.ClientError is ClientError


# meta


def test_meta(events):
    assert events.meta.region_name == "us-east-1"
    assert events.meta.service_model.service_name == "events"
    assert events.meta.partition == "aws"
    assert events.meta.endpoint_url == "https://events.us-east-1.amazonaws.com"
    assert events.meta.config.region_name == "us-east-1"


def test_meta_for_other_partitions(make_client):
    cn = make_client(region_name="cn-north-1")
    assert cn.meta.partition == "aws-cn"
    assert cn.meta.endpoint_url == "https://events.cn-north-1.amazonaws.com.cn"
    gov = make_client(region_name="us-gov-west-1")
    assert gov.meta.partition == "aws-us-gov"
    assert body(gov.put_rule(Name="r1", EventPattern=PATTERN)) == {
        "RuleArn": f"arn:aws-us-gov:events:us-gov-west-1:{ACCOUNT}:rule/r1"
    }


def test_endpoint_url_and_config(make_client):
    client = make_client(endpoint_url="http://localhost:4566")
    assert client.meta.endpoint_url == "http://localhost:4566"
    configured = eventbridge_mock.client(
        config=Config(region_name="ap-southeast-2"), backend=_native.Backend()
    )
    assert configured.meta.region_name == "ap-southeast-2"
    assert configured.meta.config.region_name == "ap-southeast-2"


def test_region_from_environment(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    client = eventbridge_mock.client(backend=_native.Backend())
    assert client.meta.region_name == "eu-central-1"
    assert client.meta.config.region_name == "eu-central-1"
    assert body(client.create_event_bus(Name="orders")) == {
        "EventBusArn": f"arn:aws:events:eu-central-1:{ACCOUNT}:event-bus/orders"
    }


def test_region_defaults_to_us_east_1(monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    client = eventbridge_mock.client(backend=_native.Backend())
    assert client.meta.region_name == "us-east-1"
    assert client.describe_event_bus()["Arn"] == bus_arn("default")


def test_explicit_region_beats_environment(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    client = eventbridge_mock.client(region_name="sa-east-1", backend=_native.Backend())
    assert client.meta.region_name == "sa-east-1"


def test_custom_account_and_region_in_arns(make_client):
    client = make_client(region_name="ap-northeast-1", account_id="999988887777")
    client.create_event_bus(Name="orders")
    assert body(client.put_rule(Name="r1", EventPattern=PATTERN, EventBusName="orders")) == {
        "RuleArn": "arn:aws:events:ap-northeast-1:999988887777:rule/orders/r1"
    }
    assert client.describe_event_bus(Name="orders")["Arn"] == (
        "arn:aws:events:ap-northeast-1:999988887777:event-bus/orders"
    )


def test_close(events):
    assert events.close() is None
    events.close()


# Waiters


def test_no_waiters(events):
    with pytest.raises(ValueError) as e:
        events.get_waiter("x")
    assert str(e.value) == "Waiter does not exist: x"
    assert events.waiter_names == []


# Paginators


@pytest.mark.parametrize(
    "method",
    [
        "list_rule_names_by_target",
        "list_rules",
        "list_targets_by_rule",
    ],
)
def test_can_paginate_model_paginators(events, method):
    assert events.can_paginate(method) is True


@pytest.mark.parametrize("method", ["describe_rule", "put_rule", "list_tags_for_resource", "list_event_buses"])
def test_cannot_paginate(events, method):
    assert events.can_paginate(method) is False


def test_unknown_method_name_for_paginators(events):
    # botocore looks the name up in the client's method table, so an unknown name is a KeyError.
    with pytest.raises(KeyError):
        events.can_paginate("nope")
    with pytest.raises(KeyError):
        events.get_paginator("nope")


def test_get_paginator_for_non_pageable_operation(events):
    with pytest.raises(OperationNotPageableError):
        events.get_paginator("describe_rule")


def test_can_paginate_matches_botocore(events):
    import botocore.session

    config = botocore.session.get_session().get_service_model("events")
    loader = botocore.session.get_session().get_component("data_loader")
    pageable = loader.load_service_model("events", "paginators-1")["pagination"]
    for name in config.operation_names:
        assert events.can_paginate(botocore.xform_name(name)) is (name in pageable)


@pytest.fixture
def many_rules(events):
    names = [f"rule-{i:02d}" for i in range(12)]
    for name in names:
        events.put_rule(Name=name, EventPattern=PATTERN)
    return names


def test_paginate_with_page_size(events, many_rules):
    pages = list(events.get_paginator("list_rules").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["Rules"]) for p in pages] == [5, 5, 2]
    assert [r["Name"] for p in pages for r in p["Rules"]] == many_rules
    assert all("ResponseMetadata" in p for p in pages)


def test_paginate_with_max_items(events, many_rules):
    result = (
        events.get_paginator("list_rules")
        .paginate(PaginationConfig={"MaxItems": 7, "PageSize": 3})
        .build_full_result()
    )
    assert [r["Name"] for r in result["Rules"]] == many_rules[:7]
    assert "NextToken" in result
    rest = (
        events.get_paginator("list_rules")
        .paginate(PaginationConfig={"StartingToken": result["NextToken"], "PageSize": 3})
        .build_full_result()
    )
    assert [r["Name"] for r in rest["Rules"]] == many_rules[7:]
    assert "NextToken" not in rest


def test_build_full_result(events, many_rules):
    result = events.get_paginator("list_rules").paginate(NamePrefix="rule-0").build_full_result()
    assert result == {
        "Rules": [
            {
                "Name": name,
                "Arn": rule_arn(name),
                "EventPattern": PATTERN,
                "State": "ENABLED",
                "EventBusName": "default",
            }
            for name in many_rules[:10]
        ]
    }


def test_paginator_search(events, many_rules):
    events.disable_rule(Name="rule-03")
    events.disable_rule(Name="rule-11")
    paginator = events.get_paginator("list_rules")
    disabled = paginator.paginate(PaginationConfig={"PageSize": 4}).search(
        "Rules[?State == 'DISABLED'].Name"
    )
    assert list(disabled) == ["rule-03", "rule-11"]


def test_paginate_targets_and_rule_names(events):
    events.put_rule(Name="r1", EventPattern=PATTERN)
    events.put_targets(Rule="r1", Targets=[{"Id": f"t{i}", "Arn": QUEUE_ARN} for i in range(5)])
    events.put_rule(Name="r2", EventPattern=PATTERN)
    events.put_targets(Rule="r2", Targets=[{"Id": "t", "Arn": QUEUE_ARN}])
    targets = events.get_paginator("list_targets_by_rule").paginate(
        Rule="r1", PaginationConfig={"PageSize": 2}
    )
    assert [t["Id"] for t in targets.search("Targets[]")] == ["t0", "t1", "t2", "t3", "t4"]
    names = events.get_paginator("list_rule_names_by_target").paginate(
        TargetArn=QUEUE_ARN, PaginationConfig={"PageSize": 1}
    )
    assert names.build_full_result() == {"RuleNames": ["r1", "r2"]}


def test_paginate_with_positional_argument_is_rejected(events):
    with pytest.raises(TypeError):
        events.get_paginator("list_rules").paginate("x")


# Shared and private state


def test_default_backend_is_shared_by_plain_clients():
    backend = eventbridge_mock.default_backend()
    backend.reset()
    try:
        a = eventbridge_mock.client(region_name="us-east-1")
        b = eventbridge_mock.client(region_name="us-east-1")
        a.create_event_bus(Name="shared-bus")
        assert b.describe_event_bus(Name="shared-bus")["Name"] == "shared-bus"
        backend.reset()
        with pytest.raises(b.exceptions.ResourceNotFoundException):
            b.describe_event_bus(Name="shared-bus")
    finally:
        backend.reset()


def test_private_backend_is_isolated_from_default(events):
    events.create_event_bus(Name="private-bus")
    plain = eventbridge_mock.client(region_name="us-east-1")
    with pytest.raises(plain.exceptions.ResourceNotFoundException):
        plain.describe_event_bus(Name="private-bus")


def test_default_account_id(events):
    client = eventbridge_mock.client(region_name="us-east-1", backend=_native.Backend())
    assert client.describe_event_bus()["Arn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"


def test_request_ids_are_unique(events):
    ids = {events.list_rules()["ResponseMetadata"]["RequestId"] for _ in range(20)}
    assert len(ids) == 20
    assert all(uuid.UUID(i).version == 4 for i in ids)


# Against a real boto3 client (no request is sent).


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-1", "cn-north-1", "us-gov-west-1"])
def test_surface_matches_boto3(make_client, region):
    boto3 = pytest.importorskip("boto3")
    real = boto3.client(
        "events", region_name=region, aws_access_key_id="x", aws_secret_access_key="y"
    )
    ours = make_client(region_name=region)
    assert ours.meta.region_name == real.meta.region_name
    assert ours.meta.endpoint_url == real.meta.endpoint_url
    assert ours.meta.partition == real.meta.partition
    assert ours.meta.config.region_name == real.meta.config.region_name
    assert ours.meta.service_model.service_name == real.meta.service_model.service_name
    assert ours.meta.method_to_api_mapping == real.meta.method_to_api_mapping
    assert ours.waiter_names == real.waiter_names
    for method in real.meta.method_to_api_mapping:
        assert ours.can_paginate(method) == real.can_paginate(method), method
    public = lambda e: sorted(n for n in dir(e) if not n.startswith("_"))
    assert public(ours.exceptions) == public(real.exceptions)
