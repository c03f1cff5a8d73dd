//! `palisade render`: the provider input for a cluster file.

use std::path::PathBuf;

use super::common::{load_cluster_file, settings, DocFormat};
use super::{exit, Output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A cluster file, or a directory searched for them; repeat for many (default
    /// palisade.yaml). Many files render offline, concurrently, in path order.
    #[arg(short = 'f', long = "file")]
    file: Vec<PathBuf>,
    /// Files and directories among which the cluster files are rendered; other YAML is
    /// skipped (a pre-commit hook passes every changed file).
    #[arg(value_name = "PATH", conflicts_with = "file")]
    paths: Vec<PathBuf>,
    /// yaml: a multi-document stream; json: an array of the same documents (GKE: the
    /// CreateClusterRequest, with enum names).
    #[arg(short = 'o', long = "output", value_enum, default_value = "yaml")]
    output: DocFormat,
    /// Write the in-cluster objects (namespaces, policies, admission policies) to DIR, one
    /// file each, for Argo CD, Flux or Config Sync, instead of printing the provider input.
    #[arg(long = "manifests", value_name = "DIR")]
    manifests: Option<PathBuf>,
}

impl Args {
    /// Whether the output is JSON (errors about the cluster file are then JSON on stdout too).
    pub fn json(&self) -> bool {
        self.output == DocFormat::Json
    }
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    if !a.paths.is_empty() {
        let found = crate::fleet::discover_among(&a.paths).map_err(anyhow::Error::msg)?;
        return render_files(&a, &found.files, o);
    }
    let found = super::fleet::files(&a.file)?;
    if super::fleet::is_fleet(&found) {
        return render_files(&a, &found.files, o);
    }
    let Some(file) = found.files.first() else {
        anyhow::bail!("no cluster file given");
    };
    let loaded = load_cluster_file(file, &[])?;
    let provider = crate::provider::for_cluster_file(&loaded.file);
    let rendered = provider.render(&loaded, &settings(None, None, None), a.output.into())?;
    super::common::render_notes(&rendered.warnings, &rendered.findings, o)?;
    match &a.manifests {
        None => o.print(&rendered.text)?,
        Some(dir) => write_manifests(dir, &rendered.objects, o)?,
    }
    Ok(exit::OK)
}

/// Many cluster files: YAML as one stream, each file's documents after a comment naming it;
/// JSON as one array of `{file, documents}`. A file that does not render is reported on
/// stderr at its line and the others still render; the exit code is the worst.
fn render_files(a: &Args, files: &[PathBuf], o: &mut Output<'_>) -> anyhow::Result<u8> {
    if a.manifests.is_some() {
        anyhow::bail!("--manifests writes one cluster's objects; give one -f FILE");
    }
    let s = settings(None, None, None);
    let runs = super::fleet::run_each(files, o.verbosity, |path, o| {
        let loaded = load_cluster_file(path, &[])?;
        let provider = crate::provider::for_cluster_file(&loaded.file);
        let rendered = provider.render(&loaded, &s, a.output.into())?;
        super::common::render_notes(&rendered.warnings, &rendered.findings, o)?;
        Ok((exit::OK, rendered.text))
    });
    let mut json = Vec::new();
    for r in &runs {
        r.notes(o)?;
        match (&r.result, a.output) {
            (Err(f), DocFormat::Json) => {
                o.note(&format!("error: {}", f.message))?;
                json.push(super::fleet::failure_json(&r.file, f));
            }
            (Err(f), DocFormat::Yaml) => o.note(&format!("error: {}", f.message))?,
            (Ok(text), DocFormat::Yaml) => {
                o.print(&format!(
                    "# palisade render -f {}\n",
                    super::fleet::shown(&r.file)
                ))?;
                // each file's documents start a document of their own in the stream
                if !text.starts_with("---") {
                    o.print("---\n")?;
                }
                o.print(text)?;
                if !text.ends_with('\n') {
                    o.print("\n")?;
                }
            }
            (Ok(text), DocFormat::Json) => {
                let documents: serde_json::Value = serde_json::from_str(text)?;
                json.push(serde_json::json!({
                    "file": r.file.display().to_string(),
                    "documents": documents,
                }));
            }
        }
    }
    if a.output == DocFormat::Json {
        o.print(&(serde_json::to_string_pretty(&json)? + "\n"))?;
    }
    Ok(super::fleet::worst(runs.iter().map(|r| r.code)))
}

/// Whether `name` is a file `--manifests` writes: `NNN-kind-…-name.yaml`.
fn is_manifest_name(name: &str) -> bool {
    let Some((number, rest)) = name.split_once('-') else {
        return false;
    };
    (2..=4).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
        && rest.ends_with(".yaml")
        && rest
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

/// One file per object: `NNN-KIND[-NAMESPACE]-NAME.yaml`, in the order they apply. The
/// directory holds exactly these afterwards: files of an earlier run are removed first, and a
/// directory holding anything else (or a link) is refused rather than mixed into.
fn write_manifests(
    dir: &std::path::Path,
    objects: &[serde_yaml::Value],
    o: &mut Output<'_>,
) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write as _;
    if objects.is_empty() {
        anyhow::bail!(
            "this cluster ships no in-cluster objects: declare its namespaces (namespaces: in the cluster file), or enforce a guardrail control that ships an admission policy"
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut old = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let regular = entry.file_type().is_ok_and(|t| t.is_file());
        // Palisade's by its name and by what it holds: one object Palisade ships
        let ours = regular
            && is_manifest_name(&name)
            && crate::input::read_text(&entry.path(), crate::input::CLUSTER_FILE)
                .ok()
                .and_then(|t| serde_yaml::from_str::<serde_yaml::Value>(&t).ok())
                .is_some_and(|v| crate::guardrails::is_managed(&v));
        if !ours {
            anyhow::bail!(
                "{} holds {name}, which `render --manifests` did not write; give an empty or new directory",
                dir.display()
            );
        }
        old.push(entry.path());
    }
    for path in old {
        std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
    }
    for (i, object) in objects.iter().enumerate() {
        let id = crate::guardrails::object_id(object)
            .to_lowercase()
            .replace('/', "-");
        let path = dir.join(format!("{:03}-{id}.yaml", i + 1));
        // created here, never through a link left in the way
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        file.write_all(crate::kops::emit::to_yaml(object).as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        o.print(&format!("wrote {}\n", path.display()))?;
    }
    Ok(())
}
