//! Unit tests of `host.rs`: each file format from a fixed sample, and one real collection of
//! this (Linux) machine.

use super::*;

#[test]
fn stat_gives_seconds_per_cpu_and_mode_and_the_boot_time() {
    let text = "cpu  300 0 200 1000 50 0 5 7 0 0\n\
                cpu0 100 1 100 500 25 2 3 4 9 9\n\
                cpu1 200 0 100 500 25 0 2 3 0 0\n\
                intr 12345 0 0\nbtime 1700000000\nprocesses 99\n";
    let (cpus, boot) = parse_stat(text, 100.0);
    assert_eq!(boot, Some(1.7e9));
    assert_eq!(cpus.len(), 2, "the total line is not a CPU");
    assert_eq!(cpus[0].0, "0");
    assert_eq!(cpus[0].1, [1.0, 0.01, 1.0, 5.0, 0.25, 0.02, 0.03, 0.04]);
    assert_eq!(cpus[1].0, "1");
}

#[test]
fn loadavg_and_meminfo() {
    assert_eq!(
        parse_loadavg("0.52 0.58 0.59 1/389 12345\n").unwrap(),
        [0.52, 0.58, 0.59]
    );
    assert!(parse_loadavg("").is_err());
    let mem = "MemTotal:       16000000 kB\nMemFree:         1000 kB\nMemAvailable:   8000000 kB\n\
               Buffers:          100 kB\nCached:          2000 kB\nSwapCached:        0 kB\n\
               Active(anon):     10 kB\nSwapTotal:         0 kB\nSwapFree:          0 kB\n\
               HugePages_Total:   0\n";
    let fields = parse_meminfo(mem);
    assert_eq!(fields.len(), 7, "{fields:?}");
    assert_eq!(fields[0], ("MemTotal", 16_000_000.0 * 1024.0));
    assert!(fields.iter().all(|(f, _)| MEMINFO_FIELDS.contains(f)));
}

#[test]
fn mounts_skip_pseudo_file_systems_and_decode_escapes() {
    let text = "proc /proc proc rw 0 0\nsysfs /sys sysfs rw 0 0\n/dev/vda1 / ext4 rw 0 0\n\
                tmpfs /run tmpfs rw 0 0\ncgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n\
                /dev/vdb /mnt/my\\040disk xfs rw 0 0\noverlay /x overlay rw 0 0\n\
                tmpfs /run/credentials/a.service tmpfs rw 0 0\n";
    let kept: Vec<String> = parse_mounts(text)
        .into_iter()
        .filter(|m| !skip_mount(m))
        .map(|m| m.mount_point)
        .collect();
    assert_eq!(kept, ["/", "/run", "/mnt/my disk"]);
    assert_eq!(unescape_octal("a\\134b\\011"), "a\\b\t");
    assert_eq!(unescape_octal("odd\\9"), "odd\\9");
}

#[test]
fn netdev_and_diskstats() {
    let net = "Inter-|   Receive                            |  Transmit\n \
               face |bytes    packets errs drop fifo frame compressed multicast|bytes ...\n    \
               lo: 3878581   24100    0    0    0     0          0         0  3878581   24100    0    0    0     0       0          0\n  \
               eth0: 105834334    4047    0    0    0     0          0         0   239225    2720    0    0    0     0       0          0\n";
    assert_eq!(
        parse_netdev(net),
        [
            ("lo".to_string(), 3878581.0, 3878581.0),
            ("eth0".to_string(), 105834334.0, 239225.0)
        ]
    );
    let disks = "   7       0 loop0 1 0 2 0 0 0 0 0 0 0 0\n \
                 254       0 vda 131788 7564 9363098 296031 55558 70699 81566856 967968 0 74580 1303641\n \
                 254       1 vda1 1 0 8 0 0 0 0 0 0 0 0\n \
                 253       0 zram0 1 0 8 0 0 0 0 0 0 0 0\n \
                 259       0 nvme0n1 1 0 8 0 2 0 16 0 0 0 0\n \
                 259       1 nvme0n1p1 1 0 8 0 0 0 0 0 0 0 0\n";
    assert_eq!(
        parse_diskstats(disks),
        [
            ("vda".to_string(), 9363098.0 * 512.0, 81566856.0 * 512.0),
            ("nvme0n1".to_string(), 8.0 * 512.0, 16.0 * 512.0)
        ]
    );
}

#[test]
fn a_real_collection_has_every_family_with_metadata() {
    let body = collect().expect("this test runs on Linux");
    for name in [
        "node_boot_time_seconds",
        "node_cpu_seconds_total",
        "node_load1",
        "node_load5",
        "node_load15",
        "node_memory_MemTotal_bytes",
        "node_memory_MemAvailable_bytes",
        "node_filesystem_size_bytes",
        "node_network_receive_bytes_total",
        "node_time_seconds",
        "node_uname_info",
    ] {
        assert!(
            body.samples
                .iter()
                .any(|s| s.labels.metric_name() == Some(name)),
            "{name} missing"
        );
        assert!(
            body.metadata
                .iter()
                .any(|m| m.metric == name && !m.help.is_empty()),
            "{name} has no metadata"
        );
    }
    let uname = body
        .samples
        .iter()
        .find(|s| s.labels.metric_name() == Some("node_uname_info"))
        .unwrap();
    assert_eq!(uname.labels.get("sysname"), Some("Linux"));
    assert_eq!(uname.labels.get("nodename"), Some(hostname().as_str()));
    // No series twice (a mount listed twice in the mount table).
    let mut seen = std::collections::HashSet::new();
    for s in &body.samples {
        assert!(seen.insert(s.labels.clone()), "duplicate {}", s.labels);
    }
}

#[test]
fn the_host_job_is_labelled_like_a_node_exporter_target() {
    let job = host_job(HOST_JOB, 15_000, 10_000);
    let t = &job.targets[0];
    assert_eq!(t.kind, TargetKind::Host);
    assert_eq!(t.job(), "node");
    assert_eq!(t.instance(), hostname());
    assert_eq!((t.interval_ms, t.timeout_ms), (15_000, 10_000));
    assert_eq!(host_job("n", 5_000, 10_000).targets[0].timeout_ms, 5_000);
}
