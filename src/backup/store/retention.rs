//! Retention: which backups `prune` keeps, and why.
//!
//! Two ways to say it. The simple one (`max_age_days`, `keep`): delete what is older than N
//! days or beyond the newest N. Or grandfather-father-son, as restic and pgBackRest do
//! (`keep_last`, `keep_within`, `keep_daily`, `keep_weekly`, `keep_monthly`, `keep_yearly`):
//! a backup is kept when any rule keeps it: the newest of each of the last N days (weeks,
//! months, years, in UTC) that have backups, the N newest, or those taken within a duration.
//!
//! Each database is judged on its own (engine, host, database name, schemas). A backup whose
//! last verify or restore test failed takes no slot of a rule that counts backups and is never
//! "the newest": the slot goes to the newest good backup of that period.
//!
//! Whatever the rules say, these are never deleted: the newest backup, the newest verified
//! one, and backups taken just before a destructive command or a restore within the last
//! `protect_days` days (the ones someone may need to undo a mistake noticed late).

use super::Manifest;

/// How a bucket of the GFS schedule names the period a backup falls in.
type KeyFn = fn(u64) -> String;

/// Grandfather-father-son rules; `None` everywhere: not used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gfs {
    pub keep_last: Option<usize>,
    /// Seconds before now.
    pub keep_within: Option<u64>,
    pub keep_daily: Option<usize>,
    pub keep_weekly: Option<usize>,
    pub keep_monthly: Option<usize>,
    pub keep_yearly: Option<usize>,
}

impl Gfs {
    pub fn is_set(&self) -> bool {
        *self != Gfs::default()
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Delete backups older than this many days (0 = no age limit); when `gfs` is not set.
    pub max_age_days: u64,
    /// Keep at most this many backups (0 = no count limit); when `gfs` is not set.
    pub keep: usize,
    pub gfs: Gfs,
    /// Backups taken before a destructive command or a restore stay this many days.
    pub protect_days: u64,
}

/// What happens to one backup, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision<'a> {
    pub manifest: &'a Manifest,
    pub keep: bool,
    pub reasons: Vec<String>,
    /// The database it is a backup of (`Manifest::database_key`): each is judged on its own.
    pub database: String,
}

/// The decision for each backup, given manifests newest first. `before_destructive`: whether
/// a backup was taken just before a destructive command (or a restore).
///
/// Each database is judged on its own (engine, host, database name, schemas): a backup of
/// another database in the same folder (`--url`, the guard's extra database, a restore's
/// safety copy) never takes this database's slots or its "newest" protections.
pub fn decide<'a>(
    manifests: &'a [Manifest],
    now_unix: u64,
    policy: &Policy,
    before_destructive: &dyn Fn(&Manifest) -> bool,
) -> Vec<Decision<'a>> {
    let keys: Vec<String> = manifests.iter().map(Manifest::database_key).collect();
    let mut out: Vec<Option<Decision<'a>>> = vec![None; manifests.len()];
    let mut done: Vec<&str> = Vec::new();
    for key in &keys {
        if done.contains(&key.as_str()) {
            continue;
        }
        done.push(key);
        let members: Vec<usize> = (0..manifests.len()).filter(|i| keys[*i] == *key).collect();
        let group: Vec<&'a Manifest> = members.iter().map(|i| &manifests[*i]).collect();
        for (i, mut d) in members.into_iter().zip(decide_one(&group, now_unix, policy, before_destructive)) {
            d.database.clone_from(key);
            out[i] = Some(d);
        }
    }
    out.into_iter().flatten().collect()
}

/// The decisions for the backups of one database, newest first.
fn decide_one<'a>(
    manifests: &[&'a Manifest],
    now_unix: u64,
    policy: &Policy,
    before_destructive: &dyn Fn(&Manifest) -> bool,
) -> Vec<Decision<'a>> {
    let mut reasons: Vec<Vec<String>> = vec![Vec::new(); manifests.len()];
    let mut deleting: Vec<Vec<String>> = vec![Vec::new(); manifests.len()];
    let age = |m: &Manifest| now_unix.saturating_sub(m.created_unix);
    // Dated in the future (a wrong clock, or not this project's): its age is unknown, so no
    // rule judges it, it takes no rule's slot, and it stays (said in the table).
    // A backup whose dump is missing cannot be restored: it takes no slot either, and is never
    // "the newest" that protections keep in place of a whole one.
    let apart: Vec<bool> = manifests.iter().map(|m| m.is_future(now_unix) || m.dump_missing).collect();
    // Known to be no good (its last verify failed, or it does not restore): it takes no slot
    // of a rule that counts backups (the slot goes to the newest good one of that period) and
    // is never "the newest"; only rules by age and the destructive-change protection keep it.
    let bad: Vec<Option<String>> = manifests.iter().map(|m| m.known_bad()).collect();
    let counts = |i: usize| !apart[i] && bad[i].is_none();
    if policy.gfs.is_set() {
        let g = policy.gfs;
        if let Some(n) = g.keep_last {
            for (_, r) in reasons.iter_mut().enumerate().filter(|(i, _)| counts(*i)).take(n) {
                r.push(format!("one of the last {n}"));
            }
        }
        if let Some(secs) = g.keep_within {
            for (i, m) in manifests.iter().enumerate() {
                if age(m) <= secs {
                    reasons[i]
                        .push(format!("within {}", humantime::format_duration(std::time::Duration::from_secs(secs))));
                }
            }
        }
        let buckets: [(Option<usize>, &str, KeyFn); 4] = [
            (g.keep_daily, "daily", |t| day_key(t)),
            (g.keep_weekly, "weekly", |t| week_key(t)),
            (g.keep_monthly, "monthly", |t| day_key(t)[..7].to_string()),
            (g.keep_yearly, "yearly", |t| day_key(t)[..4].to_string()),
        ];
        for (count, what, key) in buckets {
            let Some(n) = count else { continue };
            let mut seen: Vec<String> = Vec::new();
            for (i, m) in manifests.iter().enumerate().filter(|(i, _)| counts(*i)) {
                let k = key(m.created_unix);
                if seen.len() >= n {
                    break;
                }
                if !seen.contains(&k) {
                    reasons[i].push(format!("{what} {k}"));
                    seen.push(k);
                }
            }
        }
        for (i, r) in reasons.iter().enumerate() {
            if r.is_empty() {
                deleting[i].push("no rule keeps it".into());
            }
        }
    } else {
        let mut good_seen = 0;
        for (i, m) in manifests.iter().enumerate() {
            let days = policy.max_age_days;
            if days > 0 && age(m) > days.saturating_mul(86_400) {
                deleting[i].push(format!("older than {days} days"));
            }
            if bad[i].is_some() {
                if policy.keep > 0 {
                    deleting[i].push(format!("it takes none of the newest {} places", policy.keep));
                }
            } else {
                if policy.keep > 0 && good_seen >= policy.keep {
                    deleting[i].push(format!("beyond the newest {}", policy.keep));
                }
                if !apart[i] {
                    good_seen += 1;
                }
            }
            if deleting[i].is_empty() {
                reasons[i].push("within the age and count limits".into());
            }
        }
    }
    // Protections: whatever the rules say.
    let newest_verified =
        (0..manifests.len()).find(|i| counts(*i) && manifests[*i].verified.as_ref().is_some_and(|v| v.ok));
    let newest = (0..manifests.len()).find(|i| counts(*i));
    for (i, m) in manifests.iter().enumerate() {
        if Some(i) == newest {
            reasons[i].push("the newest backup".into());
        }
        if Some(i) == newest_verified {
            reasons[i].push("the newest verified backup".into());
        }
        if before_destructive(m) && age(m) <= policy.protect_days.saturating_mul(86_400) {
            reasons[i].push(format!("taken before a destructive change, kept {} days", policy.protect_days));
        }
    }
    manifests
        .iter()
        .zip(reasons.into_iter().zip(deleting))
        .zip(bad)
        .enumerate()
        .map(|(i, ((m, (keep_reasons, mut delete_reasons)), bad))| {
            let m: &'a Manifest = m;
            let decision = |keep: bool, reasons: Vec<String>| Decision { manifest: m, keep, reasons, database: String::new() };
            if m.dump_missing {
                let why = "its dump is missing: it cannot be restored, and no rule counts it (its manifest stays as a record; delete it by hand)".to_string();
                return decision(true, vec![why]);
            }
            if m.is_future(now_unix) {
                let why = format!(
                    "dated in the future ({}): its age is unknown (a wrong clock, or not this project's backup); delete it by hand if it is not yours",
                    m.created_at
                );
                return decision(true, vec![why]);
            }
            let protected = keep_reasons.iter().any(|r| {
                r.starts_with("the newest")
                    || r.starts_with("taken before")
                    || !policy.gfs.is_set() && delete_reasons.is_empty()
            });
            let keep =
                if policy.gfs.is_set() { !keep_reasons.is_empty() } else { delete_reasons.is_empty() || protected };
            let mut reasons = if keep { keep_reasons } else { std::mem::take(&mut delete_reasons) };
            if let Some(why) = bad {
                let counted = if keep { "it takes no rule's slot" } else { "no rule counts it" };
                reasons.insert(0, format!("{why}: {counted}"));
                // Deleted only once a good backup of this database is newer: a failure that
                // is the check's own (a restore test that cannot create its scratch database
                // fails every night) must not delete every new backup.
                if !keep && newest.is_none_or(|n| i < n) {
                    reasons.push("kept until a newer backup of this database is good".into());
                    return decision(true, reasons);
                }
            }
            decision(keep, reasons)
        })
        .collect()
}

/// `YYYY-MM-DD` of a Unix time, in UTC.
pub fn day_key(unix: u64) -> String {
    let (y, m, d) = civil(unix / 86_400);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-Www`: the ISO 8601 week of a Unix time, in UTC (weeks start on Monday; week 1 holds
/// the year's first Thursday).
pub fn week_key(unix: u64) -> String {
    let days = unix / 86_400;
    // 1970-01-01 was a Thursday: Monday = 0.
    let weekday = (days + 3) % 7;
    let thursday = days + 3 - weekday;
    let (year, _, _) = civil(thursday);
    let jan1 = days_from_civil(year, 1, 1);
    let week = (thursday - jan1) / 7 + 1;
    format!("{year:04}-W{week:02}")
}

/// Days since 1970-01-01 to (year, month, day) (Howard Hinnant's `civil_from_days`).
fn civil(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// (year, month, day) to days since 1970-01-01.
fn days_from_civil(y: u64, m: u64, d: u64) -> u64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::store::manifest::Verified;

    const DAY: u64 = 86_400;
    /// 2026-12-07 12:00 UTC, a Monday.
    const NOW: u64 = 1_796_644_800;

    fn manifest(id: &str, created_unix: u64, verified: bool) -> Manifest {
        let mut m: Manifest = serde_json::from_value(serde_json::json!({
            "format_version": 1, "id": id, "created_at": "", "created_unix": created_unix,
            "engine": "sqlite", "server_version": "", "dump_tool": "", "database_url": "", "database_name": "d",
            "trigger": {"kind": "manual", "argv": []}, "migrations": [], "row_counts": {}, "row_counts_source": "query",
            "file": {"name": "x", "compression": "zstd", "compressed_bytes": 1, "uncompressed_bytes": 1, "sha256": ""},
            "duration_ms": 0, "prisma_guard_version": "0", "warnings": []
        }))
        .expect("a manifest");
        if verified {
            m.verified = Some(Verified { at: String::new(), ok: true, error: None });
        }
        m
    }

    /// Review of issue 18, round 3, finding 4: the newest backup's dump deleted (a stolen
    /// key), `keep_last = 1` kept it as "the newest" and deleted every whole copy.
    #[test]
    fn a_backup_whose_dump_is_missing_is_never_the_newest_and_takes_no_slot() {
        let mut backups =
            vec![manifest("c", NOW - 3_600, true), manifest("b", NOW - DAY, true), manifest("a", NOW - 2 * DAY, true)];
        backups[0].dump_missing = true;
        let policy =
            Policy { max_age_days: 0, keep: 0, protect_days: 0, gfs: Gfs { keep_last: Some(1), ..Gfs::default() } };
        let d = decide(&backups, NOW, &policy, &|_| false);
        assert!(d[0].keep && d[0].reasons[0].contains("dump is missing"), "{d:?}");
        assert!(d[1].keep, "the newest whole backup stays: {d:?}");
        assert!(!d[2].keep, "{d:?}");
        let simple = Policy { max_age_days: 0, keep: 1, protect_days: 0, gfs: Gfs::default() };
        let d = decide(&backups, NOW, &simple, &|_| false);
        assert!(d[1].keep, "{d:?}");
    }

    /// Review of issue 18, round 5, finding 1: each day's slot went to the 02:00 backup whose
    /// verify had failed, and the day's good 01:00 backup was deleted.
    #[test]
    fn a_backup_whose_verify_or_restore_test_failed_takes_no_slot() {
        let failed = Verified { at: String::new(), ok: false, error: Some("checksum mismatch".into()) };
        let mut backups = Vec::new();
        for day in 1..=3 {
            let mut bad = manifest(&format!("bad{day}"), NOW - day * DAY - 3_600, false);
            bad.verified = Some(failed.clone());
            backups.push(bad);
            backups.push(manifest(&format!("good{day}"), NOW - day * DAY - 2 * 3_600, false));
        }
        // bad1 is newer than every good backup: it stays (no slot) until a newer one is good.
        let daily = gfs(Gfs { keep_daily: Some(4), ..Gfs::default() });
        assert_eq!(kept(&daily, &backups), ["bad1", "good1", "good2", "good3"]);
        let d = decide(&backups, NOW, &daily, &|_| false);
        assert!(d[0].reasons[0].contains("its last verify failed (checksum mismatch)"), "{d:?}");
        assert!(d[0].reasons.iter().all(|r| !r.starts_with("daily")), "{d:?}");
        assert!(d[0].reasons.iter().any(|r| r.starts_with("kept until a newer backup")), "{d:?}");
        assert!(d[1].reasons.iter().any(|r| r == "the newest backup"), "{d:?}");
        assert!(d[2].reasons[0].contains("no rule counts it") && !d[2].keep, "{d:?}");
        for g in [
            Gfs { keep_last: Some(3), ..Gfs::default() },
            Gfs { keep_weekly: Some(1), keep_monthly: Some(1), keep_yearly: Some(1), ..Gfs::default() },
        ] {
            let k = kept(&gfs(g), &backups);
            assert!(
                k[0] == "bad1" && k[1..].iter().all(|id| id.starts_with("good")) && k[1] == "good1",
                "{g:?}: {k:?}"
            );
        }
        let simple = Policy { max_age_days: 0, keep: 3, gfs: Gfs::default(), protect_days: 0 };
        assert_eq!(kept(&simple, &backups), ["bad1", "good1", "good2", "good3"]);
        // A failed restore test counts the same, and a backup within `keep_within` stays
        // (a rule by age gives no slot away).
        backups[1].restore_tested = Some(failed.clone());
        let within = gfs(Gfs { keep_within: Some(DAY + 7_200), keep_last: Some(1), ..Gfs::default() });
        // good1 now failed too: good2 is the newest good one, so bad2 (newer) stays as well.
        assert_eq!(kept(&within, &backups), ["bad1", "good1", "bad2", "good2"]);
        assert_eq!(kept(&daily, &backups), ["bad1", "good1", "bad2", "good2", "good3"]);
        // Every backup failing its check (a restore test that cannot run): nothing is deleted.
        for m in &mut backups {
            m.restore_tested = Some(failed.clone());
        }
        assert_eq!(kept(&daily, &backups).len(), 6);
    }

    /// Review of issue 18, round 5, finding 2: a backup of another database in the folder took
    /// "the newest backup" and the day's slot, and the project database's newest was deleted.
    #[test]
    fn each_database_is_judged_on_its_own() {
        let of = |id: &str, at: u64, name: &str, url: &str| {
            let mut m = manifest(id, at, false);
            m.database_name = name.into();
            m.database_url = url.into();
            m
        };
        let backups = vec![
            of("other", NOW - 60, "shop", "postgresql://u:****@db:5432/shop"),
            of("mine", NOW - 120, "app", "postgresql://u:****@db:5432/app"),
            of("mine-older", NOW - 180, "app", "postgresql://u:****@db:5432/app"),
            of("other-host", NOW - 240, "app", "postgresql://u:****@elsewhere:5432/app"),
        ];
        let daily = gfs(Gfs { keep_daily: Some(4), ..Gfs::default() });
        let d = decide(&backups, NOW, &daily, &|_| false);
        assert_eq!(kept(&daily, &backups), ["other", "mine", "other-host"], "{d:?}");
        assert!(d[1].reasons.iter().any(|r| r == "the newest backup"), "{d:?}");
        assert_eq!(d[1].database, "app (sqlite on db:5432)");
        assert_ne!(d[1].database, d[3].database);
        let last = gfs(Gfs { keep_last: Some(1), ..Gfs::default() });
        assert_eq!(kept(&last, &backups), ["other", "mine", "other-host"]);
    }

    /// A synthetic year: one backup a day at 03:00 UTC, newest first.
    fn year() -> Vec<Manifest> {
        (0..365).map(|i| manifest(&format!("b{i:03}"), NOW - 9 * 3_600 - i * DAY, false)).collect()
    }

    fn kept(policy: &Policy, backups: &[Manifest]) -> Vec<String> {
        decide(backups, NOW, policy, &|_| false).into_iter().filter(|d| d.keep).map(|d| d.manifest.id.clone()).collect()
    }

    fn gfs(g: Gfs) -> Policy {
        Policy { max_age_days: 0, keep: 0, gfs: g, protect_days: 0 }
    }

    #[test]
    fn calendar_keys() {
        assert_eq!(day_key(NOW), "2026-12-07");
        assert_eq!(week_key(NOW), "2026-W50");
        assert_eq!(day_key(0), "1970-01-01");
        assert_eq!(week_key(0), "1970-W01");
        // 2027-01-01 is a Friday: still week 53 of 2026.
        assert_eq!(week_key(1_798_761_600), "2026-W53");
        assert_eq!(day_key(1_798_761_600), "2027-01-01");
    }

    #[test]
    fn each_gfs_rule_over_a_year_of_daily_backups() {
        let backups = year();
        let table: &[(Gfs, usize)] = &[
            (Gfs { keep_last: Some(5), ..Gfs::default() }, 5),
            (Gfs { keep_daily: Some(7), ..Gfs::default() }, 7),
            (Gfs { keep_weekly: Some(4), ..Gfs::default() }, 4),
            (Gfs { keep_monthly: Some(12), ..Gfs::default() }, 12),
            (Gfs { keep_yearly: Some(3), ..Gfs::default() }, 2),
            (Gfs { keep_within: Some(10 * DAY), ..Gfs::default() }, 10),
            // Overlaps count once: 7 days (Dec 1-7), then weeks 48 and 47 (week 49's newest,
            // Dec 6, is a daily one), then the last days of 11 earlier months.
            (Gfs { keep_daily: Some(7), keep_weekly: Some(4), keep_monthly: Some(12), ..Gfs::default() }, 7 + 2 + 11),
        ];
        for (g, want) in table {
            let k = kept(&gfs(*g), &backups);
            assert_eq!(k.len(), *want, "{g:?}: {k:?}");
            assert_eq!(k[0], "b000", "the newest always stays");
        }
        // Monthly keeps the newest of each month: 2026-12-07, then the last day of each month.
        let monthly = kept(&gfs(Gfs { keep_monthly: Some(3), ..Gfs::default() }), &backups);
        let days: Vec<String> =
            monthly.iter().map(|id| day_key(backups.iter().find(|m| &m.id == id).unwrap().created_unix)).collect();
        assert_eq!(days, ["2026-12-07", "2026-11-30", "2026-10-31"]);
    }

    #[test]
    fn protections_override_every_rule() {
        let mut backups = year();
        backups[200].verified = Some(Verified { at: String::new(), ok: true, error: None });
        let policy = Policy { protect_days: 30, ..gfs(Gfs { keep_last: Some(1), ..Gfs::default() }) };
        let destructive = |m: &Manifest| m.id == "b010" || m.id == "b100";
        let decisions = decide(&backups, NOW, &policy, &destructive);
        let kept: Vec<&str> = decisions.iter().filter(|d| d.keep).map(|d| d.manifest.id.as_str()).collect();
        assert_eq!(
            kept,
            ["b000", "b010", "b200"],
            "newest, before a destructive change (within 30 days), newest verified"
        );
        let b010 = decisions.iter().find(|d| d.manifest.id == "b010").unwrap();
        assert!(b010.reasons[0].contains("destructive"), "{:?}", b010.reasons);
        let gone = decisions.iter().find(|d| d.manifest.id == "b050").unwrap();
        assert_eq!(gone.reasons, ["no rule keeps it"]);
    }

    #[test]
    fn a_backup_dated_in_the_future_is_kept_and_takes_no_slot() {
        let mut backups = vec![manifest("future", NOW + 400 * DAY, false)];
        backups.extend((0..5).map(|i| manifest(&format!("d{i}"), NOW - i * DAY, false)));
        Manifest::sort_newest_first(&mut backups, NOW);
        let simple = Policy { max_age_days: 30, keep: 2, gfs: Gfs::default(), protect_days: 30 };
        assert_eq!(kept(&simple, &backups), vec!["d0", "d1", "future"]);
        let daily = gfs(Gfs { keep_daily: Some(2), ..Gfs::default() });
        assert_eq!(kept(&daily, &backups), vec!["d0", "d1", "future"]);
        let last = gfs(Gfs { keep_last: Some(1), ..Gfs::default() });
        assert_eq!(kept(&last, &backups), vec!["d0", "future"]);
        let d = decide(&backups, NOW, &simple, &|_| false);
        assert!(d.iter().any(|d| d.manifest.id == "future" && d.reasons[0].starts_with("dated in the future")));
    }

    #[test]
    fn the_simple_policy_by_age_and_count() {
        let backups = year();
        let p = Policy { max_age_days: 30, keep: 100, gfs: Gfs::default(), protect_days: 0 };
        assert_eq!(kept(&p, &backups).len(), 30);
        let p = Policy { max_age_days: 0, keep: 3, gfs: Gfs::default(), protect_days: 0 };
        let decisions = decide(&backups, NOW, &p, &|_| false);
        assert_eq!(decisions.iter().filter(|d| d.keep).count(), 3);
        assert_eq!(decisions[3].reasons, ["beyond the newest 3"]);
    }
}
