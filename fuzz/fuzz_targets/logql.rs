//! libFuzzer driver for argus' `logql` fuzz target (see `argus::fuzz`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(target) = argus::conformance::fuzz::target("logql") {
        (target.check)(data);
    }
});
