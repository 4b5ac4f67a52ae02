//! libFuzzer driver for argus' `template` fuzz target (see `argus::fuzz`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(target) = argus::conformance::fuzz::target("template") {
        (target.check)(data);
    }
});
