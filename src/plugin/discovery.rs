//! Where plugins are looked for: the config's plugin paths, then the running executable's
//! directory (where `cargo run` puts the cdylibs beside the binary).

use super::loader::{LoadError, LoadedPlugin};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `rampsim_paxos` in the platform's library naming: `librampsim_paxos.so`, `.dylib`, `.dll`.
pub fn library_file_name(id: &str) -> PathBuf {
    PathBuf::from(libloading::library_filename(format!("rampsim_{id}")))
}

/// The directories searched, in order, without duplicates.
pub fn search_dirs(config_paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = config_paths.to_vec();
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
    {
        dirs.push(exe_dir);
    }
    // The plugins build.rs built for this binary (what `cargo run` gets on a fresh clone).
    if let Some(bundled) = option_env!("RAMPSIM_BUNDLED_PLUGINS") {
        dirs.push(PathBuf::from(bundled));
    }
    let mut seen = BTreeSet::new();
    dirs.retain(|d| seen.insert(d.clone()));
    dirs
}

/// Loads plugin `id` from the first directory that has its library, checking that the
/// manifest's id matches.
pub fn find_plugin(id: &str, dirs: &[PathBuf]) -> Result<LoadedPlugin, LoadError> {
    let file = library_file_name(id);
    let searched: Vec<PathBuf> = dirs.iter().map(|d| d.join(&file)).collect();
    let path = searched
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| LoadError::NotFound {
            id: id.to_string(),
            searched: searched.clone(),
        })?;
    let plugin = LoadedPlugin::load(&path)?;
    if plugin.manifest.id != id {
        return Err(LoadError::IdMismatch {
            path,
            expected: id.to_string(),
            found: plugin.manifest.id.clone(),
            others: Vec::new(),
        });
    }
    Ok(plugin)
}

/// A library that looked like a plugin but could not be loaded.
#[derive(Debug, Clone)]
pub struct FailedPlugin {
    pub path: PathBuf,
    pub error: LoadError,
}

/// Every plugin found in `dirs`, and the ones that failed with why.
#[derive(Debug, Default, Clone)]
pub struct Discovery {
    pub plugins: Vec<Arc<LoadedPlugin>>,
    pub failed: Vec<FailedPlugin>,
    pub searched: Vec<PathBuf>,
    /// Libraries not loaded because a directory searched earlier has one of the same name.
    pub shadowed: Vec<PathBuf>,
}

impl Discovery {
    pub fn get(&self, id: &str) -> Option<&Arc<LoadedPlugin>> {
        self.plugins.iter().find(|p| p.manifest.id == id)
    }
}

/// The plugin id a library file name stands for (`librampsim_paxos.so` -> `paxos`), by the
/// platform's naming of [`library_file_name`].
fn library_id(file_name: &str) -> Option<&str> {
    let probe = library_file_name("X");
    let probe = probe.to_string_lossy();
    let (prefix, suffix) = probe.split_once('X').unwrap_or(("rampsim_", ""));
    let id = file_name.strip_prefix(prefix)?.strip_suffix(suffix)?;
    (!id.is_empty()).then_some(id)
}

/// The ids of the plugin libraries in `dirs`, by file name alone (nothing is loaded).
pub fn library_ids(dirs: &[PathBuf]) -> BTreeSet<String> {
    dirs.iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| library_id(&n).map(str::to_string))
        .collect()
}

/// Scans `dirs` for files named like plugins (`librampsim_<id>.so`) and loads each, by the rule
/// of [`find_plugin`], so that what is listed is what `run` loads:
/// - the first directory that has a file name wins; later copies are not even loaded (a loaded
///   library stays mapped for the life of the process: running from `target/release`, the exe
///   directory and the bundled one hold the same six plugins);
/// - a library whose manifest id is not the one its file name stands for is failed, naming the
///   other libraries found for that id (`run --provider <id>` loads `librampsim_<id>.so`, never
///   it). File names are unique, so two listed plugins never share an id.
pub fn discover(dirs: &[PathBuf]) -> Discovery {
    let mut out = Discovery {
        searched: dirs.to_vec(),
        ..Default::default()
    };
    let mut names = BTreeSet::new();
    // Each library loaded or tried, in search order, with the id it stands for.
    let mut claims: Vec<(PathBuf, String)> = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| file_id(p).is_some())
            .collect();
        files.sort();
        for path in files {
            if !names.insert(path.file_name().map(|n| n.to_os_string())) {
                out.shadowed.push(path);
                continue;
            }
            match LoadedPlugin::load(&path).and_then(named_for_its_id) {
                Ok(p) => {
                    claims.push((path, p.manifest.id.clone()));
                    out.plugins.push(Arc::new(p));
                }
                Err(error) => {
                    if let Some(id) = claimed_id(&path, &error) {
                        claims.push((path.clone(), id.to_string()));
                    }
                    out.failed.push(FailedPlugin { path, error });
                }
            }
        }
    }
    name_other_libraries(&mut out.failed, &claims);
    out.plugins
        .sort_by(|a, b| a.manifest.id.cmp(&b.manifest.id));
    out
}

/// The id a path's file name stands for, if it is named like a plugin.
fn file_id(path: &Path) -> Option<&str> {
    library_id(path.file_name()?.to_str()?)
}

/// `plugin`, unless its manifest id differs from the id its file name stands for.
fn named_for_its_id(plugin: LoadedPlugin) -> Result<LoadedPlugin, LoadError> {
    match file_id(&plugin.path) {
        Some(id) if id == plugin.manifest.id => Ok(plugin),
        named => Err(LoadError::IdMismatch {
            expected: named.unwrap_or_default().to_string(),
            found: plugin.manifest.id.clone(),
            path: plugin.path.clone(),
            others: Vec::new(),
        }),
    }
}

/// The id a library that failed stands for: the one it declares if it is misnamed, else the one
/// its file name stands for.
fn claimed_id<'a>(path: &'a Path, error: &'a LoadError) -> Option<&'a str> {
    match error {
        LoadError::IdMismatch { found, .. } => Some(found),
        _ => file_id(path),
    }
}

/// Fills in, for each misnamed library, the other libraries found for the id it declares: the
/// one named for it (loaded or not) and any other that declares it.
fn name_other_libraries(failed: &mut [FailedPlugin], claims: &[(PathBuf, String)]) {
    for f in failed {
        if let LoadError::IdMismatch {
            path,
            found: id,
            others,
            ..
        } = &mut f.error
        {
            *others = claims
                .iter()
                .filter(|(p, i)| i == id && p != path)
                .map(|(p, _)| p.clone())
                .collect();
        }
    }
}
