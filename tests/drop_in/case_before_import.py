"""Run as a script: clients made before eventbridge_mock is imported are served while a
mock is active; afterwards botocore is exactly as it was."""

import json

import boto3
import botocore.client
import botocore.session

early = [
    boto3.client("events", region_name="eu-west-1"),
    boto3.Session(region_name="eu-west-1").client("events"),
    botocore.session.get_session().create_client("events", region_name="eu-west-1"),
]
before = {name: vars(botocore.client.BaseClient)[name] for name in ("_make_api_call", "_make_request")}
create_client = vars(botocore.session.Session)["create_client"]

from eventbridge_mock import mock_events  # noqa: E402

with mock_events(account_id="111122223333") as outer:
    for i, client in enumerate(early):
        arn = client.put_rule(Name=f"r{i}", EventPattern=json.dumps({"source": ["a"]}))["RuleArn"]
        assert arn == f"arn:aws:events:eu-west-1:111122223333:rule/r{i}", arn
    with mock_events(account_id="444455556666") as inner:
        # The innermost mock serves clients made outside both.
        assert early[0].list_rules()["Rules"] == []
        early[0].put_rule(Name="inner", ScheduleExpression="rate(1 hour)")
        assert [r["Name"] for r in inner.client(region_name="eu-west-1").list_rules()["Rules"]] == ["inner"]
    names = [r["Name"] for r in early[1].list_rules()["Rules"]]
    assert names == ["r0", "r1", "r2"], names

assert {name: vars(botocore.client.BaseClient)[name] for name in before} == before
assert vars(botocore.session.Session)["create_client"] is create_client
print("served before and after import; botocore restored")
