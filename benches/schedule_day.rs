//! The scheduler's own cost of advancing the clock one day: every due instant of 100
//! scheduled rules of mixed rates and crons, without the deliveries.
//!
//!     cargo bench --bench schedule_day

use eventbridge_mock::schedule::Schedule;
use std::time::Instant;

const EXPRESSIONS: [&str; 10] = [
    "rate(1 minute)",
    "rate(5 minutes)",
    "rate(1 hour)",
    "cron(0/15 * * * ? *)",
    "cron(0 12 ? * MON-FRI *)",
    "cron(30 2 L * ? *)",
    "rate(2 hours)",
    "cron(0 * * * ? *)",
    "cron(0/10 8-18 ? * 2#1 *)",
    "rate(10 minutes)",
];

fn main() {
    let schedules: Vec<Schedule> = (0..100)
        .map(|i| Schedule::parse(EXPRESSIONS[i % EXPRESSIONS.len()]).expect("valid"))
        .collect();
    let start_of_day = 1_767_225_600; // 2026-01-01T00:00:00Z
    let mut best = f64::MAX;
    let mut instants = 0;
    for _ in 0..20 {
        let t = Instant::now();
        instants = schedules
            .iter()
            .map(|s| {
                s.due_between(start_of_day, start_of_day, start_of_day + 86_400)
                    .len()
            })
            .sum::<usize>();
        best = best.min(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!("one day, 100 scheduled rules: {instants} due instants in {best:.2} ms (best of 20)");
}
