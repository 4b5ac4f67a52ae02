//! libFuzzer driver for argus' `loki-push-json` fuzz target (see `argus::fuzz`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(target) = argus::conformance::fuzz::target("loki-push-json") {
        (target.check)(data);
    }
});
