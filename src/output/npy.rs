//! Reading a float64 `.npy` table straight into rows of a larger table,
//! checking its SHA-256 on the way (the merge's big reads).

use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::Error;

/// Bytes read and hashed at a time: small enough to hash while in cache.
const BLOCK: usize = 1 << 20;
/// The longest header a table's `.npy` file may have.
const MAX_HEADER: usize = 1 << 16;

/// Reads the float64 `.npy` table at `path` into `dest`, whose shape it
/// must have, checking that the file's SHA-256 is `expected`. The data go
/// straight from the file into `dest` (no copy of the file in memory),
/// hashed a block at a time; nothing in the file is believed until the
/// whole of it has been hashed. On an error, `dest` holds whatever was read.
pub(crate) fn read_table_into(
    path: &Path,
    expected: &str,
    dest: &mut [f64],
    shape: [usize; 2],
) -> Result<(), Error> {
    let bad = |message: String| Error::BadFile {
        path: path.to_path_buf(),
        message,
    };
    let io_error = |source: io::Error| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io_error)?;
    let mut hasher = Sha256::new();
    // The preamble: magic, version, header length (2 bytes in version 1,
    // 4 in versions 2 and 3); then the header, at most MAX_HEADER bytes.
    let mut preamble = [0u8; 12];
    let got = read_full(&mut file, &mut preamble[..10]).map_err(io_error)?;
    let long = got == 10 && preamble[6] >= 2;
    let got = got
        + if long {
            read_full(&mut file, &mut preamble[10..]).map_err(io_error)?
        } else {
            0
        };
    let preamble = &preamble[..got];
    hasher.update(preamble);
    let header_len = match preamble {
        [0x93, b'N', b'U', b'M', b'P', b'Y', 1, _, a, b] => u16::from_le_bytes([*a, *b]) as usize,
        [0x93, b'N', b'U', b'M', b'P', b'Y', 2 | 3, _, a, b, c, d] => {
            u32::from_le_bytes([*a, *b, *c, *d]) as usize
        }
        _ => usize::MAX,
    };
    let mut header = vec![0u8; header_len.min(MAX_HEADER)];
    let got = read_full(&mut file, &mut header).map_err(io_error)?;
    header.truncate(got);
    hasher.update(&header);
    // The data, into `dest`; then whatever follows, only to be hashed.
    let data: &mut [u8] = bytemuck::cast_slice_mut(dest);
    let mut filled = 0;
    for block in data.chunks_mut(BLOCK) {
        let got = read_full(&mut file, block).map_err(io_error)?;
        hasher.update(&block[..got]);
        filled += got;
        if got < block.len() {
            break;
        }
    }
    // Bytes past the data: a table's file has none. At most one block is
    // read (a file that never ends, such as a device, must not hang the
    // merge); any at all mean the file is not the table the manifest names.
    let mut buf = vec![0u8; BLOCK];
    let extra = read_full(&mut file, &mut buf).map_err(io_error)?;
    if extra == BLOCK {
        return Err(bad(format!(
            "holds more than a table of shape {shape:?}: damaged, or not this shard's file"
        )));
    }
    hasher.update(&buf[..extra]);
    let sha = hex(&hasher.finalize());
    if sha != expected {
        return Err(bad(format!(
            "damaged: its SHA-256 is {sha}, the manifest recorded {expected}"
        )));
    }
    // The file is the one the shard wrote: now its header is believed.
    if header_len > MAX_HEADER || header.len() < header_len {
        return Err(bad(
            "not a .npy table (its preamble or header is wrong)".into()
        ));
    }
    let header = String::from_utf8_lossy(&header);
    match table_shape(&header) {
        Some(s) if s == shape => {}
        Some(s) => return Err(bad(format!("shape {s:?}, expected {shape:?}"))),
        None => {
            return Err(bad(format!(
                "not a table of float64 in row order: its header is {}",
                header.trim()
            )));
        }
    }
    if filled != data.len() || extra != 0 {
        return Err(bad(format!(
            "holds {} bytes of data, a table of shape {shape:?} has {}",
            filled + extra,
            data.len()
        )));
    }
    if cfg!(target_endian = "big") {
        for x in dest.iter_mut() {
            *x = f64::from_bits(u64::from_le(x.to_bits()));
        }
    }
    Ok(())
}

/// Reads until `buf` is full or the file ends; the bytes read.
fn read_full(file: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// The shape in a `.npy` header of a little-endian float64 table in row
/// order, such as `{'descr': '<f8', 'fortran_order': False, 'shape': (4, 13), }`;
/// `None` for any other header.
fn table_shape(header: &str) -> Option<[usize; 2]> {
    let dict = header.trim().strip_prefix('{')?.strip_suffix('}')?;
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    let mut rest = dict.trim();
    while !rest.is_empty() {
        let (key, tail) = rest.strip_prefix('\'')?.split_once("':")?;
        let tail = tail.trim_start();
        let (value, tail) = if let Some(t) = tail.strip_prefix('(') {
            let (inside, t) = t.split_once(')')?;
            (&tail[..inside.len() + 2], t)
        } else {
            tail.split_once(',').map_or((tail, ""), |(v, t)| (v, t))
        };
        let tail = tail.trim_start();
        rest = tail.strip_prefix(',').unwrap_or(tail).trim_start();
        let value = value.trim();
        match key {
            "descr" => descr = Some(value),
            "fortran_order" => fortran = Some(value),
            "shape" => shape = Some(value),
            _ => return None,
        }
    }
    if descr? != "'<f8'" || fortran? != "False" {
        return None;
    }
    let dims: Vec<usize> = shape?
        .strip_prefix('(')?
        .strip_suffix(')')?
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.parse().ok())
        .collect::<Option<_>>()?;
    match dims[..] {
        [rows, cols] => Some([rows, cols]),
        _ => None,
    }
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use ndarray_npy::WriteNpyExt;

    #[test]
    fn headers_of_tables_and_of_other_arrays() {
        let t = |h: &str| table_shape(h);
        assert_eq!(
            t("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 13), }  \n"),
            Some([4, 13])
        );
        assert_eq!(
            t("{'shape': (0, 3), 'fortran_order': False, 'descr': '<f8'}"),
            Some([0, 3])
        );
        assert_eq!(
            t("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 13), }"),
            None
        );
        assert_eq!(
            t("{'descr': '<f8', 'fortran_order': True, 'shape': (4, 13), }"),
            None
        );
        assert_eq!(
            t("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }"),
            None
        );
        assert_eq!(
            t("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 1, 2), }"),
            None
        );
        assert_eq!(
            t("{'descr': '<f8', 'fortran_order': False, 'shape': (a, 2), }"),
            None
        );
        assert_eq!(
            t("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 2), 'x': 1}"),
            None
        );
        assert_eq!(t("{'descr': '<f8', 'fortran_order': False}"), None);
        assert_eq!(t(""), None);
    }

    /// A table written by ndarray-npy reads back exactly; a file with a
    /// byte changed, cut short or lengthened, or of another shape, is refused
    /// with the reason.
    #[test]
    fn reads_a_table_and_refuses_damaged_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.npy");
        let a = Array2::from_shape_fn((300, 7), |(i, j)| (i * 7 + j) as f64 * 0.1 - 3.0);
        let mut bytes = Vec::new();
        a.write_npy(&mut bytes).unwrap();
        let sha = |b: &[u8]| hex(&Sha256::digest(b));
        let read = |b: &[u8], expected: &str, shape: [usize; 2]| {
            std::fs::write(&path, b).unwrap();
            let mut dest = vec![0.0; shape[0] * shape[1]];
            read_table_into(&path, expected, &mut dest, shape).map(|()| dest)
        };
        let message = |r: Result<Vec<f64>, Error>| r.unwrap_err().to_string();
        let got = read(&bytes, &sha(&bytes), [300, 7]).unwrap();
        assert_eq!(got, a.iter().copied().collect::<Vec<_>>());
        // One byte changed: the hash says so.
        let mut changed = bytes.clone();
        changed[5000] ^= 1;
        assert!(message(read(&changed, &sha(&bytes), [300, 7])).contains("damaged"));
        // Cut short or lengthened, with a manifest that agrees: the size.
        let short = &bytes[..bytes.len() - 8];
        assert!(message(read(short, &sha(short), [300, 7])).contains("bytes of data"));
        let mut long = bytes.clone();
        long.extend([0u8; 8]);
        assert!(message(read(&long, &sha(&long), [300, 7])).contains("bytes of data"));
        // Another shape than the manifest's.
        assert!(message(read(&bytes, &sha(&bytes), [301, 7])).contains("shape [300, 7]"));
        // Not a .npy file at all.
        let text = b"trial,shortfall\n0,1\n";
        assert!(message(read(text, &sha(text), [1, 1])).contains("not a .npy table"));
    }
}
