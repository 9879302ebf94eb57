//! Managed PostgreSQL, recognised by the database host's name: the provider keeps the WAL
//! and offers its own point-in-time recovery; prisma-guard's dumps are the portable copy
//! that does not depend on the provider (an account closed, a project deleted, a region lost).

/// A managed PostgreSQL service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    pub name: &'static str,
    /// Its own point-in-time recovery, in a few lines.
    pub pitr: &'static str,
    /// How to restore to a time, as exactly as the provider allows.
    pub restore: &'static str,
}

/// Host-name suffixes, most specific first.
const PROVIDERS: &[(&str, Provider)] = &[
    (
        ".postgres.vercel-storage.com",
        Provider {
            name: "Vercel Postgres (Neon)",
            pitr: "Vercel Postgres databases are Neon projects: Neon keeps a history (restore window) of every change, 1 day on the free plan and up to 30 days on paid plans.",
            restore: "in the Neon console (Vercel: Storage > the database > Open in Neon), Restore the branch to a time, or: neonctl branches restore main ^self@2026-12-01T14:03:00Z --preserve-under-name main_before_restore",
        },
    ),
    (
        ".neon.tech",
        Provider {
            name: "Neon",
            pitr: "Neon keeps a history (restore window) of every change: 1 day on the free plan, up to 30 days on paid plans (Settings > Storage > history retention).",
            restore: "neonctl branches restore main ^self@2026-12-01T14:03:00Z --preserve-under-name main_before_restore (or create a branch at that time to look first: neonctl branches create --name recovery --parent main@2026-12-01T14:03:00Z)",
        },
    ),
    (
        ".supabase.co",
        Provider {
            name: "Supabase",
            pitr: "Supabase takes daily backups on paid plans; point-in-time recovery (to the second) is a paid add-on (Pro plan and up) with 7, 14 or 28 days of WAL.",
            restore: "Dashboard > Database > Backups > Point in time: pick the time; the project is restored in place and is unavailable meanwhile (take `prisma-guard backup` first if it still runs)",
        },
    ),
    (
        ".supabase.com",
        Provider {
            name: "Supabase (pooler)",
            pitr: "Supabase takes daily backups on paid plans; point-in-time recovery (to the second) is a paid add-on (Pro plan and up) with 7, 14 or 28 days of WAL.",
            restore: "Dashboard > Database > Backups > Point in time: pick the time; the project is restored in place and is unavailable meanwhile (take `prisma-guard backup` first if it still runs)",
        },
    ),
    (
        ".rds.amazonaws.com",
        Provider {
            name: "Amazon RDS / Aurora",
            pitr: "RDS keeps automated backups and transaction logs for the backup retention period (1-35 days; 0 turns it off): restore to any second in that window, into a NEW instance.",
            restore: "aws rds restore-db-instance-to-point-in-time --source-db-instance-identifier DB --target-db-instance-identifier DB-restored --restore-time 2026-12-01T14:03:00Z (Aurora: aws rds restore-db-cluster-to-point-in-time --source-db-cluster-identifier C --db-cluster-identifier C-restored --restore-to-time ...), then point DATABASE_URL at the new endpoint",
        },
    ),
    (
        ".postgres.database.azure.com",
        Provider {
            name: "Azure Database for PostgreSQL",
            pitr: "Azure keeps 7 days of backups by default (up to 35): restore to any point in that window, into a NEW server.",
            restore: "az postgres flexible-server restore --resource-group RG --name NEW-SERVER --source-server SERVER --restore-time 2026-12-01T14:03:00Z",
        },
    ),
    (
        ".db.ondigitalocean.com",
        Provider {
            name: "DigitalOcean Managed PostgreSQL",
            pitr: "DigitalOcean keeps 7 days of backups and WAL: fork the cluster to a point in that window (a NEW cluster).",
            restore: "doctl databases fork NEW-CLUSTER --restore-from-cluster-id ID --restore-from-timestamp '2026-12-01 14:03:00 +0000 UTC'",
        },
    ),
    (
        ".render.com",
        Provider {
            name: "Render PostgreSQL",
            pitr: "Render offers point-in-time recovery for paid databases (3 to 7 days depending on the workspace plan), into a NEW database.",
            restore: "Dashboard > the database > Recovery: choose the time; then point DATABASE_URL at the new database",
        },
    ),
    (
        ".aivencloud.com",
        Provider {
            name: "Aiven for PostgreSQL",
            pitr: "Aiven keeps backups and WAL for the plan's retention (2 to 30 days): fork the service to a point in that window.",
            restore: "avn service create NEW-SERVICE --project P --service-type pg --plan PLAN -c service_to_fork_from=SERVICE -c recovery_target_time=2026-12-01T14:03:00Z",
        },
    ),
    (
        ".postgresbridge.com",
        Provider {
            name: "Crunchy Bridge",
            pitr: "Crunchy Bridge keeps WAL for point-in-time recovery: fork the cluster to a time (a NEW cluster).",
            restore: "cb fork --cluster ID --at 2026-12-01T14:03:00Z (or Dashboard > Fork)",
        },
    ),
    (
        ".rlwy.net",
        Provider {
            name: "Railway",
            pitr: "Railway keeps volume backups on a schedule you set (daily, weekly, monthly), with no point-in-time recovery: a restore goes back to the last volume backup.",
            restore: "the service > Backups: restore a volume backup; for a later point, restore a prisma-guard backup (`prisma-guard restore --before TIME`)",
        },
    ),
    (
        ".railway.app",
        Provider {
            name: "Railway",
            pitr: "Railway keeps volume backups on a schedule you set (daily, weekly, monthly), with no point-in-time recovery: a restore goes back to the last volume backup.",
            restore: "the service > Backups: restore a volume backup; for a later point, restore a prisma-guard backup (`prisma-guard restore --before TIME`)",
        },
    ),
    (
        "db.prisma.io",
        Provider {
            name: "Prisma Postgres",
            pitr: "Prisma Postgres takes automatic backups (daily, kept for days depending on the plan); check your plan in the Prisma Console.",
            restore: "Prisma Console > the database > Backups: restore one; for a later point, restore a prisma-guard backup (`prisma-guard restore --before TIME`)",
        },
    ),
];

/// The managed service `host` belongs to, if prisma-guard knows it.
pub fn detect(host: &str) -> Option<&'static Provider> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    PROVIDERS
        .iter()
        .find(|(suffix, _)| host.ends_with(suffix) || host == suffix.trim_start_matches('.'))
        .map(|(_, p)| p)
}

/// What `pitr setup` and `pitr status` say for a managed database.
pub fn explain(p: &Provider, host: &str) -> String {
    format!(
        "{host} is {name}: its point-in-time recovery is the provider's, not pgBackRest's (a managed server gives no access to its WAL archive or data directory).\n\
         \n  Provider PITR: {pitr}\n  To restore to a time: {restore}\n\n\
         Keep prisma-guard's dump backups as the portable copy, off the provider (a deleted project or a closed account takes the provider's backups with it):\n  \
         prisma-guard backup && prisma-guard sync   (nightly: prisma-guard schedule --cron)\n  \
         prisma-guard restore --before \"2026-12-01 14:03\" --to <url>   (the newest verified backup before a time)\n",
        name = p.name,
        pitr = p.pitr,
        restore = p.restore,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_hosts_are_recognised_by_their_names() {
        let name = |h: &str| detect(h).map(|p| p.name);
        assert_eq!(name("db.abcdefghijkl.supabase.co"), Some("Supabase"));
        assert_eq!(name("aws-0-eu-central-1.pooler.supabase.com"), Some("Supabase (pooler)"));
        assert_eq!(name("ep-cool-darkness-123456.us-east-2.aws.neon.tech"), Some("Neon"));
        assert_eq!(name("ep-x-pooler.us-east-1.postgres.vercel-storage.com"), Some("Vercel Postgres (Neon)"));
        assert_eq!(name("mydb.c9akciq32.eu-west-1.rds.amazonaws.com"), Some("Amazon RDS / Aurora"));
        assert_eq!(name("MyDB.cluster-c9a.us-east-1.RDS.amazonaws.com."), Some("Amazon RDS / Aurora"));
        assert_eq!(name("srv.postgres.database.azure.com"), Some("Azure Database for PostgreSQL"));
        assert_eq!(
            name("db-postgresql-fra1-1234-do-user-1.b.db.ondigitalocean.com"),
            Some("DigitalOcean Managed PostgreSQL")
        );
        assert_eq!(name("db.prisma.io"), Some("Prisma Postgres"));
    }

    #[test]
    fn self_managed_hosts_are_not_managed() {
        for h in [
            "localhost",
            "127.0.0.1",
            "db.internal",
            "postgres",
            "neon.tech.example.com",
            "notsupabase.co",
            "ec2-1-2-3-4.compute-1.amazonaws.com",
        ] {
            assert!(detect(h).is_none(), "{h}");
        }
    }
}
