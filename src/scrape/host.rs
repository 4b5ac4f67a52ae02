//! This machine's own basic metrics, read from Linux's `/proc` and `/sys`, under
//! node_exporter's names, label names, units and help texts: what `argus scrape` collects when
//! it is given no target, so that its first run shows something on a fresh machine where no
//! exporter is installed.
//!
//! Collected, each as node_exporter's collector of the same name reads it:
//! - `node_cpu_seconds_total{cpu,mode}` from the `cpuN` lines of `/proc/stat` (user, nice,
//!   system, idle, iowait, irq, softirq, steal; clock ticks divided by `_SC_CLK_TCK`), and
//!   `node_boot_time_seconds` from its `btime`;
//! - `node_load1`, `node_load5`, `node_load15` from `/proc/loadavg`;
//! - `node_memory_<Field>_bytes` for MemTotal, MemFree, MemAvailable, Buffers, Cached,
//!   SwapTotal and SwapFree from `/proc/meminfo` (kB × 1024);
//! - `node_filesystem_size_bytes`, `_free_bytes`, `_avail_bytes{device,fstype,mountpoint}` by
//!   `statvfs` of each mount of `/proc/1/mounts` (else `/proc/mounts`), skipping pseudo file
//!   systems and the mount points node_exporter skips by default;
//! - `node_network_receive_bytes_total`, `_transmit_bytes_total{device}` from `/proc/net/dev`;
//! - `node_disk_read_bytes_total`, `_written_bytes_total{device}` from `/proc/diskstats`
//!   (512-byte sectors; partitions, loop and RAM disks skipped as node_exporter does);
//! - `node_time_seconds` (the clock) and `node_uname_info` (`uname(2)`).
//!
//! `/proc/stat`, `/proc/loadavg` and `/proc/meminfo` are required: without them (not Linux)
//! the scrape fails with the reason and `up` is 0. The other files are optional and their
//! families are left out when a file is missing, as a container may hide them. A mount whose
//! `statvfs` fails is left out. The result goes through the same pipeline as a scraped body
//! (`append`): target labels, `up` and the other synthetic series, staleness markers.
//!
//! What this file deliberately does not do: the other few hundred node_exporter series, and
//! any platform but Linux.

use std::sync::OnceLock;

use regex::Regex;

use super::parse::{ParsedBody, ScrapedSample};
use super::target::{ScrapeJob, Target, TargetKind};
use crate::model::{Labels, MetricMetadata, MetricType};

/// The scrape URL of the host target, as reports and `/api/v1/targets` show it.
pub const HOST_URL: &str = "host://localhost";

/// The job of the host target: node_exporter's usual job, so that queries written for it
/// (`{job="node"}`) work on both.
pub const HOST_JOB: &str = "node";

/// The job holding this host's target, its `instance` the host name.
pub fn host_job(job: &str, interval_ms: i64, timeout_ms: i64) -> ScrapeJob {
    let target = Target {
        kind: TargetKind::Host,
        url: HOST_URL.to_string(),
        labels: Labels::from_pairs([("instance", hostname().as_str()), ("job", job)]),
        interval_ms,
        timeout_ms: timeout_ms.min(interval_ms),
        auth: None,
    };
    ScrapeJob {
        name: job.to_string(),
        honor_labels: false,
        honor_timestamps: true,
        metric_relabel_configs: Vec::new(),
        targets: vec![target],
    }
}

/// This host's name (`uname -n`), `localhost` when it cannot be had.
pub fn hostname() -> String {
    uname()
        .map(|u| u.nodename)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

/// Collects every family once.
pub fn collect() -> Result<ParsedBody, String> {
    let mut out = Exposition::default();
    let stat = read("/proc/stat")?;
    let (cpus, boot_time) = parse_stat(&stat, clock_ticks_per_second());
    out.family(
        "node_boot_time_seconds",
        MetricType::Gauge,
        "Node boot time, in unixtime.",
    );
    if let Some(b) = boot_time {
        out.sample("node_boot_time_seconds", &[], b);
    }
    out.family(
        "node_cpu_seconds_total",
        MetricType::Counter,
        "Seconds the CPUs spent in each mode.",
    );
    for (cpu, seconds) in &cpus {
        for (mode, v) in CPU_MODES.iter().zip(seconds) {
            out.sample(
                "node_cpu_seconds_total",
                &[("cpu", cpu), ("mode", mode)],
                *v,
            );
        }
    }
    let load = parse_loadavg(&read("/proc/loadavg")?)?;
    for (name, minutes, v) in [
        ("node_load1", 1, load[0]),
        ("node_load5", 5, load[1]),
        ("node_load15", 15, load[2]),
    ] {
        out.family(
            name,
            MetricType::Gauge,
            &format!("{minutes}m load average."),
        );
        out.sample(name, &[], v);
    }
    for (field, bytes) in parse_meminfo(&read("/proc/meminfo")?) {
        let name = format!("node_memory_{field}_bytes");
        out.family(
            &name,
            MetricType::Gauge,
            &format!("Memory information field {field}_bytes."),
        );
        out.sample(&name, &[], bytes);
    }
    filesystems(&mut out);
    if let Ok(text) = read("/proc/net/dev") {
        network(&mut out, &parse_netdev(&text));
    }
    if let Ok(text) = read("/proc/diskstats") {
        disks(&mut out, &parse_diskstats(&text));
    }
    out.family(
        "node_time_seconds",
        MetricType::Gauge,
        "System time in seconds since epoch (1970).",
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    out.sample("node_time_seconds", &[], now);
    if let Some(u) = uname() {
        out.family(
            "node_uname_info",
            MetricType::Gauge,
            "Labeled system information as provided by the uname system call.",
        );
        out.sample(
            "node_uname_info",
            &[
                ("domainname", &u.domainname),
                ("machine", &u.machine),
                ("nodename", &u.nodename),
                ("release", &u.release),
                ("sysname", &u.sysname),
                ("version", &u.version),
            ],
            1.0,
        );
    }
    Ok(out.body)
}

/// The families and samples collected so far.
#[derive(Default)]
struct Exposition {
    body: ParsedBody,
}

impl Exposition {
    fn family(&mut self, name: &str, kind: MetricType, help: &str) {
        self.body.metadata.push(MetricMetadata {
            metric: name.to_string(),
            kind,
            help: help.to_string(),
            unit: String::new(),
        });
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        let pairs = std::iter::once(("__name__", name)).chain(labels.iter().copied());
        self.body.samples.push(ScrapedSample {
            labels: Labels::from_pairs(pairs),
            timestamp: None,
            value,
        });
    }
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| {
        format!("cannot read {path} ({e}); this host's metrics are read from Linux's /proc")
    })
}

/// The kernel's clock ticks per second (`USER_HZ`, 100 on every Linux in practice).
fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions; it returns -1 for an unknown name.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as f64
    } else {
        100.0
    }
}

/// node_exporter's `mode` label values, in `/proc/stat`'s column order.
const CPU_MODES: [&str; 8] = [
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
];

/// Per-CPU seconds by mode, and the boot time, from `/proc/stat`.
fn parse_stat(text: &str, ticks: f64) -> (Vec<(String, [f64; 8])>, Option<f64>) {
    let mut cpus = Vec::new();
    let mut boot = None;
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        let Some(key) = fields.next() else { continue };
        if key == "btime" {
            boot = fields.next().and_then(|v| v.parse::<f64>().ok());
        } else if let Some(id) = key.strip_prefix("cpu").filter(|id| !id.is_empty()) {
            let mut seconds = [0.0; 8];
            for (slot, v) in seconds.iter_mut().zip(fields) {
                *slot = v.parse::<f64>().unwrap_or(0.0) / ticks;
            }
            cpus.push((id.to_string(), seconds));
        }
    }
    (cpus, boot)
}

fn parse_loadavg(text: &str) -> Result<[f64; 3], String> {
    let mut v = [0.0; 3];
    let mut fields = text.split_whitespace();
    for slot in &mut v {
        *slot = fields
            .next()
            .and_then(|f| f.parse().ok())
            .ok_or_else(|| format!("/proc/loadavg: unexpected content {text:?}"))?;
    }
    Ok(v)
}

/// The `/proc/meminfo` fields argus exports.
const MEMINFO_FIELDS: [&str; 7] = [
    "MemTotal",
    "MemFree",
    "MemAvailable",
    "Buffers",
    "Cached",
    "SwapTotal",
    "SwapFree",
];

/// The exported fields of `/proc/meminfo` in bytes, in the file's order.
fn parse_meminfo(text: &str) -> Vec<(&str, f64)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some((field, rest)) = line.split_once(':') else {
            continue;
        };
        if !MEMINFO_FIELDS.contains(&field) {
            continue;
        }
        let mut parts = rest.split_whitespace();
        let Some(Ok(v)) = parts.next().map(str::parse::<f64>) else {
            continue;
        };
        let factor = if parts.next() == Some("kB") {
            1024.0
        } else {
            1.0
        };
        out.push((field, v * factor));
    }
    out
}

/// One line of a mount table.
#[derive(Debug, PartialEq)]
struct Mount {
    device: String,
    mount_point: String,
    fs_type: String,
}

/// The mounts of a mount table (`/proc/mounts` format), with `\040`-style escapes decoded.
fn parse_mounts(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let mut f = line.split_whitespace();
            Some(Mount {
                device: unescape_octal(f.next()?),
                mount_point: unescape_octal(f.next()?),
                fs_type: f.next()?.to_string(),
            })
        })
        .collect()
}

/// Decodes the kernel's `\ooo` escapes (space, tab, newline, backslash) in mount tables.
fn unescape_octal(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let digits = b
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|c| (b'0'..=b'7').contains(c)));
        if let (b'\\', Some(d)) = (b[i], digits) {
            let v = d.iter().fold(0u32, |acc, c| acc * 8 + u32::from(c - b'0'));
            if let Ok(byte) = u8::try_from(v) {
                out.push(byte);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// node_exporter's default `--collector.filesystem.mount-points-exclude` and
/// `fs-types-exclude`: kernel and container pseudo file systems, which have no disk space.
fn skip_mount(m: &Mount) -> bool {
    static POINTS: OnceLock<Regex> = OnceLock::new();
    static TYPES: OnceLock<Regex> = OnceLock::new();
    // Invariant: both patterns are constant and valid (a unit test compiles them).
    let points = POINTS.get_or_init(|| {
        Regex::new(r"^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)")
            .expect("valid regex")
    });
    let types = TYPES.get_or_init(|| {
        Regex::new(
            r"^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$",
        )
        .expect("valid regex")
    });
    points.is_match(&m.mount_point) || types.is_match(&m.fs_type)
}

/// Size, free and available bytes of a mounted file system.
fn statvfs(path: &str) -> Option<[f64; 3]> {
    let c = std::ffi::CString::new(path).ok()?;
    // SAFETY: `c` is a valid NUL-terminated string and `st` a properly sized out-parameter
    // that statvfs fills on success.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    let unit = st.f_frsize as f64;
    Some([
        st.f_blocks as f64 * unit,
        st.f_bfree as f64 * unit,
        st.f_bavail as f64 * unit,
    ])
}

fn filesystems(out: &mut Exposition) {
    let table = std::fs::read_to_string("/proc/1/mounts")
        .or_else(|_| std::fs::read_to_string("/proc/mounts"));
    let Ok(table) = table else { return };
    let mut seen = std::collections::HashSet::new();
    let mut stats = Vec::new();
    for m in parse_mounts(&table) {
        if skip_mount(&m)
            || !seen.insert((m.device.clone(), m.mount_point.clone(), m.fs_type.clone()))
        {
            continue;
        }
        if let Some(s) = statvfs(&m.mount_point) {
            stats.push((m, s));
        }
    }
    let families = [
        ("node_filesystem_size_bytes", "Filesystem size in bytes."),
        (
            "node_filesystem_free_bytes",
            "Filesystem free space in bytes.",
        ),
        (
            "node_filesystem_avail_bytes",
            "Filesystem space available to non-root users in bytes.",
        ),
    ];
    for (i, (name, help)) in families.iter().enumerate() {
        out.family(name, MetricType::Gauge, help);
        for (m, s) in &stats {
            out.sample(
                name,
                &[
                    ("device", &m.device),
                    ("fstype", &m.fs_type),
                    ("mountpoint", &m.mount_point),
                ],
                s[i],
            );
        }
    }
}

/// Received and transmitted bytes per interface from `/proc/net/dev`.
fn parse_netdev(text: &str) -> Vec<(String, f64, f64)> {
    text.lines()
        .skip(2)
        .filter_map(|line| {
            let (name, rest) = line.split_once(':')?;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((
                name.trim().to_string(),
                f.first()?.parse().ok()?,
                f.get(8)?.parse().ok()?,
            ))
        })
        .collect()
}

fn network(out: &mut Exposition, devices: &[(String, f64, f64)]) {
    for (name, stat, pick) in [
        ("node_network_receive_bytes_total", "receive_bytes", 0),
        ("node_network_transmit_bytes_total", "transmit_bytes", 1),
    ] {
        out.family(
            name,
            MetricType::Counter,
            &format!("Network device statistic {stat}."),
        );
        for (dev, rx, tx) in devices {
            out.sample(name, &[("device", dev)], if pick == 0 { *rx } else { *tx });
        }
    }
}

/// Bytes read and written per disk from `/proc/diskstats`, without the devices
/// node_exporter ignores by default (partitions, RAM, loop and floppy devices).
fn parse_diskstats(text: &str) -> Vec<(String, f64, f64)> {
    static IGNORED: OnceLock<Regex> = OnceLock::new();
    // Invariant: the pattern is constant and valid (a unit test exercises it).
    let ignored = IGNORED.get_or_init(|| {
        Regex::new(r"^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$").expect("valid regex")
    });
    // The kernel counts in 512-byte sectors whatever the device's own block size.
    const SECTOR: f64 = 512.0;
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let name = *f.get(2)?;
            if ignored.is_match(name) {
                return None;
            }
            let read: f64 = f.get(5)?.parse().ok()?;
            let written: f64 = f.get(9)?.parse().ok()?;
            Some((name.to_string(), read * SECTOR, written * SECTOR))
        })
        .collect()
}

fn disks(out: &mut Exposition, devices: &[(String, f64, f64)]) {
    for (name, help, pick) in [
        (
            "node_disk_read_bytes_total",
            "The total number of bytes read successfully.",
            0,
        ),
        (
            "node_disk_written_bytes_total",
            "The total number of bytes written successfully.",
            1,
        ),
    ] {
        out.family(name, MetricType::Counter, help);
        for (dev, read, written) in devices {
            out.sample(
                name,
                &[("device", dev)],
                if pick == 0 { *read } else { *written },
            );
        }
    }
}

/// The fields of `uname(2)`.
struct Uname {
    sysname: String,
    nodename: String,
    release: String,
    version: String,
    machine: String,
    domainname: String,
}

fn uname() -> Option<Uname> {
    // SAFETY: `u` is a properly sized out-parameter that uname fills on success; every field
    // is a NUL-terminated array afterwards.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut u) } != 0 {
        return None;
    }
    let field = |f: &[libc::c_char]| {
        let bytes: Vec<u8> = f
            .iter()
            .take_while(|c| **c != 0)
            .map(|c| *c as u8)
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Some(Uname {
        sysname: field(&u.sysname),
        nodename: field(&u.nodename),
        release: field(&u.release),
        version: field(&u.version),
        machine: field(&u.machine),
        domainname: field(&u.domainname),
    })
}

#[cfg(test)]
#[path = "host_tests.rs"]
mod tests;
