//! libFuzzer driver for argus' `remote-write` fuzz target (see `argus::fuzz`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(target) = argus::conformance::fuzz::target("remote-write") {
        (target.check)(data);
    }
});
