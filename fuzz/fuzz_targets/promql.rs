//! libFuzzer driver for argus' `promql` fuzz target (see `argus::fuzz`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(target) = argus::conformance::fuzz::target("promql") {
        (target.check)(data);
    }
});
