//! Large buffers on huge pages, where Linux offers them.
//!
//! A run's big buffers (the per-trial table, the statistics' sort keys) are
//! written once, front to back, soon after they are allocated; with 4 KiB
//! pages each first write of a page is a fault into the kernel (25,000 of
//! them for a 100 MB table). Where transparent huge pages are enabled only
//! on request (`madvise`, a common default), asking for them turns those
//! into a few dozen 2 MiB faults. The hint changes no value: results are the
//! same bytes with or without it (BENCHMARKS.md has the time it saves).

/// The size of a transparent huge page on x86-64 and arm64 Linux.
const HUGE_PAGE: usize = 2 << 20;

/// Asks the kernel to back the whole 2 MiB pages inside `buf` with huge
/// pages when they are first touched. Best called before the buffer is
/// written; does nothing for buffers under 4 MiB, off Linux, or where the
/// kernel refuses (the hint is advisory).
pub fn advise_huge_pages<T>(buf: &[T]) {
    let bytes = std::mem::size_of_val(buf);
    if bytes < 2 * HUGE_PAGE {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let start = buf.as_ptr() as usize;
        let first = start.next_multiple_of(HUGE_PAGE);
        let end = (start + bytes) / HUGE_PAGE * HUGE_PAGE;
        if end > first {
            // SAFETY: the range lies inside `buf`'s allocation, and
            // MADV_HUGEPAGE changes only how its pages are backed, never
            // their contents.
            unsafe {
                libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_leaves_every_value_as_it_was() {
        let mut v: Vec<u64> = vec![0; 3 << 20];
        advise_huge_pages(&v);
        for (i, x) in v.iter_mut().enumerate() {
            *x = i as u64 * 7;
        }
        assert!(v.iter().enumerate().all(|(i, &x)| x == i as u64 * 7));
        advise_huge_pages(&v[..10]);
        advise_huge_pages::<u8>(&[]);
    }
}
