//! The `argus` binary: parse the command line, run, exit with the documented code.

fn main() {
    tune_allocator();
    std::process::exit(argus::cli::run());
}

/// glibc hands freed memory at the top of its heaps back to the kernel once 128 KiB are free,
/// and a query that decodes series batch after batch then takes every batch's pages fresh
/// from the kernel (a page fault and a zeroed page each). Keeping up to 64 MiB lets the next
/// batch reuse them; the memory is returned when the process exits, and long-running modes
/// stay bounded by the batch size.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters and is called before any other thread
    // exists.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 16 << 20);
    }
}
