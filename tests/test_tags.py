"""TagResource, UntagResource, ListTagsForResource on rules and event buses."""

import pytest
from botocore.exceptions import ClientError

from conftest import PATTERN, body, bus_arn, error, item, rule_arn, validation

LIMIT = {
    "Code": "LimitExceededException",
    "Message": "The requested resource exceeds the maximum number allowed.",
}


def tags(*pairs):
    return [{"Key": k, "Value": v} for k, v in pairs]


@pytest.fixture(params=["rule-default", "rule-custom", "bus-custom", "bus-default"])
def resource(request, events):
    """The ARN of a taggable resource, of each kind."""
    kind = request.param
    if kind == "rule-default":
        events.put_rule(Name="r1", EventPattern=PATTERN)
        return rule_arn("r1")
    events.create_event_bus(Name="orders")
    if kind == "rule-custom":
        events.put_rule(Name="r1", EventPattern=PATTERN, EventBusName="orders")
        return rule_arn("r1", bus="orders")
    if kind == "bus-custom":
        return bus_arn("orders")
    return bus_arn("default")


def test_new_resource_has_no_tags(events, resource):
    assert body(events.list_tags_for_resource(ResourceARN=resource)) == {"Tags": []}


def test_tag_list_untag(events, resource):
    assert body(events.tag_resource(ResourceARN=resource, Tags=tags(("tag1", "a"), ("tag2", "b")))) == {}
    assert body(events.list_tags_for_resource(ResourceARN=resource)) == {
        "Tags": tags(("tag1", "a"), ("tag2", "b"))
    }
    assert body(events.untag_resource(ResourceARN=resource, TagKeys=["tag1"])) == {}
    assert body(events.list_tags_for_resource(ResourceARN=resource)) == {"Tags": tags(("tag2", "b"))}


def test_tagging_existing_key_overwrites(events, resource):
    events.tag_resource(ResourceARN=resource, Tags=tags(("k1", "a"), ("k2", "b")))
    events.tag_resource(ResourceARN=resource, Tags=tags(("k1", "z"), ("k3", "c")))
    assert events.list_tags_for_resource(ResourceARN=resource)["Tags"] == tags(
        ("k1", "z"), ("k2", "b"), ("k3", "c")
    )


def test_untag_missing_key_succeeds(events, resource):
    events.tag_resource(ResourceARN=resource, Tags=tags(("k1", "a")))
    assert body(events.untag_resource(ResourceARN=resource, TagKeys=["nope"])) == {}
    assert events.list_tags_for_resource(ResourceARN=resource)["Tags"] == tags(("k1", "a"))


def test_empty_tag_value(events, resource):
    events.tag_resource(ResourceARN=resource, Tags=tags(("k1", "")))
    assert events.list_tags_for_resource(ResourceARN=resource)["Tags"] == tags(("k1", ""))


def test_at_most_fifty_tags(events, resource):
    events.tag_resource(ResourceARN=resource, Tags=tags(*[(f"k{i}", "v") for i in range(50)]))
    with pytest.raises(events.exceptions.LimitExceededException) as e:
        events.tag_resource(ResourceARN=resource, Tags=tags(("one-more", "v")))
    assert error(e) == LIMIT
    assert len(events.list_tags_for_resource(ResourceARN=resource)["Tags"]) == 50
    # Overwriting an existing key does not add a tag.
    assert body(events.tag_resource(ResourceARN=resource, Tags=tags(("k0", "new")))) == {}


def test_tags_at_creation(events):
    events.put_rule(Name="r1", EventPattern=PATTERN, Tags=tags(("team", "a"), ("env", "b")))
    events.create_event_bus(Name="orders", Tags=tags(("team", "c")))
    assert events.list_tags_for_resource(ResourceARN=rule_arn("r1"))["Tags"] == tags(
        ("team", "a"), ("env", "b")
    )
    assert events.list_tags_for_resource(ResourceARN=bus_arn("orders"))["Tags"] == tags(("team", "c"))


def test_more_than_fifty_tags_at_creation(events):
    with pytest.raises(events.exceptions.LimitExceededException) as e:
        events.put_rule(
            Name="r1", EventPattern=PATTERN, Tags=tags(*[(f"k{i}", "v") for i in range(51)])
        )
    assert error(e) == LIMIT
    with pytest.raises(events.exceptions.ResourceNotFoundException):
        events.describe_rule(Name="r1")


def test_recreated_bus_drops_tags(events):
    events.create_event_bus(Name="orders", Tags=tags(("k", "v")))
    events.delete_event_bus(Name="orders")
    events.create_event_bus(Name="orders")
    assert body(events.list_tags_for_resource(ResourceARN=bus_arn("orders"))) == {"Tags": []}


@pytest.mark.parametrize("call", ["tag", "untag", "list"])
def test_missing_rule(events, call):
    arn = rule_arn("nope")
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        invoke(events, call, arn)
    assert error(e) == {
        "Code": "ResourceNotFoundException",
        "Message": "Rule nope does not exist on EventBus default.",
    }


def test_deleted_rule_on_custom_bus(events):
    events.create_event_bus(Name="orders")
    events.put_rule(Name="r1", EventPattern=PATTERN, EventBusName="orders")
    events.delete_rule(Name="r1", EventBusName="orders")
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.list_tags_for_resource(ResourceARN=rule_arn("r1", bus="orders"))
    assert error(e) == {
        "Code": "ResourceNotFoundException",
        "Message": "Rule r1 does not exist on EventBus orders.",
    }


@pytest.mark.parametrize("call", ["tag", "untag", "list"])
def test_missing_bus(events, call):
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        invoke(events, call, bus_arn("nope"))
    assert error(e) == {"Code": "ResourceNotFoundException", "Message": "Event bus nope does not exist."}


def test_tag_key_too_long(events):
    events.put_rule(Name="r1", EventPattern=PATTERN)
    key = "k" * 129
    with pytest.raises(ClientError) as e:
        events.tag_resource(ResourceARN=rule_arn("r1"), Tags=tags(("ok", "v"), (key, "v")))
    assert error(e) == validation(item(key, "tags.2.member.key", "have length less than or equal to 128"))


def test_tag_value_too_long(events):
    events.put_rule(Name="r1", EventPattern=PATTERN)
    value = "v" * 257
    with pytest.raises(ClientError) as e:
        events.tag_resource(ResourceARN=rule_arn("r1"), Tags=tags(("k", value)))
    assert error(e) == validation(
        item(value, "tags.1.member.value", "have length less than or equal to 256")
    )


def test_tags_are_per_resource(events):
    events.put_rule(Name="r1", EventPattern=PATTERN)
    events.put_rule(Name="r2", EventPattern=PATTERN)
    events.tag_resource(ResourceARN=rule_arn("r1"), Tags=tags(("k", "v")))
    assert events.list_tags_for_resource(ResourceARN=rule_arn("r2"))["Tags"] == []
    assert events.list_tags_for_resource(ResourceARN=bus_arn("default"))["Tags"] == []


def invoke(events, call, arn):
    if call == "tag":
        return events.tag_resource(ResourceARN=arn, Tags=tags(("k", "v")))
    if call == "untag":
        return events.untag_resource(ResourceARN=arn, TagKeys=["k"])
    return events.list_tags_for_resource(ResourceARN=arn)
