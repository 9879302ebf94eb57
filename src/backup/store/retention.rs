//! Retention: which backups `prune` deletes.

use super::Manifest;

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Delete backups older than this many days (0 = no age limit).
    pub max_age_days: u64,
    /// Keep at most this many backups (0 = no count limit).
    pub keep: usize,
}

/// The backups to delete, given manifests newest first. Never the newest verified backup,
/// and never the newest backup at all.
pub fn plan(manifests: &[Manifest], now_unix: u64, policy: Policy) -> Vec<&Manifest> {
    let newest_verified = manifests.iter().find(|m| m.verified.as_ref().is_some_and(|v| v.ok)).map(|m| &m.id);
    let newest = manifests.first().map(|m| &m.id);
    let max_age = policy.max_age_days.saturating_mul(86_400);
    manifests
        .iter()
        .enumerate()
        .filter(|(i, m)| {
            let too_old = policy.max_age_days > 0 && now_unix.saturating_sub(m.created_unix) > max_age;
            let too_many = policy.keep > 0 && *i >= policy.keep;
            too_old || too_many
        })
        .map(|(_, m)| m)
        .filter(|m| Some(&m.id) != newest_verified && Some(&m.id) != newest)
        .collect()
}
