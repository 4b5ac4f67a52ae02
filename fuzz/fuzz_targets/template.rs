//! libFuzzer driver for argus' `template` fuzz target (see `argus::fuzz`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(target) = argus::fuzz::target("template") {
        (target.check)(data);
    }
});
