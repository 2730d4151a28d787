"""Input validation: botocore's client-side checks and the service's server-side checks.

Client-side reports are compared with botocore's own ``ParamValidator``, which is the oracle:
whatever boto3 would say about a request, the client must say exactly the same.
"""

import datetime
import decimal
import random
import zlib

import botocore.session
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from botocore.validate import ParamValidator

from conftest import NAME_PATTERN, PATTERN, QUEUE_ARN, error, item, validation

MODEL = botocore.session.get_session().get_service_model("events")
STATE_ENUM = "satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]"


def botocore_report(operation: str, params: dict) -> str:
    """The report botocore's validator gives for ``params`` ('' when it finds nothing)."""
    shape = MODEL.operation_model(operation).input_shape
    report = ParamValidator().validate(params, shape)
    return report.generate_report() if report.has_errors() else ""


def method_of(operation: str) -> str:
    return botocore.xform_name(operation)


# Client side: hand-picked cases.

CLIENT_CASES = [
    ("PutRule", {}),
    ("PutRule", {"Name": "r", "Nope": 1}),
    ("PutRule", {"Name": "r", "Nope": 1, "Other": 2}),
    ("PutRule", {"Name": 1}),
    ("PutRule", {"Name": None}),
    ("PutRule", {"Name": ""}),
    ("PutRule", {"Name": "r", "Tags": [{"Key": "k"}]}),
    ("PutRule", {"Name": "r", "Tags": {"Key": "k", "Value": "v"}}),
    ("PutRule", {"Name": "r", "Tags": [{"Key": "", "Value": 1}]}),
    ("PutRule", {"Name": "r", "State": 1, "EventBusName": ""}),
    ("ListRules", {"Limit": 0}),
    ("ListRules", {"Limit": -5}),
    ("ListRules", {"Limit": "5"}),
    ("ListRules", {"Limit": 1.5}),
    ("ListRules", {"NextToken": ""}),
    ("ListRules", {"NamePrefix": b"x"}),
    ("PutTargets", {"Rule": "r"}),
    ("PutTargets", {"Rule": "r", "Targets": []}),
    ("PutTargets", {"Rule": "r", "Targets": [{"Id": "t"}]}),
    ("PutTargets", {"Rule": "r", "Targets": [{"Id": "t", "Arn": QUEUE_ARN}, {"Arn": ""}]}),
    ("PutTargets", {"Rule": "r", "Targets": [{"Id": "t", "Arn": QUEUE_ARN, "RetryPolicy": {"MaximumEventAgeInSeconds": 59}}]}),
    ("PutTargets", {"Rule": "r", "Targets": [{"Id": "t", "Arn": QUEUE_ARN, "InputTransformer": {"InputPathsMap": {"": 1}}}]}),
    ("PutTargets", {"Rule": "r", "Targets": [{"Id": "t", "Arn": QUEUE_ARN, "EcsParameters": {"TaskDefinitionArn": "a", "TaskCount": 0}}]}),
    ("PutTargets", {"Rule": "r", "Targets": "t"}),
    ("RemoveTargets", {"Rule": "r", "Ids": [1, None, ""]}),
    ("RemoveTargets", {"Rule": "r", "Ids": ["t"], "Force": "yes"}),
    ("DeleteRule", {"Name": "r", "Force": 1}),
    ("TagResource", {"ResourceARN": "arn", "Tags": "a=b"}),
    ("UntagResource", {"ResourceARN": "arn"}),
    ("UntagResource", {"ResourceARN": "arn", "TagKeys": [""]}),
    ("PutPermission", {"Condition": {"Type": "StringEquals"}}),
    ("PutPermission", {"Condition": "org"}),
    ("RemovePermission", {"RemoveAllPermissions": "true"}),
    ("CreateEventBus", {"Name": "b", "DeadLetterConfig": {"Arn": ""}}),
    ("CreateEventBus", {"Description": 5}),
    ("DescribeEventBus", {"Name": ["default"]}),
    ("PutEvents", {"Entries": [{"Time": "not-a-date"}]}),
    ("PutEvents", {"Entries": [{"Time": 5 + 3j}]}),
    ("PutEvents", {"Entries": [{"Resources": "r"}]}),
    ("ListRuleNamesByTarget", {}),
    ("ListTargetsByRule", {"Rule": "r", "Limit": 0, "NextToken": "", "Nope": None}),
]


@pytest.mark.parametrize("operation,params", CLIENT_CASES, ids=lambda v: v if isinstance(v, str) else None)
def test_client_side_report_matches_botocore(events, operation, params):
    expected = botocore_report(operation, params)
    assert expected, "each case must be invalid for botocore"
    with pytest.raises(ParamValidationError) as e:
        getattr(events, method_of(operation))(**params)
    assert str(e.value) == "Parameter validation failed:\n" + expected


def test_client_side_error_reports_exact_text(events):
    with pytest.raises(ParamValidationError) as e:
        events.put_rule(Nope=1)
    assert str(e.value) == (
        "Parameter validation failed:\n"
        'Missing required parameter in input: "Name"\n'
        'Unknown parameter in input: "Nope", must be one of: Name, ScheduleExpression, EventPattern, '
        "State, Description, RoleArn, Tags, EventBusName"
    )
    assert e.value.kwargs == {"report": str(e.value).split("\n", 1)[1]}


def test_client_side_error_happens_before_the_call(events):
    with pytest.raises(ParamValidationError):
        events.put_rule(Name="r1", EventPattern=PATTERN, Tags=[{"Key": "k"}])
    assert events.list_rules()["Rules"] == []


VALID_CASES = [
    ("PutTargets", {"Rule": "r", "Targets": ({"Id": "t", "Arn": QUEUE_ARN},)}),
    ("RemoveTargets", {"Rule": "r", "Ids": ("t",)}),
    ("ListRules", {"Limit": True}),
    ("PutEvents", {"Entries": [{"Time": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)}]}),
    ("PutEvents", {"Entries": [{"Time": "2024-01-01T00:00:00Z"}]}),
    ("PutEvents", {"Entries": [{"Time": datetime.datetime(2024, 1, 1)}]}),
]


@pytest.mark.parametrize("operation,params", VALID_CASES, ids=lambda v: v if isinstance(v, str) else None)
def test_inputs_botocore_accepts_are_accepted(events, operation, params):
    assert botocore_report(operation, params) == ""
    try:
        getattr(events, method_of(operation))(**params)
    except (ClientError, NotImplementedError):
        pass


def test_tuple_of_targets_is_used(events):
    events.put_rule(Name="r1", EventPattern=PATTERN)
    events.put_targets(Rule="r1", Targets=({"Id": "t1", "Arn": QUEUE_ARN},))
    assert events.list_targets_by_rule(Rule="r1")["Targets"] == [{"Id": "t1", "Arn": QUEUE_ARN}]


# Client side: differential test over generated inputs.

WRONG_VALUES = [
    None,
    0,
    1,
    -1,
    2**70,
    True,
    False,
    1.5,
    decimal.Decimal("2.5"),
    "",
    "x",
    "2024-01-01T00:00:00Z",
    "not-a-date",
    b"bytes",
    [],
    ["x"],
    (),
    ("x",),
    {},
    {"k": "v"},
    {1: "v"},
    datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
    datetime.datetime(2024, 1, 1),
    object(),
]


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def valid(self, shape, depth=0):
        rng = self.rng
        t = shape.type_name
        m = shape.metadata
        if t == "structure":
            out = {}
            for name, member in shape.members.items():
                if name in shape.required_members or (depth < 3 and rng.random() < 0.3):
                    out[name] = self.valid(member, depth + 1)
            return out
        if t == "list":
            n = max(m.get("min", 0), rng.randint(0, 2) if depth < 4 else 0)
            value = [self.valid(shape.member, depth + 1) for _ in range(n)]
            return tuple(value) if rng.random() < 0.2 else value
        if t == "map":
            if depth >= 4:
                return {}
            return {self.valid(shape.key, depth + 1): self.valid(shape.value, depth + 1) for _ in range(rng.randint(0, 2))}
        if t == "string":
            if shape.enum:
                return rng.choice(shape.enum)
            n = max(m.get("min", 0), rng.randint(0, 6))
            return "".join(rng.choice("abcxyz019-._ ") for _ in range(n))
        if t in ("integer", "long"):
            lo = int(m.get("min", -3))
            return rng.randint(lo, lo + 50)
        if t in ("double", "float"):
            return rng.choice([0.5, 3, decimal.Decimal("1.25")])
        if t == "boolean":
            return rng.random() < 0.5
        if t == "timestamp":
            return rng.choice(
                [
                    datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.timezone.utc),
                    "2024-05-01T12:00:00Z",
                    "2024-05-01",
                    1714564800,
                ]
            )
        if t == "blob":
            return rng.choice([b"data", bytearray(b"x"), "text"])
        raise AssertionError(t)

    def mutate(self, shape, value, depth=0):
        """``value`` with one defect somewhere inside it (or at this level)."""
        rng = self.rng
        t = shape.type_name
        if t == "structure" and isinstance(value, dict):
            present = [k for k in value if k in shape.members]
            choice = rng.random()
            if present and choice < 0.45:
                k = rng.choice(present)
                value[k] = self.mutate(shape.members[k], value[k], depth + 1)
                return value
            if choice < 0.6 and shape.required_members:
                value.pop(rng.choice(shape.required_members), None)
                return value
            if choice < 0.75:
                value[rng.choice(["Nope", "name", "Extra", "ResponseMetadata"])] = rng.choice(WRONG_VALUES)
                return value
            if choice < 0.85 and depth > 0:
                return rng.choice(WRONG_VALUES)
            optional = [k for k in shape.members if k not in value]
            if optional:
                k = rng.choice(optional)
                value[k] = self.wrong_for(shape.members[k])
                return value
            return value
        if t == "list" and isinstance(value, (list, tuple)):
            value = list(value)
            choice = rng.random()
            if value and choice < 0.5:
                i = rng.randrange(len(value))
                value[i] = self.mutate(shape.member, value[i], depth + 1)
                return tuple(value) if rng.random() < 0.3 else value
            if choice < 0.65:
                return []
            if choice < 0.8:
                return tuple(value)
            return self.wrong_for(shape)
        if t == "map" and isinstance(value, dict):
            if value and rng.random() < 0.5:
                k = rng.choice(list(value))
                value[k] = self.mutate(shape.value, value[k], depth + 1)
                return value
            value[rng.choice(["", 7, "k"])] = rng.choice(WRONG_VALUES + [self.valid(shape.value)])
            return value
        return self.wrong_for(shape)

    def wrong_for(self, shape):
        rng = self.rng
        t = shape.type_name
        m = shape.metadata
        specific = []
        if t == "string":
            specific = ["", 5, True, ["s"], None]
        elif t in ("integer", "long"):
            lo = m.get("min")
            specific = [True, False, "3", 2.0, None] + ([int(lo) - 1, int(lo) - 100] if lo is not None else [])
        elif t == "list":
            specific = [(), [], "s", {"a": 1}, None]
        elif t == "structure":
            specific = [{}, [], "s", None]
        elif t == "timestamp":
            specific = ["yesterday", "", 1.5, True, datetime.date(2024, 1, 1), None]
        elif t == "boolean":
            specific = [1, 0, "true", None]
        if specific and rng.random() < 0.6:
            return rng.choice(specific)
        return rng.choice(WRONG_VALUES)

    def case(self, shape):
        value = self.valid(shape)
        for _ in range(self.rng.choice([1, 1, 1, 2, 3])):
            value = self.mutate(shape, value)
        if not isinstance(value, dict):
            value = {"Nope": value}
        return value


CASES_PER_OPERATION = 40


@pytest.mark.parametrize("operation", sorted(MODEL.operation_names))
def test_client_side_validation_differential(make_client, operation):
    shape = MODEL.operation_model(operation).input_shape
    client = make_client()
    method = getattr(client, method_of(operation))
    gen = Generator(zlib.crc32(operation.encode()))
    mismatches = []
    for n in range(CASES_PER_OPERATION):
        params = gen.case(shape) if shape is not None else {}
        params = {k: v for k, v in params.items() if isinstance(k, str)}
        expected = botocore_report(operation, params) if shape is not None else ""
        try:
            method(**params)
            outcome = ""
        except ParamValidationError as e:
            outcome = str(e)
        except (ClientError, NotImplementedError):
            outcome = ""
        want = "Parameter validation failed:\n" + expected if expected else ""
        if outcome != want:
            mismatches.append((n, params, want, outcome))
    assert not mismatches, "\n\n".join(
        f"case {n}: {params!r}\n expected: {want!r}\n got:      {got!r}" for n, params, want, got in mismatches[:5]
    )


def test_differential_generator_covers_errors_and_valid_inputs():
    """The generated inputs exercise both outcomes for most operations."""
    invalid = valid = 0
    for operation in MODEL.operation_names:
        shape = MODEL.operation_model(operation).input_shape
        if shape is None:
            continue
        gen = Generator(zlib.crc32(operation.encode()))
        for _ in range(CASES_PER_OPERATION):
            params = {k: v for k, v in gen.case(shape).items() if isinstance(k, str)}
            if botocore_report(operation, params):
                invalid += 1
            else:
                valid += 1
    assert invalid + valid >= 2000
    assert invalid > 1000 and valid > 50


# Server side: ValidationException messages.


def test_name_pattern(events):
    with pytest.raises(ClientError) as e:
        events.put_rule(Name="a b", EventPattern=PATTERN)
    assert error(e) == {
        "Code": "ValidationException",
        "Message": "1 validation error detected: Value 'a b' at 'name' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+",
    }
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_length_before_pattern_for_one_value(events):
    name = "!" * 65
    with pytest.raises(ClientError) as e:
        events.describe_rule(Name=name)
    assert error(e) == validation(
        item(name, "name", "have length less than or equal to 64"),
        item(name, "name", NAME_PATTERN),
    )


def test_several_errors_joined(events):
    with pytest.raises(ClientError) as e:
        events.put_rule(Name="a b", EventPattern=PATTERN, State="on")
    assert error(e)["Message"] == (
        "2 validation errors detected: "
        f"Value 'a b' at 'name' failed to satisfy constraint: Member must {NAME_PATTERN}; "
        f"Value 'on' at 'state' failed to satisfy constraint: Member must {STATE_ENUM}"
    )


def test_enum_text(events):
    with pytest.raises(ClientError) as e:
        events.put_rule(Name="r", EventPattern=PATTERN, State="enabled")
    assert error(e) == validation(item("enabled", "state", STATE_ENUM))


def test_list_member_paths(events):
    events.put_rule(Name="r", EventPattern=PATTERN)
    with pytest.raises(ClientError) as e:
        events.put_targets(
            Rule="r",
            Targets=[
                {"Id": "ok", "Arn": QUEUE_ARN},
                {"Id": "a b", "Arn": QUEUE_ARN},
                {"Id": "c d", "Arn": QUEUE_ARN},
            ],
        )
    assert error(e) == validation(
        item("a b", "targets.2.member.id", NAME_PATTERN),
        item("c d", "targets.3.member.id", NAME_PATTERN),
    )


def test_nested_structure_paths(events):
    events.put_rule(Name="r", EventPattern=PATTERN)
    group = "g" * 101
    with pytest.raises(ClientError) as e:
        events.put_targets(
            Rule="r",
            Targets=[
                {
                    "Id": "t",
                    "Arn": QUEUE_ARN,
                    "SqsParameters": {"MessageGroupId": group},
                    "RetryPolicy": {"MaximumRetryAttempts": 186},
                }
            ],
        )
    assert error(e) == validation(
        item(group, "targets.1.member.sqsParameters.messageGroupId", "have length less than or equal to 100"),
        item("186", "targets.1.member.retryPolicy.maximumRetryAttempts", "have value less than or equal to 185"),
    )


def test_value_above_maximum_is_quoted(events):
    with pytest.raises(ClientError) as e:
        events.list_rules(Limit=1000)
    assert error(e) == validation(item("1000", "limit", "have value less than or equal to 100"))


def test_too_many_targets_in_one_list(events):
    events.put_rule(Name="r", EventPattern=PATTERN)
    targets = [{"Id": f"t{i}", "Arn": QUEUE_ARN} for i in range(101)]
    with pytest.raises(ClientError) as e:
        events.put_targets(Rule="r", Targets=targets)
    message = error(e)["Message"]
    assert error(e)["Code"] == "ValidationException"
    assert message.startswith("1 validation error detected: Value '[")
    assert message.endswith(
        "]' at 'targets' failed to satisfy constraint: Member must have length less than or equal to 100"
    )


def test_map_longer_than_maximum(events):
    events.put_rule(Name="r", EventPattern=PATTERN)
    paths = {f"k{i}": "$.detail" for i in range(101)}
    with pytest.raises(ClientError) as e:
        events.put_targets(
            Rule="r",
            Targets=[{"Id": "t", "Arn": QUEUE_ARN, "InputTransformer": {"InputPathsMap": paths, "InputTemplate": "x"}}],
        )
    assert error(e)["Code"] == "ValidationException"
    message = error(e)["Message"]
    assert message.startswith("1 validation error detected: Value '{")
    assert message.endswith(
        "}' at 'targets.1.member.inputTransformer.inputPathsMap' failed to satisfy constraint: "
        "Member must have length less than or equal to 100"
    )


def test_untag_key_list_member_path(events):
    events.put_rule(Name="r", EventPattern=PATTERN)
    key = "k" * 129
    with pytest.raises(ClientError) as e:
        events.untag_resource(
            ResourceARN="arn:aws:events:us-east-1:123456789012:rule/r", TagKeys=["ok", key]
        )
    assert error(e) == validation(item(key, "tagKeys.2.member", "have length less than or equal to 128"))


def test_server_side_check_precedes_resource_lookup(events):
    with pytest.raises(ClientError) as e:
        events.put_targets(Rule="missing", EventBusName="nope", Targets=[{"Id": "a b", "Arn": QUEUE_ARN}])
    assert error(e) == validation(item("a b", "targets.1.member.id", NAME_PATTERN))


def test_event_bus_name_arn_pattern(events):
    bad = "arn:aws:events:us-east-1:123:event-bus/x y"
    with pytest.raises(ClientError) as e:
        events.list_rules(EventBusName=bad)
    assert error(e) == validation(
        item(
            bad,
            "eventBusName",
            r"satisfy regular expression pattern: (arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/\.\-_A-Za-z0-9]+",
        )
    )
