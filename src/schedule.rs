//! Rule schedule expressions (`PutRule`'s `ScheduleExpression`): AWS's validation and the
//! instants at which a scheduled rule is due.
//!
//! # Facts, with sources
//!
//! AWS user guide, "Rate expressions reference" (eb-rate-expressions.html) and "Using cron and
//! rate expressions to schedule rules" (eb-scheduled-rule-pattern.html, formerly
//! eb-create-rule-schedule.html):
//! - `rate(value unit)`: value "a positive number"; unit one of minute | minutes | hour | hours |
//!   day | days; value 1 takes the singular unit, a value over 1 the plural one (`rate(1 hours)`
//!   and `rate(5 hour)` are not valid).
//! - "A rate expression starts when you create the scheduled event rule, and then it runs on a
//!   defined schedule."
//! - `cron(fields)`: six required fields separated by white space: minutes 0-59, hours 0-23,
//!   day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT, year 1970-2199.
//!   Wildcards: `, - * /` everywhere; day-of-month adds `? L W`; day-of-week adds `? L #`.
//! - `1/10` in minutes is every tenth minute starting at minute 1; `L` is the last day of the
//!   month (day-of-month) or of the week (day-of-week); `3W` is the weekday nearest the 3rd;
//!   `3#2` is the second Tuesday; with `#` the day-of-week field holds one expression only
//!   (`3#1,6#3` is not valid).
//! - Day-of-month and day-of-week cannot both be given: a value or `*` in one needs `?` in the
//!   other. All schedules are in UTC and the finest resolution is one minute.
//!
//! Checked against AWS (LocalStack's AWS-validated tests, tests/aws/services/events/
//! test_events_schedule.py, `markers.aws.validated`): invalid with `Parameter
//! ScheduleExpression is not valid.` are `rate(10 seconds)`, `rate(10 years)`,
//! `rate(1 minutes)`, `rate(1 hours)`, `rate(1 days)`, `rate(10 minute)`, `rate(10 hour)`,
//! `rate(10 day)`, `rate()`, `rate(10)`, `rate(10 minutess)`, `rate(foo minutes)`,
//! `rate(0 minutes)`, `rate(-10 minutes)`, `rate(10 MINUTES)`, `rate( 10 minutes )`,
//! `" rate(10 minutes)"`, `cron(0 1 * * * *)`, `cron(7 20 * * NOT *)`, `cron(INVALID)`,
//! `cron(0 dummy ? * MON-FRI *)`, `cron(71 8 1 * ? *)`; valid are among others
//! `cron(15 10 ? * 6L 2002-2005)` (past years), `cron(0 2 ? * SAT#3 *)`,
//! `cron(* * ? * SAT#3 *)`, `cron(0/5 5 ? JAN 1-5 2022)`, `cron(5,35 14 * * ? *)`.
//! Reports of AWS's answer in GitHub threads: `cron(15 12 ? * -1 *)` rejected
//! (winglang/wing#7115); a five-field cron rejected (aws-solutions/instance-scheduler-on-aws#205);
//! `cron(*/60 * * * ? *)` rejected (aws/aws-sdk-js#4212); `rate(3 minute)` rejected and
//! `rate(2 minutes)` accepted (buildkite/buildkite-agent-scaler#100); month and day names in
//! any case (`mOn`, `Wed-Fri`) and `LW` accepted by the console (grumBit/
//! aws_cron_expression_validator#18, beemhq/aws-cron-parser#7); `5L` accepted
//! (grumBit/aws_cron_expression_validator#12).
//!
//! Assumed from Quartz's `CronExpression`, which AWS's cron dialect follows (same fields,
//! `?`, `L`, `W`, `#`, 1 = SUN): names are three letters; a range may wrap (`22-2`, `FRI-MON`)
//! except in the year field; a step must be 1..=59 (minutes), 23 (hours), 31 (day-of-month),
//! 12 (month), 7 (day-of-week); `L-n` (n ≤ 30) is the n-th day before the last; `L` alone in
//! day-of-week is 7 (SAT); `n#k` needs k in 1..=5; `L`, `W`, `LW`, `nL` and `#` cannot be
//! combined with other values in a list; a range cannot mix a name and a number; fields may
//! be separated by more than one space. Open (not confirmed against AWS): leading zeros and
//! values above 2147483647 in `rate(...)`, `31W` in shorter months (taken as no day), and
//! which of these Quartz details AWS keeps.

use std::fmt;

/// AWS's message for every invalid schedule expression.
pub const INVALID_MESSAGE: &str = "Parameter ScheduleExpression is not valid.";

const FIRST_YEAR: i32 = 1970;
const LAST_YEAR: i32 = 2199;

/// An invalid schedule expression: its message is AWS's (which gives no reason); the reason
/// says which documented rule the expression breaks, for the exploration helper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError {
    reason: String,
}

impl ScheduleError {
    pub fn message(&self) -> &'static str {
        INVALID_MESSAGE
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }
}

fn invalid<T>(reason: impl Into<String>) -> Result<T> {
    Err(ScheduleError {
        reason: reason.into(),
    })
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(INVALID_MESSAGE)
    }
}

impl std::error::Error for ScheduleError {}

type Result<T> = std::result::Result<T, ScheduleError>;

/// A parsed schedule expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// `rate(value unit)`: due every `every_seconds`, the first time one interval after the
    /// anchor (when the rule was created or its schedule last changed).
    Rate { every_seconds: u64 },
    /// `cron(...)`: due at the start of every matching UTC minute.
    Cron(Cron),
}

/// A parsed `cron(...)` expression: one set per field, plus the day rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,    // bit m for minute m (0..=59)
    hours: u32,      // bit h for hour h (0..=23)
    months: u16,     // bit m for month m (1..=12)
    years: [u64; 4], // bit (y - 1970) for year y (1970..=2199)
    days: DayRule,
    fields: [String; 6], // the fields as written, upper-cased, for Display
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayRule {
    /// Day-of-month values; bit d for day d (1..=31).
    MonthDays(u32),
    /// `L` (offset 0) or `L-n`.
    LastDay(u32),
    /// `LW`.
    LastWeekday,
    /// `nW`.
    NearestWeekday(u32),
    /// Day-of-week values; bit w for day w (1 = SUN ..= 7 = SAT).
    WeekDays(u8),
    /// `wL`: the last day w of the month.
    LastOfWeekday(u32),
    /// `w#k`: the k-th day w of the month.
    NthWeekday(u32, u32),
}

impl Schedule {
    /// Parses and validates `expr` as AWS does at `PutRule`.
    pub fn parse(expr: &str) -> Result<Schedule> {
        if let Some(inner) = expr.strip_prefix("rate(").and_then(|s| s.strip_suffix(')')) {
            return parse_rate(inner).map(|every_seconds| Schedule::Rate { every_seconds });
        }
        if let Some(inner) = expr.strip_prefix("cron(").and_then(|s| s.strip_suffix(')')) {
            return Cron::parse(inner).map(Schedule::Cron);
        }
        invalid("an expression is rate(value unit) or cron(fields), with nothing around it")
    }

    /// Due instants strictly after `after` and at or before `until` (epoch seconds, UTC), in
    /// order. `anchor` is when a rate schedule was created or last changed: a rate schedule is
    /// due at `anchor + k * interval` for k ≥ 1. Cron schedules ignore `anchor`.
    pub fn due_between(&self, anchor: i64, after: i64, until: i64) -> Vec<i64> {
        let mut out = Vec::new();
        if until <= after {
            return out;
        }
        match self {
            Schedule::Rate { every_seconds } => {
                let mut t = first_rate_instant(anchor, *every_seconds, after);
                let step = i64::try_from((*every_seconds).max(1)).unwrap_or(i64::MAX);
                while let Some(v) = t {
                    if v > until {
                        break;
                    }
                    out.push(v);
                    t = v.checked_add(step);
                }
            }
            Schedule::Cron(cron) => {
                if let Some(start) = first_minute_after(after) {
                    cron.walk(start, until, |t| {
                        out.push(t);
                        true
                    });
                }
            }
        }
        out
    }

    /// The next `n` due instants strictly after `after` (fewer if the schedule ends, as a cron
    /// schedule does at the end of 2199).
    pub fn next(&self, anchor: i64, after: i64, n: usize) -> Vec<i64> {
        let mut out = Vec::with_capacity(n.min(1024));
        if n == 0 {
            return out;
        }
        match self {
            Schedule::Rate { every_seconds } => {
                let mut t = first_rate_instant(anchor, *every_seconds, after);
                let step = i64::try_from((*every_seconds).max(1)).unwrap_or(i64::MAX);
                while let Some(v) = t {
                    out.push(v);
                    if out.len() == n {
                        break;
                    }
                    t = v.checked_add(step);
                }
            }
            Schedule::Cron(cron) => {
                if let Some(start) = first_minute_after(after) {
                    cron.walk(start, i64::MAX, |t| {
                        out.push(t);
                        out.len() < n
                    });
                }
            }
        }
        out
    }
}

/// The first `anchor + k * every` (k ≥ 1) strictly after `after`, if it fits in an i64.
fn first_rate_instant(anchor: i64, every: u64, after: i64) -> Option<i64> {
    let every = i128::from(every.max(1));
    let (anchor, after) = (i128::from(anchor), i128::from(after));
    let k = if after < anchor + every {
        1
    } else {
        (after - anchor) / every + 1
    };
    i64::try_from(anchor + k * every).ok()
}

/// The first whole minute strictly after `t`.
fn first_minute_after(t: i64) -> Option<i64> {
    t.div_euclid(60).checked_add(1)?.checked_mul(60)
}

fn parse_rate(inner: &str) -> Result<u64> {
    const POSITIVE: &str = "the value of a rate is a positive whole number";
    let Some((value, unit)) = inner.split_once(' ') else {
        return invalid(
            "rate() takes a value and a unit separated by one space, as in rate(5 minutes)",
        );
    };
    if value.is_empty() || value.len() > 18 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return invalid(POSITIVE);
    }
    let value: u64 = value.parse().unwrap_or(0);
    if value == 0 {
        return invalid(POSITIVE);
    }
    if value > i32::MAX as u64 {
        return invalid("the value of a rate is at most 2147483647");
    }
    let (unit_seconds, plural) = match unit {
        "minute" => (60, false),
        "minutes" => (60, true),
        "hour" => (3_600, false),
        "hours" => (3_600, true),
        "day" => (86_400, false),
        "days" => (86_400, true),
        _ => return invalid("the unit of a rate is minute(s), hour(s) or day(s), in lower case"),
    };
    if plural != (value > 1) {
        return invalid(if plural {
            "a rate of 1 takes the singular unit: minute, hour or day"
        } else {
            "a rate over 1 takes the plural unit: minutes, hours or days"
        });
    }
    Ok(value * unit_seconds)
}

/// The fields' order in `cron(...)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Minute,
    Hour,
    DayOfMonth,
    Month,
    DayOfWeek,
    Year,
}

impl Field {
    fn min(self) -> u32 {
        match self {
            Field::Minute | Field::Hour => 0,
            Field::DayOfMonth | Field::Month | Field::DayOfWeek => 1,
            Field::Year => FIRST_YEAR as u32,
        }
    }

    fn max(self) -> u32 {
        match self {
            Field::Minute => 59,
            Field::Hour => 23,
            Field::DayOfMonth => 31,
            Field::Month => 12,
            Field::DayOfWeek => 7,
            Field::Year => LAST_YEAR as u32,
        }
    }

    /// The largest step Quartz allows after `/`.
    fn max_step(self) -> u32 {
        match self {
            Field::Minute => 59,
            Field::Year => LAST_YEAR as u32 - FIRST_YEAR as u32,
            other => other.max(),
        }
    }

    /// The field's name, as AWS's documentation calls it.
    fn label(self) -> &'static str {
        match self {
            Field::Minute => "minutes",
            Field::Hour => "hours",
            Field::DayOfMonth => "day-of-month",
            Field::Month => "month",
            Field::DayOfWeek => "day-of-week",
            Field::Year => "year",
        }
    }

    fn names(self) -> &'static [&'static str] {
        match self {
            Field::Month => &[
                "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
            ],
            Field::DayOfWeek => &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
            _ => &[],
        }
    }
}

/// One value of a field: its number, and whether it was written as a name.
fn parse_value(text: &str, field: Field) -> Result<(u32, bool)> {
    let value = if !text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit()) {
        (text.parse::<u32>().unwrap_or(u32::MAX), false)
    } else {
        match field.names().iter().position(|n| *n == text) {
            Some(index) => (index as u32 + 1, true),
            None => {
                return invalid(format!(
                    "'{text}' is not a value of the {} field",
                    field.label()
                ))
            }
        }
    };
    if value.0 < field.min() || value.0 > field.max() {
        return invalid(format!(
            "{} in the {} field is not in {}-{}",
            value.0,
            field.label(),
            field.min(),
            field.max()
        ));
    }
    Ok(value)
}

fn parse_step(text: &str, field: Field) -> Result<u32> {
    let step: u32 =
        if !text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit()) {
            text.parse().unwrap_or(0)
        } else {
            0
        };
    if step == 0 || step > field.max_step() {
        return invalid(format!(
            "the step after '/' in the {} field is a whole number from 1 to {}",
            field.label(),
            field.max_step()
        ));
    }
    Ok(step)
}

/// A list field with `, - * /`: the values it selects, as a bit set (bit v for value v, or
/// bit v - 1970 for years).
fn parse_list(text: &str, field: Field) -> Result<[u64; 4]> {
    let mut bits = [0u64; 4];
    let (min, max) = (field.min(), field.max());
    let offset = if field == Field::Year { min } else { 0 };
    for item in text.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(parse_step(step, field)?)),
            None => (item, None),
        };
        let (start, end) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, a_name) = parse_value(a, field)?;
            let (b, b_name) = parse_value(b, field)?;
            if a_name != b_name {
                return invalid(format!(
                    "a range in the {} field cannot mix a name and a number",
                    field.label()
                ));
            }
            if field == Field::Year && b < a {
                return invalid("a range of years cannot run backwards");
            }
            (a, b)
        } else {
            let (a, _) = parse_value(range, field)?;
            // `a/n` runs from a to the field's end; `a` alone is just a.
            (a, if step.is_some() { max } else { a })
        };
        let step = step.unwrap_or(1);
        // A range that ends before it starts wraps around the field's end.
        let span = max - min + 1;
        let length = if end >= start {
            end - start
        } else {
            end + span - start
        };
        let mut i = 0;
        while i <= length {
            let v = min + (start - min + i) % span;
            let bit = v - offset;
            bits[(bit / 64) as usize] |= 1 << (bit % 64);
            i += step;
        }
    }
    Ok(bits)
}

fn parse_day_of_month(text: &str) -> Result<Option<DayRule>> {
    if text == "?" {
        return Ok(None);
    }
    if text == "L" {
        return Ok(Some(DayRule::LastDay(0)));
    }
    if text == "LW" {
        return Ok(Some(DayRule::LastWeekday));
    }
    if let Some(offset) = text.strip_prefix("L-") {
        let (offset, _) = parse_value(offset, Field::DayOfMonth)?;
        if offset > 30 {
            return invalid("L-n in the day-of-month field takes n from 1 to 30");
        }
        return Ok(Some(DayRule::LastDay(offset)));
    }
    if let Some(day) = text.strip_suffix('W') {
        let (day, _) = parse_value(day, Field::DayOfMonth)?;
        return Ok(Some(DayRule::NearestWeekday(day)));
    }
    let bits = parse_list(text, Field::DayOfMonth)?;
    Ok(Some(DayRule::MonthDays(bits[0] as u32)))
}

fn parse_day_of_week(text: &str) -> Result<Option<DayRule>> {
    if text == "?" {
        return Ok(None);
    }
    if text == "L" {
        return Ok(Some(DayRule::WeekDays(1 << 7)));
    }
    if let Some(day) = text.strip_suffix('L') {
        let (day, _) = parse_value(day, Field::DayOfWeek)?;
        return Ok(Some(DayRule::LastOfWeekday(day)));
    }
    if let Some((day, nth)) = text.split_once('#') {
        let (day, _) = parse_value(day, Field::DayOfWeek)?;
        if nth.len() != 1 || !matches!(nth.as_bytes()[0], b'1'..=b'5') {
            return invalid("in the day-of-week field, d#n takes one weekday d and n from 1 to 5");
        }
        return Ok(Some(DayRule::NthWeekday(
            day,
            u32::from(nth.as_bytes()[0] - b'0'),
        )));
    }
    let bits = parse_list(text, Field::DayOfWeek)?;
    Ok(Some(DayRule::WeekDays(bits[0] as u8)))
}

impl Cron {
    /// Parses the text between `cron(` and `)`.
    fn parse(inner: &str) -> Result<Cron> {
        let upper = inner.to_ascii_uppercase();
        let fields: Vec<&str> = upper.split([' ', '\t']).filter(|f| !f.is_empty()).collect();
        let [minute, hour, dom, month, dow, year] = fields[..] else {
            return invalid(format!(
                "cron() takes six fields (minutes, hours, day-of-month, month, day-of-week, year), not {}",
                fields.len()
            ));
        };
        let days =
            match (parse_day_of_month(dom)?, parse_day_of_week(dow)?) {
                (Some(rule), None) | (None, Some(rule)) => rule,
                (Some(_), Some(_)) => return invalid(
                    "day-of-month and day-of-week cannot both be given: one of them must be '?'",
                ),
                (None, None) => {
                    return invalid("day-of-month and day-of-week cannot both be '?'");
                }
            };
        Ok(Cron {
            minutes: parse_list(minute, Field::Minute)?[0],
            hours: parse_list(hour, Field::Hour)?[0] as u32,
            months: parse_list(month, Field::Month)?[0] as u16,
            years: parse_list(year, Field::Year)?,
            days,
            fields: [minute, hour, dom, month, dow, year].map(str::to_owned),
        })
    }

    fn has_year(&self, year: i32) -> bool {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return false;
        }
        let bit = (year - FIRST_YEAR) as usize;
        self.years[bit / 64] & (1 << (bit % 64)) != 0
    }

    /// The days of `year`-`month` on which the schedule is due, as bits 1..=31.
    fn day_mask(&self, first_weekday: u32, days_in_month: u32) -> u32 {
        // Day of week (1 = SUN ..= 7 = SAT) of day `d` of the month.
        let weekday = |d: u32| (first_weekday - 1 + d - 1) % 7 + 1;
        let single = |d: u32| {
            if (1..=days_in_month).contains(&d) {
                1u32 << d
            } else {
                0
            }
        };
        match self.days {
            DayRule::MonthDays(mask) => mask & (((1u64 << (days_in_month + 1)) - 2) as u32),
            DayRule::LastDay(offset) => single(days_in_month.saturating_sub(offset)),
            DayRule::LastWeekday => {
                let mut d = days_in_month;
                while matches!(weekday(d), 1 | 7) {
                    d -= 1;
                }
                single(d)
            }
            DayRule::NearestWeekday(n) => {
                if n > days_in_month {
                    return 0;
                }
                let d = match weekday(n) {
                    7 if n == 1 => 3,                 // Saturday the 1st: Monday the 3rd.
                    7 => n - 1,                       // Saturday: the Friday before.
                    1 if n == days_in_month => n - 2, // Sunday the last: the Friday before.
                    1 => n + 1,                       // Sunday: the Monday after.
                    _ => n,
                };
                single(d)
            }
            DayRule::WeekDays(mask) => {
                let mut bits = 0;
                for d in 1..=days_in_month {
                    if mask & (1 << weekday(d)) != 0 {
                        bits |= 1 << d;
                    }
                }
                bits
            }
            DayRule::LastOfWeekday(w) => {
                single(days_in_month - (weekday(days_in_month) + 7 - w) % 7)
            }
            DayRule::NthWeekday(w, k) => {
                let first = 1 + (w + 7 - first_weekday) % 7;
                single(first + 7 * (k - 1))
            }
        }
    }

    /// Calls `emit` with every due instant from `start` (a whole minute) to `limit`, in order,
    /// until it returns false or the end of 2199.
    fn walk(&self, start: i64, limit: i64, mut emit: impl FnMut(i64) -> bool) {
        let start = start.max(0);
        let (start_days, seconds) = (start.div_euclid(86_400), start.rem_euclid(86_400));
        let (sy, smo, sd) = civil_from_days(start_days);
        let (sh, smi) = ((seconds / 3_600) as u32, (seconds % 3_600 / 60) as u32);
        for year in sy.max(FIRST_YEAR)..=LAST_YEAR {
            if !self.has_year(year) {
                continue;
            }
            let month_from = if year == sy { smo } else { 1 };
            for month in bits_from(u64::from(self.months), month_from) {
                let first = days_from_civil(year, month, 1);
                let month_base = first * 86_400;
                if month_base > limit {
                    return;
                }
                // 1970-01-01 was a Thursday (5 with 1 = SUN).
                let first_weekday = (first + 4).rem_euclid(7) as u32 + 1;
                let start_month = year == sy && month == smo;
                let day_from = if start_month { sd } else { 1 };
                let mask = self.day_mask(first_weekday, days_in_month(year, month));
                for day in bits_from(u64::from(mask), day_from) {
                    let start_day = start_month && day == sd;
                    let day_base = month_base + i64::from(day - 1) * 86_400;
                    if day_base > limit {
                        return;
                    }
                    for hour in bits_from(u64::from(self.hours), if start_day { sh } else { 0 }) {
                        let minute_from = if start_day && hour == sh { smi } else { 0 };
                        for minute in bits_from(self.minutes, minute_from) {
                            let t = day_base + i64::from(hour * 3_600 + minute * 60);
                            if t > limit || !emit(t) {
                                return;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the usual era-based formula).
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01, as (year, month, day); years past i32 saturate.
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (i32::try_from(year).unwrap_or(i32::MAX), month, day)
}

/// The set bits of `bits` at positions `from` and above, in increasing order.
fn bits_from(bits: u64, from: u32) -> impl Iterator<Item = u32> {
    let mut rest = if from >= 64 {
        0
    } else {
        bits & (!0u64 << from)
    };
    std::iter::from_fn(move || {
        if rest == 0 {
            return None;
        }
        let bit = rest.trailing_zeros();
        rest &= rest - 1;
        Some(bit)
    })
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Rate { every_seconds } => {
                let (n, unit) = if every_seconds % 86_400 == 0 {
                    (every_seconds / 86_400, "day")
                } else if every_seconds % 3_600 == 0 {
                    (every_seconds / 3_600, "hour")
                } else {
                    (every_seconds / 60, "minute")
                };
                if n == 1 {
                    write!(f, "every {unit}")
                } else {
                    write!(f, "every {n} {unit}s")
                }
            }
            Schedule::Cron(cron) => cron.fmt(f),
        }
    }
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn ordinal(n: u32) -> &'static str {
    match n {
        1 => "1st",
        2 => "2nd",
        3 => "3rd",
        4 => "4th",
        _ => "5th",
    }
}

fn day_name(w: u32) -> &'static str {
    Field::DayOfWeek
        .names()
        .get(w.wrapping_sub(1) as usize)
        .copied()
        .unwrap_or("?")
}

impl fmt::Display for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [minute, hour, dom, month, dow, year] = &self.fields;
        if is_number(minute) && is_number(hour) {
            let (m, h): (u32, u32) = (minute.parse().unwrap_or(0), hour.parse().unwrap_or(0));
            write!(f, "at {h:02}:{m:02} UTC")?;
        } else {
            match minute.as_str() {
                "*" => f.write_str("every minute")?,
                m if is_number(m) => write!(f, "at minute {}", m.parse::<u32>().unwrap_or(0))?,
                m => write!(f, "at minutes {m}")?,
            }
            match hour.as_str() {
                "*" => f.write_str(" of every hour")?,
                h if is_number(h) => write!(f, " of hour {}", h.parse::<u32>().unwrap_or(0))?,
                h => write!(f, " of hours {h}")?,
            }
        }
        match self.days {
            DayRule::MonthDays(_) if dom == "*" => f.write_str(" every day")?,
            DayRule::MonthDays(_) => write!(f, " on day-of-month {dom}")?,
            DayRule::LastDay(0) => f.write_str(" on the last day of the month")?,
            DayRule::LastDay(n) => write!(f, " {n} days before the last day of the month")?,
            DayRule::LastWeekday => f.write_str(" on the last weekday of the month")?,
            DayRule::NearestWeekday(n) => write!(f, " on the weekday nearest day {n}")?,
            DayRule::WeekDays(_) if dow == "*" => f.write_str(" every day")?,
            DayRule::WeekDays(_) if dow == "L" => f.write_str(" on SAT")?,
            DayRule::WeekDays(_) => write!(f, " on {dow}")?,
            DayRule::LastOfWeekday(w) => write!(f, " on the last {} of the month", day_name(w))?,
            DayRule::NthWeekday(w, k) => {
                write!(f, " on the {} {} of the month", ordinal(k), day_name(w))?
            }
        }
        if month != "*" {
            write!(f, " in {month}")?;
        }
        if year != "*" {
            write!(f, " in {year}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Datelike};
    use proptest::prelude::*;
    use serde_json::Value;

    const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schedule_cases.json");

    fn ts(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .unwrap_or_else(|e| panic!("bad time {text}: {e}"))
            .timestamp()
    }

    fn iso(t: i64) -> String {
        DateTime::from_timestamp(t, 0)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default()
    }

    fn parse(expr: &str) -> Schedule {
        Schedule::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    #[test]
    fn corpus() {
        let text = std::fs::read_to_string(CASES).expect("tests/schedule_cases.json");
        let cases: Vec<Value> = serde_json::from_str(&text).expect("schedule_cases.json");
        assert!(cases.len() >= 100, "only {} cases", cases.len());
        let mut failures = Vec::new();
        for case in &cases {
            let expr = case["expression"].as_str().expect("expression");
            let valid = case["valid"].as_bool().expect("valid");
            assert!(case["description"].as_str().is_some_and(|d| !d.is_empty()));
            let parsed = Schedule::parse(expr);
            if parsed.is_ok() != valid {
                failures.push(format!("{expr:?}: expected valid={valid}, got {parsed:?}"));
                continue;
            }
            if let Err(e) = &parsed {
                assert_eq!(e.message(), "Parameter ScheduleExpression is not valid.");
            }
            let (Ok(schedule), Some(next)) = (parsed, case.get("next")) else {
                continue;
            };
            let after = ts(next["after"].as_str().expect("after"));
            let anchor = next.get("anchor").and_then(Value::as_str).map_or(after, ts);
            let expect: Vec<String> = next["expect"]
                .as_array()
                .expect("expect")
                .iter()
                .map(|v| v.as_str().expect("instant").to_owned())
                .collect();
            let n = next["n"]
                .as_u64()
                .map_or(expect.len(), |n| usize::try_from(n).unwrap_or(0));
            let got: Vec<String> = schedule
                .next(anchor, after, n)
                .into_iter()
                .map(iso)
                .collect();
            if got != expect {
                failures.push(format!("{expr}: next expected {expect:?}, got {got:?}"));
            }
            // due_between up to the last expected instant agrees with next.
            if let Some(last) = expect.last() {
                let between: Vec<String> = schedule
                    .due_between(anchor, after, ts(last))
                    .into_iter()
                    .map(iso)
                    .collect();
                if between != expect {
                    failures.push(format!("{expr}: due_between gave {between:?}"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn an_hour_of_rate_1_minute_is_60_instants() {
        let s = parse("rate(1 minute)");
        let anchor = ts("2026-01-30T00:00:00Z");
        let due = s.due_between(anchor, anchor, anchor + 3_600);
        assert_eq!(due.len(), 60);
        assert_eq!(due[0], anchor + 60);
        assert_eq!(due[59], anchor + 3_600);
    }

    #[test]
    fn a_day_of_every_15_minutes_is_96_instants() {
        let s = parse("cron(0/15 * * * ? *)");
        let day = ts("2026-01-30T00:00:00Z");
        let due = s.due_between(day - 1, day - 1, day + 86_400 - 1);
        assert_eq!(due.len(), 96);
        assert_eq!(due[0], day);
        assert!(due.windows(2).all(|w| w[1] - w[0] == 900));
    }

    #[test]
    fn rate_intervals_and_units() {
        assert_eq!(
            parse("rate(1 minute)"),
            Schedule::Rate { every_seconds: 60 }
        );
        assert_eq!(
            parse("rate(5 minutes)"),
            Schedule::Rate { every_seconds: 300 }
        );
        assert_eq!(
            parse("rate(1 hour)"),
            Schedule::Rate {
                every_seconds: 3_600
            }
        );
        assert_eq!(
            parse("rate(2 days)"),
            Schedule::Rate {
                every_seconds: 172_800
            }
        );
        let huge = parse("rate(2147483647 days)");
        assert_eq!(huge.next(0, 0, 1), vec![2_147_483_647 * 86_400]);
        assert!(Schedule::parse("rate(2147483648 days)").is_err());
    }

    #[test]
    fn rate_edges_are_exclusive_after_and_inclusive_until() {
        let s = parse("rate(5 minutes)");
        assert_eq!(s.due_between(0, 300, 900), vec![600, 900]);
        assert_eq!(s.due_between(0, 299, 300), vec![300]);
        assert_eq!(s.due_between(0, 300, 300), Vec::<i64>::new());
        assert_eq!(s.due_between(1_000, 0, 1_299), Vec::<i64>::new());
        assert_eq!(s.next(1_000, 0, 2), vec![1_300, 1_600]);
        assert_eq!(s.next(1_000, 5_000, 0), Vec::<i64>::new());
        // Extreme inputs neither overflow nor loop.
        assert!(s.next(i64::MAX - 10, i64::MAX - 5, 3).is_empty());
        assert_eq!(s.next(i64::MIN, i64::MIN, 1), vec![i64::MIN + 300]);
        let zero = Schedule::Rate { every_seconds: 0 };
        assert_eq!(zero.due_between(0, 0, 3), vec![1, 2, 3]);
    }

    #[test]
    fn cron_edges() {
        let s = parse("cron(0 12 * * ? *)");
        let noon = ts("2026-01-30T12:00:00Z");
        assert_eq!(
            s.due_between(noon - 60, noon, noon + 86_400),
            vec![noon + 86_400]
        );
        assert_eq!(s.due_between(0, noon - 1, noon), vec![noon]);
        assert_eq!(s.next(0, noon - 30, 1), vec![noon]);
        // Before 1970 the search starts at 1970; after 2199 there is nothing.
        assert_eq!(s.next(0, i64::MIN, 1), vec![12 * 3_600]);
        assert!(s.next(0, ts("2200-01-01T00:00:00Z"), 1).is_empty());
        assert!(s.next(0, i64::MAX, 1).is_empty());
        assert!(s.due_between(0, i64::MAX - 1, i64::MAX).is_empty());
    }

    #[test]
    fn a_schedule_that_never_fires_ends() {
        let start = std::time::Instant::now();
        for expr in [
            "cron(0 0 30 2 ? *)",
            "cron(0 0 31 4,6,9,11 ? *)",
            "cron(0 0 ? 2 2#5 2027)",
        ] {
            assert!(parse(expr).next(0, 0, 5).is_empty(), "{expr}");
        }
        assert!(start.elapsed().as_millis() < 500);
    }

    #[test]
    fn a_day_of_100_schedules_is_fast() {
        let exprs = [
            "cron(* * ? * * *)",
            "cron(0/5 * * * ? *)",
            "cron(0 9 ? * MON-FRI *)",
            "cron(0 0 L * ? *)",
            "cron(0 0 30 2 ? *)",
            "cron(15 10 ? * 6L *)",
            "cron(0 0 1W * ? *)",
            "cron(0 10 ? * 3#2 *)",
            "rate(1 minute)",
            "rate(5 minutes)",
        ];
        let schedules: Vec<Schedule> = (0..100).map(|i| parse(exprs[i % exprs.len()])).collect();
        let day = ts("2026-01-30T00:00:00Z");
        let start = std::time::Instant::now();
        let mut total = 0;
        // A simulated day advanced a minute at a time.
        for minute in 0..1_440 {
            let (after, until) = (day + minute * 60, day + (minute + 1) * 60);
            for s in &schedules {
                total += s.due_between(day, after, until).len();
            }
        }
        let elapsed = start.elapsed();
        // Per ten: 1440 + 288 + 1 (Friday 09:00) + 1 (Jan 31 00:00) + 1 (last Friday) + 1440
        // + 288.
        assert_eq!(total, 10 * 3_459);
        // Well under 50 ms in a release build; debug builds are about ten times slower.
        assert!(elapsed.as_millis() < 1_000, "took {elapsed:?}");

        // The same day in one step per schedule.
        let start = std::time::Instant::now();
        let total: usize = schedules
            .iter()
            .map(|s| s.due_between(day, day, day + 86_400).len())
            .sum();
        let elapsed = start.elapsed();
        assert_eq!(total, 10 * 3_459);
        assert!(elapsed.as_millis() < 50, "took {elapsed:?}");
    }

    #[test]
    fn display() {
        let shown = |e: &str| parse(e).to_string();
        assert_eq!(shown("rate(1 minute)"), "every minute");
        assert_eq!(shown("rate(5 minutes)"), "every 5 minutes");
        assert_eq!(shown("rate(2 hours)"), "every 2 hours");
        assert_eq!(shown("rate(1 day)"), "every day");
        assert_eq!(
            shown("cron(0 * ? * MON-FRI *)"),
            "at minute 0 of every hour on MON-FRI"
        );
        assert_eq!(shown("cron(0 10 * * ? *)"), "at 10:00 UTC every day");
        assert_eq!(
            shown("cron(0/15 8-17 ? * mon-fri *)"),
            "at minutes 0/15 of hours 8-17 on MON-FRI"
        );
        assert_eq!(
            shown("cron(0 0 L * ? *)"),
            "at 00:00 UTC on the last day of the month"
        );
        assert_eq!(
            shown("cron(15 10 ? * 6L 2002-2005)"),
            "at 10:15 UTC on the last FRI of the month in 2002-2005"
        );
        assert_eq!(
            shown("cron(0 9 ? * 3#2 *)"),
            "at 09:00 UTC on the 2nd TUE of the month"
        );
        assert_eq!(
            shown("cron(0 9 15W JAN ? *)"),
            "at 09:00 UTC on the weekday nearest day 15 in JAN"
        );
    }

    #[test]
    fn calendar_arithmetic_agrees_with_chrono() {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
        let mut date = epoch;
        let last = chrono::NaiveDate::from_ymd_opt(2200, 1, 1).expect("2200");
        while date <= last {
            let days = (date - epoch).num_days();
            let (y, m, d) = (date.year(), date.month(), date.day());
            assert_eq!(civil_from_days(days), (y, m, d));
            assert_eq!(days_from_civil(y, m, d), days);
            let next_month = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            let dim = days_from_civil(next_month.0, next_month.1, 1) - days_from_civil(y, m, 1);
            assert_eq!(i64::from(days_in_month(y, m)), dim);
            date = date.succ_opt().expect("next day");
        }
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        let _ = civil_from_days(i64::MAX / 2);
        let _ = civil_from_days(i64::MIN / 2);
    }

    #[test]
    fn error_message() {
        let e = Schedule::parse("cron(0 0 * * * *)").unwrap_err();
        assert_eq!(e.message(), "Parameter ScheduleExpression is not valid.");
        assert_eq!(e.to_string(), e.message());
    }

    fn check_no_panic(text: &str) {
        if let Ok(s) = Schedule::parse(text) {
            let _ = s.to_string();
            let _ = s.next(0, ts("2026-01-30T00:00:00Z"), 3);
            let _ = s.due_between(0, 0, 3_600);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn parse_never_panics_on_any_string(text in "\\PC{0,40}") {
            check_no_panic(&text);
        }

        #[test]
        fn parse_never_panics_on_near_misses(
            kind in prop::sample::select(vec!["cron(", "rate(", "cron( ", ""]),
            body in "[0-9*?/,#LWlw\\- MONFRIJASDEC()a-z]{0,40}",
        ) {
            check_no_panic(&format!("{kind}{body})"));
        }

        #[test]
        fn valid_cron_fields_evaluate(
            m in "(\\*|[0-5]?[0-9](/[1-9])?|[0-9]-[1-5][0-9])",
            h in "(\\*|1?[0-9](/[1-9])?|2[0-3]-[0-9])",
            dom in "(\\?|\\*|[1-9]|[12][0-9]|3[01]|L|LW|[1-9]W|L-[1-9])",
            mon in "(\\*|[1-9]|1[0-2]|JAN-MAR|[1-9]/[1-9])",
            dow in "(\\?|\\*|[1-7]|[1-7]L|[1-7]#[1-5]|MON-FRI|L)",
            year in "(\\*|20[2-9][0-9]|2026-2199)",
        ) {
            let expr = format!("cron({m} {h} {dom} {mon} {dow} {year})");
            let parsed = Schedule::parse(&expr);
            prop_assert_eq!(parsed.is_ok(), (dom == "?") != (dow == "?"), "{}", expr);
            if let Ok(s) = parsed {
                let after = ts("2026-01-30T00:00:00Z");
                let due = s.next(0, after, 5);
                prop_assert!(due.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(due.iter().all(|t| *t > after && t % 60 == 0));
            }
        }
    }
}
