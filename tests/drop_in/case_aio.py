"""aiobotocore's EventBridge clients are served like botocore's (run where aiobotocore is
installed: it pins its own botocore, so CI runs this case in an environment of its own)."""

import asyncio
import json

import pytest

pytest.importorskip("aiobotocore")

from aiobotocore.session import get_session  # noqa: E402

from eventbridge_mock import mock_events  # noqa: E402


def test_clients_made_before_and_during_the_mock_are_served():
    async def scenario():
        session = get_session()
        async with session.create_client("events", region_name="eu-west-1") as early:
            with mock_events(account_id="111122223333") as m:
                arn = (await early.put_rule(Name="early", EventPattern=json.dumps({"source": ["a"]})))["RuleArn"]
                async with session.create_client("events") as late:
                    await late.put_rule(Name="late", ScheduleExpression="rate(1 hour)")
                    with pytest.raises(late.exceptions.ResourceNotFoundException) as e:
                        await late.describe_rule(Name="missing")
                    late_region = late.meta.region_name
                eu = [r["Name"] for r in m.client(region_name="eu-west-1").list_rules()["Rules"]]
                default = [r["Name"] for r in m.client().list_rules()["Rules"]]
        return arn, late_region, eu, default, e.value.response["Error"]

    arn, late_region, eu, default, error = asyncio.run(scenario())
    assert arn == "arn:aws:events:eu-west-1:111122223333:rule/early"
    assert (late_region, eu, default) == ("us-east-1", ["early"], ["late"])
    assert error == {"Code": "ResourceNotFoundException", "Message": "Rule missing does not exist on EventBus default."}


def test_hooks_fire_on_aiobotocore_clients():
    async def scenario():
        seen = []

        async def before_call(model, **_kwargs):
            seen.append(model.name)

        with mock_events() as m:
            async with get_session().create_client("events") as client:
                client.meta.events.register("before-call.events.PutEvents", before_call)
                await client.put_rule(Name="r", EventPattern=json.dumps({"source": ["a"]}))
                await client.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}])
                response = await client.put_events(Entries=[{"Source": "a", "DetailType": "t", "Detail": "{}"}])
            return seen, response["FailedEntryCount"], len(m.deliveries)

    assert asyncio.run(scenario()) == (["PutEvents"], 0, 1)
