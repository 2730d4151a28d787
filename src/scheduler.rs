//! Scheduled rules fire when time moves: on every call the engine notices how far the clock
//! has come, and when a test moves the mock's clock. Each due instant fires once, in time
//! order across every account and region, with the event AWS sends.

use crate::events;
use crate::state::{Backend, Ctx};
use serde_json::{json, Value};

/// Fires every scheduled rule due in (processed, until], then records `until` as processed.
/// The first call only sets the starting point.
pub fn advance(backend: &Backend, until: f64) {
    let mut processed = backend.schedule_progress.lock();
    let from = match *processed {
        Some(p) if until > p => p,
        Some(_) => return,
        None => {
            *processed = Some(until);
            return;
        }
    };
    *processed = Some(until);
    if !backend.has_schedules() {
        return;
    }
    let mut due = Vec::new();
    for region in backend.regions() {
        let r = region.lock();
        let Some(bus) = r.buses.get("default") else {
            continue;
        };
        for rule in bus.rules.values() {
            let Some((schedule, set_at)) = &rule.schedule else {
                continue;
            };
            // A disabled rule does not fire; one without targets has nothing to fire at.
            if rule.state == "DISABLED" || rule.targets.is_empty() {
                continue;
            }
            let times = schedule.due_between(
                set_at.floor() as i64,
                from.floor() as i64,
                until.floor() as i64,
            );
            for t in times {
                due.push((t, r.ctx.clone(), rule.name.clone()));
            }
        }
    }
    drop(processed);
    // In time order; at one instant, by account, region and rule, so runs are repeatable.
    due.sort_by(|a, b| {
        (a.0, &a.1.account, &a.1.region, &a.2).cmp(&(b.0, &b.1.account, &b.1.region, &b.2))
    });
    for (t, ctx, rule) in due {
        fire(backend, &ctx, &rule, t as f64);
    }
}

/// The clock was set back to `to`: schedules count from there again.
pub fn rewind(backend: &Backend, to: f64) {
    let mut processed = backend.schedule_progress.lock();
    if processed.is_none_or(|p| p > to) {
        *processed = Some(to);
    }
}

/// The event AWS sends when a schedule is due.
pub fn scheduled_event(ctx: &Ctx, rule_arn: &str, at: f64) -> Value {
    json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ctx.account,
        "time": events::iso_time(at),
        "region": ctx.region,
        "resources": [rule_arn],
        "detail": {},
    })
}

fn fire(backend: &Backend, ctx: &Ctx, rule: &str, at: f64) {
    let arn = crate::arn::rule_arn(ctx, "default", rule);
    let event = scheduled_event(ctx, &arn, at);
    events::fire_rule(backend, ctx, "default", &arn, event, at);
}
