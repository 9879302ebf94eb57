//! Issue 21: the crate is ready for crates.io. `cargo package` ships what the build reads (every
//! `include_str!` target) and no test-only files, and stays small.

use std::path::Path;
use std::process::Command;

#[test]
fn the_crate_package_holds_what_the_build_reads_and_no_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listed: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
    assert!(listed.iter().any(|f| f == "src/main.rs") && listed.iter().any(|f| f == "LICENSE"), "{listed:?}");
    assert!(!listed.iter().any(|f| f.starts_with("tests/")), "test-only files are not packaged: {listed:?}");
    let size: u64 = listed.iter().filter_map(|f| std::fs::metadata(root.join(f)).ok()).map(|m| m.len()).sum();
    assert!(size < 5 << 20, "the package holds {size} bytes");
    // Every file the source includes at compile time is in the package.
    let mut stack = vec![root.join("src")];
    let mut included = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for part in text.split("include_str!(\"").skip(1).chain(text.split("include_bytes!(\"").skip(1)) {
                let rel = &part[..part.find('"').unwrap()];
                let target = path.parent().unwrap().join(rel).canonicalize().unwrap();
                let target = target.strip_prefix(root.canonicalize().unwrap()).unwrap().to_string_lossy().into_owned();
                assert!(listed.contains(&target), "{} includes {target}, which the package leaves out", path.display());
                included += 1;
            }
        }
    }
    assert!(included > 10, "found the include_str! targets ({included})");
}

/// The release workflow builds every platform of npm/platforms.json with its Rust target and
/// packs it with scripts/npm-pack.sh.
#[test]
fn the_release_workflow_builds_every_npm_platform() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workflow = std::fs::read_to_string(root.join("templates/ci/release.yml")).unwrap();
    let platforms: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("npm/platforms.json")).unwrap()).unwrap();
    let platforms = platforms.as_array().unwrap();
    assert_eq!(platforms.len(), 5);
    for p in platforms {
        let (key, target) = (p["key"].as_str().unwrap(), p["rust"].as_str().unwrap());
        let row = format!("platform: {key}, target: {target},");
        assert!(workflow.contains(&row), "release.yml builds {key} for {target}");
    }
    assert!(workflow.contains("./scripts/npm-pack.sh"));
    assert!(root.join("docs/releasing.md").is_file());
}
