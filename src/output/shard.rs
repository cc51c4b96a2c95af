//! A shard's folder (`shortfall run --shard K/N`) written and read back,
//! and the merge of shards into the result of one run.
//!
//! A shard holds its slice of the per-trial tables, its per-step sums as the
//! blocks of the engine's fixed tree, its storage histogram, the scenario as
//! run and a manifest with every file's SHA-256 (written last: a folder
//! without a manifest is not a finished shard). Merging checks that the
//! shards belong together and cover every trial exactly once before it reads
//! any table, then rebuilds the run bit for bit.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use ndarray::{Array2, Axis};
use ndarray_npy::{ReadNpyExt, WriteNpyExt};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::npy::{hex, read_table_into};
use crate::atomic::atomic_write;
use crate::engine::hist::HIST_WIDTH;
use crate::engine::{
    CHUNK, NCOLS, SimOutput, StepSums, StorageHist, SumBlock, SumTree, chunk_count, shard_range,
};
use crate::error::Error;
use crate::report::VERSION;
use crate::report::files as run_files;
use crate::report::shard::{FORMAT, MAX_SHARDS, Manifest, files};

/// Writes a shard into `dir`: `sim` holds its trials, `scenario_toml` the
/// scenario as run ([`crate::scenario::canonical_toml`]) and `manifest` what
/// it is part of ([`Manifest::new`]; the files and their hashes are filled
/// in here). Returns the files written, the manifest last.
pub fn write_shard(
    dir: &Path,
    mut manifest: Manifest,
    scenario_toml: &str,
    sim: &SimOutput,
) -> Result<Vec<PathBuf>, Error> {
    // A shard written again into its folder: the old manifest goes first,
    // so that an interrupted rewrite is an unfinished shard, not a damaged one.
    match std::fs::remove_file(dir.join(files::MANIFEST_JSON)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(Error::write(dir, e)),
        _ => {}
    }
    let mut written: Vec<PathBuf> = Vec::new();
    let mut put = |name: &str, fill: &dyn Fn(&mut dyn io::Write) -> io::Result<()>| {
        let path = dir.join(name);
        atomic_write(&path, |w| fill(w))?;
        written.push(path);
        Ok::<(), Error>(())
    };
    put(files::SCENARIO_TOML, &|w| {
        w.write_all(scenario_toml.as_bytes())
    })?;
    put(run_files::TRIALS_NPY, &|w| npy(&sim.table, w))?;
    if sim.inputs.ncols() > 0 {
        put(run_files::INPUTS_NPY, &|w| npy(&sim.inputs, w))?;
    }
    let steps = manifest.steps;
    let width = sums_width(steps, &sim.sums);
    let mut sums = Array2::<f64>::zeros((sim.blocks.len(), width));
    let mut counts = Array2::<u64>::zeros((sim.blocks.len(), steps));
    for (i, b) in sim.blocks.iter().enumerate() {
        for (j, x) in flat(&b.sums).enumerate() {
            sums[[i, j]] = x;
        }
        for (j, &c) in b.sums.shortfall_count.iter().enumerate() {
            counts[[i, j]] = c;
        }
    }
    put(files::SUMS_NPY, &|w| npy(&sums, w))?;
    put(files::COUNTS_NPY, &|w| npy(&counts, w))?;
    let hist = Array2::from_shape_vec((steps, HIST_WIDTH), sim.storage_hist.counts().to_vec())
        .expect("steps × bins");
    put(files::STORAGE_HIST_NPY, &|w| npy(&hist, w))?;

    let mut hashes = BTreeMap::new();
    for path in &written {
        let name = path
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .into_owned();
        hashes.insert(name, sha256_file(path)?);
    }
    manifest.files = hashes;
    let path = dir.join(files::MANIFEST_JSON);
    super::write_json(&path, &manifest)?;
    written.push(path);
    Ok(written)
}

/// A shard found on disk: its folder and its manifest.
#[derive(Debug, Clone)]
pub struct Shard {
    /// Its folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
}

/// Reads the manifests of `dirs` and checks, before any table is read, that
/// they are shards of one run that cover every trial exactly once; then
/// checks every file's SHA-256. Returns the shards in trial order.
pub fn check_shards(dirs: &[PathBuf]) -> Result<Vec<Shard>, Error> {
    let mut shards = Vec::with_capacity(dirs.len());
    for dir in dirs {
        let path = dir.join(files::MANIFEST_JSON);
        if !path.is_file() {
            return Err(Error::Usage(format!(
                "{} is not a finished shard: it holds no {} (a shard writes it after its data; give the folders `run --shard` wrote, OUT/NAME/shard-K-of-N, or the shards folder of a compare or sweep)",
                dir.display(),
                files::MANIFEST_JSON
            )));
        }
        let bytes = std::fs::read(&path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| Error::BadFile {
            path: path.clone(),
            message: format!("not a shard manifest: {e}"),
        })?;
        if manifest.format != FORMAT {
            return Err(Error::BadFile {
                path,
                message: format!("format \"{}\", expected \"{FORMAT}\"", manifest.format),
            });
        }
        if manifest.version != VERSION {
            return Err(Error::Usage(format!(
                "{} was run by shortfall {}; this is shortfall {VERSION}: merge with the version that ran the shards",
                dir.display(),
                manifest.version
            )));
        }
        if manifest.shards == 0 || manifest.shards > MAX_SHARDS {
            return Err(Error::BadFile {
                path,
                message: format!("{} shards; a run has 1 to {MAX_SHARDS}", manifest.shards),
            });
        }
        shards.push(Shard {
            dir: dir.clone(),
            manifest,
        });
    }
    let Some(first) = shards.first() else {
        return Err(Error::Usage("merge needs at least one shard folder".into()));
    };
    let first = first.clone();
    for s in &shards[1..] {
        let (a, b) = (&first.manifest, &s.manifest);
        let differs: [(&str, String, String); 7] = [
            ("version", a.version.clone(), b.version.clone()),
            ("seed", a.seed.to_string(), b.seed.to_string()),
            ("trial count", a.trials.to_string(), b.trials.to_string()),
            (
                "chunk size",
                a.chunk_size.to_string(),
                b.chunk_size.to_string(),
            ),
            ("shard count", a.shards.to_string(), b.shards.to_string()),
            ("step count", a.steps.to_string(), b.steps.to_string()),
            (
                "scenario",
                a.scenario_sha256.clone(),
                b.scenario_sha256.clone(),
            ),
        ];
        if let Some((what, x, y)) = differs.iter().find(|(_, x, y)| x != y) {
            let what = if *what == "scenario" {
                "scenario (SHA-256 after extends and --set)"
            } else {
                what
            };
            return Err(Error::Usage(format!(
                "{} and {} are not shards of one run: their {what} differs ({x} against {y})",
                first.dir.display(),
                s.dir.display()
            )));
        }
    }
    let m = &first.manifest;
    if m.chunk_size != CHUNK as u64 {
        return Err(Error::Usage(format!(
            "{}: chunks of {} trials; this version of shortfall runs chunks of {CHUNK}",
            first.dir.display(),
            m.chunk_size
        )));
    }
    // Each shard's range must be the one its index names, so that two
    // shards can only overlap by having the same index.
    for s in &shards {
        let sm = &s.manifest;
        let fits = sm.shard < sm.shards && {
            let r = shard_range(sm.trials, sm.shard, sm.shards);
            sm.trial_range == [r.start, r.end]
        };
        if !fits {
            return Err(Error::BadFile {
                path: s.dir.join(files::MANIFEST_JSON),
                message: format!(
                    "shard {} of {} cannot hold trials {:?}",
                    sm.shard, sm.shards, sm.trial_range
                ),
            });
        }
    }
    shards.sort_by_key(|s| s.manifest.shard);
    if let Some(w) = shards
        .windows(2)
        .find(|w| w[0].manifest.shard == w[1].manifest.shard)
    {
        return Err(Error::Usage(format!(
            "{} and {} are both shard {} of {}: they overlap",
            w[0].dir.display(),
            w[1].dir.display(),
            w[0].manifest.shard,
            m.shards
        )));
    }
    // Sorted by index without repeats: every shard is there exactly when
    // there are N of them.
    if shards.len() as u64 != m.shards {
        let mut missing = Vec::new();
        let mut next = 0;
        for k in shards.iter().map(|s| s.manifest.shard).chain([m.shards]) {
            missing.extend((next..k).take(10usize.saturating_sub(missing.len())));
            next = k + 1;
        }
        let count = m.shards - shards.len() as u64;
        let listed: Vec<String> = missing
            .iter()
            .map(|&k| {
                let r = shard_range(m.trials, k, m.shards);
                format!("{k} (trials {}..{})", r.start, r.end)
            })
            .collect();
        let more = if count > listed.len() as u64 {
            format!(" and {} more", count - listed.len() as u64)
        } else {
            String::new()
        };
        return Err(Error::Usage(format!(
            "shards missing from the {} of {} (scenario {}, {} trials): {}{more}",
            m.shards,
            m.scenario,
            m.scenario_sha256.get(..12).unwrap_or(""),
            m.trials,
            listed.join(", ")
        )));
    }
    for s in &shards {
        let names: Vec<&str> = s.manifest.files.keys().map(String::as_str).collect();
        let required = [
            files::COUNTS_NPY,
            files::SCENARIO_TOML,
            files::STORAGE_HIST_NPY,
            files::SUMS_NPY,
            run_files::TRIALS_NPY,
        ];
        let known = |n: &str| required.contains(&n) || n == run_files::INPUTS_NPY;
        let with_inputs = |s: &Shard| s.manifest.files.contains_key(run_files::INPUTS_NPY);
        if with_inputs(s) != with_inputs(&shards[0]) {
            return Err(Error::BadFile {
                path: s.dir.join(files::MANIFEST_JSON),
                message: format!(
                    "lists {} where the first shard does not, or the other way round",
                    run_files::INPUTS_NPY
                ),
            });
        }
        if let Some(bad) = required
            .iter()
            .find(|r| !names.contains(r))
            .map(|r| format!("does not list {r}"))
            .or_else(|| {
                names
                    .iter()
                    .find(|n| !known(n))
                    .map(|n| format!("lists a file a shard does not hold: {n}"))
            })
        {
            return Err(Error::BadFile {
                path: s.dir.join(files::MANIFEST_JSON),
                message: bad,
            });
        }
    }
    // Every file's hash, the big tables in parallel; the first damaged
    // file in shard and name order is reported.
    let listed: Vec<(PathBuf, &String)> = shards
        .iter()
        .flat_map(|s| {
            s.manifest
                .files
                .iter()
                .filter(|(name, _)| !VERIFIED_AS_READ.contains(&name.as_str()))
                .map(|(name, hash)| (s.dir.join(name), hash))
        })
        .collect();
    let found: Vec<Result<(), Error>> = listed
        .par_iter()
        .map(|(path, hash)| {
            let got = sha256_file(path)?;
            if &got == *hash {
                Ok(())
            } else {
                Err(Error::BadFile {
                    path: path.clone(),
                    message: format!("damaged: its SHA-256 is {got}, the manifest recorded {hash}"),
                })
            }
        })
        .collect();
    found.into_iter().collect::<Result<(), Error>>()?;
    Ok(shards)
}

/// Merges checked shards ([`check_shards`]) into the result of the whole
/// run: the same rows, histogram and per-step sums, bit for bit, as the run
/// in one piece. `zero` is a zeroed [`StepSums`] of the run's model (which
/// gives the shapes) and `inputs` its number of drawn inputs.
pub fn merge_shards(shards: &[Shard], zero: StepSums, inputs: usize) -> Result<SimOutput, Error> {
    let first = &shards[0];
    let m = &first.manifest;
    let steps = m.steps;
    let n = usize::try_from(m.trials).map_err(|_| Error::Resources {
        what: "too many trials for this machine".into(),
        advice: "merge on a 64-bit machine".into(),
    })?;
    if inputs > 0 && !m.files.contains_key(run_files::INPUTS_NPY) {
        return Err(Error::BadFile {
            path: first.dir.join(files::MANIFEST_JSON),
            message: format!(
                "the scenario draws inputs, but {} is not listed",
                run_files::INPUTS_NPY
            ),
        });
    }
    let need = n * (NCOLS + inputs) * 8;
    Vec::<u8>::new()
        .try_reserve_exact(need)
        .map_err(|_| Error::Resources {
            what: format!(
                "not enough memory for the merged per-trial tables ({:.1} GB)",
                need as f64 / 1e9
            ),
            advice: "merge on a machine with more memory, or run fewer trials".into(),
        })?;
    let mut table = Array2::<f64>::zeros((n, NCOLS));
    let mut input_table = Array2::<f64>::zeros((n, inputs));
    let mut hist = StorageHist::new(steps);
    let chunks = chunk_count(m.trials);
    let mut tree = SumTree::new(chunks);
    let width = sums_width(steps, &zero);
    // The per-trial tables, each shard into its own rows, in parallel.
    let (mut rows, mut input_rows) = (Vec::new(), Vec::new());
    let (mut rest, mut input_rest) = (table.view_mut(), input_table.view_mut());
    for sh in shards {
        let [a, b] = sh.manifest.trial_range;
        let (part, tail) = rest.split_at(Axis(0), (b - a) as usize);
        rows.push(part);
        rest = tail;
        let (part, tail) = input_rest.split_at(Axis(0), (b - a) as usize);
        input_rows.push(part);
        input_rest = tail;
    }
    shards
        .par_iter()
        .zip(rows)
        .zip(input_rows)
        .map(|((sh, rows), input_rows)| {
            let read = |name: &str, mut rows: ndarray::ArrayViewMut2<'_, f64>| {
                let path = sh.dir.join(name);
                let Some(hash) = sh.manifest.files.get(name) else {
                    return Err(Error::BadFile {
                        path,
                        message: "is not listed in the shard's manifest".into(),
                    });
                };
                let shape = [rows.nrows(), rows.ncols()];
                let dest = rows.as_slice_mut().expect("rows of a table in row order");
                read_table_into(&path, hash, dest, shape)
            };
            read(run_files::TRIALS_NPY, rows)?;
            if inputs > 0 {
                read(run_files::INPUTS_NPY, input_rows)?;
            }
            Ok(())
        })
        .collect::<Vec<Result<(), Error>>>()
        .into_iter()
        .collect::<Result<(), Error>>()?;
    for s in shards {
        let [a, b] = s.manifest.trial_range;
        let chunk = CHUNK as u64;
        let count = s.manifest.blocks.len();
        let sums = read_npy::<f64>(&s.dir.join(files::SUMS_NPY), [count, width])?;
        let counts = read_npy::<u64>(&s.dir.join(files::COUNTS_NPY), [count, steps])?;
        for (i, &[level, index]) in s.manifest.blocks.iter().enumerate() {
            let block = SumBlock {
                level: u32::try_from(level).unwrap_or(u32::MAX),
                index,
                sums: unflat(&zero, &sums.row(i).to_vec(), counts.row(i)),
            };
            if block.level >= 64 || tree.end_chunk().unwrap_or(a / chunk) != block.first_chunk() {
                return Err(Error::BadFile {
                    path: s.dir.join(files::MANIFEST_JSON),
                    message: format!("block [{level}, {index}] does not follow on"),
                });
            }
            tree.push(block);
        }
        // The blocks cover exactly the shard's chunks.
        if a < b && tree.end_chunk() != Some(b.div_ceil(chunk)) {
            return Err(Error::BadFile {
                path: s.dir.join(files::MANIFEST_JSON),
                message: format!("its blocks do not cover trials {a}..{b}"),
            });
        }
        let part = read_npy::<u32>(&s.dir.join(files::STORAGE_HIST_NPY), [steps, HIST_WIDTH])?;
        hist.add(&StorageHist::from_counts(
            steps,
            part.iter().copied().collect(),
        ));
    }
    let blocks = tree.into_blocks();
    // One block is left, the tree's root: index 0, the lowest level that
    // spans every chunk.
    let root_level = u64::BITS - chunks.saturating_sub(1).leading_zeros();
    let is_root = |b: &SumBlock| b.index == 0 && (chunks <= 1 || b.level == root_level);
    if (chunks > 0 && (blocks.len() != 1 || !is_root(&blocks[0]))) || blocks.len() > 1 {
        return Err(Error::BadFile {
            path: first.dir.join(files::MANIFEST_JSON),
            message: "the shards' per-step sums do not add up to one run".into(),
        });
    }
    let sums = blocks.first().map_or(zero, |b| b.sums.clone());
    Ok(SimOutput {
        trials: 0..m.trials,
        table,
        inputs: input_table,
        sums,
        blocks,
        chunks,
        storage_hist: hist,
    })
}

/// Floats per block in sums.npy.
fn sums_width(steps: usize, sums: &StepSums) -> usize {
    6 * steps + sums.lost_by_supplier.len() + sums.lost_by_event.len() + sums.demand_by_event.len()
}

/// A block's float sums in the order of sums.npy.
fn flat(s: &StepSums) -> impl Iterator<Item = f64> + '_ {
    [
        &s.demand,
        &s.supply,
        &s.lost,
        &s.substitute,
        &s.emergency,
        &s.shortfall,
        &s.lost_by_supplier,
        &s.lost_by_event,
        &s.demand_by_event,
    ]
    .into_iter()
    .flat_map(|v| v.iter().copied())
}

/// The inverse of [`flat`], with the block's shortfall counts.
fn unflat(like: &StepSums, row: &[f64], counts: ndarray::ArrayView1<'_, u64>) -> StepSums {
    let mut out = like.zeroed();
    let mut rest = row;
    for v in [
        &mut out.demand,
        &mut out.supply,
        &mut out.lost,
        &mut out.substitute,
        &mut out.emergency,
        &mut out.shortfall,
        &mut out.lost_by_supplier,
        &mut out.lost_by_event,
        &mut out.demand_by_event,
    ] {
        let (head, tail) = rest.split_at(v.len());
        v.copy_from_slice(head);
        rest = tail;
    }
    out.shortfall_count = counts.to_vec();
    out
}

fn npy<A: ndarray_npy::WritableElement>(a: &Array2<A>, w: &mut dyn io::Write) -> io::Result<()> {
    a.write_npy(w).map_err(|e| io::Error::other(e.to_string()))
}

/// Reads a 2-D .npy file of the given shape.
fn read_npy<A: ndarray_npy::ReadableElement>(
    path: &Path,
    shape: [usize; 2],
) -> Result<Array2<A>, Error> {
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let a = Array2::<A>::read_npy(io::BufReader::new(file)).map_err(|e| Error::BadFile {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if a.shape() != shape {
        return Err(Error::BadFile {
            path: path.to_path_buf(),
            message: format!("shape {:?}, expected {shape:?}", a.shape()),
        });
    }
    Ok(a)
}

/// The big files, whose SHA-256 is checked as they are read (one pass over
/// them instead of two); the merge writes nothing before it has read them.
const VERIFIED_AS_READ: [&str; 2] = [run_files::TRIALS_NPY, run_files::INPUTS_NPY];

/// A file's SHA-256 as lowercase hex.
fn sha256_file(path: &Path) -> Result<String, Error> {
    let mut file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = io::Read::read(&mut file, &mut buf).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}
