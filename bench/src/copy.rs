//! Copying folders out of places the run must not depend on or write to.

use std::{os::unix::fs::PermissionsExt, path::Path};

use anyhow::Context;

/// Copies a directory tree, leaving out entries named in `skip`, and makes
/// everything writable by its owner (the shared folder is read-only, and
/// the Django peer writes its database beside its sources).
pub fn copy_tree(from: &Path, to: &Path, skip: &[&str]) -> anyhow::Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot list {}", from.display()))?
    {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_str().is_some_and(|name| skip.contains(&name)) {
            continue;
        }
        let source = entry.path();
        let target = to.join(&name);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&source, &target, skip)?;
        } else if kind.is_file() {
            std::fs::copy(&source, &target)
                .with_context(|| format!("cannot copy {}", source.display()))?;
        } else {
            continue;
        }
        let mut permissions = std::fs::metadata(&target)?.permissions();
        permissions.set_mode(permissions.mode() | 0o200);
        std::fs::set_permissions(&target, permissions)
            .with_context(|| format!("cannot make {} writable", target.display()))?;
    }
    Ok(())
}
