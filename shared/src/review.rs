//! The ward overview (issue 14): for each person, the signals staff review across a ward or caseload, worked out
//! from the person's tracker and plan as a device has them (so the overview works offline), and the ways the
//! overview sorts and filters them. Pure: the app builds the views from its local store and calls these.

use crate::{
    outcomes::distance_travelled,
    plan::view::{Agreement, PlanView},
    tracker::view::TrackerView,
};

/// Readings are due when the person has no finished reading within this many weeks (the overview's default).
pub const DEFAULT_READING_WEEKS: u32 = 12;
/// A plan review is "due" (not yet overdue) when its date is within this many days.
pub const REVIEW_DUE_DAYS: i64 = 14;

/// Where a person's safety plan review stands on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReviewState {
    /// No review date set, or it is more than [`REVIEW_DUE_DAYS`] away.
    NotDue,
    /// The review date is today or within [`REVIEW_DUE_DAYS`].
    Due,
    /// The review date has passed.
    Overdue,
}

/// One person's signals on the ward overview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signals {
    /// The date of their latest finished reading (any framework), `YYYY-MM-DD`.
    pub latest_reading: Option<String>,
    /// Distance travelled from the first finished reading to each later one, oldest first (the framework of the
    /// latest finished reading): what the small chart draws. Empty without a rated finished reading.
    pub distance: Vec<i32>,
    /// No finished reading within the chosen number of weeks (or none at all).
    pub readings_due: bool,
    /// Steps not done, on open goals, whose date has passed.
    pub overdue_steps: usize,
    pub review: ReviewState,
    /// The review date, when one is set.
    pub review_by: Option<String>,
    /// The plan has items but both sides have never signed one version.
    pub never_agreed: bool,
    /// Kept values waiting for someone to choose (tracker and plan).
    pub conflicts: usize,
}

impl Signals {
    /// The signals from a person's tracker and plan on `today` (`YYYY-MM-DD`), with readings due after
    /// `reading_weeks` weeks without one.
    pub fn build(tracker: &TrackerView, plan: &PlanView, today: &str, reading_weeks: u32) -> Signals {
        let finished: Vec<_> = tracker.readings.iter().filter(|r| !r.discarded && r.finished.is_some()).collect();
        let latest = finished.iter().max_by(|a, b| a.date.cmp(&b.date));
        let latest_reading = latest.map(|r| r.date.clone());
        let distance = latest
            .map(|l| {
                let rated: Vec<_> = finished
                    .iter()
                    .filter(|r| r.framework == l.framework)
                    .map(|r| r.chart_values())
                    .filter(|v| !v.is_empty())
                    .collect();
                match rated.first() {
                    Some(first) => rated.iter().map(|r| distance_travelled(first, r).overall).collect(),
                    None => Vec::new(),
                }
            })
            .unwrap_or_default();
        let cutoff = add_days(today, -7 * i64::from(reading_weeks));
        let readings_due = match (&latest_reading, &cutoff) {
            (Some(d), Some(c)) => d.as_str() < c.as_str(),
            (None, _) => true,
            (Some(_), None) => false,
        };
        let overdue_steps = tracker.due_steps(today).iter().filter(|s| s.overdue).count();
        let review = match plan.review_by.as_deref() {
            Some(d) if d < today => ReviewState::Overdue,
            Some(d) if add_days(today, REVIEW_DUE_DAYS).is_some_and(|soon| d <= soon.as_str()) => ReviewState::Due,
            _ => ReviewState::NotDue,
        };
        let has_items = plan.items.iter().any(|i| !i.removed);
        let never_agreed = has_items && !matches!(plan.agreement(), Agreement::Agreed { .. });
        Signals {
            latest_reading,
            distance,
            readings_due,
            overdue_steps,
            review,
            review_by: plan.review_by.clone(),
            never_agreed,
            conflicts: tracker.conflicts.len() + plan.conflicts.len(),
        }
    }

    /// Anything on the overview to look at?
    pub fn needs_a_look(&self) -> bool {
        self.readings_due
            || self.overdue_steps > 0
            || self.review != ReviewState::NotDue
            || self.never_agreed
            || self.conflicts > 0
    }
}

/// What the ward overview sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortBy {
    Name,
    /// Oldest latest reading first (none at all first of all).
    LatestReading,
    /// Least distance travelled first.
    Distance,
    OverdueSteps,
    /// Overdue reviews first, then due, soonest date first.
    Review,
    Conflicts,
}

impl SortBy {
    pub const ALL: [SortBy; 6] = [
        SortBy::Name,
        SortBy::LatestReading,
        SortBy::Distance,
        SortBy::OverdueSteps,
        SortBy::Review,
        SortBy::Conflicts,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortBy::Name => "name",
            SortBy::LatestReading => "latest_reading",
            SortBy::Distance => "distance",
            SortBy::OverdueSteps => "overdue_steps",
            SortBy::Review => "review",
            SortBy::Conflicts => "conflicts",
        }
    }

    pub fn parse(s: &str) -> Option<SortBy> {
        SortBy::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What the ward overview shows only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    All,
    ReadingsDue,
    OverdueSteps,
    /// Review due or overdue.
    Review,
    NeverAgreed,
    Conflicts,
}

impl Filter {
    pub const ALL: [Filter; 6] = [
        Filter::All,
        Filter::ReadingsDue,
        Filter::OverdueSteps,
        Filter::Review,
        Filter::NeverAgreed,
        Filter::Conflicts,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Filter::All => "all",
            Filter::ReadingsDue => "readings_due",
            Filter::OverdueSteps => "overdue_steps",
            Filter::Review => "review",
            Filter::NeverAgreed => "never_agreed",
            Filter::Conflicts => "conflicts",
        }
    }

    pub fn parse(s: &str) -> Option<Filter> {
        Filter::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn keeps(self, s: &Signals) -> bool {
        match self {
            Filter::All => true,
            Filter::ReadingsDue => s.readings_due,
            Filter::OverdueSteps => s.overdue_steps > 0,
            Filter::Review => s.review != ReviewState::NotDue,
            Filter::NeverAgreed => s.never_agreed,
            Filter::Conflicts => s.conflicts > 0,
        }
    }
}

/// Filter and sort rows of (name, signals, …) in place: the most pressing first for every sort but the name; ties
/// by name.
pub fn arrange<T>(rows: &mut Vec<T>, of: impl Fn(&T) -> (&str, &Signals), sort: SortBy, filter: Filter) {
    rows.retain(|r| filter.keeps(of(r).1));
    rows.sort_by(|a, b| {
        let ((na, a), (nb, b)) = (of(a), of(b));
        let first = match sort {
            SortBy::Name => std::cmp::Ordering::Equal,
            SortBy::LatestReading => a.latest_reading.cmp(&b.latest_reading),
            SortBy::Distance => a.distance.last().copied().unwrap_or(0).cmp(&b.distance.last().copied().unwrap_or(0)),
            SortBy::OverdueSteps => b.overdue_steps.cmp(&a.overdue_steps),
            SortBy::Review => b.review.cmp(&a.review).then_with(|| match (&a.review_by, &b.review_by) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }),
            SortBy::Conflicts => b.conflicts.cmp(&a.conflicts),
        };
        first.then_with(|| na.to_lowercase().cmp(&nb.to_lowercase()))
    });
}

/// "Who has looked at my record", grouped for the person: the same person doing the same kind of thing on the same
/// day is one line, with how many times (views come newest first and stay so).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewGroup {
    /// The newest entry's number (a stable key).
    pub seq: u64,
    pub name: String,
    pub role: crate::Role,
    /// Downloaded, copied to their device, or looked at (every other action).
    pub action: crate::api::AuditAction,
    /// The newest time in the group.
    pub at_ms: i64,
    pub count: u32,
}

/// Group `views` (newest first) by person, plain action and day (`day` gives a view's day on the reader's calendar).
pub fn group_views(views: &[crate::api::RecordView], day: impl Fn(i64) -> String) -> Vec<ViewGroup> {
    use crate::api::AuditAction;
    let plain = |a: AuditAction| match a {
        AuditAction::Exported | AuditAction::Synced => a,
        _ => AuditAction::Viewed,
    };
    let mut out: Vec<(ViewGroup, String)> = Vec::new();
    for v in views {
        let d = day(v.at_ms);
        let action = plain(v.action);
        match out.iter_mut().find(|(g, gd)| g.name == v.name && g.role == v.role && g.action == action && *gd == d) {
            Some((g, _)) => g.count += 1,
            None => out.push((
                ViewGroup { seq: v.seq, name: v.name.clone(), role: v.role, action, at_ms: v.at_ms, count: 1 },
                d,
            )),
        }
    }
    out.into_iter().map(|(g, _)| g).collect()
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (the proleptic Gregorian calendar).
pub fn day_number(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The `YYYY-MM-DD` date of a day number (see [`day_number`]).
pub fn date_of(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `date` moved by `days` (negative: earlier).
pub fn add_days(date: &str, days: i64) -> Option<String> {
    day_number(date).map(|n| date_of(n + days))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        UserId,
        outcomes::built_in,
        plan::{PlanChange, PlanSection, Signer, view::PLAN_KINDS},
        sync::{Change, Outbox, RecordId, Replica},
        tracker::{Rater, TrackerChange, view::TRACKER_KINDS},
    };

    #[test]
    fn who_looked_is_grouped_by_person_action_and_day() {
        use crate::api::{AuditAction, RecordView};
        let v = |seq, at_ms, name: &str, action| RecordView {
            seq,
            at_ms,
            name: name.into(),
            role: crate::Role::KeyWorker,
            action,
            what: "person_page".into(),
        };
        let day = |ms: i64| format!("d{}", ms / 100);
        let views = [
            v(9, 905, "Owen", AuditAction::Viewed),
            v(8, 904, "Owen", AuditAction::Opened),
            v(7, 903, "Owen", AuditAction::Exported),
            v(6, 902, "Sara", AuditAction::Viewed),
            v(5, 901, "Owen", AuditAction::Viewed),
            v(4, 805, "Owen", AuditAction::Viewed),
        ];
        let g = group_views(&views, day);
        let short: Vec<_> = g.iter().map(|g| (g.seq, g.name.as_str(), g.action, g.count)).collect();
        assert_eq!(
            short,
            vec![
                (9, "Owen", AuditAction::Viewed, 3),
                (7, "Owen", AuditAction::Exported, 1),
                (6, "Sara", AuditAction::Viewed, 1),
                (4, "Owen", AuditAction::Viewed, 1),
            ]
        );
    }

    #[test]
    fn dates_move_by_days_across_months_years_and_leap_days() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(add_days("2026-03-01", -1).as_deref(), Some("2026-02-28"));
        assert_eq!(add_days("2024-03-01", -1).as_deref(), Some("2024-02-29"));
        assert_eq!(add_days("2026-12-25", 14).as_deref(), Some("2027-01-08"));
        assert_eq!(add_days("2026-11-28", -84).as_deref(), Some("2026-09-05"));
        assert_eq!(day_number("2026-13-01"), None);
        assert_eq!(day_number("soon"), None);
    }

    /// One person's tracker and plan as a device shows them after recording `changes` there.
    fn views(changes: Vec<Change>) -> (TrackerView, PlanView) {
        let person = UserId("p".into());
        let replica = Replica::default();
        let mut out = Outbox::default();
        for (i, c) in changes.into_iter().enumerate() {
            out.record(&replica, &person, c, false, i as i64 + 1).unwrap();
        }
        (
            TrackerView::build(&out.overlay(&replica, &person, &TRACKER_KINDS)),
            PlanView::build(&out.overlay(&replica, &person, &PLAN_KINDS)),
        )
    }

    fn reading(id: &str, date: &str, value: u8) -> Vec<Change> {
        let ladder = built_in::waymark_ladder();
        let r = RecordId(id.into());
        let mut out = vec![Change::Tracker(TrackerChange::StartReading {
            reading: r.clone(),
            framework: ladder.id.clone(),
            version: ladder.version,
            date: date.into(),
        })];
        for a in &ladder.areas {
            out.push(Change::Tracker(TrackerChange::Rate {
                reading: r.clone(),
                area: a.id.clone(),
                rater: Rater::Agreed,
                value: Some(value),
            }));
        }
        out.push(Change::Tracker(TrackerChange::FinishReading { reading: r, finished: true, missing: vec![] }));
        out
    }

    #[test]
    fn a_person_with_nothing_yet_is_due_a_reading_and_nothing_else() {
        let (t, p) = views(vec![]);
        let s = Signals::build(&t, &p, "2026-11-28", 12);
        assert!(s.readings_due);
        assert_eq!(s.latest_reading, None);
        assert!(s.distance.is_empty());
        assert_eq!((s.overdue_steps, s.review, s.never_agreed, s.conflicts), (0, ReviewState::NotDue, false, 0));
    }

    #[test]
    fn readings_distance_review_and_agreement_come_from_the_record() {
        let mut changes = reading("r1", "2026-05-01", 3);
        changes.extend(reading("r2", "2026-10-01", 5));
        changes.push(
            PlanChange::AddPlanItem {
                item: RecordId("i1".into()),
                section: PlanSection::Triggers,
                text: "Noise".into(),
            }
            .into(),
        );
        changes.push(PlanChange::PlanReview { review_by: Some("2026-11-20".into()) }.into());
        let (t, p) = views(changes);
        let s = Signals::build(&t, &p, "2026-11-28", 12);
        assert_eq!(s.latest_reading.as_deref(), Some("2026-10-01"));
        assert!(!s.readings_due, "a reading eight weeks ago is within twelve weeks");
        assert!(Signals::build(&t, &p, "2026-11-28", 4).readings_due);
        assert_eq!(s.distance, vec![0, 20], "ten areas, two steps further along each");
        assert_eq!(s.review, ReviewState::Overdue);
        assert_eq!(Signals::build(&t, &p, "2026-11-10", 12).review, ReviewState::Due);
        assert_eq!(Signals::build(&t, &p, "2026-10-01", 12).review, ReviewState::NotDue);
        assert!(s.never_agreed);
        let mut agreed = reading("r1", "2026-05-01", 3);
        agreed.push(
            PlanChange::AddPlanItem {
                item: RecordId("i1".into()),
                section: PlanSection::Triggers,
                text: "Noise".into(),
            }
            .into(),
        );
        agreed.push(PlanChange::AgreePlan { signer: Signer::Person, version: 1, date: "2026-11-01".into() }.into());
        agreed.push(PlanChange::AgreePlan { signer: Signer::KeyWorker, version: 1, date: "2026-11-01".into() }.into());
        let (t, p) = views(agreed);
        assert!(!Signals::build(&t, &p, "2026-11-28", 12).never_agreed);
    }

    #[test]
    fn overdue_steps_count_only_open_steps_whose_date_has_passed() {
        let g = RecordId("g".into());
        let step = |id: &str, due: &str| {
            let s = RecordId(id.into());
            vec![
                Change::Tracker(TrackerChange::AddStep { step: s.clone(), goal: g.clone() }),
                Change::Tracker(TrackerChange::StepText { step: s.clone(), text: id.into() }),
                Change::Tracker(TrackerChange::StepDue { step: s, due: Some(due.into()) }),
            ]
        };
        let mut changes = vec![Change::Tracker(TrackerChange::AddGoal { goal: g.clone(), text: "Cook".into() })];
        changes.extend(step("s1", "2026-11-01"));
        changes.extend(step("s2", "2026-11-27"));
        changes.extend(step("s3", "2026-12-25"));
        changes.push(Change::Tracker(TrackerChange::StepDone { step: RecordId("s2".into()), done: true }));
        let (t, p) = views(changes);
        assert_eq!(Signals::build(&t, &p, "2026-11-28", 12).overdue_steps, 1);
    }

    #[test]
    fn the_overview_sorts_the_most_pressing_first_and_filters_by_each_signal() {
        let quiet = Signals {
            latest_reading: Some("2026-11-01".into()),
            distance: vec![0, 4],
            readings_due: false,
            overdue_steps: 0,
            review: ReviewState::NotDue,
            review_by: None,
            never_agreed: false,
            conflicts: 0,
        };
        let late = Signals { review: ReviewState::Overdue, review_by: Some("2026-10-01".into()), ..quiet.clone() };
        let later = Signals {
            review: ReviewState::Overdue,
            review_by: Some("2026-09-01".into()),
            overdue_steps: 2,
            ..quiet.clone()
        };
        let soon = Signals {
            review: ReviewState::Due,
            review_by: Some("2026-12-01".into()),
            conflicts: 1,
            latest_reading: None,
            readings_due: true,
            ..quiet.clone()
        };
        let rows = vec![("Alys", quiet), ("Dylan", late), ("Nia", later), ("Tomos", soon)];
        let names = |sort, filter| {
            let mut r = rows.clone();
            arrange(&mut r, |(n, s)| (*n, s), sort, filter);
            r.into_iter().map(|(n, _)| n).collect::<Vec<_>>()
        };
        assert_eq!(names(SortBy::Review, Filter::All), ["Nia", "Dylan", "Tomos", "Alys"]);
        assert_eq!(names(SortBy::Name, Filter::Review), ["Dylan", "Nia", "Tomos"]);
        assert_eq!(names(SortBy::OverdueSteps, Filter::OverdueSteps), ["Nia"]);
        assert_eq!(names(SortBy::Conflicts, Filter::Conflicts), ["Tomos"]);
        assert_eq!(names(SortBy::LatestReading, Filter::ReadingsDue), ["Tomos"]);
        assert_eq!(names(SortBy::LatestReading, Filter::All)[0], "Tomos");
        for s in SortBy::ALL {
            assert_eq!(SortBy::parse(s.as_str()), Some(s));
        }
        for f in Filter::ALL {
            assert_eq!(Filter::parse(f.as_str()), Some(f));
        }
    }

    /// The benchmark: 40 people with five years of monthly readings, from a device's store. Run with
    /// `cargo test -p waymark-shared --release review -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn bench_ward_overview_for_40_people_with_5_years_of_monthly_readings() {
        let ladder = built_in::waymark_ladder();
        let mut replica_out = Outbox::default();
        let replica = Replica::default();
        let people: Vec<UserId> = (0..40).map(|i| UserId(format!("p{i}"))).collect();
        let mut clock = 0;
        for p in &people {
            for m in 0..60 {
                let date = format!("{:04}-{:02}-01", 2021 + m / 12, m % 12 + 1);
                for c in reading(&format!("{}-r{m}", p.0), &date, (m % 10) as u8 + 1) {
                    clock += 1;
                    replica_out.record(&replica, p, c, false, clock).unwrap();
                }
            }
        }
        let _ = ladder;
        let start = std::time::Instant::now();
        let signals: Vec<Signals> = people
            .iter()
            .map(|p| {
                let t = TrackerView::build(&replica_out.overlay(&replica, p, &TRACKER_KINDS));
                let pl = PlanView::build(&replica_out.overlay(&replica, p, &PLAN_KINDS));
                Signals::build(&t, &pl, "2026-11-28", 12)
            })
            .collect();
        let took = start.elapsed();
        assert!(signals.iter().all(|s| s.distance.len() == 60));
        println!("ward overview, 40 people x 60 readings: {took:?}");
    }
}
